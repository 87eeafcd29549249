"""`loket complaint-counts check|repair`: the public list's per-unit counters vs. a recount."""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from loket.complaints import counts


class Command(BaseCommand):
    help = (
        "Recompute the per-unit complaint counters from the complaints and compare "
        "(check: exit 1 on drift) or overwrite them (repair)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "repair"])

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        # The recount is one aggregate over every complaint: seconds at a million rows.
        with console.status("recounting complaints per unit…"):
            if options["action"] == "repair":
                fixed = counts.repair()
                console.print(f"repaired the counters of {fixed} unit(s)")
                return
            wrong = counts.drift()
        for unit_id, (kept, actual) in wrong.items():
            console.print(
                f"unit {unit_id}: kept received={kept[0]} resolved_on_time={kept[1]}, "
                f"actual received={actual[0]} resolved_on_time={actual[1]}"
            )
        if wrong:
            raise CommandError(f"{len(wrong)} unit(s) drifted; run `complaint-counts repair`")
        console.print("counters match a recount")
