"""Real-browser tests: headless Debian Chromium driven by Playwright, checked with axe-core.

Nothing here skips: if Chromium or axe-core is missing the scripts install them
(scripts/ensure-chromium, scripts/ensure-axe), and if that fails the tests fail.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Assertions wait as long as actions do (set_default_timeout below): `make test` runs
# both suites and Chromium on two cores, and an htmx swap once took over Playwright's
# default 5 s there. The condition waited for is the same; only the patience changes.
expect.set_options(timeout=10_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NARROW = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
CheckPage = Callable[[Page, str], None]


def _run_script(name: str) -> str:
    result = subprocess.run(
        [str(ROOT / "scripts" / name)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/{name} failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return result.stdout.strip()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, only the browser tests marked `both_databases` run (the full path).

    A page is the same page on either database: what the browser checks (layout at
    360 px, axe, the Content-Security-Policy, scripts, uploads on a slow line) does not
    depend on it, and every view's queries run on PostgreSQL in the test-client suites.
    Each browser test costs a live server and a flush of every table per test, ~3 min of
    the PostgreSQL suite in all; the full path still goes through both databases."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return
    skip = pytest.mark.skip(reason="browser pages run on SQLite; PostgreSQL runs the full path")
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("both_databases"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def axe_source() -> str:
    return Path(_run_script("ensure-axe").splitlines()[-1]).read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module.

    Playwright's sync API keeps an asyncio loop running in this thread, which makes
    Django refuse ORM calls from the test; pytest-django's docs suggest
    DJANGO_ALLOW_ASYNC_UNSAFE for Playwright. It is set only while the browser lives,
    so other test modules keep Django's guard.
    """
    if not CHROMIUM.exists():
        _run_script("ensure-chromium")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server.

    The Content-Security-Policy stays on, and the test fails if the browser reports
    anything it blocked: every page must work under it."""
    # An Indonesian browser, like most applicants'; tests switch to English on the page.
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


def _axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, which the page's CSP does not
        # govern (a <script> tag with this content would be blocked, as it should be).
        page.evaluate(axe_source + "\n;undefined")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} at {targets}"
        )
    return "\n".join(lines)


@pytest.fixture
def check_page(axe_source: str) -> CheckPage:
    """`check_page(page, name)`: axe finds no serious or critical problem, a full-page
    screenshot goes to test-artifacts/screenshots/<name>.png, and at 360 px wide the
    page does not scroll sideways (screenshot <name>-360.png)."""

    def check(page: Page, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        violations = _axe_violations(page, axe_source)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert not violations, f"axe found problems on {name} ({page.url}):\n" + _describe(
            violations
        )
        original = page.viewport_size or DESKTOP
        page.set_viewport_size(NARROW)
        try:
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=True)
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 360px wide"
        finally:
            page.set_viewport_size(original)

    return check
