"""Signers behind one interface: a licence signed in a real PKCS#11 token (SoftHSM2),
the signer chosen per agency, and a failing signer that parks the licence until the
worker issues it, exactly once."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from loket.cases import services as case_services
from loket.cases.models import Case, CaseEvent, CaseStatus
from loket.documents import signing
from loket.documents.models import IssuedDocument
from loket.documents.services import issue_certificate, read_stored
from tests.cases.conftest import (  # noqa: F401  (fixtures)
    fast_passwords,
    post_application,
    token_for,
)
from tests.documents.softhsm import SIGNER_NAME

AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
FIELDS = [("Nomor permohonan", "IUM-2026-000123"), ("Nama pemohon", "Sri Wahyuni")]


def _issue(org, make_case) -> IssuedDocument:
    return issue_certificate(
        case=make_case(), fields=FIELDS, officer=org["Budi Santoso"], position=org["kabid"], at=AT
    )


@pytest.mark.django_db
def test_licence_signed_in_the_hsm_token_validates(hsm_signing, org, make_case, storage_dir):
    document = _issue(org, make_case)

    report = signing.validate_pdf_signature(read_stored(document.pdf))
    assert report.is_ok, report.problem
    assert report.signatures[0].signer == SIGNER_NAME
    assert SIGNER_NAME in document.signer_subject


def test_the_hsm_key_never_leaves_the_token(softhsm_token):
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    token = pkcs11.lib(softhsm_token.module).get_token(token_label=softhsm_token.label)
    with token.open(user_pin=softhsm_token.pin) as session:
        [key] = session.get_objects(
            {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: softhsm_token.key_label}
        )
        assert key[Attribute.SENSITIVE] is True
        assert key[Attribute.EXTRACTABLE] is False
        with pytest.raises(pkcs11.exceptions.PKCS11Error):
            key[Attribute.PRIVATE_EXPONENT]


@pytest.mark.django_db
def test_each_agency_signs_with_its_own_kind_of_signer(hsm_signing, settings):
    # In the environment: LOKET_SIGNING_AGENCY_SIGNERS=kota-contoh=pkcs11,kab-lain=keyfile
    settings.LOKET_SIGNING_AGENCY_SIGNERS = "kota-contoh=pkcs11,kab-lain=keyfile"
    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        assert (signer.source, signer.signer_name) == ("pkcs11", SIGNER_NAME)
    # Another agency on the same server keeps its key file (here the demo PKI).
    with signing.agency_signer("kab-lain", "Pemerintah Kabupaten Lain") as signer:
        assert signer.source == "demo"


@pytest.mark.django_db
def test_an_unknown_signer_kind_is_a_configuration_error(settings):
    settings.LOKET_SIGNING_AGENCY_SIGNERS = "kota-contoh=smartcard"
    with pytest.raises(signing.ImproperlyConfigured, match="smartcard"):
        signing.signer_kind("kota-contoh")


@pytest.mark.django_db
def test_a_wrong_pin_fails_as_signing_unavailable_and_keeps_the_number(
    hsm_signing, monkeypatch, org, make_case, storage_dir
):
    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", "000000")
    with pytest.raises(signing.SigningUnavailable):
        _issue(org, make_case)
    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", hsm_signing.pin)
    # The failed attempt gave its number back (the sequence rolled back with it).
    assert _issue(org, make_case).number.startswith("503/0001/")


def _approve_all(client, bearer, number: str) -> None:
    for step, username in [
        ("verifikasi-berkas", "andi"),
        ("kajian-teknis", "siti"),
        ("persetujuan", "dewi"),
    ]:
        headers = bearer(username)
        queue = client.get("/api/v1/tasks", headers=headers).json()
        [task] = [t for t in queue if t["tracking_number"] == number and t["step"] == step]
        assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers).status_code == 200
        decided = client.post(
            f"/api/v1/tasks/{task['id']}/decision",
            json.dumps({"decision": "approve"}),
            content_type="application/json",
            headers=headers,
        )
        assert decided.status_code == 200, decided.content


@pytest.mark.django_db(transaction=True)
def test_a_failing_signer_parks_the_licence_and_the_worker_issues_it_once(
    hsm_signing,
    monkeypatch,
    demo,
    client,
    token_for,  # noqa: F811
    smtp_server,
    storage_dir,
):
    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", "000000")  # the token refuses to sign
    response = post_application(client)
    assert response.status_code == 201, response.content
    number = response.json()["tracking_number"]

    _approve_all(client, token_for, number)
    call_command("worker", "--batch", "--no-schedule")  # runs the queued issue: it fails

    case = Case.objects.get(tracking_number=number)
    assert case.status != CaseStatus.APPROVED  # approved, but its licence is pending
    assert CaseEvent.objects.filter(case=case, kind="decided", step_id="persetujuan").exists()
    assert CaseEvent.objects.filter(case=case, kind="issue_failed").exists()
    assert not IssuedDocument.objects.filter(case=case).exists()
    assert case_services.issue_parked() == 0  # still failing: parked again, nothing lost
    assert CaseEvent.objects.filter(case=case, kind="issue_failed").count() == 2

    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", hsm_signing.pin)  # the token is back
    call_command("worker", "--batch")  # its schedule retries parked licences

    [document] = IssuedDocument.objects.filter(case=case)
    assert signing.validate_pdf_signature(read_stored(document.pdf)).is_ok
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVED
    assert case_services.issue_parked() == 0  # a second run signs nothing again
    assert IssuedDocument.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="issued").count() == 1


@pytest.fixture
def signer_admin(client, org):
    from django.contrib.auth import get_user_model

    from tests.helpers import login_with_second_factor

    user = get_user_model().objects.create_superuser("sigadmin", "s@example.go.id", "x-Pass-1234")
    login_with_second_factor(client, user)
    return client


@pytest.mark.django_db
def test_the_admin_tests_a_signer_before_saving_it_and_the_choice_signs(
    signer_admin, org, make_case, storage_dir, settings, monkeypatch, softhsm_token
):
    from loket.documents.models import SignerChoice

    agency = org["agency"]
    settings.LOKET_SIGNING_AGENCY_SIGNERS = {}
    settings.LOKET_SIGNING_PKCS11_MODULE = ""
    add = "/admin/documents/signerchoice/add/"
    refused = signer_admin.post(add, {"agency": agency.pk, "kind": "pkcs11"})
    assert refused.status_code == 200  # the form again, with the reason
    assert "LOKET_SIGNING_PKCS11_MODULE" in refused.content.decode()
    assert not SignerChoice.objects.exists()
    assert signing.signer_kind(agency.code) == "keyfile"

    # The token configured (but not chosen in settings): the admin's choice picks it.
    settings.LOKET_SIGNING_PKCS11_MODULE = softhsm_token.module
    settings.LOKET_SIGNING_PKCS11_TOKEN = softhsm_token.label
    settings.LOKET_SIGNING_PKCS11_KEY = softhsm_token.key_label
    settings.LOKET_SIGNING_SIGNER = "keyfile"
    settings.LOKET_SIGNING_TRUST_ROOTS = [str(softhsm_token.ca_path)]
    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", "000000")  # wrong PIN: refused
    wrong = signer_admin.post(add, {"agency": agency.pk, "kind": "pkcs11"})
    assert wrong.status_code == 200 and not SignerChoice.objects.exists()
    monkeypatch.setenv("LOKET_SIGNING_PKCS11_PIN", softhsm_token.pin)
    saved = signer_admin.post(add, {"agency": agency.pk, "kind": "pkcs11"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    choice = SignerChoice.objects.get(agency=agency)
    assert choice.changed_by == "sigadmin" and SIGNER_NAME in choice.certificate_subject
    assert signing.signer_kind(agency.code) == "pkcs11"

    document = _issue(org, make_case)
    report = signing.validate_pdf_signature(read_stored(document.pdf))
    assert report.is_ok, report.problem
    assert report.signatures[0].signer == SIGNER_NAME
