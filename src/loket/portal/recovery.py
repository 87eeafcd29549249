""" "Lupa kode akses?": ask for a new access code, sent to the contact given when applying.

The page answers the same way whether or not the tracking number exists and
whether or not the contact matches, and every request counts against the
client address and the tracking number alike, so it can neither be used to
find out who applied for what nor to flood an applicant with messages.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from loket.cases.recovery import reissue_access_code
from loket.core import ratelimit


class RecoverForm(forms.Form):
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"),
        help_text=gettext_lazy("As on your receipt, e.g. IUM-2026-000123."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=gettext_lazy("E-mail address or mobile number"),
        help_text=gettext_lazy("The one you gave in the application. The new code is sent there."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_tracking_number(self) -> str:
        return str(self.cleaned_data["tracking_number"]).strip().upper()


@never_cache
@require_http_methods(["GET", "POST"])
def recover_code(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = RecoverForm(initial={"tracking_number": request.GET.get("nomor", "")[:32]})
        return render(request, "portal/recover_code.html", {"form": form})
    form = RecoverForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/recover_code.html", {"form": form}, status=422)
    number = form.cleaned_data["tracking_number"]
    if not _within_limits(request, number):
        form.add_error(
            None,
            _("Too many requests for a new code. Try again in an hour, or contact the office."),
        )
        return render(request, "portal/recover_code.html", {"form": form}, status=429)
    reissue_access_code(tracking_number=number, contact=form.cleaned_data["contact"])
    return render(request, "portal/recover_code_sent.html", {"tracking_number": number})


def _within_limits(request: HttpRequest, number: str) -> bool:
    window = int(settings.LOKET_RECOVERY_WINDOW_SECONDS)
    checks = [
        (
            "recover.address",
            ratelimit.client_address(request),
            int(settings.LOKET_RECOVERY_PER_ADDRESS),
        ),
        ("recover.number", number, int(settings.LOKET_RECOVERY_PER_NUMBER)),
    ]
    if any(ratelimit.is_over(scope, value, limit) for scope, value, limit in checks):
        return False
    for scope, value, _limit in checks:
        ratelimit.hit(scope, value, window_seconds=window)
    return True
