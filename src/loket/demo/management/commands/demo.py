"""`loket demo`: set up the demo agency on the embedded database and run it.

Migrates, loads the demo organisation and services (idempotently), then runs
the web server and the background worker until interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from loket.core.management.commands.serve import ensure_bindable, gunicorn_argv
from loket.demo.agency import ADMIN_USERNAME, DEMO_PASSWORD, load_demo
from loket.surveys.demo import load_survey_history


class Command(BaseCommand):
    help = "Prepare the demo data and run the web server and worker on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument(
            "--setup-only", action="store_true", help="Prepare the data, then exit."
        )

    def handle(self, *args: Any, bind: str, setup_only: bool, **options: Any) -> None:
        if not setup_only:
            ensure_bindable(bind)  # before the minute of set-up, not after it
        if not os.environ.get("LOKET_PUBLIC_URL"):
            # Links in e-mails, QR codes and the ledger origin point where the demo serves;
            # the worker and the server inherit it.
            os.environ["LOKET_PUBLIC_URL"] = f"http://{bind}"
            settings.PUBLIC_BASE_URL = os.environ["LOKET_PUBLIC_URL"]
        self.stdout.write("Menyiapkan basis data / preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        summary = load_demo()
        # A year of survey responses and published IKM results (surveys app).
        load_survey_history()
        # Complaint categories and a history of complaints in every state.
        from loket.complaints.demo import load_complaint_demo

        load_complaint_demo(summary.agency)
        # A year of applications through the engine, rolled up for the performance pages.
        from loket.insights.demo import load_current_work, load_performance_history

        load_performance_history()
        # And work in progress: a case in every state (queues, tracking, the ledger).
        load_current_work()
        # The steps queued their public events; the worker would fold them within a
        # second, the demo does it now so its ledger is complete from the start.
        from loket.ledger.services import fold_pending

        fold_pending()
        # Every open dataset, computed from the history just loaded (opendata app).
        from loket.opendata.services import publish_all

        publish_all()
        self._print_summary(bind, summary)
        if setup_only:
            return
        self._run(bind)

    def _print_summary(self, bind: str, summary: Any) -> None:
        base = f"http://{bind}"
        w = self.stdout.write
        w(self.style.SUCCESS(f"\nLoket demo — {summary.agency.name}"))
        w(f"  Data directory:     {settings.DATA_DIR}")
        w(f"  Services published: {', '.join(summary.published)}")
        w(f"\n  Portal (applicants): {base}/")
        w(f"  Officer workspace:   {base}/workspace/")
        w(f"  Admin:               {base}/admin/  ({ADMIN_USERNAME} / {DEMO_PASSWORD})")
        w(f"  API docs:            {base}/api/v1/docs")
        w(f"  Complaints (public): {base}/pengaduan/  ·  Open311: {base}/open311/discovery.json")
        w(f"  Open data:           {base}/data/  ·  CKAN: {base}/api/3/action/package_list")
        w(f"\n  Officers (password for all: {DEMO_PASSWORD}):")
        for officer in summary.officers:
            capacity = "" if officer.capacity == "definitive" else f" [{officer.capacity.upper()}]"
            w(f"    {officer.username:<8} {officer.position}{capacity} — {officer.name}")
        w("\n  Officer sign-in asks for a TOTP code; get the current one with:")
        w("    LOKET_DEMO=1 .venv/bin/loket demo-otp USERNAME")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            w(f"  E-mail goes to {settings.EMAIL_FILE_PATH}/,")
        else:
            w(f"  E-mail goes out through {settings.EMAIL_BACKEND} ({settings.EMAIL_HOST}),")
        w(f"  SMS to {settings.DATA_DIR / 'sms-outbox.jsonl'}.")
        w("\n  Ctrl-C stops the server and the worker.\n")

    def _run(self, bind: str) -> None:
        # Demo mode: the sign-in page hints at `loket demo-otp` (never set in production).
        os.environ["LOKET_DEMO"] = "1"
        worker = subprocess.Popen([sys.executable, "-m", "loket.cli", "worker"])
        server = subprocess.Popen(gunicorn_argv(bind, workers=2, threads=4))  # noqa: S603
        children = [server, worker]

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
