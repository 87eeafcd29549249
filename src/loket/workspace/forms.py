"""Officer sign-in forms: password first, then a code from the authenticator app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from loket.accounts.selectors import active_officer
from loket.cases import policy
from loket.core.signin import BoundedUsername


class OfficerPasswordForm(BoundedUsername, AuthenticationForm):
    """Username and password of an officer account; applicant accounts are refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong."),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if active_officer(user) is None:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This account is not an active officer account."),
                    reverse("accounts:login"),
                    _("Applicants sign in here."),
                ),
                code="not_officer",
            )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        help_text=_("The code your authenticator app shows now for Loket."),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "otp",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the digits only."), code="not_digits")
        return code


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; unknown values fall back to all."""

    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("all", _("All open tasks")),
            ("open", _("Not yet claimed")),
            ("mine", _("Claimed by me")),
            ("overdue", _("Overdue")),
        ],
    )

    def __init__(self, *args: Any, services: Iterable[Any] = (), language: str = "id",
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All services"))] + [  # type: ignore[attr-defined]
            (s.pk, (s.name_en if language == "en" else "") or s.name) for s in services
        ]


class DecisionForm(forms.Form):
    """An officer's decision on a task; a reason is required to reject or return."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required to reject or return: the applicant reads it. Say what is wrong and, "
            "for a return, what to send."
        ),
    )

    # Set on the signer's confirmation step: the approval then issues the document.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        actions: Iterable[str],
        documents: Iterable[tuple[str, str]] = (),
        data_fields: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        """`documents` and `data_fields` are (name, label) pairs: the checklist's rows and
        the fields a return may name."""
        super().__init__(*args, **kwargs)
        labels = {
            "approve": _("Approve"),
            "return": _("Return to the applicant for revision"),
            "reject": _("Reject"),
        }
        self.fields["decision"].choices = [  # type: ignore[attr-defined]
            (action, labels[action])
            for action in ("approve", "return", "reject")
            if action in actions
        ]
        self.checklist_names = [name for name, _label in documents]
        for name, label in documents:
            self.fields[f"verdict_{name}"] = forms.ChoiceField(
                label=label,
                required=False,
                widget=forms.RadioSelect,
                choices=[("sesuai", _("Conforms (sesuai)")),
                         ("tidak_sesuai", _("Does not conform (tidak sesuai)"))],
            )  # fmt: skip
            self.fields[f"note_{name}"] = forms.CharField(
                label=_("Note on %(document)s") % {"document": label},
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Required when it does not conform: the applicant reads it."),
            )
        fields = list(data_fields)
        if fields and "return" in actions:
            self.fields["requested_fields"] = forms.MultipleChoiceField(
                label=_("Fields the applicant must correct (when returning)"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=fields,
            )

    def checklist_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(verdict, note) bound fields per document, for the template."""
        return [(self[f"verdict_{n}"], self[f"note_{n}"]) for n in self.checklist_names]

    def checklist(self) -> dict[str, dict[str, str]]:
        """The verdicts given (documents left unmarked are left out), as the engine takes them."""
        return {
            name: {
                "verdict": self.cleaned_data[f"verdict_{name}"],
                "note": self.cleaned_data.get(f"note_{name}") or "",
            }
            for name in self.checklist_names
            if self.cleaned_data.get(f"verdict_{name}")
        }

    def requested_field_names(self) -> list[str]:
        return list(self.cleaned_data.get("requested_fields") or [])

    def engine_field(self, field: str) -> str | None:
        """The form field an engine error names ("checklist.ktp" -> "verdict_ktp")."""
        group, _sep, name = field.partition(".")
        target = {"checklist": f"verdict_{name}", "requested_fields": "requested_fields"}.get(
            group, field
        )
        return target if target in self.fields else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reason = (cleaned.get("reason") or "").strip()
        cleaned["reason"] = reason
        problem = policy.reason_problem(cleaned.get("decision") or "", reason)
        if problem:
            self.add_error("reason", forms.ValidationError(problem, code="reason_required"))
        return cleaned


class ReassignForm(forms.Form):
    """A head of unit gives a task to one holder of its position, or releases the claim."""

    RELEASE = "release"

    assignee = forms.ChoiceField(label=_("Give the task to"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, holders: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (str(h.officer.pk), f"{h.officer.name} ({capacity_label(h.capacity)})") for h in holders
        ] + [(self.RELEASE, _("Nobody: release the claim so any holder can take it"))]


def capacity_label(capacity: str) -> str:
    """The short word officers use for a capacity: Definitif, Plt or Plh."""
    return str({"definitive": _("Definitive"), "plt": _("Plt"), "plh": _("Plh")}.get(capacity, ""))
