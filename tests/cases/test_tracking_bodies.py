"""The applicant's tracking GET keeps its bodies per process (ADR 0030): a repeated GET
is answered from the kept body, every change of what the body is made from gives the
new body (the one the case's own serialisation gives), and the lock-out and access
checks run before any kept body is looked at."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases import selectors, services
from loket.cases.api import serializers, tracked_bodies
from loket.cases.models import Case, Task, TaskStatus
from loket.org import titles
from loket.org.models import Position
from tests.cases.conftest import officer, post_application

pytestmark = pytest.mark.django_db


def _submit(client: Client) -> tuple[str, str]:
    response = post_application(client)
    assert response.status_code == 201, response.content
    body = response.json()
    return body["tracking_number"], body["access_code"]


def _get(client: Client, number: str, code: str, **headers: str) -> bytes:
    response = client.get(
        f"/api/v1/applications/{number}", headers={"X-Access-Code": code, **headers}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return bytes(response.content)


def _from_the_case(number: str) -> bytes:
    """The body as the case's own serialisation gives it now, nothing kept."""
    case = selectors.case_by_tracking_number(number)
    assert case is not None
    return bytes(serializers.application_response(case).content)


def _return(number: str) -> None:
    task = Task.objects.get(
        case__tracking_number=number, step_id="verifikasi-berkas", status=TaskStatus.OPEN
    )
    services.decide(
        task_id=task.pk,
        officer=officer("andi"),
        decision="return",
        reason="KTP tidak terbaca.",
        checklist={"ktp": {"verdict": "tidak_sesuai", "note": "Unggah utuh."}},
    )


@pytest.fixture
def kept_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Making a body fails from here on: only a kept one can answer."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the body was made again")

    monkeypatch.setattr(serializers, "_tracked_body", refuse)


def test_a_repeated_get_is_answered_from_the_kept_body(
    client: Client, demo: Any, request: pytest.FixtureRequest
) -> None:
    number, code = _submit(client)
    first = _get(client, number, code)
    assert first == _from_the_case(number)
    request.getfixturevalue("kept_only")
    assert _get(client, number, code) == first


def test_a_new_event_gives_a_new_body(client: Client, demo: Any) -> None:
    number, code = _submit(client)
    before = _get(client, number, code)
    _return(number)
    after = _get(client, number, code)
    assert after != before
    assert after == _from_the_case(number)


def test_a_retitled_position_gives_a_new_body(client: Client, demo: Any) -> None:
    number, code = _submit(client)
    _return(number)  # the timeline names the verifying officer's position
    before = _get(client, number, code)
    position = Position.objects.get(pk=Task.objects.get(case__tracking_number=number).position_id)
    assert position.title in before.decode()

    position.title = "Verifikator Berkas Perizinan"
    position.save()  # in this process: the titles are read again at once
    after = _get(client, number, code)
    assert "Verifikator Berkas Perizinan" in after.decode()
    assert after == _from_the_case(number)


def test_a_position_retitled_by_another_process_shows_when_the_titles_are_read_again(
    client: Client, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, code = _submit(client)
    _return(number)
    before = _get(client, number, code)
    position_id = Task.objects.get(case__tracking_number=number).position_id
    # Another process's edit: no signal here, so this process keeps its titles a while
    # (ADR 0023), and its kept body with them.
    Position.objects.filter(pk=position_id).update(title="Verifikator Berkas Perizinan")
    assert _get(client, number, code) == before

    monkeypatch.setattr(titles, "TTL_SECONDS", 0.0)  # their time is up
    after = _get(client, number, code)
    assert "Verifikator Berkas Perizinan" in after.decode()
    assert after == _from_the_case(number)


def test_the_due_moment_passing_gives_a_new_body(
    client: Client, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, code = _submit(client)
    due_at = timezone.now() + dt.timedelta(days=1)
    Case.objects.filter(tracking_number=number).update(due_at=due_at)
    before = _get(client, number, code)
    assert b'"is_overdue": false' in before

    monkeypatch.setattr(timezone, "now", lambda: due_at + dt.timedelta(seconds=1))
    after = _get(client, number, code)
    assert b'"is_overdue": true' in after
    assert after == _from_the_case(number)

    monkeypatch.setattr(timezone, "now", lambda: due_at - dt.timedelta(seconds=1))
    assert _get(client, number, code) == before  # a clock set back: the body of that time


def test_the_case_language_gives_its_own_body(client: Client, demo: Any) -> None:
    number, code = _submit(client)
    before = _get(client, number, code)
    Case.objects.filter(tracking_number=number).update(language="en")
    after = _get(client, number, code)
    assert after != before
    assert after == _from_the_case(number)


def test_the_time_zone_gives_its_own_body(client: Client, demo: Any) -> None:
    number, code = _submit(client)
    in_jakarta = _get(client, number, code)
    with timezone.override(dt.timezone(dt.timedelta(hours=9))):  # Jayapura
        in_jayapura = _get(client, number, code)
        assert in_jayapura == _from_the_case(number)
    assert b"+09:00" in in_jayapura
    assert in_jayapura != in_jakarta


def test_a_wrong_code_is_never_answered_from_a_kept_body(
    client: Client, demo: Any, request: pytest.FixtureRequest
) -> None:
    number, code = _submit(client)
    _get(client, number, code)
    request.getfixturevalue("kept_only")
    wrong = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": "AAAAAAAA"})
    assert wrong.status_code == 404


def test_a_locked_out_address_is_never_answered_from_a_kept_body(
    demo: Any, settings: Any, request: pytest.FixtureRequest
) -> None:
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    number, code = _submit(guesser)
    _get(guesser, number, code)
    request.getfixturevalue("kept_only")
    for _attempt in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER):
        guesser.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": "AAAAAAAA"})
    locked = guesser.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": code})
    assert locked.status_code == 429


def test_the_bodies_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracked_bodies, "MAX_BODIES", 2)
    tracked_bodies.clear()
    tracked_bodies.put(("a",), b"1")
    tracked_bodies.put(("b",), b"2")
    assert tracked_bodies.get(("a",)) == b"1"  # now the most recently used
    tracked_bodies.put(("c",), b"3")
    assert tracked_bodies.get(("b",)) is None
    assert tracked_bodies.get(("a",)) == b"1"
    assert tracked_bodies.get((["not hashable"],)) is None
