"""`loket otp-enrol USERNAME`: give an account (e.g. an administrator) a TOTP device.

The admin site asks for a second factor; an operator creating the first
superuser has no web page to enrol from, so this prints the otpauth:// URI and
a terminal QR code to scan with an authenticator app.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Enrol a TOTP authenticator for an account and print its QR code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace", action="store_true", help="Remove the account's existing devices first."
        )

    def handle(self, *args: Any, username: str, replace: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        existing = TOTPDevice.objects.filter(user=user, confirmed=True)
        if existing.exists() and not replace:
            raise CommandError(f"{username!r} already has an authenticator; use --replace.")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
        self.stdout.write(device.config_url)
        picture = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=picture, compact=True)
        self.stdout.write(picture.getvalue())
