"""Django's messages on the pages, none on the JSON API (core/messages.py)."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from loket.core.messages import PageMessageMiddleware


def _shown_after(path: str) -> list[str]:
    """The messages a page shows after a view on `path` ran (one request, one store)."""

    def view(request: HttpRequest) -> HttpResponse:
        if hasattr(request, "_messages"):
            messages.info(request, "Tersimpan.")
        return HttpResponse("ok")

    request = RequestFactory().get(path)
    request.session = {}  # type: ignore[assignment]
    PageMessageMiddleware(view)(request)
    return [str(m) for m in getattr(request, "_messages", [])]


@pytest.mark.parametrize("path", ["/", "/lacak/", "/api/problems/not_found"])
def test_pages_keep_their_messages(path: str) -> None:
    assert _shown_after(path) == ["Tersimpan."]


def test_the_json_api_builds_no_message_store() -> None:
    request = RequestFactory().get("/api/v1/applications/IUM-2026-000001")
    PageMessageMiddleware(lambda r: HttpResponse("{}"))(request)
    assert not hasattr(request, "_messages")


@pytest.mark.django_db
def test_the_admin_still_finds_the_message_middleware() -> None:
    from django.core import checks

    assert [e for e in checks.run_checks() if e.id == "admin.E409"] == []
