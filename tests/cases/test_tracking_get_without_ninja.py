"""The applicant's tracking GET is answered before django-ninja parses it
(cases/api/tracking_get.py): every answer is the one ninja's own operation gives, byte
for byte, and the OpenAPI document still describes the route."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from loket import urls
from tests.cases.conftest import post_application


def _receipt(client: Client) -> tuple[str, str]:
    response = post_application(client)
    assert response.status_code == 201, response.content
    body = response.json()
    return body["tracking_number"], body["access_code"]


def _ninja(client: Client, method: str, url: str, headers: dict[str, str]) -> Any:
    """The same request answered by ninja's operation: its view alone in the URL map."""
    from django.test import override_settings
    from django.urls import clear_url_caches

    class OnlyNinja:
        urlpatterns = [p for p in urls.urlpatterns if not _is_fast(p)]

    with override_settings(ROOT_URLCONF=OnlyNinja):
        clear_url_caches()
        try:
            return getattr(client, method)(url, headers=headers)
        finally:
            clear_url_caches()


def _is_fast(pattern: Any) -> bool:
    return getattr(pattern.callback, "__name__", "") == "track_application"


def test_the_route_is_served_by_the_plain_view() -> None:
    assert resolve("/api/v1/applications/IUM-2026-000001").func.__name__ == "track_application"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "query", "header"),
    [
        ("get", "", "right"),
        ("get", "?access_code={code}", ""),
        ("get", "?access_code={code}", "AAAAAAAA"),  # the header wins, as in ninja
        ("get", "", "AAAAAAAA"),
        ("get", "", ""),
        ("get", "?access_code=" + "A" * 33, ""),  # 422 from ninja
        ("get", "", "A" * 33),
        ("get", "?access_code={code}&access_code=BBBBBBBB", ""),
        ("get", "?other=1&access_code={code}", ""),
        ("post", "", "right"),  # 405
        ("head", "", "right"),
    ],
)
def test_every_answer_is_ninjas(
    client: Client, demo: Any, method: str, query: str, header: str
) -> None:
    number, code = _receipt(client)
    url = f"/api/v1/applications/{number}" + query.format(code=code)
    headers = {"X-Access-Code": code if header == "right" else header} if header else {}
    fast = getattr(client, method)(url, headers=headers)
    slow = _ninja(client, method, url, headers)
    assert (fast.status_code, fast.content) == (slow.status_code, slow.content)
    assert fast["Content-Type"] == slow["Content-Type"]


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["X", "IUM-2026-" + "9" * 30, "IUM-2026-999999"])
def test_malformed_and_unknown_numbers_get_ninjas_answer(
    client: Client, demo: Any, number: str
) -> None:
    url = f"/api/v1/applications/{number}"
    fast = client.get(url, headers={"X-Access-Code": "AAAAAAAA"})
    slow = _ninja(client, "get", url, {"X-Access-Code": "AAAAAAAA"})
    assert fast.status_code in {404, 422}
    assert (fast.status_code, fast.content) == (slow.status_code, slow.content)


@pytest.mark.django_db
def test_a_locked_out_client_is_refused_by_the_plain_view_as_by_ninja(
    demo: Any, settings: Any
) -> None:
    number, code = _receipt(Client())
    guesser = Client(REMOTE_ADDR="10.6.6.6")
    url = f"/api/v1/applications/{number}"
    for _attempt in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER):
        assert guesser.get(url, headers={"X-Access-Code": "AAAAAAAA"}).status_code == 404
    fast = guesser.get(url, headers={"X-Access-Code": code})
    slow = _ninja(guesser, "get", url, {"X-Access-Code": code})
    assert fast.status_code == 429
    assert (fast.status_code, fast.content) == (slow.status_code, slow.content)


def test_the_openapi_document_still_describes_the_route(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/applications/{tracking_number}"]["get"]
    names = {(p["in"], p["name"]) for p in operation["parameters"]}
    assert names == {
        ("path", "tracking_number"),
        ("query", "access_code"),
        ("header", "X-Access-Code"),
    }
    assert {"200", "404", "422", "429"} <= set(operation["responses"])


@pytest.mark.parametrize(
    ("query", "header", "taken"),
    [
        ("?access_code=ABCD2345", "", "ABCD2345"),
        ("", "ABCD2345", "ABCD2345"),
        ("?access_code=ABCD2345", "WXYZ6789", "WXYZ6789"),  # the header wins
        ("", "", ""),
        ("?access_code=" + "A" * 33, "", None),  # left to ninja: its 422
        ("", "A" * 33, None),
        ("?access_code=A&access_code=B", "", None),
        ("?other=1", "", None),
    ],
)
def test_the_plain_view_takes_only_the_plain_requests(
    query: str, header: str, taken: str | None
) -> None:
    # The answers above are equal whichever view gives them: this pins that the ordinary
    # GET is the plain view's own, and the unusual ones ninja's.
    from django.test import RequestFactory

    from loket.cases.api.tracking_get import _code_if_plain

    headers = {"HTTP_X_ACCESS_CODE": header} if header else {}
    request = RequestFactory().get("/api/v1/applications/IUM-2026-000001" + query, **headers)
    assert _code_if_plain(request, "IUM-2026-000001") == taken
    post = RequestFactory().post("/api/v1/applications/IUM-2026-000001" + query, **headers)
    assert _code_if_plain(post, "IUM-2026-000001") is None
    assert _code_if_plain(request, "X") is None  # out of the documented lengths
