"""The public list pages by keyset on (received time, id): every public complaint once,
newest first, at a fixed cost at any depth; an edited link is a 400, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from loket.complaints import selectors
from tests.bench.test_query_counts import queries_of
from tests.complaints.conftest import at, file, file_seven_public

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="\?(?:sebelum|sesudah)=([0-9]+-[0-9]+)#daftar"[^>]*data-testid="(\w+)"')
ROW = re.compile(r'href="/pengaduan/([A-Z0-9-]+)/"')


@pytest.fixture
def listed(demo: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Seven public complaints (three filed at the same moment) and a confidential one,
    three to a page; the public tracking numbers in the list's order."""
    monkeypatch.setattr(selectors, "PUBLIC_PAGE_SIZE", 3)
    return file_seven_public()


def _get(client: Client, query: str = "") -> tuple[int, list[str], dict[str, str], str]:
    response = client.get(f"/pengaduan/{query}")
    html = response.content.decode()
    rows = ROW.findall(html.split('data-testid="public-complaints"', 1)[1])
    links = {name: token for token, name in LINK.findall(html)}
    return response.status_code, rows, links, html


def test_older_links_walk_every_public_complaint_once_newest_first(listed: list[str]) -> None:
    client, seen, pages = Client(), [], 0
    status, rows, links, _html = _get(client)
    assert "newer" not in links  # the first page has nothing newer
    while True:
        assert status == 200
        seen += rows
        pages += 1
        if "older" not in links:
            break
        status, rows, links, _html = _get(client, f"?sebelum={links['older']}")
        assert "newer" in links
    assert seen == listed  # the three ties on 3 March split across pages, none lost
    assert pages == 3 and len(rows) == 1  # 3 + 3 + 1, the last page has no older link


def test_newer_links_walk_back_through_the_same_pages(listed: list[str]) -> None:
    client = Client()
    forward = []
    _status, rows, links, _html = _get(client)
    forward.append(rows)
    while "older" in links:
        _status, rows, links, _html = _get(client, f"?sebelum={links['older']}")
        forward.append(rows)
    backward = [rows]
    while "newer" in links:
        _status, rows, links, _html = _get(client, f"?sesudah={links['newer']}")
        backward.append(rows)
    assert backward[::-1] == forward
    assert "newer" not in links and "older" in links  # back on the newest page


def test_every_complaint_at_the_same_moment_still_pages_by_id(
    demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "PUBLIC_PAGE_SIZE", 2)
    numbers = [file(now=at(3)).complaint.tracking_number for _ in range(5)]
    first = selectors.public_page()
    second = selectors.public_page(older_than=first.older)
    third = selectors.public_page(older_than=second.older)
    pages = [[c.tracking_number for c in p.complaints] for p in (first, second, third)]
    assert [number for page in pages for number in page] == numbers[::-1]
    assert third.older is None
    assert selectors.public_page(newer_than=second.newer).complaints == first.complaints


@pytest.mark.parametrize(
    "query",
    [
        "?sebelum=abc",
        "?sebelum=12",
        "?sebelum=-1",
        "?sebelum=1-",
        "?sebelum=1-2-3",
        "?sebelum=12345678901234567-1",  # more digits than any time a link holds
        "?sebelum=1-1234567890123456789",
        "?sesudah=%EF%BC%91-1",  # a full-width digit
        "?sebelum=1-1&sesudah=1-1",
    ],
)
def test_a_bad_cursor_is_a_400_with_a_message_and_the_newest_page(
    listed: list[str], query: str
) -> None:
    status, rows, _links, html = _get(Client(), query)
    assert status == 400
    assert 'data-testid="page-error"' in html
    assert rows == listed[:3]


def test_a_cursor_past_the_end_is_an_empty_page_with_a_way_back(listed: list[str]) -> None:
    status, rows, links, html = _get(Client(), "?sebelum=0-0")
    assert (status, rows, links) == (200, [], {})
    assert 'data-testid="newest"' in html


def test_the_old_page_number_shows_the_newest_page(listed: list[str]) -> None:
    status, rows, _links, _html = _get(Client(), "?page=999999")
    assert (status, rows) == (200, listed[:3])


def test_a_deep_page_costs_the_queries_of_the_first(listed: list[str]) -> None:
    client = Client()
    client.get("/pengaduan/")
    second = _get(client, f"?sebelum={_get(client)[2]['older']}")[2]
    third = _get(client, f"?sebelum={second['older']}")[2]
    first = queries_of(lambda: client.get("/pengaduan/"))
    deep = queries_of(lambda: client.get(f"/pengaduan/?sebelum={second['older']}"))
    back = queries_of(lambda: client.get(f"/pengaduan/?sesudah={third['newer']}"))
    assert first == deep == back


def test_a_nul_in_a_cursor_is_refused_without_a_500(listed: list[str]) -> None:
    assert Client().get("/pengaduan/?sebelum=1%00-1").status_code == 400
