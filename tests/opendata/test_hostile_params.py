"""Bad parameters to the CKAN API get CKAN's error shape with a 4xx, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loket.opendata.ckan import ACTIONS

pytestmark = pytest.mark.django_db

PARAMS = ["id", "q", "fq", "sort", "rows", "start", "facet", "facet.field", "facet.limit",
          "facet.mincount", "limit", "offset", "all_fields", "organizations",
          "include_datasets", "include_private", "query"]  # fmt: skip
# Printable text without NUL/surrogates (the safe-input middleware answers those itself).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
VALUES = st.one_of(TEXT, st.integers(-(10**30), 10**30), st.booleans(), st.none(),
                   st.lists(TEXT, max_size=3), st.dictionaries(TEXT, TEXT, max_size=2))  # fmt: skip


def _check(response: Any) -> None:
    assert response.status_code < 500, response.content
    body = response.json()
    assert body["success"] is (response.status_code == 200)
    if not body["success"]:
        assert response.status_code in (400, 403, 404, 409)
        assert body["error"]["message"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=st.sampled_from(sorted(ACTIONS)),
    params=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=5),
)
def test_any_parameters_get_a_ckan_answer_never_a_server_error(
    client: Client, action: str, params: dict[str, Any]
) -> None:
    _check(
        client.post(f"/api/3/action/{action}", json.dumps(params), content_type="application/json")
    )
    query = {k: v for k, v in params.items() if isinstance(v, str | int) and v is not True}
    _check(client.get(f"/api/3/action/{action}", query))


@pytest.mark.parametrize(
    ("action", "params", "listed"),
    [
        ("package_search", {"start": 10**20}, lambda body: body["result"]["results"]),
        ("package_list", {"offset": 10**20}, lambda body: body["result"]),
        ("organization_list", {"offset": 10**20, "limit": 10**20}, lambda body: body["result"]),
    ],
)
def test_an_offset_past_the_databases_integers_is_an_empty_page(
    demo: Any, client: Client, action: str, params: dict[str, int], listed: Any
) -> None:
    # 10**20 overflowed the OFFSET: a 500 before.
    response = client.get(f"/api/3/action/{action}", params)
    assert response.status_code == 200, response.content
    assert listed(response.json()) == []
