"""The application form one topic per page: about you, the application's data, documents.

The data is one page, or one page per data group of the definition
(`requirements.groups`): the fields in no group keep the page "Application
details", then each group is a page with its title and hint. Each page is the
application form (`forms.ApplicationForm`, built as for the one-page form) with
only that page's fields kept, so the rules of every field stay in one place. A
page with nothing to ask (a service without documents) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from loket.cases.intake import document_limits
from loket.catalog.definitions import ServiceDefinition
from loket.core.formats import ui_language
from loket.portal.forms import APPLICANT_FIELDS, DATA_PREFIX, DOC_PREFIX, ApplicationForm

APPLICANT = "pemohon"
DATA = "data"
DOCUMENTS = "dokumen"
# A group's page: "data-usaha" (group names are identifiers, so never "-" inside).
GROUP_PREFIX = DATA + "-"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise
    hint: str = ""
    # The data fields asked on this page (data pages only).
    data_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_data(self) -> bool:
        return self.slug == DATA or self.slug.startswith(GROUP_PREFIX)

    def owns(self, field_name: str) -> bool:
        if self.slug == APPLICANT:
            return field_name in APPLICANT_FIELDS
        if self.is_data:
            return field_name.removeprefix(DATA_PREFIX) in self.data_fields and (
                field_name.startswith(DATA_PREFIX)
            )
        return field_name.startswith(DOC_PREFIX)


def steps(definition: ServiceDefinition) -> list[Step]:
    """The pages of the form, in order; "Langkah X dari Y" counts them."""
    language = ui_language()
    found = [Step(APPLICANT, gettext_lazy("About you"))]
    ungrouped = definition.fields_of_group(None)
    if ungrouped:
        names = frozenset(f.name for f in ungrouped)
        found.append(Step(DATA, gettext_lazy("Application details"), data_fields=names))
    for group in definition.data_groups:
        names = frozenset(f.name for f in definition.fields_of_group(group.name))
        if names:  # the loader refuses an empty group; an old version may still have one
            found.append(
                Step(
                    GROUP_PREFIX + group.name,
                    group.title_text(language),
                    hint=group.hint_text(language),
                    data_fields=names,
                )
            )
    if definition.document_requirements:
        found.append(Step(DOCUMENTS, gettext_lazy("Documents")))
    return found


def step_form(step: Step, *args: Any, **kwargs: Any) -> ApplicationForm:
    """The application form with only the fields of `step` (same arguments as the form)."""
    form = ApplicationForm(*args, with_applicant=step.slug == APPLICANT, **kwargs)
    for name in [name for name in form.fields if not step.owns(name)]:
        del form.fields[name]
    if step.slug == DOCUMENTS:
        _describe_limits(form, kwargs["definition"])
    return form


def _describe_limits(form: ApplicationForm, definition: ServiceDefinition) -> None:
    """What the page's script needs to check and shrink a file before it is sent; the
    server checks the same again."""
    for spec in definition.document_requirements:
        name = DOC_PREFIX + spec.name
        if name not in form.fields:
            continue
        types, max_bytes = document_limits(definition, spec.name)
        form.fields[name].widget.attrs.update(
            {"data-max-bytes": str(max_bytes), "data-types": " ".join(types)}
        )


def first_unfinished(definition: ServiceDefinition, completed: list[str]) -> int:
    """The number (from 1) of the first page not yet accepted; 0 when all are."""
    for number, step in enumerate(steps(definition), start=1):
        if step.slug not in completed:
            return number
    return 0
