"""`loket notify deliver|status|purge`: the outbox, for operators and cron."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
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
        purge = sub.add_parser(
            "purge",
            help="Delete delivered, failed and dead messages older than --days "
            "(their bodies hold applicants' names and officers' reasons).",
        )
        purge.add_argument("--days", type=int, default=180)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "deliver":
            if options["batch"] < 1:
                raise CommandError("--batch must be at least 1")
            report = services.sweep_outbox(batch=options["batch"])
            self.stdout.write(
                f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
                f"dead {report.dead}, leases released {report.released}"
            )
        elif action == "purge":
            if options["days"] < 1:
                raise CommandError("--days must be at least 1")
            removed = services.purge_finished(older_than=timedelta(days=options["days"]))
            self.stdout.write(f"deleted {removed} messages older than {options['days']} days")
        elif action == "status":
            for status, count in selectors.status_counts().items():
                self.stdout.write(f"{status:8} {count}")
