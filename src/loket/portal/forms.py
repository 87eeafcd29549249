"""Forms of the applicant pages, built from a service's published definition.

The application form has one typed field per `requirements.data` entry
(`data_<name>`), one file field per document (`doc_<name>`) and the
applicant's own fields (`applicant_*`). Field-level checks here give every
message at once, next to its field; the case engine checks everything again
when the application is submitted, so the rules cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.catalog.definitions import DocumentRequirement, ServiceDefinition
from loket.catalog.fields import DataField, localized
from loket.catalog.fields.builtin import (
    normalize_phone,
    validate_nik_input,
    validate_phone_input,
)
from loket.core.errors import ValidationError
from loket.documents.uploads import KINDS, format_megabytes

DATA_PREFIX = "data_"
DOC_PREFIX = "doc_"
APPLICANT_FIELDS = ("applicant_name", "applicant_nik", "applicant_email", "applicant_phone")


def data_field(spec: DataField, language: str) -> forms.Field:
    """The form field for one `requirements.data` entry: its field type draws it."""
    return spec.form_field(language)


def to_draft_value(spec: DataField, value: Any) -> Any:
    """A cleaned field value as JSON for the session and for the case engine."""
    return spec.kind.form_value(value)


def allowed_types_text(types: list[str]) -> str:
    names = [str(KINDS[t].code).upper() if t in KINDS else t.upper() for t in types]
    if len(names) == 1:
        return names[0]
    return _("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def document_hint(spec: DocumentRequirement, language: str) -> str:
    """'PDF, JPEG or PNG, at most 2 MB.' (plus the definition's own help text)."""
    hint = _("%(types)s, at most %(size)s MB.") % {
        "types": allowed_types_text(list(spec.types)),
        "size": format_megabytes(spec.max_bytes),
    }
    extra = localized(spec.help, language)
    return f"{extra} {hint}".strip() if extra else hint


def accept_attribute(types: list[str]) -> str:
    extensions = {
        "pdf": ".pdf,application/pdf",
        "jpeg": ".jpg,.jpeg,image/jpeg",
        "png": ".png,image/png",
    }
    return ",".join(extensions[t] for t in types if t in extensions)


class ApplicationForm(forms.Form):
    """Applicant, data fields and documents of one service.

    `kept_documents` maps document names to files already stored from an earlier
    post of this form (their names are shown, and they need not be sent again).
    """

    applicant_name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_nik = forms.CharField(
        label=gettext_lazy("NIK (national identity number)"),
        help_text=gettext_lazy("16 digits, as on your identity card (KTP)."),
        max_length=20,
        validators=[validate_nik_input],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy(
            "Give an e-mail address, a mobile number or both: we tell you about progress there."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        required=False,
        max_length=20,
        validators=[validate_phone_input],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(
        self,
        *args: Any,
        definition: ServiceDefinition,
        language: str,
        kept_documents: dict[str, dict[str, Any]] | None = None,
        with_applicant: bool = True,
        partial: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.language = language
        self.kept_documents = kept_documents or {}
        if not with_applicant:
            for name in APPLICANT_FIELDS:
                del self.fields[name]
        for spec in definition.data_fields:
            field = data_field(spec, language)
            if partial:
                field.required = False
            self.fields[DATA_PREFIX + spec.name] = field
        for document in definition.document_requirements:
            self.fields[DOC_PREFIX + document.name] = self._document_field(document, partial)

    def _document_field(self, spec: DocumentRequirement, partial: bool) -> forms.FileField:
        hint = document_hint(spec, self.language)
        kept = self.kept_documents.get(spec.name)
        if kept:
            hint += " " + _kept_text(kept)
        field = forms.FileField(
            label=spec.label_text(self.language),
            required=spec.required and not kept and not partial,
            help_text=hint,
            widget=forms.FileInput(attrs={"accept": accept_attribute(list(spec.types))}),
        )
        field.error_messages["required"] = _("Upload %(label)s.") % {"label": field.label}
        return field

    def note_kept(self, name: str, kept: dict[str, Any]) -> None:
        """Say on the field that a file was stored from this post (it need not be sent again)."""
        self.kept_documents[name] = kept
        field = self.fields[DOC_PREFIX + name]
        spec = self.definition.document(name)
        if spec is None:
            raise KeyError(name)
        hint = document_hint(spec, self.language)
        field.help_text = f"{hint} {_kept_text(kept)}"
        # The bound field copied the text when validation ran; it is what templates read.
        self[DOC_PREFIX + name].help_text = field.help_text
        field.required = False

    # -- groups for the template ---------------------------------------------------

    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in APPLICANT_FIELDS if name in self.fields]

    def data_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(DATA_PREFIX)]

    def document_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(DOC_PREFIX)]

    # -- validation ------------------------------------------------------------------

    def clean_applicant_nik(self) -> str:
        return re.sub(r"[\s.]", "", self.cleaned_data["applicant_nik"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_contact = cleaned.get("applicant_email") or cleaned.get("applicant_phone")
        contact_fields_ok = not (
            self.has_error("applicant_email") or self.has_error("applicant_phone")
        )
        if "applicant_email" in self.fields and contact_fields_ok and not has_contact:
            self.add_error(
                "applicant_email",
                _("Give an e-mail address or a mobile number so we can tell you about progress."),
            )
        return cleaned

    def data_values(self) -> dict[str, Any]:
        """The data fields' cleaned values (empty ones left out), JSON-ready."""
        values = {}
        for spec in self.definition.data_fields:
            value = self.cleaned_data.get(DATA_PREFIX + spec.name)
            if value not in (None, ""):
                values[spec.name] = to_draft_value(spec, value)
        return values

    def applicant_values(self) -> dict[str, str]:
        return {
            "name": " ".join(self.cleaned_data.get("applicant_name", "").split()),
            "nik": self.cleaned_data.get("applicant_nik", ""),
            "email": (self.cleaned_data.get("applicant_email") or "").lower(),
            "phone": normalize_phone(self.cleaned_data.get("applicant_phone") or ""),
        }

    def uploads(self) -> dict[str, Any]:
        """Files sent with this post, by document name."""
        return {
            name[len(DOC_PREFIX) :]: self.files[name]
            for name in self.fields
            if name.startswith(DOC_PREFIX) and name in self.files
        }

    def add_engine_error(self, exc: ValidationError) -> None:
        """Put an engine `ValidationError` (field `data.x`, `documents.x`, `applicant.x`) on
        the form field it names, or on the whole form."""
        for error in exc.each_error():
            target = engine_field_to_form(error["field"])
            self.add_error(target if target in self.fields else None, error["message"])


def _kept_text(kept: dict[str, Any]) -> str:
    return _("Already uploaded: %(name)s. Choose a file only to replace it.") % {
        "name": kept["original_name"]
    }


def engine_field_to_form(field: str) -> str:
    group, _sep, name = field.partition(".")
    if group == "data":
        return DATA_PREFIX + name
    if group == "documents":
        return DOC_PREFIX + name
    if group == "applicant":
        return "applicant_" + name
    return ""


def initial_from(data: dict[str, Any], applicant: dict[str, str] | None = None) -> dict[str, Any]:
    """Initial values of the application form from a draft or a case's data."""
    initial: dict[str, Any] = {DATA_PREFIX + name: value for name, value in data.items()}
    for name, value in initial.items():
        if isinstance(value, bool):
            initial[name] = "true" if value else "false"
    for key, value in (applicant or {}).items():
        initial["applicant_" + key] = value
    return initial


class TrackForm(forms.Form):
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"),
        help_text=gettext_lazy("As on your receipt, e.g. IUM-2026-000123."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    access_code = forms.CharField(
        label=gettext_lazy("Access code"),
        help_text=gettext_lazy("8 letters and digits, from your receipt."),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_tracking_number(self) -> str:
        number: str = self.cleaned_data["tracking_number"].strip().upper()
        return number


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
