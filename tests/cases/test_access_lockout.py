"""The lock-out after wrong access codes: the right code costs no query for it (the
tracking read learns it with the case row), a lapsed one lets the address in, an unknown
number is braked too. Across processes: test_tracking_across_processes.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.cases.models import AccessLockout
from loket.core import ratelimit
from tests.cases.conftest import post_application


def _receipt(client: Client) -> tuple[str, str]:
    response = post_application(client)
    assert response.status_code == 201, response.content
    body = response.json()
    return body["tracking_number"], body["access_code"]


def _guess(client: Client, number: str, times: int) -> None:
    for _attempt in range(times):
        wrong = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": "AAAAAAAA"})
        assert wrong.status_code == 404


@pytest.mark.django_db
def test_the_right_code_reads_the_case_and_the_lockout_in_one_query(
    demo: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    number, code = _receipt(client)
    client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": code})  # warm caches
    with django_assert_num_queries(1):
        ok = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": code})
    assert ok.status_code == 200


@pytest.mark.django_db
def test_a_lapsed_lockout_lets_the_address_in_and_is_cleared_by_the_next_one(
    demo: Any, settings: Any
) -> None:
    number, code = _receipt(Client())
    guesser = Client(REMOTE_ADDR="10.5.5.5")
    _guess(guesser, number, settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER)
    url = f"/api/v1/applications/{number}"
    assert guesser.get(url, headers={"X-Access-Code": code}).status_code == 429

    key = ratelimit.key("track.client-number.blocked", f"10.5.5.5|{number}")
    AccessLockout.objects.filter(key=key).update(until=0.0)  # as if its time were up
    assert guesser.get(url, headers={"X-Access-Code": code}).status_code == 200

    # Another address locked out later takes the lapsed row away with it.
    _guess(Client(REMOTE_ADDR="10.6.6.6"), number, settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER)
    assert not AccessLockout.objects.filter(key=key).exists()
    assert AccessLockout.objects.filter(until__gt=0).count() == 1


@pytest.mark.django_db
def test_an_unknown_number_from_a_locked_out_address_is_refused_as_locked_out(
    demo: Any, settings: Any
) -> None:
    scanner = Client(REMOTE_ADDR="10.9.0.1")
    for serial in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT):
        response = scanner.get(
            f"/api/v1/applications/IUM-2026-{800000 + serial}", headers={"X-Access-Code": "A"}
        )
        assert response.status_code == 404
    unknown = scanner.get("/api/v1/applications/IUM-2026-999999", headers={"X-Access-Code": "A"})
    assert unknown.status_code == 429
    assert unknown.json()["field"] == "access_code"


@pytest.mark.django_db
def test_an_operator_lifts_a_lockout_in_the_admin(demo: Any, settings: Any) -> None:
    from django.contrib.auth import get_user_model

    from tests.helpers import login_with_second_factor

    number, code = _receipt(Client())
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    _guess(guesser, number, settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER)
    url = f"/api/v1/applications/{number}"
    assert guesser.get(url, headers={"X-Access-Code": code}).status_code == 429
    (lockout,) = AccessLockout.objects.all()

    changelist = "/admin/cases/accesslockout/"
    # Nobody but staff sees or lifts it.
    assert Client().get(changelist).status_code == 302
    assert (
        guesser.post(changelist, {"action": "lift", "_selected_action": [lockout.pk]}).status_code
        == 302
    )
    assert AccessLockout.objects.exists()

    operator = get_user_model().objects.create_superuser("operator", "op@example.test", "x" * 16)
    admin = login_with_second_factor(Client(), operator)
    page = admin.get(changelist)
    assert page.status_code == 200
    assert lockout.pk in page.content.decode()
    assert admin.get(f"{changelist}add/").status_code == 403
    lifted = admin.post(
        changelist, {"action": "lift", "_selected_action": [lockout.pk]}, follow=True
    )
    assert lifted.status_code == 200
    assert not AccessLockout.objects.exists()
    assert guesser.get(url, headers={"X-Access-Code": code}).status_code == 200
