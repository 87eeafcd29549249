"""Tracking as a step-by-step view: every step of the service, the current one marked,
what comes next, and times in the agency's own time zone (WIB/WITA/WIT)."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from django.test import Client

from loket.cases import services
from loket.cases.models import Case, TaskStatus
from loket.org.models import Agency
from tests.portal.conftest import officer, submit

pytestmark = pytest.mark.django_db


def _steps(page: str) -> list[tuple[str, str]]:
    """(state, name) of every step in the journey list, in order."""
    return re.findall(
        r'data-testid="journey-step" data-state="([a-z_]+)"[^>]*>\s*<span[^>]*></span>\s*'
        r"<strong>([^<]+)</strong>",
        page,
    )


def _decide(case: Case, step: str, username: str, decision: str = "approve") -> None:
    task = case.tasks.get(step_id=step, status=TaskStatus.OPEN)
    services.decide(
        task_id=task.pk,
        officer=officer(username),
        decision=decision,
        reason="Alasan yang cukup panjang.",
    )


def test_tracking_lists_done_current_and_future_steps_with_what_comes_next(demo, client):
    case, _code = submit(client)

    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()

    assert _steps(page) == [
        ("done", "Pemeriksaan kelengkapan otomatis"),
        ("current", "Verifikasi berkas"),
        ("upcoming", "Kajian teknis"),
        ("upcoming", "Persetujuan Kepala Bidang"),
        ("upcoming", "Penerbitan surat keterangan fasilitasi"),
        ("upcoming", "Selesai"),
    ]
    assert 'aria-current="step"' in page
    # The revision and rejection steps happen only on a return or a refusal: not listed.
    assert "Perbaikan berkas oleh pemohon" not in re.sub(r"<h3>Linimasa.*", "", page, flags=re.S)
    following = re.search(r'data-testid="next-step">(.*?)</p>', page, re.S)
    assert following is not None
    assert "Kajian teknis" in following.group(1)
    assert "Analis Perizinan" in following.group(1)
    assert "2 hari kerja" in following.group(1)


def test_the_current_step_moves_on_when_an_officer_approves(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi")

    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()

    states = {name: state for state, name in _steps(page)}
    assert states["Verifikasi berkas"] == "done"
    assert states["Kajian teknis"] == "current"
    assert states["Selesai"] == "upcoming"


def test_a_returned_application_shows_the_revision_as_the_current_step(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi", decision="return")

    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()

    assert _steps(page)[:3] == [
        ("done", "Pemeriksaan kelengkapan otomatis"),
        ("current", "Perbaikan berkas oleh pemohon"),
        ("upcoming", "Verifikasi berkas"),
    ]


def test_a_rejected_application_marks_the_steps_it_never_reached(demo, client):
    case, _code = submit(client)
    _decide(case, "verifikasi-berkas", "andi", decision="reject")

    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()

    states = {name: state for state, name in _steps(page)}
    assert states["Verifikasi berkas"] == "done"
    assert states["Kajian teknis"] == "not_reached"
    assert 'data-testid="next-step"' not in page


def test_times_carry_the_agencys_zone(demo, client):
    case, _code = submit(client)
    page = client.get(f"/lacak/{case.tracking_number}/").content.decode()
    assert re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d WIB", page)

    Agency.objects.filter(pk=case.agency_id).update(time_zone="Asia/Makassar")
    in_makassar = Client()
    in_makassar.cookies = client.cookies
    page = in_makassar.get(f"/lacak/{case.tracking_number}/").content.decode()
    assert " WIB" not in page
    makassar = case.submitted_at.astimezone(zoneinfo.ZoneInfo("Asia/Makassar"))
    assert f"{makassar:%d-%m-%Y %H:%M} WITA" in page
