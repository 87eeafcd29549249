"""A complaint in real Chromium: filed anonymously on a phone, verified and answered by
officers, shown on the public watchdog page without personal data; axe on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, BrowserContext, Page, expect

from loket.complaints.categories import load_dir
from loket.complaints.models import Complaint
from loket.demo.agency import DEMO_PASSWORD, load_demo
from loket.workspace.otp import code_for, confirmed_devices
from tests.browser.conftest import DESKTOP, CheckPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TEXT = "Baliho roboh menutup trotoar di depan pasar sejak kemarin sore."


@pytest.fixture
def demo(transactional_db: object) -> object:
    summary = load_demo()
    load_dir()
    return summary


@pytest.fixture
def officers(browser: Browser, live_server: Any) -> Iterator[dict[str, BrowserContext]]:
    opened: dict[str, BrowserContext] = {}
    yield opened
    for context in opened.values():
        context.close()


def _officer_page(
    browser: Browser, base_url: str, opened: dict[str, BrowserContext], username: str
) -> Page:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="id-ID")
    context.set_default_timeout(15_000)
    opened[username] = context
    page = context.new_page()
    page.goto("/workspace/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    user = get_user_model().objects.get(username=username)
    page.locator("#id_code").fill(code_for(confirmed_devices(user)[0]))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#queue")).to_be_visible()
    return page


def test_anonymous_complaint_from_a_phone_to_the_public_page(
    demo: Any, browser: Browser, live_server: Any, officers: Any, check_page: CheckPage
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    citizen = context.new_page()
    citizen.goto("/pengaduan/baru/")
    check_page(citizen, "complaint-file")
    citizen.locator("#id_category").select_option("reklame-liar")
    citizen.locator("#id_description").fill(TEXT)
    citizen.locator("#id_address").fill("Depan Pasar Baru, Jl. Merdeka")
    citizen.get_by_label("Menutup rambu").check()
    citizen.locator("#id_is_anonymous").check()
    citizen.get_by_test_id("submit-complaint").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Pengaduan diterima")
    number = citizen.get_by_test_id("tracking-number").inner_text()
    assert re.fullmatch(r"ADU-\d{4}-\d{6}", number)
    assert len(citizen.get_by_test_id("access-code").inner_text()) == 8
    check_page(citizen, "complaint-receipt")
    complaint = Complaint.objects.get(tracking_number=number)
    assert complaint.is_anonymous and complaint.attributes == {"kondisi": ["menutup_rambu"]}

    andi = _officer_page(browser, live_server.url, officers, "andi")
    andi.goto("/workspace/pengaduan/")
    andi.get_by_role("link", name=number).click()
    check_page(andi, "complaint-officer-verify")
    andi.locator("[data-testid=verify-form] select[name=tier]").select_option("ringan")
    andi.get_by_test_id("verify").click()
    expect(andi.get_by_test_id("status")).to_have_text("Terverifikasi")

    rudi = _officer_page(browser, live_server.url, officers, "rudi")
    rudi.goto(f"/workspace/pengaduan/{complaint.pk}/")
    expect(rudi.get_by_test_id("complainant")).to_have_text("Dirahasiakan")
    rudi.locator("#id_answer-text").fill("Baliho telah dibongkar petugas pada pagi ini.")
    rudi.get_by_test_id("answer").click()
    expect(rudi.get_by_test_id("status")).to_have_text(re.compile("Ditanggapi"))

    citizen.goto(f"/pengaduan/{number}/")
    expect(citizen.get_by_test_id("complaint-events")).to_contain_text("dibongkar")
    body = citizen.locator("body").inner_text()
    assert "andi" not in body.lower() and "rudi" not in body.lower()
    check_page(citizen, "complaint-public")
    citizen.goto("/pengaduan/")
    expect(citizen.get_by_test_id("public-complaints")).to_contain_text(number)
    check_page(citizen, "complaint-public-list")
    context.close()
