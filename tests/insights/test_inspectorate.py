"""The inspectorate (internal supervision) reads every unit's dashboard and acts on nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from loket.cases.models import Case, Task, TaskStatus
from loket.insights import services
from loket.org.models import Unit
from tests.cases.conftest import officer
from tests.insights.conftest import apply, at

pytestmark = pytest.mark.django_db
URL = "/workspace/kinerja/"


@pytest.fixture
def inspector(july_cases: tuple[Case, Case]) -> str:
    """Siti, an analyst who heads no unit, given the inspectorate's permission."""
    services.refresh_recent()
    user = officer("siti").user
    user.user_permissions.add(Permission.objects.get(codename="view_all_dashboards"))
    return "siti"


def test_without_the_permission_a_non_head_is_refused(
    july_cases: tuple[Case, Case], signed_in: Any
) -> None:
    assert signed_in("siti").get(URL).status_code == 403


def test_inspectorate_reads_any_unit_of_its_agency(inspector: str, signed_in: Any) -> None:
    client = signed_in(inspector)
    for code in ("dpmptsp", "bidang-tata-ruang"):
        unit = Unit.objects.get(code=code)
        page = client.get(URL, {"bulan": "2026-07", "unit": unit.pk})
        assert page.status_code == 200
        assert page.context["unit"] == unit
    xes = client.get(f"{URL}log.xes", {"unit": Unit.objects.get(code="dpmptsp").pk})
    assert xes.status_code == 200
    download = client.get(URL, {"bulan": "2026-07", "format": "xlsx"})
    assert download.status_code == 200


def test_inspectorate_sees_anomaly_flags_but_not_the_people_section(
    inspector: str, signed_in: Any
) -> None:
    unit = Unit.objects.get(code="dpmptsp")
    page = signed_in(inspector).get(URL, {"bulan": "2026-07", "unit": unit.pk})
    html = page.content.decode()
    assert 'data-testid="anomalies"' in html
    assert 'data-testid="people"' not in html
    assert page.context["people"] == []


def test_inspectorate_gets_no_skp_evidence(inspector: str, signed_in: Any) -> None:
    response = signed_in(inspector).get(
        f"{URL}pegawai/{officer('andi').pk}/bukti.csv", {"bulan": "2026-07"}
    )
    assert response.status_code == 403


def test_reading_gives_no_power_to_act(inspector: str, signed_in: Any) -> None:
    fresh = apply(at(20, 9))
    task = Task.objects.get(case=fresh, status=TaskStatus.OPEN)
    assert task.step_id == "verifikasi-berkas"  # the front office's, not the analyst's
    response = signed_in(inspector).post(
        f"/workspace/tasks/{task.pk}/decide/", {"decision": "approve", "reason": ""}
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert response.status_code in (403, 404)  # not even shown: no position, no task
