"""The field types every Loket installation has (`text`, `integer`, `money`, `nik`, ...)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.catalog.fields.base import (
    DataField,
    EngineFormField,
    FieldType,
    FieldValueError,
    localized,
    message_label,
    register,
)
from loket.catalog.fields.numbers import (
    NumberFormatError,
    format_number,
    format_rupiah,
    parse_number,
)
from loket.core.errors import ValidationError
from loket.core.identity import validate_nik

PHONE = re.compile(r"^(\+62|62|0)8\d{7,12}$")
MAX_TEXT = 5000
# A short list of options reads best as radio buttons; a long one as a drop-down.
MAX_RADIO_CHOICES = 5
# Control characters other than line breaks and tabs, and the bidirectional overrides
# and isolates (U+202A-202E, U+2066-2069) that make "Warung \u202elive" display as
# something else to the officer reading it.
HIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"[\s().-]", "", phone or "")
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62"):
        digits = "0" + digits[2:]
    return digits


# -- text-like ------------------------------------------------------------------------


class _Text(FieldType):
    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        label = message_label(field, language)
        if isinstance(value, (dict, list)):
            raise FieldValueError(_("%(label)s must be text.") % {"label": label})
        text = self.clean_text(field, str(value).strip(), label)
        max_length = int(field.max_length or MAX_TEXT)
        if len(text) > max_length:
            raise FieldValueError(
                _("%(label)s is longer than %(max)s characters.")
                % {"label": label, "max": max_length}
            )
        if HIDDEN_CHARACTERS.search(text):
            raise FieldValueError(
                _("%(label)s contains invisible control characters; retype it.") % {"label": label}
            )
        return text

    def clean_text(self, field: DataField, text: str, label: str) -> str:
        return text


@register
class TextField(_Text):
    name = "text"
    options = frozenset({"max_length"})
    default_max_length = 200

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return forms.CharField(max_length=field.max_length or 200, **common)

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("text"), *_length_rule(field)]


@register
class TextareaField(_Text):
    name = "textarea"
    options = frozenset({"max_length"})
    default_max_length = 2000

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return forms.CharField(
            max_length=field.max_length or 2000,
            widget=forms.Textarea(attrs={"rows": 4}),
            **common,
        )

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("longer text"), *_length_rule(field)]


def _length_rule(field: DataField) -> list[str]:
    if not field.max_length:
        return []
    return [_("up to %(n)s characters") % {"n": field.max_length}]


@register
class EmailField(_Text):
    name = "email"

    def clean_text(self, field: DataField, text: str, label: str) -> str:
        try:
            validate_email(text)
        except DjangoValidationError:
            raise FieldValueError(
                _("%(label)s must be an e-mail address.") % {"label": label}
            ) from None
        return text

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}), **common)

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("e-mail address")]


def validate_phone_input(value: str) -> None:
    if value and not PHONE.match(normalize_phone(value)):
        raise DjangoValidationError(_("Enter an Indonesian mobile number, e.g. 0812 3456 7890."))


@register
class PhoneField(_Text):
    name = "phone"
    is_personal = True

    def clean_text(self, field: DataField, text: str, label: str) -> str:
        phone = normalize_phone(text)
        if not PHONE.match(phone):
            raise FieldValueError(
                _("%(label)s must be an Indonesian mobile number, e.g. 0812 3456 7890.")
                % {"label": label}
            )
        return phone

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return forms.CharField(
            max_length=20,
            validators=[validate_phone_input],
            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            **common,
        )

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("mobile number")]


def validate_nik_input(value: str) -> None:
    try:
        validate_nik(value)
    except ValidationError as exc:
        raise DjangoValidationError(exc.message) from None


@register
class NikField(_Text):
    name = "nik"
    is_personal = True

    def clean_text(self, field: DataField, text: str, label: str) -> str:
        try:
            return validate_nik(text).nik
        except ValidationError as exc:
            raise FieldValueError(f"{label}: {exc.message}", code=exc.code) from None

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return forms.CharField(
            max_length=20,
            validators=[validate_nik_input],
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **common,
        )

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("NIK (16 digits)")]


@register
class ChoiceField(FieldType):
    name = "choice"
    options = frozenset({"choices"})

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        text = "" if isinstance(value, (dict, list)) else str(value).strip()
        allowed = [choice.value for choice in field.choices]
        if text not in allowed:
            raise FieldValueError(
                _("%(label)s must be one of: %(choices)s.")
                % {"label": message_label(field, language), "choices": ", ".join(allowed)}
            )
        return text

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        options = [
            (choice.value, localized(choice.label, language) or choice.value)
            for choice in field.choices
        ]
        if len(options) <= MAX_RADIO_CHOICES:
            return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", _("— choose —")), *options], **common)

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        return field.choice_label(value, language) or str(value)

    def describe(self, field: DataField, *, language: str) -> list[str]:
        labels = ", ".join(localized(choice.label, language) for choice in field.choices)
        return [_("one of"), labels]


class YesNoField(forms.TypedChoiceField):
    """A boolean asked as a question (Ya/Tidak): `required` means it must be answered."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=[("true", _("Yes")), ("false", _("No"))],
            coerce=lambda value: value == "true",
            empty_value=None,
            widget=forms.RadioSelect,
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value


