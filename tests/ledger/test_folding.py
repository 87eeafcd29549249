"""Queued entries folded into the log by the worker (ADR 0022): never missed, reordered
or duplicated, and a folder killed mid-batch leaves nothing for the next run to undo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.transaction import TransactionManagementError

from loket.core.errors import ValidationError
from loket.ledger import services
from loket.ledger.models import LedgerEntry, PendingEntry


def _queue(*steps: int, case: str = "C-1") -> None:
    with transaction.atomic():
        services.enqueue([("case.event", {"case": case, "step": step}) for step in steps])


def _logged() -> list[tuple[str, int]]:
    return [
        (entry.payload["case"], entry.payload["step"])
        for entry in LedgerEntry.objects.order_by("index")
    ]


@pytest.mark.django_db
def test_queued_entries_enter_the_log_only_when_folded_in_queue_order() -> None:
    _queue(0, 1, 2)
    _queue(3)
    assert services.log_size() == 0 and services.pending_count() == 4

    assert services.fold_pending() == 4

    assert _logged() == [("C-1", 0), ("C-1", 1), ("C-1", 2), ("C-1", 3)]
    assert services.pending_count() == 0
    assert services.fold_pending() == 0  # nothing twice
    services.sign_tree_head()
    assert services.verify_log().is_intact


@pytest.mark.django_db
def test_folding_in_small_batches_keeps_the_order_and_the_tree() -> None:
    _queue(*range(23))
    assert services.fold_pending(batch=5) == 23
    assert [step for _case, step in _logged()] == list(range(23))
    services.sign_tree_head()
    assert services.verify_log().is_intact
    assert services.inclusion_proof(17, 23).root_hash == services.root_hash_at(23)


@pytest.mark.django_db
def test_a_rolled_back_step_queues_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.enqueue([("case.event", {"case": "C-1", "step": 0})])
        raise RuntimeError("the step failed after queueing")
    assert services.fold_pending() == 0 and services.log_size() == 0


@pytest.mark.django_db(transaction=True)
def test_enqueue_runs_only_inside_the_transaction_of_the_change() -> None:
    with pytest.raises(TransactionManagementError):
        services.enqueue([("case.event", {"step": 1})])
    assert not PendingEntry.objects.exists()


@pytest.mark.django_db
def test_enqueue_refuses_bad_input_before_writing_anything() -> None:
    with pytest.raises(ValidationError), transaction.atomic():
        services.enqueue([("case.event", {"step": 1}), ("Not A Kind", {"step": 2})])
    with pytest.raises(ValidationError), transaction.atomic():
        services.enqueue([("case.event", {"fee": 1.5})])  # floats are refused
    assert not PendingEntry.objects.exists()


@pytest.mark.django_db
def test_a_direct_append_folds_what_committed_before_it() -> None:
    """A licence's `document.issued` (appended directly, its index is printed) comes
    after the approval that was queued before it, as the two committed."""
    _queue(0, 1, case="approval")
    with transaction.atomic():
        entry = services.append(kind="document.issued", payload={"sha256": "ab"})
    assert entry.index == 2
    assert [e.payload.get("case") for e in LedgerEntry.objects.order_by("index")] == [
        "approval",
        "approval",
        None,
    ]
    assert services.pending_count() == 0


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


# A folder that stops for good between appending its batch and committing it, after
# telling the test so: the test then kills it (SIGKILL, no clean-up of any kind).
_STALLING_FOLDER = textwrap.dedent(
    """
    import sys, time, django
    django.setup()
    from loket.ledger import services, store

    real_delete = store.delete_pending

    def stall(connection, ids):
        real_delete(connection, ids)
        open(sys.argv[1], "w").write(str(len(ids)))
        time.sleep(600)

    store.delete_pending = stall
    services.fold_pending(batch=int(sys.argv[2]))
    """
)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_folder_killed_mid_batch_is_recovered_by_the_next_run(tmp_path: Path) -> None:
    _queue(0, 1, 2)
    services.fold_pending()  # the log already holds entries before the crash
    _queue(*range(3, 40))
    marker = tmp_path / "mid-batch"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "loket.settings",
    }
    folder = subprocess.Popen(
        [sys.executable, "-c", _STALLING_FOLDER, str(marker), "10"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert folder.poll() is None, folder.stdout.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the folder never reached its batch"
            time.sleep(0.05)
        assert marker.read_text() == "10"  # it had appended and dequeued a batch of ten
    finally:
        folder.send_signal(signal.SIGKILL)
        folder.wait(timeout=30)
    assert folder.returncode == -signal.SIGKILL

    # Nothing of the killed batch committed: the log and the queue are as before.
    assert services.log_size() == 3 and services.pending_count() == 37

    assert services.fold_pending(batch=10) == 37
    assert [step for _case, step in _logged()] == list(range(40))  # each once, in order
    services.sign_tree_head()
    assert services.verify_log().is_intact


WRITERS = 3
STEPS_EACH = 12


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_steps_queueing_while_the_worker_folds_lose_and_repeat_nothing() -> None:
    """Writers queue (each its own case, in order) while a folder folds in small
    batches: every entry is in the log once and each case's entries keep their order."""
    start = threading.Barrier(WRITERS + 1)
    done = threading.Event()
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for step in range(STEPS_EACH):
                _queue(step, case=f"C-{number}")
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)
        finally:
            connection.close()

    def folder() -> None:
        try:
            start.wait()
            while not done.is_set():
                services.fold_pending(batch=4)
                close_old_connections()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    folding = threading.Thread(target=folder)
    for thread in [*writers, folding]:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    folding.join(timeout=120)
    assert not failures, failures
    services.fold_pending()

    logged = _logged()
    assert len(logged) == WRITERS * STEPS_EACH == len(set(logged))
    for number in range(WRITERS):
        steps = [step for case, step in logged if case == f"C-{number}"]
        assert steps == list(range(STEPS_EACH))
    services.sign_tree_head()
    assert services.verify_log().is_intact
