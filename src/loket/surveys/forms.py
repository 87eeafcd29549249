"""The survey questionnaire as a form: nine questions with the regulation's answer labels."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.surveys import ikm
from loket.surveys.models import AgeBand, Education, Gender, Occupation
from loket.surveys.services import MAX_SUGGESTION_CHARS, SurveyError


def _optional(choices: Any, label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Prefer not to say")), *choices],
    )


class SurveyForm(forms.Form):
    """Every question optional (a blank is left out of that element only); labels per language."""

    def __init__(self, *args: Any, rules: ikm.Rules, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = language.startswith("en")
        for code in rules.display_order:
            element = rules.elements[code]
            labels = element.labels_en if english else element.labels_id
            question = element.question_en if english else element.question_id
            self.fields[code] = forms.TypedChoiceField(
                label=question or (element.name_en if english else element.name_id),
                help_text=element.name_en if english else element.name_id,
                choices=[(str(i), label) for i, label in enumerate(labels, start=1)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the four answers.")},
            )
        self.fields["gender"] = _optional(Gender.choices, _("Gender"))
        self.fields["age_band"] = _optional(AgeBand.choices, _("Age"))
        self.fields["education"] = _optional(Education.choices, _("Education"))
        self.fields["occupation"] = _optional(Occupation.choices, _("Occupation"))
        self.fields["suggestion"] = forms.CharField(
            label=_("Your suggestion (optional)"),
            required=False,
            max_length=MAX_SUGGESTION_CHARS,
            widget=forms.Textarea(attrs={"rows": 4}),
        )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[code] for code in self.fields if code in ikm.ELEMENTS]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("gender", "age_band", "education", "occupation")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and all(cleaned.get(code) is None for code in ikm.ELEMENTS):
            raise forms.ValidationError(_("Answer at least one question."))
        return cleaned


def form_error(form: SurveyForm, error: ikm.RatingError | SurveyError) -> None:
    field = error.element if isinstance(error, ikm.RatingError) else error.field
    form.add_error(field if field in form.fields else None, error.message)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    """A unit head defines a survey period for one of the units they lead (or a service
    of it)."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    service = forms.TypedChoiceField(
        label=_("Service (optional)"), coerce=int, required=False, empty_value=None
    )
    code = forms.SlugField(label=_("Code"), max_length=64, help_text=_("e.g. 2027-s1"))
    name = forms.CharField(label=_("Name"), max_length=120)
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    population = forms.IntegerField(
        label=_("Population N (optional)"),
        min_value=1,
        required=False,
        help_text=_("Empty: the number of cases closed in the period."),
    )

    def __init__(self, *args: Any, units: list[Any], services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        service_field = self.fields["service"]
        assert isinstance(unit_field, forms.ChoiceField)
        assert isinstance(service_field, forms.ChoiceField)
        unit_field.choices = [(u.pk, u.name) for u in units]
        service_field.choices = [("", "—")] + [(s.pk, s.name) for s in services]
        self.services_by_unit = {s.pk: s.unit_id for s in services}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        service = cleaned.get("service")
        if service and self.services_by_unit.get(service) != cleaned.get("unit"):
            self.add_error("service", _("Choose a service of the chosen unit."))
        return cleaned
