"""Pages outside the main flows also work under the Content-Security-Policy in Chromium
(the `page` fixture fails the test on anything the policy blocked)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_under_the_policy(page: Page) -> None:
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Loket API")


def test_admin_sign_in_and_error_pages_render_under_the_policy(page: Page) -> None:
    page.goto("/admin/login/")
    expect(page.locator("#id_username")).to_be_visible()
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
