"""Every page reachable by following links answers: as a visitor, as each kind of officer
and as the administrator, in Indonesian and in English.

A new user meets the platform by clicking. Each page has its own tests; this walks the
links between them over the demo agency with work in every state (cases, complaints,
surveys, open data) and fails on any link that ends in a server error or a missing page.
"""

from __future__ import annotations

import html
import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from loket.workspace.otp import confirmed_devices

pytestmark = pytest.mark.django_db

HOST = "testserver"
# Not pages: files and exports (their own tests check them), the sign-out, the API's
# interactive documentation (a script page) and what the admin offers to change.
SKIPPED = re.compile(
    r"/(logout|keluar)/|/admin/.*/(delete|history)/|/api/v1/docs"
    r"|\.(pdf|png|jpe?g|csv|json|jsonld|xml|ttl|rdf|zip|js|css|ico|svg|txt)$"
    r"|/(unduh|download|berkas|files?|foto|static|media)/"
)
HREF = re.compile(r'href="([^"#]+)"')
MOST_PAGES = 400  # per walk
MOST_ADMIN_PAGES = 150  # the admin links every object it holds: its lists and a sample


@pytest.fixture(scope="module")
def demo_extras() -> tuple[Any, ...]:
    """Work in every state beside the demo agency: survey periods, complaints in each
    state, cases at every step with an issued licence, and the open datasets."""
    from loket.complaints.categories import load_dir
    from loket.complaints.demo import load_complaint_demo
    from loket.insights.demo import load_current_work
    from loket.opendata.services import publish_all
    from loket.org.models import Agency
    from loket.surveys.demo import load_survey_history

    def complaints() -> None:
        load_dir()
        load_complaint_demo(Agency.objects.get(code="kota-contoh"))

    return (load_survey_history, complaints, load_current_work, publish_all)


def _client(username: str | None, language: str) -> Client:
    client = Client()
    if language != "id":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if username is not None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        devices = confirmed_devices(user)
        if devices:  # the second factor, passed
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = devices[0].persistent_id
            session.save()
    return client


def _links(page: str, body: str) -> list[str]:
    found = []
    for href in HREF.findall(body):
        target = urlparse(urljoin(page, html.unescape(href)))
        if target.netloc not in ("", HOST) or SKIPPED.search(target.path):
            continue
        if "lang=" in target.query:  # the language switch: the English walk covers it
            continue
        if target.path.startswith("/admin/") and target.query:
            continue  # the admin's sorting and filter variants of one list
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def walk(client: Client, starts: list[str], most: int = MOST_PAGES) -> tuple[int, list[str]]:
    """Follow every link from `starts` (up to `most` pages, breadth first); the pages
    read, and what went wrong and where."""
    seen: set[str] = set()
    queue = deque((start, "(start)") for start in starts)
    problems: list[str] = []
    while queue and len(seen) < most:
        url, source = queue.popleft()
        url = urldefrag(url)[0]
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500 or response.status_code == 404:
            problems.append(f"{url} answered {response.status_code} (linked from {source})")
            continue
        if response.status_code in (301, 302, 303, 307):
            location = urlparse(response["Location"])
            if location.netloc in ("", HOST):
                queue.append((urljoin(url, response["Location"]), url))
            continue
        if "text/html" in response.get("Content-Type", ""):
            queue.extend((link, url) for link in _links(url, response.content.decode()))
    return len(seen), problems


@pytest.mark.parametrize(
    ("username", "language", "starts", "at_least"),
    [
        (None, "id", ["/", "/pengaduan/", "/data/"], 40),
        (None, "en", ["/", "/pengaduan/", "/data/"], 40),
        ("andi", "id", ["/workspace/"], 30),  # front office
        ("siti", "id", ["/workspace/"], 30),  # analyst
        ("dewi", "id", ["/workspace/"], 40),  # Plt head of division: signs, supervises
        ("dewi", "en", ["/workspace/"], 40),
        ("bambang", "id", ["/workspace/"], 40),  # head of the office
        ("agus", "id", ["/workspace/"], 30),  # lurah of another agency unit
        ("admin", "id", ["/admin/"], 60),
    ],
)
def test_every_link_leads_to_a_page(
    demo: Any, username: str | None, language: str, starts: list[str], at_least: int
) -> None:
    most = MOST_ADMIN_PAGES if username == "admin" else MOST_PAGES
    pages, problems = walk(_client(username, language), starts, most)
    assert not problems, "\n".join(problems)
    assert pages >= at_least  # the walk went through the site, not one page
