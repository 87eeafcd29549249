"""The head's performance dashboard and the public Kinerja Layanan page in Chromium,
at 1366 px and 390 px; axe finds no serious problem."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from loket.catalog.models import Service
from loket.demo.agency import DEMO_PASSWORD, load_demo
from loket.insights import services
from loket.workspace.otp import code_for, confirmed_devices
from tests.browser.conftest import CheckPage
from tests.cases.conftest import officer
from tests.insights.conftest import apply, at, decide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def figures(transactional_db: object) -> str:
    load_demo()
    for day in (6, 7):
        case = apply(at(day, 9))
        decide(case, "verifikasi-berkas", "andi", "approve", at(day))
        decide(case, "kajian-teknis", "siti", "return", at(day + 1))
    services.refresh_recent(now=at(31, 20))
    return Service.objects.get(code="izin-usaha-mikro").agency.code


def test_head_dashboard_at_two_widths(page: Page, figures: str, check_page: CheckPage) -> None:
    page.set_viewport_size(WIDE)
    page.goto("/workspace/kinerja/?bulan=2026-07")
    expect(page).to_have_url(re.compile(r"/workspace/login/"))
    page.locator("#id_username").fill("bambang")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Lanjutkan").click()
    device = confirmed_devices(officer("bambang").user)[0]
    page.locator("#id_code").fill(code_for(device))
    page.get_by_role("button", name="Masuk").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kinerja")
    expect(page.get_by_test_id("bottlenecks")).to_contain_text("kajian-teknis")
    expect(page.locator("svg.chart").first).to_be_visible()
    check_page(page, "insights-dashboard")
    page.set_viewport_size(PHONE)
    expect(page.get_by_test_id("tiles")).to_be_visible()
    check_page(page, "insights-dashboard-390")


def test_public_page_at_two_widths(page: Page, figures: str, check_page: CheckPage) -> None:
    for size, name in ((WIDE, "insights-public"), (PHONE, "insights-public-390")):
        page.set_viewport_size(size)
        page.goto(f"/kinerja/{figures}/?bulan=2026-07")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kinerja layanan")
        expect(page.get_by_test_id("public-service").first).to_be_visible()
        check_page(page, name)


def test_nothing_here_needs_a_script(page: Page, figures: Any) -> None:
    page.goto(f"/kinerja/{figures}/")
    assert page.locator("main script").count() == 0
