"""Every HTML page carries a Content-Security-Policy that allows no inline code."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/lacak/",
    "/accounts/login/",
    "/accounts/register/",
    "/workspace/login/",
    "/admin/login/",
    "/api/v1/docs",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_html_page_has_a_policy_without_inline_code(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["Content-Type"].startswith("text/html")
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert policy["object-src"] == "'none'"
    assert "frame-ancestors" in policy


def test_the_inline_style_of_the_500_page_is_allowed_by_its_hash() -> None:
    page = (settings.PACKAGE_DIR / "templates" / "500.html").read_text()
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


def test_no_template_has_inline_scripts_or_style_attributes() -> None:
    # The policy would block them in the browser: keep them out of the source.
    offenders = []
    for template in settings.PACKAGE_DIR.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"\sstyle=|\son[a-z]+=", text
        ):
            offenders.append(str(template))
    assert offenders == []
