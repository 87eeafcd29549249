"""Admin form parts that answer a crafted value with a form error, not a server error.

The admin's pickers only send ids they offered, but a request can carry anything, and
two of Django's own parts failed on it while showing the form again with its errors:
the autocomplete picker looks the submitted id up to show it (an id that is not a
number raised ValueError from the template), and a multiple choice checks its ids with
one `IN` query (on SQLite an id past 64 bits raised OverflowError). Either was a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError

LARGEST_ID = 2**63 - 1  # a 64-bit column's largest value, on both databases
# Django's own code for the error below (a form's, never an API problem type).
INVALID_CHOICE_ID = "invalid_pk_value"


class SafeAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name: str, value: Any, attr: Any = None) -> Any:
        try:
            return super().optgroups(name, value, attr)
        except (ValueError, TypeError, OverflowError):
            # Not an id of the list: shown as nothing chosen, next to the field's error.
            return super().optgroups(name, [], attr)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField[Any]):
    def _check_values(self, value: Any) -> Any:
        try:
            return super()._check_values(value)  # type: ignore[misc]
        except OverflowError:
            too_large = next(
                (v for v in value if str(v).isdigit() and int(str(v)) > LARGEST_ID), value
            )
            raise ValidationError(
                self.error_messages[INVALID_CHOICE_ID],
                code=INVALID_CHOICE_ID,
                params={"pk": too_large},
            ) from None


class SafeChoicesAdmin:
    """Mixed into a ModelAdmin before it: its autocomplete pickers and multiple choices
    use the parts above."""

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        autocomplete = self.get_autocomplete_fields(request)  # type: ignore[attr-defined]
        if "widget" not in kwargs and db_field.name in autocomplete:
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
