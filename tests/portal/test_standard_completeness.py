"""The service standard is complete: the establishing decree, the Maklumat Pelayanan,
service hours, complaint resolution times and the calendar, validated and shown."""

from __future__ import annotations

import pytest

from loket.catalog.loader import validate
from tests.catalog.conftest import demo_text

pytestmark = pytest.mark.django_db


def test_service_page_shows_decree_pledge_hours_complaint_times_and_calendar(demo, client):
    page = client.get("/layanan/izin-usaha-mikro/").content.decode()
    extras = page.split('data-testid="standard-extras"')[1].split("</dl>")[0]

    assert "503/27/DPMPTSP/2025" in extras and "10-01-2025" in extras
    assert "Maklumat Pelayanan" in extras and "sanggup menyelenggarakan" in extras
    assert "08.00-15.00" in extras
    assert "3 hari kerja" in extras and "14 hari kerja" in extras
    assert "cuti bersama" in extras


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('date: "2025-01-10"', 'date: "2025-13-10"', "standard.decree.date"),
        ("resolution_working_days: 14", "resolution_working_days: 2", "resolution_working_days"),
        ("calendar: with_collective_leave", "calendar: lunar", "standard.calendar"),
        ('number: "503/27/DPMPTSP/2025"', "nomor: x", "standard.decree"),
    ],
)
def test_a_wrong_standard_component_is_a_definition_error(old, new, where):
    text = demo_text("izin-usaha-mikro")
    assert old in text
    found = [e.problem for e in validate(text.replace(old, new), "x.yaml")]
    assert any(where in p for p in found), found
