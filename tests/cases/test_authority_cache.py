"""Appointments cached against the organisation revision: the authority read of a step
is one narrow query, and any change to who may act counts at once (issue 11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.cases import services
from loket.cases.models import Case, Task, TaskStatus
from loket.core import server_prepared
from loket.core.errors import AuthorityError
from loket.org import services as org
from loket.org.models import Appointment, Capacity
from tests.cases.conftest import officer, submit_iu

pytestmark = pytest.mark.django_db


def _task(case: Case, step: str = "verifikasi-berkas") -> Task:
    return Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)


def test_an_acting_designation_counts_at_once_and_its_end_too(demo: Any) -> None:
    case = submit_iu()
    task = _task(case)
    siti = officer("siti")
    with pytest.raises(AuthorityError):  # also fills this process's cache for the pair
        services.claim_task(task_id=task.pk, officer=siti)

    today = timezone.localdate()
    plh = org.appoint(
        officer=siti,
        position=task.position,
        capacity=Capacity.PLH,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
        decree_number="SP/1/2026",
    )
    services.claim_task(task_id=task.pk, officer=siti)  # seen without any wait

    org.end_appointment(appointment=plh, end_date=today - dt.timedelta(days=1))
    with pytest.raises(AuthorityError):
        services.decide(task_id=task.pk, officer=siti, decision="approve")
    assert _task(case).decided_at is None


def test_a_deleted_appointment_and_a_deactivated_account_are_refused_at_once(
    demo: Any,
) -> None:
    andi = officer("andi")
    services.claim_task(task_id=_task(submit_iu()).pk, officer=andi)  # warms the cache

    andi.user.is_active = False
    andi.user.save()
    with pytest.raises(AuthorityError):
        services.claim_task(task_id=_task(submit_iu()).pk, officer=officer("andi"))
    andi.user.is_active = True
    andi.user.save()
    case = submit_iu()
    services.claim_task(task_id=_task(case).pk, officer=officer("andi"))

    Appointment.objects.filter(officer=andi, position=_task(case).position).delete()
    with pytest.raises(AuthorityError):
        services.claim_task(task_id=_task(submit_iu()).pk, officer=officer("andi"))


def test_a_sign_in_does_not_empty_the_cache(demo: Any) -> None:
    from loket.org.models import OrgRevision

    before = OrgRevision.objects.get(pk=1).revision
    andi = officer("andi")
    andi.user.last_login = timezone.now()
    andi.user.save(update_fields=["last_login"])
    assert OrgRevision.objects.get(pk=1).revision == before


def test_a_cached_authority_read_is_one_narrow_query(demo: Any) -> None:
    first, second = submit_iu(), submit_iu()
    andi = officer("andi")
    services.decide(task_id=_task(first).pk, officer=andi, decision="approve")  # warms

    with CaptureQueriesContext(connection) as captured:
        services.decide(task_id=_task(second).pk, officer=andi, decision="approve")

    # Prepared statements are sent as EXECUTEs: read them as the statements they run.
    statements = [server_prepared.text(q["sql"]) for q in captured.captured_queries]
    assert not any('"org_appointment"' in sql for sql in statements), statements
    assert sum('"org_orgrevision"' in sql for sql in statements) == 1


@pytest.mark.parametrize("with_revision", [True, False], ids=["cached", "no-revision-row"])
def test_segregation_is_checked_in_the_authority_read_with_or_without_the_cache(
    demo: Any, with_revision: bool
) -> None:
    """The same officer may not decide both steps of a segregation pair, whether the
    check rides on the revision read (the cache) or runs alone (no revision row yet)."""
    from loket.org.models import OrgRevision, Position

    dewi = officer("dewi")
    org.appoint(  # Dewi (Plt head of division) is also made a licensing analyst
        officer=dewi,
        position=Position.objects.get(code="analis-perizinan"),
        capacity=Capacity.DEFINITIVE,
        start_date=dt.date(2024, 1, 2),
    )
    case = submit_iu()
    services.decide(task_id=_task(case).pk, officer=officer("andi"), decision="approve")
    services.decide(task_id=_task(case, "kajian-teknis").pk, officer=dewi, decision="approve")
    if not with_revision:
        OrgRevision.objects.all().delete()

    task = _task(case, "persetujuan")
    with pytest.raises(AuthorityError) as refused:
        services.decide(task_id=task.pk, officer=dewi, decision="approve")
    assert refused.value.code == "segregation_of_duties"
    assert _task(case, "persetujuan").decided_at is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's VM instructions")
@pytest.mark.parametrize("check", ["authority read", "reassignment"])
def test_the_segregation_check_costs_the_same_however_many_tasks_the_officer_decided(
    demo: Any, check: str
) -> None:
    """The segregation check looks at the case's tasks only, in the authority read of a
    claim or decision and in a reassignment's check: an officer's past decisions on
    other cases do not make the next one slower (SQLite once read them all)."""
    from django.db import transaction

    from loket.cases import compiled, policy

    andi = officer("andi")
    task = _task(submit_iu())
    past = _task(submit_iu())
    version = task.case.service_version
    definition = compiled.version(version.pk, version.content_hash)[1]

    def instructions() -> int:
        counted = [0]

        def count() -> int:
            counted[0] += 1
            return 0  # go on

        with transaction.atomic():
            connection.connection.set_progress_handler(count, 1)
            try:
                if check == "reassignment":
                    for step in ("kajian-teknis", "persetujuan"):
                        later = Task(case_id=task.case_id, step_id=step)
                        policy.segregation_conflict(definition, later, andi)
                else:
                    sql, params = policy.authority_read(andi, task.pk)
                    with connection.cursor() as cursor:
                        cursor.execute(sql, params)
                        cursor.fetchall()
            finally:
                connection.connection.set_progress_handler(None, 1)
        return counted[0]

    before = instructions()
    Task.objects.bulk_create(
        Task(
            case=past.case,
            step_id=past.step_id,
            name=past.name,
            position=past.position,
            status=TaskStatus.DONE,
            created_at=past.created_at,
            decided_by=andi,
            decided_at=past.created_at,
            decision="approve",
        )
        for _ in range(300)
    )
    assert instructions() <= before + 20
