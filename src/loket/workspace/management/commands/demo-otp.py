"""`loket demo-otp USERNAME`: print a demo officer's current sign-in code.

Only in demo mode (DEBUG, or LOKET_DEMO=1), and only for devices that carry the
demo secret derived from the username: a real officer's secret is never used.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.core.dbinfo import describe_database
from loket.workspace import otp


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo officer (demo mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not otp.demo_mode():
            raise CommandError("demo-otp runs only in demo mode: set LOKET_DEMO=1 (or DEBUG).")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            # Name the database looked in: a wrong LOKET_DATA_DIR/DATABASE_URL is the
            # usual cause when the demo does have this officer.
            raise CommandError(
                f"No account named {username!r} in {describe_database()} "
                f"(data directory {settings.DATA_DIR}); run `make demo` first, or set "
                "LOKET_DATA_DIR / DATABASE_URL to the demo's."
            )
        devices = [d for d in otp.confirmed_devices(user) if otp.is_demo_device(d)]
        if not devices:
            raise CommandError(f"{username!r} has no demo authenticator (only demo officers do).")
        self.stdout.write(otp.code_for(devices[0]))
