"""A browser that came set to English still gets Indonesian pages; the switch in the
header gives English, kept from page to page (loket.core.locale)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_english_browser_gets_indonesian_until_the_visitor_switches(
    browser: Browser, live_server: Any, demo: Any
) -> None:
    # Chromium's own default: how most computers in Indonesia come.
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-US")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Layanan")
        page.locator("#lang-select").select_option("en")
        page.locator("form.lang button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto("/pengaduan/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        context.close()
