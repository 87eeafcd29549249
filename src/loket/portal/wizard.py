"""The application form one topic per page: about you, the application's data, documents.

Each page is the application form (`forms.ApplicationForm`, built as for the one-page
form) with only that page's fields kept, so the rules of every field stay in one
place. A page with nothing to ask (a service without documents) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from loket.cases.intake import document_limits
from loket.catalog.definitions import ServiceDefinition
from loket.portal.forms import APPLICANT_FIELDS, DATA_PREFIX, DOC_PREFIX, ApplicationForm

APPLICANT = "pemohon"
DATA = "data"
DOCUMENTS = "dokumen"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str | Promise

    def owns(self, field_name: str) -> bool:
        if self.slug == APPLICANT:
            return field_name in APPLICANT_FIELDS
        if self.slug == DATA:
            return field_name.startswith(DATA_PREFIX)
        return field_name.startswith(DOC_PREFIX)


def steps(definition: ServiceDefinition) -> list[Step]:
    found = [Step(APPLICANT, gettext_lazy("About you"))]
    if definition.data_fields:
        found.append(Step(DATA, gettext_lazy("Application details")))
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
