"""Field types: one registered class per `requirements.data[].type`.

A field type owns everything that differs between types: which settings the
definition may give it, how a submitted value is cleaned (the case engine and
the API), the Django form field the portal draws, how a stored value reads on
the review page, the workspace and the licence, and the value rules (CEL) see.
Nothing else switches on the type name: adding a type is writing one class and
decorating it with `@register` (like Open Forms' component registry).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation

from loket.core.errors import ValidationError

I18n = Mapping[str, str]


def localized(value: Any, language: str) -> str:
    """A `{id: ..., en: ...}` text in the wanted language, falling back to Indonesian."""
    if isinstance(value, Mapping):
        return str(value.get(language) or value.get("id") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def message_label(field: Any, language: str) -> str:
    """A field's (or document's) label for an error message, in the language the message
    is translated into: the request's (`Accept-Language`, the page's). `language`, the
    applicant's, still governs how values are read (25.000.000 or 25,000,000); a label
    in it inside a message in the other read "Line of business wajib diisi"."""
    active = (translation.get_language() or language).split("-")[0]
    return str(field.label_text(active))


class FieldValueError(ValueError):
    """A value a field type refuses; `message` is for the applicant and names the field."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class FieldType:
    """The behaviour of one kind of data field. Subclasses are stateless singletons."""

    name: ClassVar[str]
    # Settings of `requirements.data` entries that apply to this type.
    options: ClassVar[frozenset[str]] = frozenset()
    # min/max must be whole numbers (else any number; dates have their own).
    whole_bounds: ClassVar[bool] = False
    default_max_length: ClassVar[int | None] = None
    # Masked (NIK, phone) for readers other than the officers working the case,
    # and never printed on the issued document.
    is_personal: ClassVar[bool] = False

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        """The submitted `value` as stored (JSON), or FieldValueError."""
        raise NotImplementedError

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        """The portal's form field; by default a text input cleaned by `clean`, so the
        portal and the engine cannot disagree."""
        return EngineFormField(data_field=field, language=language, **common)

    def form_text(self, value: Any, *, language: str) -> Any:
        """A stored value as the form shows it back for editing."""
        return value

    def form_value(self, value: Any) -> Any:
        """A form field's cleaned value as JSON for the draft and the engine."""
        return value

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        """A stored value as people read it (review page, workspace, licence)."""
        return str(value)

    def rule_value(self, value: Any) -> Any:
        """A stored value as rules (CEL) see it."""
        return value

    def describe(self, field: DataField, *, language: str) -> list[str]:
        """What the service standard page says the field takes, e.g. ['number', 'at least 1']."""
        return [self.name]


class EngineFormField(forms.Field):
    """A portal form field cleaned by the field type itself (the engine's own rules),
    showing a stored value back the way its reader types it ("25.000.000")."""

    widget = forms.TextInput

    def __init__(self, *, data_field: DataField, language: str, **kwargs: Any) -> None:
        self.data_field = data_field
        self.language = language
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return self.data_field.kind.clean(self.data_field, value, language=self.language)
        except FieldValueError as exc:
            raise DjangoValidationError(exc.message, code=exc.code or "invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return self.data_field.kind.form_text(value, language=self.language)


_REGISTRY: dict[str, FieldType] = {}
_T = TypeVar("_T", bound=type[FieldType])


def register(cls: _T) -> _T:
    """Class decorator: make `cls` the field type named `cls.name`."""
    _REGISTRY[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    """Remove a field type (tests that register their own)."""
    _REGISTRY.pop(name, None)


def field_type(name: str) -> FieldType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"no field type {name!r} is registered") from None


def field_type_names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


@dataclass(frozen=True)
class Choice:
    value: str
    label: I18n


@dataclass(frozen=True)
class DataField:
    """One `requirements.data` entry of a compiled definition."""

    name: str
    kind: FieldType
    label: I18n
    help: I18n | None = None
    required: bool = True
    min: Any = None
    max: Any = None
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    group: str | None = None  # the page of the application form it is asked on

    @classmethod
    def from_normalized(cls, spec: Mapping[str, Any]) -> DataField:
        return cls(
            name=str(spec["name"]),
            kind=field_type(str(spec.get("type") or "text")),
            label=dict(spec.get("label") or {}),
            help=dict(spec["help"]) if spec.get("help") else None,
            required=bool(spec.get("required", True)),
            min=spec.get("min"),
            max=spec.get("max"),
            max_length=spec.get("max_length"),
            choices=tuple(
                Choice(str(c.get("value")), dict(c.get("label") or {}))
                for c in spec.get("choices") or []
                if isinstance(c, Mapping)
            ),
            group=str(spec["group"]) if spec.get("group") else None,
        )

    @property
    def type(self) -> str:
        return self.kind.name

    def label_text(self, language: str) -> str:
        return localized(self.label, language) or self.name

    def clean(self, value: Any, *, language: str) -> Any:
        """The value as stored, or ValidationError naming `data.<name>`."""
        try:
            return self.kind.clean(self, value, language=language)
        except FieldValueError as exc:
            raise ValidationError(exc.message, field=f"data.{self.name}", code=exc.code) from None

    def form_field(self, language: str) -> forms.Field:
        common: dict[str, Any] = {
            "label": self.label_text(language),
            "required": self.required,
            "help_text": localized(self.help, language),
        }
        return self.kind.form_field(self, language=language, **common)

    def display(self, value: Any, language: str) -> str:
        return self.kind.display(self, value, language=language)

    def choice_label(self, value: Any, language: str) -> str | None:
        for choice in self.choices:
            if choice.value == str(value):
                return localized(choice.label, language)
        return None
