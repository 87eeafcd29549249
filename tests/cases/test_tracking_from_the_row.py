"""The applicant's GET /applications/{n} is written from the case row as read: no model
instances, the applicant card decrypted once instead of five columns, and on PostgreSQL a
statement prepared once per session. Its bytes are those of the case's own
serialisation in every state, and the card follows every change of what it copies.
The prepared statement: test_tracking_across_processes.py (it needs real sessions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from loket.cases import applicant_card, reads, selectors, services, throttle
from loket.cases.api import serializers
from loket.cases.models import Case, Task, TaskStatus
from loket.catalog.definitions import compiled
from tests.cases.conftest import NIK, officer, post_application
from tests.documents.samples import pdf_bytes


def _submit(client: Client, **fields: str) -> tuple[str, str]:
    response = post_application(client, **fields)
    assert response.status_code == 201, response.content
    body = response.json()
    return body["tracking_number"], body["access_code"]


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
        requested_fields=["alamat_usaha"],
    )


def _resubmit(number: str) -> None:
    case = Case.objects.get(tracking_number=number)
    services.resubmit(
        case_id=case.pk,
        data={"alamat_usaha": "Jl. Melati 7", "modal_usaha": 40_000_000},
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes("baru"), content_type="application/pdf")
        },
    )


def _as_in(state: str, client: Client) -> str:
    number, _code = _submit(client, language="en" if state == "english" else "id")
    if state in {"returned", "resubmitted", "cancelled"}:
        _return(number)
    if state == "resubmitted":
        _resubmit(number)
    if state == "cancelled":
        case = Case.objects.get(tracking_number=number)
        services.cancel(case_id=case.pk, reason="Tidak jadi.")
    if state == "overdue":
        Case.objects.filter(tracking_number=number).update(
            due_at=timezone.now() - dt.timedelta(days=3)
        )
    if state == "without_card":  # a row from before the card, or written around it
        Case.objects.filter(tracking_number=number).update(applicant_card={})
    if state == "older_card":
        Case.objects.filter(tracking_number=number).update(applicant_card={"v": 0})
    return number


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state",
    [
        "new",
        "english",
        "returned",
        "resubmitted",
        "cancelled",
        "overdue",
        "without_card",
        "older_card",
    ],
)
def test_the_answer_from_the_row_is_the_answer_from_the_case(
    client: Client, demo: Any, state: str
) -> None:
    number = _as_in(state, client)
    tracked, _until = reads.tracked_and_lockout(number, [])
    case = selectors.case_by_tracking_number(number)
    assert tracked is not None and case is not None
    from_row = serializers.tracked_response(tracked)
    from_case = serializers.application_response(case)
    assert from_row.content == from_case.content
    assert from_row["Content-Type"] == from_case["Content-Type"]


@pytest.mark.django_db
def test_the_card_follows_submission_and_resubmission(client: Client, demo: Any) -> None:
    number, _code = _submit(client)

    def card_from_the_columns() -> dict[str, Any]:
        case = Case.objects.get(tracking_number=number)
        return applicant_card.make(
            compiled(case.service_version),
            name=case.applicant_name,
            nik=case.applicant_nik,
            email=case.applicant_email,
            phone=case.applicant_phone,
            data=case.data,
        )

    case = Case.objects.get(tracking_number=number)
    assert case.applicant_card == card_from_the_columns()
    assert case.applicant_card["applicant"]["nik"] != NIK  # masked, as the view shows it
    fee_before = case.applicant_card["fee"]
    _return(number)
    _resubmit(number)
    case = Case.objects.get(tracking_number=number)
    assert case.applicant_card == card_from_the_columns()
    assert case.applicant_card["data"]["alamat_usaha"] == "Jl. Melati 7"
    assert isinstance(fee_before, int)


@pytest.mark.django_db
def test_the_card_is_encrypted_at_rest(client: Client, demo: Any) -> None:
    number, _code = _submit(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_card FROM cases_case WHERE tracking_number = %s", [number])
        (stored,) = cursor.fetchone()
    for personal in ("Sri Wahyuni", "sri", "Melati", "3273"):
        assert personal not in stored


@pytest.mark.django_db
def test_readers_of_the_case_behind_the_access_code_get_the_whole_row(
    client: Client, demo: Any, django_assert_num_queries: Any
) -> None:
    """Only the GET reads the narrow row: the portal, resubmit and cancel get the case
    with every column and its service, version and agency, as before."""
    number, code = _submit(client)
    case = throttle.case_with_access_code(RequestFactory().get("/"), number, code)
    assert case.get_deferred_fields() == set()
    with django_assert_num_queries(0):
        assert case.agency.name and case.service.code and case.service_version.number
