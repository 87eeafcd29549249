"""An id in a workspace address past the database's integers is a 4xx, never a 500
(Django's <int:> takes any run of digits; SQLite and PostgreSQL refuse 10**20)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from loket.org.models import Officer
from tests.helpers import login_with_second_factor

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


def _int_routes(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _int_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "<int:" in route:
            found.append(route)
    return found


ROUTES = sorted(r for r in _int_routes(get_resolver().url_patterns) if r.startswith("workspace/"))


def _address(route: str) -> str:
    route = re.sub(r"<int:[a-z_]+>", HUGE, route)
    return "/" + re.sub(r"<str:[a-z_]+>", "csv", route)


def test_the_workspace_has_id_routes():
    assert len(ROUTES) >= 10, ROUTES


def test_an_id_past_the_databases_integers_is_not_a_server_error(demo, client):
    # The head of the office: the widest reach of the demo's officers. One sign-in for
    # every address (a test per address cost a sign-in each, ~10 s of make test).
    login_with_second_factor(client, Officer.objects.get(user__username="bambang").user)
    answers = {
        (method, _address(route)): getattr(client, method)(_address(route)).status_code
        for route in ROUTES
        for method in ("get", "post")
    }
    # 403 where the reach is checked before the row (an officer's evidence): no 500.
    wrong = {key: status for key, status in answers.items() if status not in (403, 404, 405)}
    assert not wrong, wrong
