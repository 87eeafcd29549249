"""Field types of business licensing: NIB (Nomor Induk Berusaha) and KBLI 2020 codes.

The KBLI list is a data file (`data/kbli2020.json`): the 1,789 five-digit codes
(kelompok) of KBLI 2020 (Peraturan BPS Nomor 2 Tahun 2020) with their titles;
the file names where it was taken from and when.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _

from loket.catalog.fields.base import (
    DataField,
    EngineFormField,
    FieldType,
    FieldValueError,
    message_label,
    register,
)

KBLI_FILE = Path(__file__).with_name("data") / "kbli2020.json"
# What people type around the digits: spaces, dots, dashes ("9120 0012 34567").
_SEPARATORS = re.compile(r"[\s.\-]")
# The code at the start of what the searchable list puts in the box: "56102 – Rumah/Warung Makan".
_LEADING_CODE = re.compile(r"^\s*(\d{5})(?:\s*[-–—:]\s*.*)?\s*$", re.DOTALL)
SEARCH_LIMIT = 20


@cache
def kbli_codes() -> Mapping[str, str]:
    """Code -> title of every KBLI 2020 kelompok, read once per process."""
    document = json.loads(KBLI_FILE.read_text(encoding="utf-8"))
    return dict(document["codes"])


def kbli_title(code: str) -> str | None:
    return kbli_codes().get(code)


def search_kbli(query: str, *, limit: int = SEARCH_LIMIT) -> list[tuple[str, str]]:
    """(code, title) of the codes matching `query`: a code prefix ("561") or every word
    of it in the title ("warung makan"), codes first, then in code order."""
    words = query.casefold().split()
    if not words:
        return []
    codes = kbli_codes()
    if len(words) == 1 and words[0].isdigit():
        return [(c, t) for c, t in codes.items() if c.startswith(words[0])][:limit]
    found = [(c, t) for c, t in codes.items() if all(w in t.casefold() for w in words)]
    return found[:limit]


@register
class NibField(FieldType):
    """Nomor Induk Berusaha: the 13-digit business identification number OSS issues."""

    name = "nib"

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        label = message_label(field, language)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise FieldValueError(self._message(label))
        digits = _SEPARATORS.sub("", str(value))
        if not re.fullmatch(r"[0-9]{13}", digits) or not digits.strip("0"):
            raise FieldValueError(self._message(label), code="invalid_nib")
        return digits

    def _message(self, label: str) -> str:
        return _("%(label)s must be the 13 digits of the NIB from OSS, e.g. 9120001234567.") % {
            "label": label
        }

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        form_field = EngineFormField(data_field=field, language=language, **common)
        form_field.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        )
        return form_field

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("NIB (13 digits)")]


class KbliInput(forms.TextInput):
    """A text box for a KBLI code with an (empty) list of suggestions beside it: the
    portal's script fills the list from its search as the applicant types; without
    the script the box takes the code as typed."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        attrs = dict(attrs or {})
        options_id = f"{attrs.get('id') or 'id_' + name}_options"
        attrs.update({"list": options_id, "data-lookup": "kbli"})
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}"></datalist>', box, options_id)


@register
class KbliField(FieldType):
    """A KBLI 2020 code (five digits), stored as the code; read with its title."""

    name = "kbli"

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        label = message_label(field, language)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise FieldValueError(self._format_message(label))
        text = f"{value:05d}" if isinstance(value, int) else str(value)
        found = _LEADING_CODE.match(text)
        code = found.group(1) if found else self._by_title(text)
        if code is None:
            raise FieldValueError(self._format_message(label), code="invalid_kbli")
        if kbli_title(code) is None:
            raise FieldValueError(
                _("%(label)s: %(code)s is not a KBLI 2020 code.") % {"label": label, "code": code},
                code="unknown_kbli",
            )
        return code

    def _by_title(self, text: str) -> str | None:
        """A title typed in full (any case) names its code."""
        wanted = " ".join(text.split()).casefold()
        for code, title in kbli_codes().items():
            if title.casefold() == wanted:
                return code
        return None

    def _format_message(self, label: str) -> str:
        return _("%(label)s must be a five-digit KBLI 2020 code, e.g. 56102.") % {"label": label}

    def form_field(self, field: DataField, *, language: str, **common: Any) -> forms.Field:
        form_field = EngineFormField(
            data_field=field,
            language=language,
            widget=KbliInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            **common,
        )
        return form_field

    def form_text(self, value: Any, *, language: str) -> Any:
        return self._with_title(value)

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        return str(self._with_title(value))

    def _with_title(self, value: Any) -> Any:
        title = kbli_title(str(value)) if value else None
        return f"{value} – {title}" if title else value

    def describe(self, field: DataField, *, language: str) -> list[str]:
        return [_("KBLI 2020 code (5 digits)")]
