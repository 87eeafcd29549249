"""Submitting applications: validation, tracking numbers, automatic checks, idempotency."""

from __future__ import annotations

import pytest

from loket.cases.models import Case, CaseStatus, Task
from tests.cases.conftest import NIK, iu_data, post_application

pytestmark = pytest.mark.django_db


def test_submission_runs_automatic_check_and_opens_front_office_task(demo, client):
    response = post_application(client)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tracking_number"].startswith("IUM-")
    assert len(body["access_code"]) == 8
    assert body["status"] == "in_progress"
    assert [s["id"] for s in body["current_steps"]] == ["verifikasi-berkas"]
    assert body["applicant"]["nik"] != "3273055504900003"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[:3] == ["submitted", "auto_step", "task_opened"]
    task = Task.objects.get(case__tracking_number=body["tracking_number"])
    assert task.position.code == "petugas-front-office"
    assert task.due_at is not None


def test_capital_above_micro_limit_is_rejected_by_the_automatic_check(demo, client):
    response = post_application(client, data=iu_data(modal_usaha=2_000_000_000))

    body = response.json()
    assert body["status"] == "rejected"
    assert "Rp1 miliar" in body["outcome_reason"]
    assert not Task.objects.filter(case__tracking_number=body["tracking_number"]).exists()


@pytest.mark.parametrize(
    ("capital", "status"),
    [(1_000_000_000, "in_progress"), (1_000_000_001, "rejected"), (10_000_000_000, "rejected")],
)
def test_micro_means_capital_up_to_one_billion_as_pp_7_2021_says(demo, client, capital, status):
    body = post_application(client, data=iu_data(modal_usaha=capital)).json()
    assert body["status"] == status


def test_capital_classes_follow_pp_7_2021_up_to_large(demo):
    from loket.catalog.models import Service
    from loket.catalog.rules import build_context

    definition = Service.objects.get(code="izin-usaha-mikro").versions.get().definition
    scale = {
        capital: build_context(definition, data={"modal_usaha": capital}, documents={})["tables"][
            "skala_usaha"
        ]["skala"]
        for capital in (5_000_000_000, 5_000_000_001, 10_000_000_000, 10_000_000_001)
    }
    assert scale == {
        5_000_000_000: "kecil",
        5_000_000_001: "menengah",
        10_000_000_000: "menengah",
        10_000_000_001: "besar",
    }


def _domisili(**overrides):
    from tests.cases.test_end_to_end import SERVICES as SCENARIOS

    scenario = SCENARIOS["surat-keterangan-domisili"]
    return post_application(
        client=overrides.pop("client"),
        service="surat-keterangan-domisili",
        data={**scenario["data"], **overrides},
        documents=scenario["documents"](),
    ).json()


def test_a_rejection_names_every_failed_check(demo, client):
    body = _domisili(client=client, lama_tinggal_bulan=1, rt="ab")
    assert body["status"] == "rejected"
    assert "3 bulan" in body["outcome_reason"]
    assert "RT dan RW" in body["outcome_reason"]


def test_a_failed_returning_check_sends_the_application_back_to_the_applicant(demo, client):
    body = _domisili(client=client, rt="ab")

    assert body["status"] == "awaiting_applicant"
    assert body["open_request"]["step"] == "perbaikan"
    assert "RT dan RW" in body["open_request"]["reason"]
    assert body["complete_at"] is None  # an incomplete file starts no clock


def test_invalid_nik_is_refused_with_the_field_named(demo, client):
    response = post_application(client, nik="3273053204900003")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["field"] == "nik"
    assert not Case.objects.exists()


def test_missing_required_document_is_refused(demo, client):
    from tests.cases.conftest import iu_documents

    documents = iu_documents()
    del documents["ktp"]
    response = post_application(client, documents=documents)

    assert response.status_code == 422
    assert response.json()["field"] == "documents.ktp"


def test_unknown_service_is_404(demo, client):
    response = post_application(client, service="tidak-ada")
    assert response.status_code == 404
    assert response.json()["field"] == "service"


def test_tracking_numbers_count_up_per_service_and_year(demo, client):
    first = post_application(client).json()["tracking_number"]
    second = post_application(client).json()["tracking_number"]

    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_same_idempotency_key_returns_the_same_case(demo, client):
    headers = {"Idempotency-Key": "5f0c2c1e-aaaa-4bbb-8ccc-000000000001"}
    first = post_application(client, headers=headers)
    second = post_application(client, headers=headers)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["tracking_number"] == first.json()["tracking_number"]
    assert second.json()["access_code"] == first.json()["access_code"]
    assert Case.objects.count() == 1


def test_same_idempotency_key_with_a_different_body_is_refused(demo, client):
    headers = {"Idempotency-Key": "key-1"}
    post_application(client, headers=headers)
    response = post_application(client, data=iu_data(nama_usaha="Lain"), headers=headers)

    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency_key_reused")
    assert Case.objects.count() == 1


