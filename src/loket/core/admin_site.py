"""The admin site asks for a TOTP code, like the officer workspace."""

from __future__ import annotations

from typing import Any

from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from loket.core.signin import BoundedUsername


class AdminSignInForm(BoundedUsername, OTPAdminAuthenticationForm):
    """django-otp makes the user pick a device even when they have only one; an
    administrator with one authenticator should just type its code."""

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return device


class LoketAdminSite(OTPAdminSite):
    login_form = AdminSignInForm
