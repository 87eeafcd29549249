"""The tracking read model (ADR 0023): the applicant's tracking page costs at most two
queries and GET /applications/{n} one, and the JSON the engine keeps on the case is
exactly what the tables say, without personal data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.api.responses import LocalTimeEncoder
from loket.cases import selectors, services, tracking
from loket.cases.api import schemas as cases_schemas
from loket.cases.api import serializers as cases_serializers
from loket.cases.models import Case, Task, TaskStatus
from tests.cases.conftest import NIK, officer, post_application
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db

# The portal's tracking page reads its session (which proves the code) and the case row.
TRACKING_QUERIES = 2
# The API asks for the lock-out in the statement that reads the case (cases.reads).
TRACKING_API_QUERIES = 1
KTP_WRONG = {"ktp": {"verdict": "tidak_sesuai", "note": "KTP terpotong, unggah utuh."}}


def _submit(client: Client) -> tuple[str, str]:
    response = post_application(client)
    assert response.status_code == 201, response.content
    body = response.json()
    return body["tracking_number"], body["access_code"]


def _case(tracking_number: str) -> Case:
    return Case.objects.get(tracking_number=tracking_number)


def _decide(tracking_number: str, step: str, username: str, decision: str, **more: Any) -> None:
    task = Task.objects.get(case=_case(tracking_number), step_id=step, status=TaskStatus.OPEN)
    services.decide(task_id=task.pk, officer=officer(username), decision=decision, **more)


def _return(tracking_number: str) -> None:
    _decide(
        tracking_number,
        "verifikasi-berkas",
        "andi",
        "return",
        reason="KTP tidak terbaca.",
        checklist=KTP_WRONG,
        requested_fields=["alamat_usaha"],
    )


def _api(client: Client, tracking_number: str, access_code: str) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/applications/{tracking_number}", headers={"X-Access-Code": access_code}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body: dict[str, Any] = response.json()
    return body


def _portal(client: Client, tracking_number: str, access_code: str) -> str:
    proven = client.post(
        "/lacak/", {"tracking_number": tracking_number, "access_code": access_code}
    )
    assert proven.status_code == 302
    page = client.get(proven["Location"])
    assert page.status_code == 200
    return page.content.decode()


def test_tracking_api_takes_two_queries_for_a_new_case(
    client: Client, demo: Any, django_assert_max_num_queries: Any
) -> None:
    number, code = _submit(client)
    _api(client, number, code)  # per-process caches (definition, titles) warm up
    with django_assert_max_num_queries(TRACKING_API_QUERIES):
        body = _api(client, number, code)
    assert [e["kind"] for e in body["timeline"]][:2] == ["submitted", "auto_step"]
    assert {d["name"] for d in body["documents"]} == {"ktp", "foto_lokasi"}
    assert body["applicant"]["nik"] != NIK  # masked, as before


def test_tracking_api_and_page_take_two_queries_for_a_returned_case(
    client: Client, demo: Any, django_assert_max_num_queries: Any
) -> None:
    number, code = _submit(client)
    _return(number)
    _api(client, number, code)
    with django_assert_max_num_queries(TRACKING_API_QUERIES):
        body = _api(client, number, code)
    request = body["open_request"]
    assert request["reason"] == "KTP tidak terbaca."
    assert request["requested_documents"] == ["ktp"]
    assert request["requested_fields"] == ["alamat_usaha"]
    assert request["respond_by"]

    _portal(client, number, code)
    page_url = f"/lacak/{number}/"
    with django_assert_max_num_queries(TRACKING_QUERIES):
        page = client.get(page_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "KTP terpotong, unggah utuh." in html  # the checklist note of the return
    assert 'data-testid="requested-data_alamat_usaha"' in html


def test_the_kept_read_model_equals_the_one_derived_from_the_tables(
    client: Client, demo: Any
) -> None:
    number, _code = _submit(client)
    _return(number)
    case = _case(number)
    services.resubmit(
        case_id=case.pk,
        data={"alamat_usaha": "Jl. Melati 7"},
        documents={
            "ktp": SimpleUploadedFile("ktp.pdf", pdf_bytes("baru"), content_type="application/pdf")
        },
    )
    _decide(number, "verifikasi-berkas", "andi", "approve")
    _decide(number, "kajian-teknis", "siti", "approve")
    case = _case(number)
    assert case.tracking["v"] == tracking.VERSION
    rebuilt = tracking.rebuild(case)
    for kept, derived in zip(case.tracking["timeline"], rebuilt["timeline"], strict=True):
        assert kept == derived
    assert case.tracking == rebuilt
    revisions = sorted((u["name"], u["revision"]) for u in case.tracking["uploads"])
    assert revisions == [("foto_lokasi", 0), ("ktp", 0), ("ktp", 1)]


def test_the_api_answer_is_what_the_schema_would_give(client: Client, demo: Any) -> None:
    number, code = _submit(client)
    _return(number)
    case = selectors.case_by_tracking_number(number)
    assert case is not None
    validated = cases_schemas.ApplicationOut.model_validate(cases_serializers.application_out(case))
    expected = json.loads(json.dumps(validated.model_dump(), cls=LocalTimeEncoder))
    assert _api(client, number, code) == expected


def test_a_case_from_before_the_read_model_is_served_the_same(client: Client, demo: Any) -> None:
    number, code = _submit(client)
    _return(number)
    before = _api(client, number, code)
    Case.objects.filter(tracking_number=number).update(tracking={})
    assert _api(client, number, code) == before
    # The next step writes the whole read model back.
    case = _case(number)
    services.cancel(case_id=case.pk, reason="Tidak jadi.")
    case = _case(number)
    assert case.tracking == tracking.rebuild(case)
    assert case.tracking["timeline"][-1]["kind"] == "closed"


def test_the_read_model_holds_no_personal_data(client: Client, demo: Any) -> None:
    number, _code = _submit(client)
    _return(number)
    kept = json.dumps(_case(number).tracking)
    for personal in (NIK, "Sri Wahyuni", "sri@example.id", "081234567890", "Andi"):
        assert personal not in kept
    assert "officer" not in kept


def test_officers_still_see_internal_events_and_names(client: Client, demo: Any) -> None:
    number, _code = _submit(client)
    task = Task.objects.get(case=_case(number), status=TaskStatus.OPEN)
    services.claim_task(task_id=task.pk, officer=officer("andi"))
    case = selectors.case_by_tracking_number(number)
    assert case is not None
    from loket.cases.policy import PersonalData

    officer_view = cases_serializers.application_out(case, access=PersonalData.FULL)
    applicant_view = cases_serializers.application_out(case)
    assert "claimed" in {e["kind"] for e in officer_view["timeline"]}
    assert "claimed" not in {e["kind"] for e in applicant_view["timeline"]}
    assert any(e["officer"] for e in officer_view["timeline"])
    assert not any(e["officer"] for e in applicant_view["timeline"])


def test_the_hot_read_gives_what_the_orm_gives(client: Client, demo: Any) -> None:
    from loket.cases import reads

    number, _code = _submit(client)
    _return(number)
    fast = reads.case_by_tracking_number(number)
    orm = Case.objects.select_related("service", "service_version", "agency").get(
        tracking_number=number
    )
    assert fast is not None
    for field in Case._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
    assert fast.data == orm.data and fast.applicant_nik == NIK  # decrypted like the ORM
    for relation, model, left_out in reads.RELATED:
        for field in model._meta.concrete_fields:
            if field.name not in left_out:
                expected = getattr(getattr(orm, relation), field.attname)
                assert getattr(getattr(fast, relation), field.attname) == expected
    assert reads.case_by_tracking_number("IUM-2026-999999") is None
