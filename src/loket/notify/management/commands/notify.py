"""`loket notify deliver`: one delivery pass, for operators and cron."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loket.notify import selectors, services


class Command(BaseCommand):
    help = "Notification outbox: `deliver` sends what is due once; `status` counts messages."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser(
            "deliver", help="Take back expired leases and send every due message once."
        )
        deliver.add_argument("--batch", type=int, default=100, help="Messages per claim.")
        sub.add_parser("status", help="How many messages are in each status.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "deliver":
            if options["batch"] < 1:
                raise CommandError("--batch must be at least 1")
            report = services.sweep_outbox(batch=options["batch"])
            self.stdout.write(
                f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
                f"dead {report.dead}, leases released {report.released}"
            )
        elif action == "status":
            for status, count in selectors.status_counts().items():
                self.stdout.write(f"{status:8} {count}")
