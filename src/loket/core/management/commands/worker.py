"""`loket worker`: run the background queue and schedule Loket's periodic work.

The queue is django-tasks' database backend; tasks are executed by
django_tasks_db's own `Worker`, run in batch mode (everything ready, then
return). Between batches a small scheduler enqueues the periodic tasks
(escalating overdue tasks, sweeping the notification outbox, signing a ledger
tree head) when they are due. The schedule lives in the database
(`loket.core.schedule`), so however many workers run, each occurrence of a
periodic task is enqueued by exactly one of them.
"""

from __future__ import annotations

import logging
import signal
import time
from importlib import import_module
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from loket.core.schedule import Periodic, claim_due

logger = logging.getLogger("loket.worker")


# Called on every round, before and after the queue's tasks run: work that must follow
# commits within a second. Folding the case engine's queued public events into the
# ledger (ADR 0022) keeps the log's lock off every step's transaction; checkpointing
# SQLite's WAL here keeps it out of the requests' commits (loket.core.checkpoint).
EACH_ROUND = ("loket.ledger.services:fold_pending", "loket.core.checkpoint:checkpoint")


def _each_round() -> None:
    for path in EACH_ROUND:
        module, name = path.split(":")
        try:
            getattr(import_module(module), name)()
        except Exception:
            # A failing fold is retried next round; the rest of the worker goes on.
            logger.exception("%s failed", path)


def default_schedule() -> list[Periodic]:
    return [
        Periodic("loket.cases.tasks:escalate_overdue", 300),
        Periodic("loket.payments.tasks:expire_overdue_bills", 300),
        Periodic("loket.complaints.tasks:complaint_timers", 300),
        Periodic("loket.cases.tasks:flag_statutory_lapses", 300),
        Periodic("loket.cases.tasks:close_lapsed_applicant_waits", 300),
        Periodic("loket.cases.tasks:issue_parked_documents", 120),
        Periodic("loket.notify.tasks:warn_expiring_acting", 3600),
        Periodic("loket.surveys.tasks:close_ended_periods", 3600),
        Periodic("loket.notify.tasks:sweep_outbox", 60),
        Periodic("loket.ledger.tasks:sign_tree_head_task", 60),
        Periodic("loket.insights.tasks:refresh_rollups", 900),
        Periodic("loket.insights.tasks:purge_old_exports", 3600),
        Periodic("loket.opendata.tasks:publish_datasets", 3600),
        Periodic("loket.portal.tasks:purge_expired_drafts", 3600),
    ]


class Command(BaseCommand):
    help = "Run the background worker (database queue) and Loket's periodic tasks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default", help="Queues, comma-separated.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is ready (after one round of scheduling), then exit.",
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="Do not enqueue the periodic tasks."
        )
        parser.add_argument("--worker-id", default="", help="Unique id of this worker.")

    def handle(
        self,
        *args: Any,
        queue_name: str,
        interval: float,
        batch: bool,
        no_schedule: bool,
        worker_id: str,
        **options: Any,
    ) -> None:
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=[],
        )
        schedule = [] if no_schedule else default_schedule()
        self._running = True
        if not batch:
            signal.signal(signal.SIGINT, self._stop)
            signal.signal(signal.SIGTERM, self._stop)
            self.stdout.write(f"Loket worker {worker.worker_id[:8]} started; Ctrl+C stops it.")
        while self._running:
            close_old_connections()
            for path in claim_due(schedule, now=timezone.now(), worker_id=worker.worker_id):
                logger.info("scheduled %s", path)
            _each_round()
            worker.run()  # batch mode: every ready task, then back here
            _each_round()
            if batch:
                return
            time.sleep(interval)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        logger.warning("received %s; stopping after the current task", signal.strsignal(signum))
        self._running = False
