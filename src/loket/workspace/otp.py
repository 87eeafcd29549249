"""Officers' second factor: TOTP devices (django-otp), enrolment and the demo's fixed secrets."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator"
_DEMO_KEY_PREFIX = "loket-demo-totp:"


def confirmed_devices(user: AbstractBaseUser) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True))


@transaction.atomic
def pending_enrolment(user: AbstractBaseUser) -> TOTPDevice:
    """The officer's unconfirmed device, created once, so reloading the page keeps the secret."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user_id=user.pk, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_display(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app asks for when the QR code cannot be scanned."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, *, title: str) -> str:
    """An inline SVG QR code of the device's otpauth:// URI (no image request, no CDN)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=2, title=title, svgclass="qr-code", lineclass=None
        )
    )


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The device's code now (or `steps_ahead` time steps later), as an app shows it."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, drift=steps_ahead)
    return str(value).zfill(device.digits)


# --- demo --------------------------------------------------------------------------------
# Demo officers get a secret derived from their username, so `loket demo-otp` and tests can
# compute codes. Anyone can derive these secrets: they exist only in demo data.


def demo_mode() -> bool:
    """Whether demo-only helpers may run: DEBUG, or LOKET_DEMO=1 in the environment."""
    return bool(settings.DEBUG) or os.environ.get("LOKET_DEMO", "").strip() == "1"


def demo_totp_key(username: str) -> str:
    """The fixed hex TOTP secret of a demo officer (20 bytes, as RFC 4226 recommends)."""
    return hashlib.sha1(  # noqa: S324 - a derivation for demo data, not a security hash
        f"{_DEMO_KEY_PREFIX}{username}".encode()
    ).hexdigest()


def is_demo_device(device: TOTPDevice) -> bool:
    is_demo: bool = device.key == demo_totp_key(device.user.get_username())
    return is_demo


def enrol_demo_devices(usernames: Iterable[str]) -> int:
    """Give each named account a confirmed TOTP device with its demo secret, if it has none.

    Idempotent; returns how many devices were created.
    """
    created = 0
    for user in get_user_model().objects.filter(username__in=list(usernames)):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user,
                name=DEVICE_NAME,
                key=demo_totp_key(user.get_username()),
                confirmed=True,
            )
            created += 1
    return created
