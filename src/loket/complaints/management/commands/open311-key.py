"""`loket open311-key create --name N`: a key for an Open311 integrator, printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.complaints.models import Open311Key
from loket.complaints.open311_auth import create_key


class Command(BaseCommand):
    help = "Create an Open311 api_key for an integrator (printed once, stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters")
        if Open311Key.objects.filter(name=name).exists():
            raise CommandError(f"a key named {name!r} already exists")
        self.stdout.write(create_key(name=name))
