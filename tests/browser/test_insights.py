"""The head's performance dashboard and the public Kinerja Layanan page in Chromium,
at 1366 px and 390 px; axe finds no serious problem."""

from __future__ import annotations

import re
from pathlib import Path
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


def _sign_in_as_head(page: Page) -> None:
    page.locator("#id_username").fill("bambang")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Lanjutkan").click()
    device = confirmed_devices(officer("bambang").user)[0]
    page.locator("#id_code").fill(code_for(device))
    page.get_by_role("button", name="Masuk").last.click()


def _run_worker_in_thread() -> None:
    """What `loket worker` does a moment later, apart from Playwright's event loop."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.management import call_command
    from django.db import connection

    def run() -> None:
        try:
            call_command("worker", batch=True, no_schedule=True)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def test_event_log_is_prepared_in_the_worker_with_a_progress_bar(
    page: Page, figures: str, browser: Any, live_server: Any, check_page: CheckPage
) -> None:
    page.set_viewport_size(WIDE)
    page.goto("/workspace/kinerja/?bulan=2026-07")
    _sign_in_as_head(page)
    page.get_by_role("button", name="Siapkan log peristiwa bulan ini (XES, hanya jabatan)").click()
    expect(page.get_by_test_id("export-status")).to_have_text("Menunggu proses latar")
    expect(page.get_by_test_id("export-progress")).to_have_attribute("value", "0")
    expect(page.get_by_test_id("export-download")).to_be_hidden()
    check_page(page, "insights-export-job")
    job_url = page.url
    # Without scripts the same page reloads itself (meta refresh) and offers a plain link.
    plain = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        storage_state=page.context.storage_state(),
        locale="id-ID",
    )
    plain_page = plain.new_page()
    plain_page.goto(job_url)
    expect(plain_page.get_by_test_id("export-reload")).to_be_visible()

    _run_worker_in_thread()
    # With scripts: the bar fills and the link appears without a reload.
    expect(page.get_by_test_id("export-progress")).to_have_attribute("value", "100")
    expect(page.get_by_test_id("export-status")).to_have_text("Siap")
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh berkas").click()
    download = info.value
    assert download.suggested_filename.endswith("-2026-07.xes")
    assert Path(download.path()).read_text().startswith("<?xml")
    # Without scripts: the self-reloading page ends with the link, and the file downloads.
    expect(plain_page.get_by_test_id("export-download")).to_be_visible(timeout=10_000)
    with plain_page.expect_download() as plain_info:
        plain_page.get_by_role("link", name="Unduh berkas").click()
    assert plain_info.value.suggested_filename == download.suggested_filename
    plain.close()
    page.set_viewport_size(PHONE)
    check_page(page, "insights-export-job-390")
