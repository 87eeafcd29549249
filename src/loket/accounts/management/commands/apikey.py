"""`loket apikey create|list|revoke`: machine accounts for integrations.

The operator runs this on the server: the key is printed once (stored hashed),
and the operator's system account name is recorded as who created or revoked it.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from loket.accounts import machine_accounts
from loket.core.errors import LoketError


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return "unknown operator"


class Command(BaseCommand):
    help = "Create, list or revoke machine accounts (API keys for integrations)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create an account and print its key once")
        create.add_argument("--name", required=True, help="a name for the integration")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=sorted(machine_accounts.SCOPES),
            help="what the key opens (repeat for several)",
        )
        create.add_argument("--agency", default="", help="agency code (needed if several)")
        create.add_argument(
            "--expires-days",
            type=int,
            default=machine_accounts.DEFAULT_LIFETIME_DAYS,
            help=f"days until the key expires (default {machine_accounts.DEFAULT_LIFETIME_DAYS})",
        )
        actions.add_parser("list", help="list the accounts (never their keys)")
        revoke = actions.add_parser("revoke", help="revoke an account's key at once")
        revoke.add_argument("name", help="the account's name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except LoketError as exc:
            raise CommandError(exc.message) from None

    def _create(self, options: dict[str, Any]) -> None:
        key, account = machine_accounts.create(
            name=options["name"],
            scopes=options["scope"],
            agency_code=options["agency"],
            lifetime_days=options["expires_days"],
            created_by=_operator(),
        )
        self.stdout.write(key)
        self.stderr.write(
            f"Machine account {account.name} ({', '.join(account.scopes)}) expires "
            f"{timezone.localtime(account.expires_at):%Y-%m-%d}. The key above is shown "
            "only now: store it in the integration's secrets."
        )

    def _list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        for account in machine_accounts.accounts():
            if account.revoked_at is not None:
                state = f"revoked {timezone.localtime(account.revoked_at):%Y-%m-%d %H:%M}"
            elif account.expires_at <= now:
                state = "expired"
            else:
                state = f"active until {timezone.localtime(account.expires_at):%Y-%m-%d}"
            used = (
                f"{timezone.localtime(account.last_used_at):%Y-%m-%d %H:%M}"
                if account.last_used_at
                else "never"
            )
            self.stdout.write(
                f"{account.name}\t{account.prefix}…\t{','.join(account.scopes)}\t"
                f"{account.agency.code}\t{state}\tlast used {used}\tcreated by {account.created_by}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        account = machine_accounts.revoke(name=options["name"], revoked_by=_operator())
        self.stdout.write(f"revoked {account.name}")
