"""An approval's next task: on PostgreSQL its id is taken in the first round trip and its
INSERT sent with the closing writes (ADR 0031). On both databases the task, its events
and the case agree, a failed closing batch leaves nothing, and a position recoded after
the definition was published is refused or followed as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection

from loket.cases import ports, services, tracking
from loket.cases.models import Case, CaseEvent, Task, TaskStatus
from loket.catalog.definitions import DefinitionFault
from loket.core import prepared
from loket.org.models import Position
from tests.cases.conftest import officer, submit_iu

pytestmark = pytest.mark.django_db(transaction=True)


def _open_task(case: Case, step: str) -> Task:
    return Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)


def _approve_verification(case: Case) -> CaseEvent:
    task = _open_task(case, "verifikasi-berkas")
    return services.decide(task_id=task.pk, officer=officer("andi"), decision="approve")


def _warm() -> None:
    """One approval through, so this process knows the next step's position (the path
    that guesses it, and sends the task with the closing writes, is the one tested)."""
    _approve_verification(submit_iu())


def _snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.last_event_sequence,
        case.current_steps,
        case.tracking,
        CaseEvent.objects.filter(case=case).count(),
        sorted(Task.objects.filter(case=case).values_list("pk", "status")),
    )


def test_the_next_task_its_events_and_the_case_agree_after_an_approval(demo: Any) -> None:
    _warm()
    case = submit_iu()

    _approve_verification(case)

    task = _open_task(case, "kajian-teknis")
    assert task.position.code == "analis-perizinan"
    opened = CaseEvent.objects.get(case=case, kind="task_opened", step_id="kajian-teknis")
    assert opened.task_id == task.pk
    case.refresh_from_db()
    assert case.current_steps == ["kajian-teknis"]
    assert case.last_event_sequence == CaseEvent.objects.filter(case=case).count()
    # The read model names the task's position as the tables do.
    entry = next(e for e in case.tracking["timeline"] if e["sequence"] == opened.sequence)
    assert entry["task_position"] == task.position_id
    assert case.tracking == tracking.rebuild(case)


def test_a_failed_closing_batch_leaves_no_task_and_changes_nothing(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _warm()
    case = submit_iu()
    decided = _open_task(case, "verifikasi-berkas")
    before = _snapshot(case)
    queue = ports.ledger_enqueue

    def failing_enqueue(entries: Any) -> None:
        queue(entries)
        # A statement of the closing writes that the database refuses (NOT NULL).
        cursor = prepared.statement_cursor(connection)
        cursor.execute(f"INSERT INTO {Task._meta.db_table} (id) VALUES (%s)", [2_000_000_000])
        prepared.when_done(connection, cursor)

    monkeypatch.setattr(ports, "ledger_enqueue", failing_enqueue)

    with pytest.raises(IntegrityError):
        _approve_verification(case)

    assert _snapshot(case) == before
    assert not Task.objects.filter(case=case, step_id="kajian-teknis").exists()
    decided.refresh_from_db()
    assert decided.status == TaskStatus.OPEN and decided.decided_by_id is None


def test_a_next_step_whose_position_was_recoded_away_is_refused_and_nothing_changes(
    demo: Any,
) -> None:
    _warm()  # this process still guesses the position by its old code
    case = submit_iu()
    before = _snapshot(case)
    position = Position.objects.get(code="analis-perizinan")
    position.code = "analis-perizinan-lama"
    position.save()

    with pytest.raises(DefinitionFault, match="analis-perizinan"):
        _approve_verification(case)

    assert _snapshot(case) == before
    assert _open_task(case, "verifikasi-berkas").decided_at is None


def test_a_next_step_whose_position_was_removed_is_refused(demo: Any) -> None:
    _warm()
    case = submit_iu()
    before = _snapshot(case)
    # A position no task ever used can be deleted (the others are protected): give the
    # step's code to a fresh one, warm the guess with it, then delete it.
    old = Position.objects.get(code="analis-perizinan")
    old.code = "analis-perizinan-lama"
    old.save()
    fresh = _position_like(old, code="analis-perizinan")
    other = submit_iu()
    _approve_verification(other)
    assert _open_task(other, "kajian-teknis").position_id == fresh.pk
    # Its only task goes (events first: they protect it), and then the position.
    CaseEvent.objects.filter(task__position=fresh).delete()
    Task.objects.filter(position=fresh).delete()
    fresh.delete()

    with pytest.raises(DefinitionFault, match="analis-perizinan"):
        _approve_verification(case)

    assert _snapshot(case) == before


def test_a_next_step_whose_code_now_names_another_position_goes_to_that_one(
    demo: Any,
) -> None:
    _warm()  # this process guesses the old position's id for the code
    case = submit_iu()
    old = Position.objects.get(code="analis-perizinan")
    old.code = "analis-perizinan-lama"
    old.save()
    fresh = _position_like(old, code="analis-perizinan")

    _approve_verification(case)

    task = _open_task(case, "kajian-teknis")
    assert task.position_id == fresh.pk
    case.refresh_from_db()
    opened = CaseEvent.objects.get(case=case, kind="task_opened", step_id="kajian-teknis")
    entry = next(e for e in case.tracking["timeline"] if e["sequence"] == opened.sequence)
    assert entry["task_position"] == fresh.pk
    assert case.tracking == tracking.rebuild(case)


def _position_like(position: Position, *, code: str) -> Position:
    return Position.objects.create(
        agency=position.agency,
        unit=position.unit,
        code=code,
        title=position.title,
        title_en=position.title_en,
        is_head=False,
        is_single_holder=position.is_single_holder,
    )
