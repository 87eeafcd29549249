"""Every page reachable by following links answers, and every form met refuses bad input
without a server error: as a visitor, an applicant, each kind of officer and the
administrator, in Indonesian and in English.

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


APPLICANT = "sari@example.id"  # a signed-in applicant with an application of her own


def _applicant_with_an_application() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from loket.cases import services
    from loket.cases.intake import Applicant
    from tests.accounts.factories import make_applicant
    from tests.documents.samples import pdf_bytes, png_bytes
    from tests.workspace.conftest import NIK, iu_data

    user = make_applicant(APPLICANT)
    services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sari Dewi", nik=NIK, email=APPLICANT, language="id"),
        data=iu_data(),
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf"),
            "foto_lokasi": SimpleUploadedFile("lokasi.png", png_bytes(), content_type="image/png"),
        },
        user=user,
    )


def _client(username: str | None, language: str) -> Client:
    client = Client(raise_request_exception=False)  # every failure listed, not the first raised
    if language != "id":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if username == APPLICANT:
        _applicant_with_an_application()
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


FORM = re.compile(r"(?s)<form\b([^>]*)>(.*?)</form>")
FIELD = re.compile(r"<(input|textarea|select)\b([^>]*)>")


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def _post_forms(page: str, body: str) -> dict[str, dict[str, tuple[str, str]]]:
    """The page's POST forms: action -> field name -> (type, value shown)."""
    forms: dict[str, dict[str, tuple[str, str]]] = {}
    for attributes, inner in FORM.findall(body):
        if (_attribute(attributes, "method") or "get").lower() != "post":
            continue
        action = urlparse(urljoin(page, _attribute(attributes, "action") or page))
        if action.netloc not in ("", HOST) or SKIPPED.search(action.path):
            continue
        fields = {}
        for kind, tag in FIELD.findall(inner):
            name = _attribute(tag, "name")
            if name and name != "csrfmiddlewaretoken":
                fields[name] = (_attribute(tag, "type") or kind, _attribute(tag, "value") or "")
        target = action.path + (f"?{action.query}" if action.query else "")
        forms.setdefault(target, fields)
    return forms


def walk(
    client: Client,
    starts: list[str],
    most: int = MOST_PAGES,
    forms: dict[str, dict[str, tuple[str, str]]] | None = None,
) -> tuple[int, list[str]]:
    """Follow every link from `starts` (up to `most` pages, breadth first); the pages
    read, and what went wrong and where. The POST forms met are put in `forms`."""
    seen: set[str] = set()
    kinds: set[str] = set()
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
            body = response.content.decode()
            queue.extend((link, url) for link in _links(url, body))
            if forms is not None:
                for action, fields in _post_forms(url, body).items():
                    # The admin's change forms of one model differ only by the row.
                    alike = (
                        re.sub(r"/\d+/", "/N/", action) if action.startswith("/admin/") else action
                    )
                    if alike not in kinds:
                        kinds.add(alike)
                        forms[action] = fields
    return len(seen), problems


# What a form field may be sent instead of what the page offers.
HOSTILE = ["", "9" * 25, "<b>\x00'; --２", "x" * 5000]


@pytest.mark.parametrize(
    ("username", "language", "starts", "at_least"),
    [
        (None, "id", ["/", "/pengaduan/", "/data/"], 40),
        (None, "en", ["/", "/pengaduan/", "/data/"], 40),
        (APPLICANT, "id", ["/permohonan-saya/", "/"], 40),
        ("andi", "id", ["/workspace/"], 30),  # front office
        ("siti", "id", ["/workspace/"], 30),  # analyst
        ("dewi", "id", ["/workspace/"], 40),  # Plt head of division: signs, supervises
        ("dewi", "en", ["/workspace/"], 40),
        ("bambang", "id", ["/workspace/"], 40),  # head of the office
        ("agus", "id", ["/workspace/"], 30),  # lurah of another agency unit
        ("admin", "id", ["/admin/"], 60),
    ],
)
def test_every_link_leads_to_a_page_and_every_form_survives_bad_input(
    demo: Any, username: str | None, language: str, starts: list[str], at_least: int
) -> None:
    """The walk, then each POST form met on it (in Indonesian: the English pages post to
    the same handlers) sent with each field (but the hidden ones and the choices of
    checkboxes and buttons) set to empty, a huge number, markup with a NUL and a
    full-width digit, and 5,000 characters: an answer, never a 500."""
    client = _client(username, language)
    forms: dict[str, dict[str, tuple[str, str]]] = {}
    most = MOST_ADMIN_PAGES if username == "admin" else MOST_PAGES
    pages, problems = walk(client, starts, most, forms)
    assert not problems, "\n".join(problems)
    assert pages >= at_least  # the walk went through the site, not one page
    if language != "id":
        return
    assert forms
    for action, fields in sorted(forms.items()):
        for value in HOSTILE:
            data = {
                name: shown if kind in ("hidden", "checkbox", "radio", "submit") else value
                for name, (kind, shown) in fields.items()
                if kind != "file"
            }
            status = client.post(action, data).status_code
            if status >= 500:
                problems.append(f"POST {action} with {value[:12]!r}: {status}")
    assert not problems, "\n".join(problems)
