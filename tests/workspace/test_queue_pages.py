"""The officer's queue and the head's unit page come in pages: a backlog of thousands of
open tasks must not make one page of thousands of rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from loket.cases.models import Task
from loket.workspace import selectors
from tests.workspace.conftest import apply, open_task

pytestmark = pytest.mark.django_db

SignIn = Callable[[str], Client]


@pytest.fixture
def five_tasks(demo: object, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Five open tasks at andi's position, due one day apart; pages of two rows."""
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    numbers = []
    for day in range(5):
        case = apply(f"Pemohon {day}")
        Task.objects.filter(pk=open_task(case).pk).update(
            due_at=timezone.now() + dt.timedelta(days=day + 1)
        )
        numbers.append(case.tracking_number)
    return numbers


def _rows(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["task"].case.tracking_number for row in response.context["rows"]]


def test_the_queue_shows_one_page_with_links_to_the_next(
    five_tasks: list[str], signed_in: SignIn
) -> None:
    client = signed_in("andi")
    first = client.get("/workspace/")
    assert _rows(first) == five_tasks[:2]
    body = first.content.decode()
    assert "Menampilkan 1–2 dari 5 (halaman 1 dari 3)" in body
    assert 'href="?page=2" rel="next"' in body
    assert 'rel="prev"' not in body
    assert first.context["counts"].all == 5  # the counts are of the whole queue
    second = client.get("/workspace/", {"page": "2"})
    assert _rows(second) == five_tasks[2:4]
    assert 'href="?page=1" rel="prev"' in second.content.decode()
    last = client.get("/workspace/", {"page": "3"})
    assert _rows(last) == five_tasks[4:]
    assert 'rel="next"' not in last.content.decode()


@pytest.mark.parametrize(
    ("page", "shown"),
    [("0", 1), ("abc", 1), ("-2", 1), ("²", 1), ("", 1), ("9", 3), ("9" * 40, 3)],
)
def test_a_page_out_of_range_or_not_a_number_shows_the_nearest_page(
    five_tasks: list[str], signed_in: SignIn, page: str, shown: int
) -> None:
    response = signed_in("andi").get("/workspace/", {"page": page})
    assert response.status_code == 200
    assert response.context["paging"].number == shown


def test_page_links_keep_the_filters_and_the_filtered_count(
    five_tasks: list[str], signed_in: SignIn
) -> None:
    client = signed_in("andi")
    service = Task.objects.select_related("case").first().case.service_id  # type: ignore[union-attr]
    response = client.get("/workspace/", {"state": "open", "service": service})
    links = re.findall(r'href="\?([^"]*)" rel="next"', response.content.decode())
    assert links == [f"service={service}&amp;state=open&amp;page=2"]
    # The overdue filter counts and pages only the overdue tasks.
    Task.objects.filter(case__tracking_number=five_tasks[4]).update(
        due_at=timezone.now() - dt.timedelta(days=1)
    )
    overdue = client.get("/workspace/", {"state": "overdue"})
    assert _rows(overdue) == [five_tasks[4]]
    assert overdue.context["paging"].pages == 1
    assert 'class="page-links"' not in overdue.content.decode()  # one page: no pager


def test_a_page_costs_the_same_queries_deep_in_the_queue(
    five_tasks: list[str], signed_in: SignIn
) -> None:
    client = signed_in("andi")
    client.get("/workspace/")  # per-process caches warm up
    with CaptureQueriesContext(connection) as first:
        client.get("/workspace/")
    with CaptureQueriesContext(connection) as third:
        client.get("/workspace/", {"page": "3"})
    assert len(third) == len(first)


def test_the_htmx_queue_fragment_pages_inside_the_queue(
    five_tasks: list[str], signed_in: SignIn
) -> None:
    body = (
        signed_in("andi").get("/workspace/", {"page": "2"}, HTTP_HX_REQUEST="true").content.decode()
    )
    assert "<html" not in body
    assert 'hx-target="#queue"' in body.split('class="page-links"', 1)[1].split(">", 1)[0]


def test_the_unit_page_pages_the_units_open_tasks(five_tasks: list[str], signed_in: SignIn) -> None:
    client = signed_in("dewi")
    first = client.get("/workspace/unit/")
    assert first.status_code == 200
    assert first.context["paging"].total == 5
    assert _rows(first) == five_tasks[:2]
    assert "Menampilkan 1–2 dari 5 (halaman 1 dari 3)" in first.content.decode()
    assert _rows(client.get("/workspace/unit/", {"page": "3"})) == five_tasks[4:]


def test_the_service_filter_offers_the_services_with_open_tasks_here(
    demo: object, signed_in: SignIn
) -> None:
    from loket.cases import services
    from tests.workspace.conftest import officer

    case = apply()
    client = signed_in("andi")

    def choices() -> list[object]:
        form = client.get("/workspace/").context["form"]
        return [value for value, _label in form.fields["service"].choices]

    assert choices() == ["", case.service_id]
    task = open_task(case)
    services.claim_task(task_id=task.pk, officer=officer("andi"))
    services.decide(task_id=task.pk, officer=officer("andi"), decision="approve")
    # Andi's part is done: the task history does not keep the service in the filter.
    assert choices() == [""]
