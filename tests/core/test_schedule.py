"""One schedule for many workers: each occurrence of a periodic job is enqueued once,
however many workers run `loket worker` at the same moment."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loket.core.management.commands.worker import default_schedule
from loket.core.models import ScheduledJob
from loket.core.schedule import Periodic, claim_due

SWEEP = Periodic("loket.notify.tasks:sweep_outbox", 60)


@pytest.mark.django_db
def test_a_run_is_claimed_once_and_the_next_one_when_it_falls_due():
    now = timezone.now()

    assert claim_due([SWEEP], now=now, worker_id="a") == [SWEEP.task_path]
    assert claim_due([SWEEP], now=now, worker_id="b") == []  # the same run: taken
    assert claim_due([SWEEP], now=now + dt.timedelta(seconds=59), worker_id="b") == []
    later = now + dt.timedelta(seconds=60)
    assert claim_due([SWEEP], now=later, worker_id="b") == [SWEEP.task_path]

    job = ScheduledJob.objects.get(task_path=SWEEP.task_path)
    assert (job.next_run_at, job.last_worker) == (later + dt.timedelta(seconds=60), "b")
    assert DBTaskResult.objects.filter(task_path="loket.notify.tasks.sweep_outbox").count() == 2


@pytest.mark.django_db
def test_work_a_person_waits_for_goes_before_the_periodic_sweeps():
    # Every periodic job falls due at a worker's first round; a licence asked for
    # meanwhile, and the message with an access code, must not wait behind them.
    from loket.cases.tasks import issue_document
    from loket.notify.tasks import deliver_outbox

    due = claim_due(default_schedule(), now=timezone.now(), worker_id="a")
    assert len(due) == len(default_schedule())
    issue_document.enqueue(request_id=1)
    deliver_outbox.enqueue(message_ids=[1])

    queue = [r.task_path for r in DBTaskResult.objects.ready()]
    assert queue[:2] == ["loket.cases.tasks.issue_document", "loket.notify.tasks.deliver_outbox"]
    periodic = DBTaskResult.objects.exclude(task_path__in=queue[:2])
    assert periodic.count() == len(due)
    assert all(r.priority < issue_document.priority for r in periodic)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_three_worker_processes_enqueue_each_periodic_job_once():
    if connection.vendor == "sqlite":
        pytest.skip("worker processes cannot share the in-memory SQLite test database")
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )
    loket = Path(sys.executable).with_name("loket")
    env = {**os.environ, "DATABASE_URL": url}
    workers = [
        subprocess.Popen(
            [str(loket), "worker", "--batch", "--worker-id", f"worker-{n}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for n in range(3)
    ]
    for worker in workers:
        output, _ = worker.communicate(timeout=180)
        assert worker.returncode == 0, output.decode()[-2000:]

    expected = {p.task_path.replace(":", ".") for p in default_schedule()}
    enqueued = Counter(
        DBTaskResult.objects.filter(task_path__in=expected).values_list("task_path", flat=True)
    )
    assert enqueued == Counter(expected)  # every job once, none twice
    assert ScheduledJob.objects.count() == len(expected)
