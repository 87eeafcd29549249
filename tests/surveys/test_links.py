"""The survey link in a closed case's last message: one per case, single use, expiring."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases import services as case_services
from loket.cases.models import Case
from loket.notify.models import OutboxMessage
from loket.surveys import services
from loket.surveys.models import Channel, Invitation, Response, SurveyPeriod
from tests.helpers import issue_requested_documents
from tests.workspace.conftest import apply, officer, open_task

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/survei/([A-Za-z0-9_-]+)/")
ANSWERS = {f"U{i}": str(1 + i % 4) for i in range(1, 10)}


def reject(case: Case) -> Case:
    task = open_task(case)
    case_services.decide(
        task_id=task.pk, officer=officer("andi"), decision="reject", reason="Berkas tidak lengkap."
    )
    return Case.objects.get(pk=case.pk)


def closing_message(case: Case, event: str) -> OutboxMessage:
    # The body is encrypted at rest: it can only be searched after reading.
    messages = OutboxMessage.objects.filter(event=event).order_by("pk")
    return next(m for m in messages if case.tracking_number in m.body)


def token_in(message: OutboxMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def test_rejection_message_carries_a_single_use_survey_link(period: SurveyPeriod) -> None:
    case = reject(apply())

    message = closing_message(case, "rejected")
    token = token_in(message)
    client = Client()
    assert client.get(f"/survei/{token}/").status_code == 200
    answered = client.post(f"/survei/{token}/", {**ANSWERS, "suggestion": "Ruang tunggu sempit"})
    assert answered.status_code == 302

    response = Response.objects.get()
    assert response.period == period
    assert response.channel == Channel.ONLINE
    assert response.answers() == {k: int(v) for k, v in ANSWERS.items()}
    assert response.suggestion_status == "pending"
    # A second response for the same case is refused.
    again = client.post(f"/survei/{token}/", ANSWERS)
    assert again.status_code == 409
    assert Response.objects.count() == 1
    assert client.get(f"/survei/{token}/").status_code == 409


def test_the_sms_carries_the_link_too(period: SurveyPeriod) -> None:
    case = reject(apply())

    sms = OutboxMessage.objects.filter(event="rejected", channel="sms").first()
    if sms is not None:  # the demo applicant gave only an e-mail address
        assert "/survei/" in sms.body
    assert Invitation.objects.filter(case=case).count() == 1


def test_no_link_without_an_open_period(demo) -> None:
    case = reject(apply())

    assert "/survei/" not in closing_message(case, "rejected").body
    assert not Invitation.objects.exists()


def test_no_link_when_the_applicant_cancels_before_work_began(period: SurveyPeriod) -> None:
    case = apply()
    case_services.cancel(case_id=case.pk, reason="Salah pilih layanan")

    assert "/survei/" not in closing_message(case, "cancelled").body
    assert not Invitation.objects.exists()


def test_link_when_cancelled_after_an_officer_began_work(period: SurveyPeriod) -> None:
    case = apply()
    case_services.claim_task(task_id=open_task(case).pk, officer=officer("andi"))
    case_services.cancel(case_id=case.pk, reason="Tidak jadi")

    assert "/survei/" in closing_message(case, "cancelled").body
    assert Invitation.objects.get().case_id == case.pk


def test_a_period_of_the_service_wins_over_the_unit_period(period: SurveyPeriod) -> None:
    from loket.catalog.models import Service

    service = Service.objects.get(code="izin-usaha-mikro")
    own = services.define_period(
        unit=period.unit,
        service_id=service.pk,
        code="ium",
        name="IUM",
        starts_on=period.starts_on,
        ends_on=period.ends_on,
    )
    reject(apply())

    assert Invitation.objects.get().period == own


def test_closing_the_period_drops_the_case_link_and_the_link_stops_working(
    period: SurveyPeriod,
) -> None:
    case = reject(apply())
    token = token_in(closing_message(case, "rejected"))

    assert services.close_period(period=period) == 1

    assert Invitation.objects.get().case_id is None
    assert Client().post(f"/survei/{token}/", ANSWERS).status_code == 410
    assert not Response.objects.exists()


def test_the_link_expires_with_the_period(period: SurveyPeriod) -> None:
    case = reject(apply())
    token = token_in(closing_message(case, "rejected"))
    later = timezone.now() + dt.timedelta(days=40)

    with pytest.raises(services.SurveyError) as raised:
        services.respond_by_link(token=token, answers=ANSWERS, now=later)
    assert raised.value.status == 410


def test_close_ended_periods_closes_only_finished_ones(period: SurveyPeriod) -> None:
    ended = services.define_period(
        unit=period.unit,
        code="lalu",
        name="Lalu",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 6, 30),
    )

    assert services.close_ended_periods() == 1
    ended.refresh_from_db()
    period.refresh_from_db()
    assert ended.closed_at is not None and period.closed_at is None


def test_the_worker_closes_ended_periods_every_hour(period: SurveyPeriod) -> None:
    from loket.core.management.commands.worker import default_schedule
    from loket.surveys.tasks import close_ended_periods

    [job] = [p for p in default_schedule() if p.task_path.startswith("loket.surveys.")]
    assert job.task_path == "loket.surveys.tasks:close_ended_periods"
    assert job.every_seconds == 3600
    services.define_period(
        unit=period.unit, code="lalu", name="Lalu", starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 6, 30),
    )  # fmt: skip
    assert close_ended_periods.call() == 1


def test_an_unknown_link_is_404(period: SurveyPeriod) -> None:
    assert Client().get("/survei/not-a-token/").status_code == 404


@pytest.mark.parametrize(("value", "field"), [("5", "U3"), ("2.5", "U3"), ("x", "U3")])
def test_a_bad_rating_on_the_page_is_a_422_naming_the_element(
    period: SurveyPeriod, value: str, field: str
) -> None:
    case = reject(apply())
    token = token_in(closing_message(case, "rejected"))

    page = Client().post(f"/survei/{token}/", {**ANSWERS, field: value})

    assert page.status_code == 422
    assert 'href="#id_U3_0"' in page.content.decode()
    assert not Response.objects.exists()
    assert Invitation.objects.get().used_at is None


def test_a_bad_rating_in_the_operation_names_the_element(period: SurveyPeriod) -> None:
    from loket.surveys.ikm import RatingError

    case = reject(apply())
    token = token_in(closing_message(case, "rejected"))

    with pytest.raises(RatingError) as raised:
        services.respond_by_link(token=token, answers={**ANSWERS, "U6": 0})
    assert raised.value.element == "U6"


def test_an_empty_questionnaire_is_refused(period: SurveyPeriod) -> None:
    case = reject(apply())
    token = token_in(closing_message(case, "rejected"))

    assert Client().post(f"/survei/{token}/", {}).status_code == 422


def test_responses_hold_no_personal_data(period: SurveyPeriod) -> None:
    case = reject(apply(name="Sri Wahyuni"))
    token = token_in(closing_message(case, "rejected"))
    Client().post(f"/survei/{token}/", {**ANSWERS, "gender": "f", "age_band": "30-39"})

    row = Response.objects.values().get()
    flat = " ".join(str(v) for v in row.values())
    assert "Sri" not in flat and case.tracking_number not in flat
    assert "3273055504900003" not in flat
    assert (row["gender"], row["age_band"]) == ("f", "30-39")


def test_an_approved_case_with_an_issued_document_gets_a_survey_invitation(
    period: SurveyPeriod,
) -> None:
    from loket.cases.models import Task, TaskStatus

    case = apply()
    for step, username in [
        ("verifikasi-berkas", "andi"),
        ("kajian-teknis", "siti"),
        ("persetujuan", "dewi"),
    ]:
        task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
        case_services.decide(task_id=task.pk, officer=officer(username), decision="approve")
    issue_requested_documents()
    case.refresh_from_db()

    assert case.status == "approved"
    # The document message went first; the survey link follows in its own short message.
    assert "/survei/" not in closing_message(case, "issued").body
    invitation = closing_message(case, "survey_invitation")
    token = token_in(invitation)
    assert Client().post(f"/survei/{token}/", ANSWERS).status_code == 302


def test_the_survey_page_speaks_english_too(period: SurveyPeriod) -> None:
    from django.conf import settings

    case = reject(apply())
    token = token_in(closing_message(case, "rejected"))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(f"/survei/{token}/").content.decode()

    assert "How well did the requirements fit the service?" in html
    assert "Very suitable" in html and "Well managed" in html
    assert "Sangat sesuai" not in html
