"""The surveys router: published results, the live report, answering a link; problem+json."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from loket.surveys import services
from loket.surveys.models import Response
from tests.surveys.test_links import closing_message, reject, token_in
from tests.surveys.test_pages import HAND_WORKED, fill
from tests.workspace.conftest import apply

pytestmark = pytest.mark.django_db
GOOD = {f"U{i}": 3 for i in range(1, 10)}


def post_answers(token: str, answers: dict[str, Any], **extra: Any) -> Any:
    return Client().post(
        f"/api/v1/surveys/responses/{token}",
        json.dumps({"answers": answers, **extra}),
        content_type="application/json",
    )


@pytest.fixture
def token(period) -> str:
    return token_in(closing_message(reject(apply()), "rejected"))


def test_answering_a_link_through_the_api(token: str) -> None:
    response = post_answers(token, {**GOOD, "U9": None}, gender="f", suggestion="Cepat")

    assert response.status_code == 201
    stored = Response.objects.get()
    assert stored.u9 is None and stored.gender == "f"
    again = post_answers(token, GOOD)
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("bad", [0, 5, 2.5, 3.0, "3", True, [3], {"v": 3}])
def test_a_bad_rating_is_a_422_naming_the_element(token: str, bad: Any) -> None:
    response = post_answers(token, {**GOOD, "U4": bad})

    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["field"] == "answers.U4"
    assert "U4" in body["detail"]
    assert not Response.objects.exists()


def test_an_unknown_element_is_a_422(token: str) -> None:
    response = post_answers(token, {**GOOD, "U10": 3})

    assert response.status_code == 422
    assert response.json()["field"] == "answers.U10"


def test_an_unknown_profile_choice_is_a_422_naming_the_field(token: str) -> None:
    response = post_answers(token, GOOD, education="s9")

    assert response.status_code == 422
    assert response.json()["field"] == "education"


def test_an_unknown_token_is_a_404(period) -> None:
    assert post_answers("nope", GOOD).status_code == 404


def test_published_results_are_public_and_carry_their_hash(period) -> None:
    fill(period, HAND_WORKED)
    result = services.publish_result(period=period)

    response = Client().get(
        "/api/v1/surveys/results", {"agency": "kota-contoh", "unit": period.unit.code}
    )

    assert response.status_code == 200
    [item] = response.json()
    assert (item["ikm"], item["grade"], item["respondents"]) == ("83.56", "B", 4)
    assert item["inputs_sha256"] == result.inputs_hash
    assert item["elements"][8] == {
        "code": "U9",
        "respondents": 3,
        "nrr": "10/3",
        "converted": "83.33",
        "grade": "B",
    }


def test_results_of_an_unknown_unit_are_a_404(period) -> None:
    response = Client().get("/api/v1/surveys/results", {"agency": "kota-contoh", "unit": "x"})

    assert response.status_code == 404
    assert response.json()["field"] == "unit"


def test_live_report_is_for_the_head_of_the_unit(period, client, token_for) -> None:
    fill(period, HAND_WORKED)

    head = client.get(f"/api/v1/surveys/periods/{period.pk}/report", headers=token_for("bambang"))
    staff = client.get(f"/api/v1/surveys/periods/{period.pk}/report", headers=token_for("andi"))

    assert head.status_code == 200
    assert head.json()["ikm"] == "83.56"
    assert staff.status_code == 404
    assert client.get(f"/api/v1/surveys/periods/{period.pk}/report").status_code == 401
