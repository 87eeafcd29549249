"""Acting officials' limits: a step may be for the definitive holder only (UU 30/2014
Pasal 14(7), SE BKN 1/SE/I/2021); the engine refuses a Plt/Plh there, naming the rule."""

from __future__ import annotations

import pytest

from loket.cases import services
from loket.cases.models import AuditLog, Task, TaskStatus
from loket.catalog.errors import DefinitionErrors
from loket.catalog.loader import load
from loket.catalog.services import publish_text
from loket.core.errors import AuthorityError
from tests.cases.conftest import officer, post_application
from tests.catalog.conftest import demo_text

pytestmark = pytest.mark.django_db

APPROVAL = "    position: kabid-perizinan\n"


def _publish_with(line: str) -> None:
    text = demo_text("izin-usaha-mikro").replace(APPROVAL, APPROVAL + line)
    publish_text(text)


def _at_approval(client) -> Task:
    number = post_application(client).json()["tracking_number"]
    for step, who in (("verifikasi-berkas", "andi"), ("kajian-teknis", "siti")):
        task = Task.objects.get(case__tracking_number=number, step_id=step)
        services.decide(task_id=task.pk, officer=officer(who), decision="approve")
    return Task.objects.get(
        case__tracking_number=number, step_id="persetujuan", status=TaskStatus.OPEN
    )


@pytest.mark.parametrize("line", ["    strategic: true\n", "    capacities: [definitive]\n"])
def test_a_plt_is_refused_a_step_for_the_definitive_holder_and_told_why(demo, client, line):
    _publish_with(line)
    task = _at_approval(client)

    with pytest.raises(AuthorityError) as refused:
        services.decide(task_id=task.pk, officer=officer("dewi"), decision="approve")
    assert refused.value.code == "definitive_holder_required"
    assert "Pasal 14 ayat (7)" in refused.value.message
    assert "1/SE/I/2021" in refused.value.message
    with pytest.raises(AuthorityError):
        services.claim_task(task_id=task.pk, officer=officer("dewi"))
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert AuditLog.objects.filter(action="decide", target=f"task:{task.pk}").exists()


def test_a_plt_may_decide_a_routine_step(demo, client):
    task = _at_approval(client)  # the demo's approval is routine licensing
    services.decide(task_id=task.pk, officer=officer("dewi"), decision="approve")
    task.refresh_from_db()
    assert (task.decision, task.decided_capacity) == ("approve", "plt")


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