@register
class BooleanField(FieldType):
    name = "boolean"

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        if isinstance(value, bool):
            return value
        if str(value).lower() in {"true", "1", "yes", "ya", "on"}:
            return True
        if str(value).lower() in {"false", "0", "no", "tidak", "off"}:
            return False
        raise FieldValueError(
            _("%(label)s must be yes or no.") % {"label": message_label(field, language)}
        )

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return YesNoField(**common)

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        with translation.override(language):
            return str(_("Yes") if value in (True, "true") else _("No"))

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("yes or no")]


@register
class DateField(FieldType):
    name = "date"
    options = frozenset({"min", "max"})

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        label = message_label(field, language)
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise FieldValueError(
                _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}
            ) from None
        low, high = _date_bound(field.min), _date_bound(field.max)
        if low is not None and day < low:
            raise FieldValueError(
                _("%(label)s cannot be before %(date)s.")
                % {"label": label, "date": low.strftime("%d-%m-%Y")}
            )
        if high is not None and day > high:
            raise FieldValueError(
                _("%(label)s cannot be after %(date)s.")
                % {"label": label, "date": high.strftime("%d-%m-%Y")}
            )
        return day.isoformat()

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
            **common,
        )

    def form_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
        except ValueError:
            return str(value)

    def rule_value(self, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("date"), *_bound_rules(field, language)]


def _date_bound(value: Any) -> dt.date | None:
    if not value:
        return None
    return timezone.localdate() if value == "today" else dt.date.fromisoformat(str(value))


# -- numbers --------------------------------------------------------------------------


class _Number(FieldType):
    """A number typed the reader's way ("25.000.000", "2,5", "25 juta"), stored as a
    JSON number: int when `whole`, else float."""

    options = frozenset({"min", "max"})
    whole: ClassVar[bool] = False
    currency: ClassVar[bool] = False
    inputmode: ClassVar[str | None] = None

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        label = message_label(field, language)
        number = self._number(value, label, language)
        if self.whole and number % 1:
            raise FieldValueError(_("%(label)s must be a whole number.") % {"label": label})
        if field.min is not None and number < Decimal(str(field.min)):
            raise FieldValueError(
                _("%(label)s must be at least %(min)s.")
                % {"label": label, "min": self.text(field.min, language)}
            )
        if field.max is not None and number > Decimal(str(field.max)):
            raise FieldValueError(
                _("%(label)s must be at most %(max)s.")
                % {"label": label, "max": self.text(field.max, language)}
            )
        return int(number) if self.whole else float(number)

    def _number(self, value: Any, label: str, language: str) -> Decimal:
        if isinstance(value, (bool, dict, list)) or value is None:
            raise FieldValueError(self._not_a_number(label))
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, (float, Decimal)):
            if not math.isfinite(value):
                raise FieldValueError(self._not_a_number(label))
            number = Decimal(str(value))
        else:
            try:
                number = parse_number(str(value), language=language, currency=self.currency)
            except NumberFormatError as exc:
                raise FieldValueError(
                    _("%(label)s: %(problem)s") % {"label": label, "problem": exc.message},
                    code=exc.code,
                ) from None
        if abs(number) > 10**15:
            raise FieldValueError(_("%(label)s is too large.") % {"label": label})
        return number

    def _not_a_number(self, label: str) -> str:
        if self.whole:
            return _("%(label)s must be a whole number.") % {"label": label}
        return _("%(label)s must be a number.") % {"label": label}

    def text(self, value: Any, language: str) -> str:
        return format_number(value, language=language)

    def form_text(self, value: Any, *, language: str) -> Any:
        # Shown back for editing without "Rp", the way it would be typed: 25.000.000.
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return format_number(value, language=language)
        return value

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        form_field = EngineFormField(data_field=field, language=language, **common)
        form_field.widget.attrs["autocomplete"] = "off"
        if self.inputmode:
            form_field.widget.attrs["inputmode"] = self.inputmode
        return form_field

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
            return str(value)
        try:
            return self.text(Decimal(str(value)), language)
        except ArithmeticError:
            return str(value)

    def rule_value(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if self.whole:
            return int(value) if isinstance(value, str) else value
        return Decimal(str(value))

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [self.type_text(), *_bound_rules(field, language, self.text)]

    def type_text(self) -> str:
        return _("number")


def _bound_rules(field: DataField, language: str, text: Any = None) -> list[str]:
    show = text or (lambda value, language: str(value))
    rules = []
    if field.min is not None:
        rules.append(_("at least %(min)s") % {"min": show(field.min, language)})
    if field.max is not None:
        rules.append(_("at most %(max)s") % {"max": show(field.max, language)})
    return rules


@register
class IntegerField(_Number):
    name = "integer"
    whole_bounds = True
    whole = True
    inputmode = "numeric"

    def type_text(self) -> str:
        return _("whole number")


@register
class DecimalField(_Number):
    name = "decimal"
    inputmode = "decimal"


@register
class MoneyField(_Number):
    """An amount in whole rupiah: "25.000.000", "25 juta", "Rp25.000.000" -> 25000000."""

    name = "money"
    whole_bounds = True
    whole = True
    currency = True

    def text(self, value: Any, language: str) -> str:
        return format_rupiah(value, language=language)

    def type_text(self) -> str:
        return _("amount in rupiah")
