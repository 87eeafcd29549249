"""Acting officials' limits: a step may be for the definitive holder only (UU 30/2014
Pasal 14(7), SE BKN 1/SE/I/2021); the engine refuses a Plt/Plh there, naming the rule."""

from __future__ import annotations

import pytest

from loket.cases import services
from loket.cases.models import AuditLog, TaskStatus
from loket.catalog.errors import DefinitionErrors
from loket.catalog.loader import load
from loket.core.errors import AuthorityError
from loket.org.models import Capacity
from tests.cases.factories import CaseWorld, appoint, make_case
from tests.catalog.conftest import demo_text
from tests.org.factories import OfficerFactory

pytestmark = pytest.mark.django_db

APPROVAL = "    position: kabid-perizinan\n"


def _with_a_plt(world: CaseWorld) -> CaseWorld:
    """The task's position gets a Plt besides its definitive holders."""
    plt = OfficerFactory(agency=world.agency)
    appoint(plt, world.position, Capacity.PLT)
    world.colleague = plt
    return world


@pytest.mark.parametrize("line", ["    strategic: true\n", "    capacities: [definitive]\n"])
def test_a_plt_is_refused_a_step_for_the_definitive_holder_and_told_why(line):
    world = _with_a_plt(make_case(task_extra=line))
    task, plt = world.task, world.colleague

    with pytest.raises(AuthorityError) as refused:
        services.decide(task_id=task.pk, officer=plt, decision="approve")
    assert refused.value.code == "definitive_holder_required"
    assert "Pasal 14 ayat (7)" in refused.value.message
    assert "1/SE/I/2021" in refused.value.message
    with pytest.raises(AuthorityError):
        services.claim_task(task_id=task.pk, officer=plt)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert AuditLog.objects.filter(action="decide", target=f"task:{task.pk}").exists()


def test_a_plt_may_decide_a_routine_step():
    world = _with_a_plt(make_case())  # the step names no capacities: every holder may act
    services.decide(task_id=world.task.pk, officer=world.colleague, decision="approve")
    world.task.refresh_from_db()
    assert (world.task.decision, world.task.decided_capacity) == ("approve", "plt")


def test_strategic_step_that_also_lists_plt_is_a_definition_error():
    text = demo_text("izin-usaha-mikro").replace(
        APPROVAL, APPROVAL + "    strategic: true\n    capacities: [definitive, plt]\n"
    )
    with pytest.raises(DefinitionErrors) as errors:
        load(text)
    assert "steps[3].capacities" in str(errors.value)  # whichever language is active


def test_capacities_default_to_every_holder_and_unknown_ones_are_refused():
    steps = {s["id"]: s for s in load(demo_text("izin-usaha-mikro"))["steps"]}
    assert steps["persetujuan"]["capacities"] == ["definitive", "plt", "plh"]
    text = demo_text("izin-usaha-mikro").replace(APPROVAL, APPROVAL + "    capacities: [pj]\n")
    with pytest.raises(DefinitionErrors):
        load(text)
