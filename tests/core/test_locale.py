"""Pages speak Indonesian unless the visitor chose English (the switch, or a link saying
so); the machine interfaces negotiate with Accept-Language (loket.core.locale)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from loket.core.locale import link_in
from tests.cases.conftest import NIK, iu_data, iu_documents

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


def _page(client: Client, path: str = "/", **kwargs) -> tuple[str, object]:
    response = client.get(path, headers=ENGLISH_BROWSER, **kwargs)
    assert response.status_code == 200
    return response.content.decode(), response


def test_a_page_is_indonesian_whatever_the_browser_asks(demo, client):
    html, response = _page(client)
    assert '<html lang="id">' in html
    assert "Layanan publik" in html
    assert response["Content-Language"] == "id"
    # The page depends on the language cookie, not on Accept-Language.
    assert "Cookie" in response["Vary"]
    assert "Accept-Language" not in response["Vary"]


def test_the_language_switch_turns_pages_english_and_back(demo, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html, response = _page(client)
    assert '<html lang="en">' in html and "Public services" in html
    assert response["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert '<html lang="id">' in _page(client)[0]


def test_a_link_that_says_english_opens_english_and_is_remembered(demo, client):
    response = client.get("/verify/?code=ABCD&lang=en", headers=ENGLISH_BROWSER)
    # On to the same page without the parameter; the choice is in the cookie.
    assert response.status_code == 302
    assert response["Location"] == "/verify/?code=ABCD"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    # Kept a year, as the switch keeps it, not only for this browser session.
    assert cookie["max-age"] == 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    assert '<html lang="en">' in _page(client, "/")[0]
    assert '<html lang="en">' in _page(client, "/layanan/izin-usaha-mikro/")[0]


def test_the_switch_still_works_after_an_english_link(demo, client):
    client.get("/?lang=en")
    # The switch's `next` is the page's own address, which no longer says lang=en.
    html, _response = _page(client)
    assert 'name="next" value="/"' in html
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert '<html lang="id">' in _page(client)[0]


@pytest.mark.parametrize("value", ["xx", "", "en-GB-very-long"])
def test_a_language_not_offered_is_ignored(demo, client, value):
    html, response = _page(client, "/", data={"lang": value})
    assert '<html lang="id">' in html
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_language_is_read_whatever_its_case_and_spaces(demo, client):
    response = client.get("/", {"lang": " EN "})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_cookie_with_a_language_not_offered_gives_indonesian(demo, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="id">' in _page(client)[0]


@pytest.mark.parametrize(
    ("accept", "title"),
    [(None, "Tidak ditemukan"), ("en-US,en;q=0.9", "Not found"), ("id", "Tidak ditemukan")],
)
def test_the_api_negotiates_with_accept_language(demo, client, accept, title):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/api/v1/services/no-such-service", headers=headers)
    assert response.status_code == 404
    assert response.json()["title"] == title
    assert "Accept-Language" in response["Vary"]


def test_link_in():
    assert link_in("https://x.id/lacak/A-1/", "id") == "https://x.id/lacak/A-1/"
    assert link_in("https://x.id/lacak/A-1/", "en") == "https://x.id/lacak/A-1/?lang=en"
    assert link_in("https://x.id/v/?code=1", "en") == "https://x.id/v/?code=1&lang=en"
    assert link_in("https://x.id/lacak/A-1/", "fr") == "https://x.id/lacak/A-1/"


def test_an_english_applicants_mail_links_open_english_pages(demo):
    from loket.cases import services
    from loket.cases.intake import Applicant
    from loket.notify.models import OutboxMessage

    def received(language: str) -> tuple[str, str]:
        case = services.submit(
            service_code="izin-usaha-mikro",
            applicant=Applicant(
                name="Sri Wahyuni", nik=NIK, email="sri@example.id", language=language
            ),
            data=iu_data(),
            documents=iu_documents(),
        ).case
        (mail,) = OutboxMessage.objects.filter(event="received", channel="email").order_by("-pk")[
            :1
        ]
        return case.tracking_number, mail.body

    number, body = received("en")
    assert f"/lacak/{number}/?lang=en" in body
    number, body = received("id")
    assert f"/lacak/{number}/\n" in body or body.rstrip().endswith(f"/lacak/{number}/")
    assert "?lang=" not in body


@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x", "///evil.example/"])
def test_the_link_redirect_stays_on_this_site(path):
    from django.test import RequestFactory

    from loket.core.locale import LanguageMiddleware

    request = RequestFactory().get("/x", {"lang": "en", "page": "2"})
    request.path = request.path_info = path
    response = LanguageMiddleware(lambda request: None).process_request(request)
    location = response["Location"]
    assert location.startswith("/") and location[1] not in "/\\"
    assert location.endswith("?page=2")
