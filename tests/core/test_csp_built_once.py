"""Loket's CSP middleware writes exactly the headers django-csp's would, from strings it
builds once per settings instead of twice per response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from csp import utils as csp_utils
from csp.constants import NONCE
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory, override_settings

from loket.core.csp import CSPMiddleware

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}


def _view(response: HttpResponse) -> Callable[[HttpRequest], HttpResponseBase]:
    return lambda request: response


def _headers(
    middleware_class: type[Any], view: Callable[..., HttpResponseBase], path: str = "/x/"
) -> dict[str, str | None]:
    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    return {
        name: response.get(name)
        for name in ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
    }


@pytest.mark.parametrize(
    "decorate",
    [
        lambda view: view,
        csp_update({"img-src": ["https://tiles.example"]}),
        csp_exempt(),
    ],
    ids=["plain", "csp_update", "csp_exempt"],
)
def test_the_headers_are_django_csps(decorate: Callable[..., Any]) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    decorated = decorate(view)
    assert _headers(CSPMiddleware, decorated) == _headers(DjangoCSPMiddleware, decorated)


def test_a_plain_response_builds_no_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    middleware = CSPMiddleware(_view(HttpResponse("ok")))
    first = middleware(RequestFactory().get("/x/"))
    built: list[Any] = []
    original = csp_utils.build_policy
    for module in ("csp.middleware", "loket.core.csp"):
        monkeypatch.setattr(
            f"{module}.build_policy", lambda **kw: built.append(kw) or original(**kw)
        )
    second = middleware(RequestFactory().get("/y/"))
    assert built == []
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_changed_settings_give_the_new_policy() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    middleware = CSPMiddleware(view)
    middleware(RequestFactory().get("/x/"))
    with override_settings(
        CONTENT_SECURITY_POLICY=POLICY,
        CONTENT_SECURITY_POLICY_REPORT_ONLY={**POLICY, "EXCLUDE_URL_PREFIXES": ["/api/"]},
    ):
        response = middleware(RequestFactory().get("/x/"))
        # django-csp walks the directives as a set: their order differs between processes.
        assert sorted(response["Content-Security-Policy"].split("; ")) == [
            "default-src 'self'",
            "img-src 'self' data:",
        ]
        assert (
            response["Content-Security-Policy-Report-Only"] == response["Content-Security-Policy"]
        )
        for path in ("/x/", "/api/v1/"):
            assert _headers(CSPMiddleware, view, path) == _headers(DjangoCSPMiddleware, view, path)
        assert "Content-Security-Policy-Report-Only" not in middleware(
            RequestFactory().get("/api/v1/")
        )


def test_a_page_that_asks_for_a_nonce_gets_it_in_the_header() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]

    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    ):
        response = CSPMiddleware(view)(RequestFactory().get("/x/"))
    assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]
