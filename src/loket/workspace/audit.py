"""The data protection officer's page: who read applicants' full personal data, read-only.

Only an officer (signed in with password and TOTP) holding the DPO permission
(`cases.view_personaldataread`) sees it; everyone else gets 403. The page lists
the audit lines newest first, filtered by officer and by case, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from loket.cases import personal_data
from loket.cases.personal_data import ReadFilter
from loket.workspace.decorators import officer_required

PAGE_SIZE = 50


class ReadFilterForm(forms.Form):
    """The page's filters, read from the query string; a bad value filters nothing."""

    officer = forms.TypedChoiceField(
        label=_("Officer"), required=False, coerce=int, empty_value=None
    )
    case = forms.CharField(label=_("Tracking number"), required=False, max_length=32)

    def __init__(self, *args: Any, officers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", _("All officers"))] + [  # type: ignore[attr-defined]
            (o.pk, f"{o.name} ({o.nip})") for o in officers
        ]

    def clean_case(self) -> str:
        number = str(self.cleaned_data.get("case") or "").strip().upper()
        if number and not number.replace("-", "").isalnum():
            raise forms.ValidationError(_("Enter a tracking number such as IUM-2026-000123."))
        return number


@officer_required
@require_GET
@never_cache
def personal_data_reads(request: HttpRequest) -> HttpResponse:
    if not personal_data.is_data_protection_officer(request.user):  # type: ignore[arg-type]
        return render(request, "workspace/not_dpo.html", status=403)
    form = ReadFilterForm(request.GET or None, officers=personal_data.readers())
    filters = ReadFilter()
    if form.is_bound and form.is_valid():
        filters = ReadFilter(
            officer_id=form.cleaned_data["officer"], tracking_number=form.cleaned_data["case"]
        )
    page = Paginator(personal_data.reads(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "workspace/personal_data_reads.html", context)
