"""`loket complaint-rows refresh [--agency CODE]`: render the Open311 rows again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.complaints import public_rows
from loket.org.models import Agency


class Command(BaseCommand):
    help = (
        "Render the pre-rendered Open311 rows of complaints again, in each agency's time "
        "zone (run after changing an agency's time zone)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--agency", default="", help="agency code (default: every agency)")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.order_by("code")
        if options["agency"]:
            agencies = agencies.filter(code=options["agency"])
            if not agencies.exists():
                raise CommandError(f"no agency with code {options['agency']!r}")
        for agency in agencies:
            done = public_rows.refresh_agency(agency.pk)
            self.stdout.write(f"{agency.code}: {done} row(s) rendered in {agency.time_zone}")
