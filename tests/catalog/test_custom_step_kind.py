"""A step kind added by writing one class and registering it (issue 10).

The test registers a field-inspection kind of its own (Loket has none): a task
whose officer visits the place, with a `visit` note of its own. The loader
checks its keys, the engine opens and decides its task, the service standard
shows who acts and the note, with no edit to the loader, the engine or the portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from loket.cases import services
from loket.cases.models import CaseStatus, Task, TaskStatus
from loket.catalog.checker import Checker
from loket.catalog.definitions import Step, compiled
from loket.catalog.errors import DefinitionErrors
from loket.catalog.fields import localized
from loket.catalog.models import ServiceVersion
from loket.catalog.services import publish_text
from loket.catalog.stepkinds import register, step_kind, unregister
from loket.catalog.stepkinds.builtin import Task as TaskKind
from loket.catalog.yamlsource import Where
from loket.portal import presenters
from tests.cases.factories import MINIMAL_SERVICE, ServiceWorld, make_service, submit_application

pytestmark = pytest.mark.django_db


class Inspection(TaskKind):
    """An officer of the position visits the place before deciding."""

    name = "inspection"
    optional = (*TaskKind.optional, "visit")

    def parse(self, check: Checker, where: Where, item: dict[str, Any]) -> dict[str, Any]:
        return {
            **super().parse(check, where, item),
            "visit": check.i18n((*where, "visit"), item.get("visit"), required=False),
        }

    def note(self, step: Step, language: str, **_: Any) -> str:
        return localized(step.get("visit"), language) or "An officer visits the place."


@pytest.fixture
def inspection() -> Iterator[None]:
    register(Inspection)
    yield
    unregister("inspection")


def _as_inspection(world: ServiceWorld, visit: str) -> ServiceVersion:
    text = MINIMAL_SERVICE.format(
        code=world.service_code,
        agency=world.agency.code,
        unit=world.unit.code,
        position=world.position.code,
        task_extra=visit,
    ).replace("    kind: task\n", "    kind: inspection\n")
    return publish_text(text, "tests/catalog/test_custom_step_kind.py").version


def _messages(raised: pytest.ExceptionInfo[DefinitionErrors]) -> str:
    return "\n".join(str(error) for error in raised.value)


def test_a_registered_kind_is_loaded_run_and_shown(inspection: None) -> None:
    world = make_service()
    version = _as_inspection(world, "    visit: {id: Petugas meninjau lokasi., en: We visit.}\n")
    step = compiled(version).step("pemeriksaan")
    assert step.kind == "inspection"
    assert step.step_kind is step_kind("inspection")
    assert step["visit"] == {"id": "Petugas meninjau lokasi.", "en": "We visit."}

    case = submit_application(world.service_code).case
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    assert (task.step_id, task.position_id) == ("pemeriksaan", world.position.pk)
    services.decide(task_id=task.pk, officer=world.holder, decision="approve")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED

    with translation.override("en"):
        first = presenters.procedure(version.service, compiled(version), "en")[0]
    assert first["who"] == world.position.title
    assert first["note"] == "We visit."


def test_the_kinds_own_keys_are_checked(inspection: None) -> None:
    world = make_service()
    with pytest.raises(DefinitionErrors) as raised:
        _as_inspection(world, "    visit: 42\n")
    assert "steps[0].visit" in _messages(raised)


def test_an_unregistered_kind_is_refused() -> None:
    world = make_service()
    with pytest.raises(DefinitionErrors) as raised:
        _as_inspection(world, "")
    assert "steps[0].kind" in _messages(raised)