def test_nik_and_phone_are_encrypted_at_rest(demo, client):
    from django.db import connection

    post_application(client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_nik, applicant_phone FROM cases_case")
        nik, phone = cursor.fetchone()
    assert "3273055504900003" not in nik
    assert "081234567890" not in phone
    case = Case.objects.get()
    assert case.applicant_nik == "3273055504900003"
    assert case.status == CaseStatus.IN_PROGRESS


def test_applicant_name_and_email_are_encrypted_at_rest(demo, client):
    from django.db import connection

    post_application(client, applicant_name="Sri Wahyuni Rahayu", email="sri.rahayu@example.id")
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_name, applicant_email FROM cases_case")
        name, email = cursor.fetchone()
    assert "Wahyuni" not in name and "sri.rahayu" not in email
    case = Case.objects.get()
    assert (case.applicant_name, case.applicant_email) == (
        "Sri Wahyuni Rahayu",
        "sri.rahayu@example.id",
    )


def test_submitted_data_is_encrypted_at_rest_and_masked_in_events(demo, client):
    from django.db import connection

    post_application(client, data=iu_data(nama_usaha="Warung Bu Sri"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM cases_case")
        (stored,) = cursor.fetchone()
    assert "Warung Bu Sri" not in stored
    assert Case.objects.get().data["nama_usaha"] == "Warung Bu Sri"


def test_nik_in_submitted_data_is_masked_in_the_automatic_step_event(demo, client):
    import json as _json

    from loket.cases.models import CaseEvent
    from tests.cases.test_end_to_end import SERVICES as SCENARIOS

    scenario = SCENARIOS["surat-keterangan-domisili"]
    response = post_application(
        client,
        service="surat-keterangan-domisili",
        data=scenario["data"],
        documents=scenario["documents"](),
    )
    assert response.status_code == 201, response.content
    payloads = _json.dumps([e.payload for e in CaseEvent.objects.all()])
    assert NIK not in payloads
    assert NIK[-4:] in payloads  # masked, still recognisable


def test_status_needs_the_right_access_code(demo, client):
    receipt = post_application(client).json()
    number = receipt["tracking_number"]

    ok = client.get(
        f"/api/v1/applications/{number}", headers={"X-Access-Code": receipt["access_code"]}
    )
    wrong = client.get(f"/api/v1/applications/{number}", headers={"X-Access-Code": "AAAAAAAA"})

    assert ok.status_code == 200
    assert ok.json()["submitted_at"] is not None
    assert wrong.status_code == 404


def test_guessing_access_codes_through_the_api_is_braked(demo, client, settings):
    receipt = post_application(client).json()
    number = receipt["tracking_number"]
    url = f"/api/v1/applications/{number}"
    for _attempt in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT_NUMBER):
        assert client.get(url, headers={"X-Access-Code": "AAAAAAAA"}).status_code == 404
    braked = client.get(url, headers={"X-Access-Code": receipt["access_code"]})
    assert braked.status_code == 429
    assert braked["Content-Type"] == "application/problem+json"
    assert braked.json()["field"] == "access_code"


def test_scanning_many_tracking_numbers_from_one_address_is_braked(demo, client, settings):
    receipt = post_application(client).json()
    for serial in range(settings.LOKET_TRACK_FAILURES_PER_CLIENT):
        response = client.get(
            f"/api/v1/applications/IUM-2026-{900000 + serial}", headers={"X-Access-Code": "A"}
        )
        assert response.status_code == 404
    braked = client.get(
        f"/api/v1/applications/{receipt['tracking_number']}",
        headers={"X-Access-Code": receipt["access_code"]},
    )
    assert braked.status_code == 429


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\x00", "\x1b"])
def test_text_with_invisible_control_characters_is_refused(demo, client, hidden):
    response = post_application(client, data=iu_data(nama_usaha=f"Warung {hidden}live"))
    # NUL never reaches the field's validation: the edge refuses it (core/safeinput.py).
    assert response.status_code == (400 if hidden == "\x00" else 422)
    assert response.json()["field"] == "data.nama_usaha"
    assert Case.objects.count() == 0


def test_line_breaks_in_text_are_kept(demo, client):
    response = post_application(client, data=iu_data(alamat_usaha="Jl. Melati 5\nRT 01/RW 02"))
    assert response.status_code == 201
    assert Case.objects.get().data["alamat_usaha"] == "Jl. Melati 5\nRT 01/RW 02"


def test_printed_fields_write_amounts_as_rupiah_the_indonesian_way(demo, client):
    from loket.cases.flow import public_fields

    post_application(client, data=iu_data(modal_usaha="25.000.000"))
    case = Case.objects.get()
    assert case.data["modal_usaha"] == 25_000_000
    assert ("Modal usaha (Rp)", "Rp25.000.000") in public_fields(case)


def test_moments_read_the_same_when_submitted_and_when_tracked(demo, client):
    receipt = post_application(client).json()
    tracked = client.get(
        f"/api/v1/applications/{receipt['tracking_number']}",
        headers={"X-Access-Code": receipt["access_code"]},
    ).json()
    assert tracked["submitted_at"] == receipt["submitted_at"]
    assert tracked["submitted_at"].endswith("+07:00")


def test_applicant_side_sees_nik_fields_masked_and_the_fee(demo, client):
    from tests.cases.test_end_to_end import SERVICES as SCENARIOS

    scenario = SCENARIOS["surat-keterangan-domisili"]
    receipt = post_application(
        client,
        service="surat-keterangan-domisili",
        data=scenario["data"],
        documents=scenario["documents"](),
    ).json()
    tracked = client.get(
        f"/api/v1/applications/{receipt['tracking_number']}",
        headers={"X-Access-Code": receipt["access_code"]},
    ).json()
    for body in (receipt, tracked):
        assert body["applicant"]["email"] == "s**@example.id"
        assert body["data"]["nik"] != NIK
        assert body["data"]["nik"].endswith(NIK[-4:])
        assert body["fee"] == 0
        assert body["status_label"] == "Sedang diproses"


def test_submissions_naming_one_email_are_limited(demo, client, settings) -> None:
    settings.LOKET_SUBMISSIONS_PER_EMAIL = 2
    for serial in range(2):
        phone = f"08123456789{serial}"
        assert post_application(client, phone=phone).status_code == 201
    refused = post_application(client, phone="0812345678999")
    assert refused.status_code == 429
    assert refused.json()["field"] == "email"
    assert Case.objects.count() == 2


def test_submissions_from_one_address_are_limited(demo, client, settings) -> None:
    settings.LOKET_SUBMISSIONS_PER_ADDRESS = 2
    for serial in range(2):
        assert post_application(client, email=f"orang{serial}@example.id").status_code == 201
    refused = post_application(client, email="orang9@example.id", phone="0812345678999")
    assert refused.status_code == 429
    assert refused.json()["type"].endswith("/rate_limited")


def test_texts_to_one_phone_are_limited_however_many_applications_name_it(
    demo, client, settings
) -> None:
    from loket.notify.models import OutboxMessage

    settings.LOKET_SMS_PER_PHONE = 2
    for serial in range(4):
        assert post_application(client, email=f"orang{serial}@example.id").status_code == 201
    assert OutboxMessage.objects.filter(channel="sms").count() == 2
    assert OutboxMessage.objects.filter(channel="email").count() >= 4


def test_applicant_name_with_a_link_is_refused(demo, client) -> None:
    refused = post_application(client, applicant_name="Menang hadiah di evil.example")
    assert refused.status_code == 422
    assert refused.json()["field"] == "applicant_name"


def test_the_portal_cookie_alone_cannot_cancel_through_the_api(demo, client) -> None:
    from django.test import Client

    from tests.accounts.factories import make_applicant

    applicant = make_applicant("sri@example.id")
    client.force_login(applicant)
    number = post_application(client).json()["tracking_number"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(applicant)
    url = f"/api/v1/applications/{number}/cancel"

    forged = browser.post(url, {"reason": "dibatalkan"}, content_type="application/json")
    assert forged.status_code == 403
    assert forged.json()["field"] == "X-CSRFToken"
    assert Case.objects.get(tracking_number=number).status != CaseStatus.CANCELLED

    browser.get("/")  # the portal sets the CSRF cookie its own pages use
    token = browser.cookies["csrftoken"].value
    allowed = browser.post(
        url, {"reason": "dibatalkan"}, content_type="application/json",
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert allowed.status_code == 200
    assert allowed.json()["status"] == "cancelled"


def test_one_phone_written_three_ways_counts_as_one(demo, client, settings) -> None:
    settings.LOKET_SUBMISSIONS_PER_PHONE = 2
    for serial, phone in enumerate(["0812 3456 7890", "+62 812-3456-7890"]):
        response = post_application(client, email=f"orang{serial}@example.id", phone=phone)
        assert response.status_code == 201
    refused = post_application(client, email="orang9@example.id", phone="6281234567890")
    assert refused.status_code == 429
    assert refused.json()["field"] == "phone"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("25,000.50", "mixed_separators"),
        ("25.00", "ambiguous_separator"),
        ("2 M", "ambiguous_scale"),
    ],
)
def test_an_amount_that_reads_two_ways_is_refused_by_the_api_naming_the_field(
    demo, client, typed, code
):
    response = post_application(client, data=iu_data(modal_usaha=typed))
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "data.modal_usaha"
    assert problem["type"].endswith(f"/api/problems/{code}")
    assert not Case.objects.exists()


@pytest.mark.parametrize("typed", ["25 juta", "Rp25.000.000", 25_000_000])
def test_an_amount_is_taken_as_typed_or_as_a_json_number(demo, client, typed):
    response = post_application(client, data=iu_data(modal_usaha=typed))
    assert response.status_code == 201, response.content.decode()[:500]
    assert Case.objects.get().data["modal_usaha"] == 25_000_000
