"""Forms of the complaint pages. They parse input; the operations validate it again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from loket.complaints.intake import MAX_TEXT
from loket.complaints.models import Category, Subject, Tier


class FileForm(forms.Form):
    category = forms.ChoiceField(label=_("What is the complaint about?"))
    subject = forms.ChoiceField(
        label=_("It concerns"),
        choices=Subject.choices,
        initial=Subject.SERVICE,
        widget=forms.RadioSelect,
    )
    service_code = forms.ChoiceField(label=_("Service"), required=False)
    unit_code = forms.ChoiceField(label=_("Unit"), required=False)
    case_tracking_number = forms.CharField(
        label=_("Application tracking number"), required=False, max_length=32
    )
    case_access_code = forms.CharField(
        label=_("Application access code"), required=False, max_length=20
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text, at most 4,000 characters. Do not write your NIK here."),
    )
    address = forms.CharField(
        label=_("Where (address or landmark)"), required=False, max_length=300
    )
    lat = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    long = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    is_confidential = forms.BooleanField(
        label=_("Confidential (rahasia): do not publish the content"), required=False
    )
    is_anonymous = forms.BooleanField(
        label=_("Anonymous (anonim): hide my identity from the officers handling it"),
        required=False,
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Mobile number"), required=False, max_length=20)

    def __init__(
        self,
        *args: Any,
        categories: list[Category],
        services: list[Any],
        units: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (c.code, c.name) for c in categories
        ]
        cast(forms.ChoiceField, self.fields["service_code"]).choices = [("", "—")] + [
            (s.code, s.name) for s in services
        ]
        cast(forms.ChoiceField, self.fields["unit_code"]).choices = [("", "—")] + [
            (u.code, u.name) for u in units
        ]


class FollowForm(forms.Form):
    tracking_number = forms.CharField(label=_("Complaint number"), max_length=32)
    access_code = forms.CharField(label=_("Access code"), max_length=20)


class InformationForm(forms.Form):
    text = forms.CharField(
        label=_("Your information"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.Form):
    is_satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with the answer?"),
        choices=[("yes", _("Yes, close the complaint")), ("no", _("No, reopen it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Your reply"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# -- workspace --------------------------------------------------------------------------


class VerifyForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    make_confidential = forms.BooleanField(label=_("Make confidential"), required=False)
    make_anonymous = forms.BooleanField(label=_("Make anonymous"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class ForwardForm(ReasonForm):
    position = forms.TypedChoiceField(label=_("Forward to"), coerce=int)

    def __init__(self, *args: Any, positions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["position"]).choices = [
            (p.pk, f"{p.title} — {p.unit.name} ({p.agency.short_name or p.agency.name})")
            for p in positions
        ]


class RaiseTierForm(ReasonForm):
    tier = forms.ChoiceField(label=_("New tier"), choices=Tier.choices)


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Answer (published unless the complaint is confidential)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
