"""Issuing a case's document: numbered, signed, stored; revoking it with a reason."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from pypdf import PdfReader

from loket.core.errors import AuthorityError, ConflictError, ValidationError
from loket.documents import selectors
from loket.documents.models import IssuedDocument
from loket.documents.services import issue_certificate, read_stored, revoke
from loket.ledger.models import LedgerEntry
from loket.org.models import Capacity

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
FIELDS = {
    "Nama pemilik": "Sri Wahyuni",
    "Nama usaha": "Warung Bu Sri",
    "Modal usaha (Rp)": 25000000,
}


def issue(org, case, **overrides):
    values = {"case": case, "fields": FIELDS, "officer": org["Budi Santoso"],
              "position": org["kabid"], "at": AT}  # fmt: skip
    return issue_certificate(**values | overrides)


@pytest.fixture
def issued(org, make_case, storage_dir):
    return issue(org, make_case())


def test_issuing_produces_a_numbered_signed_pdf_that_verifies(issued, org):
    assert issued.number == "503/0001/IUM/DPMPTSP/2026"
    pdf = read_stored(issued.pdf)
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Nomor: 503/0001/IUM/DPMPTSP/2026" in text
    assert "Modal usaha (Rp) : 25.000.000" in text
    assert "Kota Contoh, 23 November 2026" in text
    assert "Kepala Bidang Perizinan" in text and "Budi Santoso" in text
    assert str(issued.id) not in text
    code = issued.verification_code
    printed = f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"
    assert f"/verify/ dengan kode verifikasi {printed}" in text
    verification = selectors.verify_pdf_bytes(pdf)
    assert verification.status == "valid"
    assert verification.document == issued
    assert verification.sha256 == issued.sha256


def test_the_record_keeps_who_issued_in_which_capacity_and_the_public_fields(issued, org):
    assert issued.issued_by == org["Budi Santoso"]
    assert issued.issued_position == org["kabid"]
    assert issued.issued_capacity == Capacity.DEFINITIVE
    assert issued.public_fields["fields"][0] == ["Nama pemilik", "Sri Wahyuni"]
    assert issued.document_type == "Izin Usaha Mikro"
    assert issued.pdf.kind == "pdf"


def test_numbers_continue_across_cases_of_the_agency(issued, org, make_case):
    assert issue(org, make_case()).number == "503/0002/IUM/DPMPTSP/2026"


def test_an_issue_that_rolls_back_leaves_no_gap(org, make_case, storage_dir):
    class Abandon(Exception):
        pass

    case = make_case()
    with pytest.raises(Abandon), transaction.atomic():
        issue(org, case)
        raise Abandon
    assert not IssuedDocument.objects.exists()
    assert issue(org, case).number == "503/0001/IUM/DPMPTSP/2026"


def test_an_officer_who_does_not_hold_the_position_may_not_issue(org, make_case, storage_dir):
    with pytest.raises(AuthorityError):
        issue(org, make_case(), officer=org["Dewi Lestari"])
    assert not IssuedDocument.objects.exists()


def test_the_claimed_capacity_must_be_the_one_held(org, make_case, storage_dir):
    with pytest.raises(AuthorityError):
        issue(org, make_case(), capacity=Capacity.PLT)


def test_an_acting_holder_signs_as_plt(org, make_case, storage_dir):
    from tests.org.factories import AppointmentFactory

    AppointmentFactory(officer=org["Agus Salim"], position=org["kabid"], capacity=Capacity.PLT)
    document = issue(org, make_case(), officer=org["Agus Salim"], capacity=Capacity.PLT)
    text = PdfReader(io.BytesIO(read_stored(document.pdf))).pages[0].extract_text()
    assert "Plt. Kepala Bidang Perizinan" in text
    assert document.issued_capacity == Capacity.PLT


def test_a_case_gets_one_document_in_force(issued, org):
    with pytest.raises(ConflictError):
        issue(org, issued.case)


def test_the_issuing_position_may_revoke_with_a_reason(issued, org):
    later = AT + dt.timedelta(days=3)
    revoked = revoke(document=issued, officer=org["Budi Santoso"], reason="Usaha tutup", at=later)
    assert revoked.revoked_at == later
    assert revoked.revocation_reason == "Usaha tutup"
    assert revoked.revoked_position == org["kabid"]
    verification = selectors.verify_pdf_bytes(read_stored(issued.pdf))
    assert verification.status == "revoked"
    assert "Usaha tutup" in verification.explanation


def test_revocation_is_recorded_in_the_ledger_with_a_salted_reason_and_no_nip(issued, org):
    import hashlib

    revoke(document=issued, officer=org["Budi Santoso"], reason="Data tidak benar", at=AT)
    entry = LedgerEntry.objects.get(kind="document.revoked")
    assert entry.payload["issued_entry"] == issued.ledger_index
    assert entry.payload["sha256"] == issued.sha256
    assert "Data tidak benar" not in entry.canonical
    assert hashlib.sha256(b"Data tidak benar").hexdigest() not in entry.canonical
    assert org["Budi Santoso"].nip not in entry.canonical
    assert str(issued.id) not in entry.canonical
    assert set(entry.payload) == {"issued_entry", "sha256", "revoked_at", "reason_commitment",
                                  "position", "capacity"}  # fmt: skip


def test_the_superior_of_the_issuing_position_may_revoke(issued, org):
    revoked = revoke(document=issued, officer=org["Siti Rahmawati"], reason="Temuan inspektorat",
                     at=AT)  # fmt: skip
    assert revoked.revoked_position == org["head"]


def test_another_position_may_not_revoke(issued, org):
    with pytest.raises(AuthorityError):
        revoke(document=issued, officer=org["Dewi Lestari"], reason="Salah", at=AT)
    issued.refresh_from_db()
    assert not issued.is_revoked


def test_revocation_needs_a_reason_and_happens_once(issued, org):
    with pytest.raises(ValidationError) as refused:
        revoke(document=issued, officer=org["Budi Santoso"], reason="   ", at=AT)
    assert refused.value.field == "reason"
    revoke(document=issued, officer=org["Budi Santoso"], reason="Usaha tutup", at=AT)
    with pytest.raises(ConflictError):
        revoke(document=issued, officer=org["Budi Santoso"], reason="Lagi", at=AT)


def test_a_revoked_case_may_be_issued_a_replacement(issued, org):
    revoke(document=issued, officer=org["Budi Santoso"], reason="Salah ketik nama", at=AT)
    replacement = issue(org, issued.case)
    assert replacement.number == "503/0002/IUM/DPMPTSP/2026"


def test_a_valid_signature_on_a_file_we_did_not_issue_is_unknown(issued):
    from loket.documents import signing
    from loket.documents.pdf import CertificateContent, render_certificate

    forged = CertificateContent(
        agency_name="Pemerintah Kota Contoh", unit_name="X", agency_address="",
        document_type="Izin", number="1", applicant_fields=[], decision="", place="Kota Contoh",
        issued_on=AT.date(), position_title="X", officer_name="X", officer_nip="1",
        verification_url="http://x",
    )  # fmt: skip
    with signing.agency_signer("kota-contoh", "Pemerintah Kota Contoh") as signer:
        pdf = signing.sign_pdf(render_certificate(forged), signer=signer, reason="r", location="l")
    assert selectors.verify_pdf_bytes(pdf).status == "unknown"


def test_documents_are_found_by_their_code_typed_loosely_but_not_by_id(issued):
    code = issued.verification_code
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:]} ".replace("0", "o").replace("1", "l")
    assert selectors.document_by_code(typed) == issued
    assert selectors.document_by_code(str(issued.id)) is None
    assert selectors.document_by_code(code[:-1]) is None
    assert selectors.document_by_code("") is None


def test_issuing_appends_a_document_issued_entry_without_personal_data(issued, org):
    entry = LedgerEntry.objects.get(kind="document.issued")
    assert issued.ledger_index == entry.index
    assert entry.payload == {
        "commitment": entry.payload["commitment"],
        "document_type": "Izin Usaha Mikro",
        "sha256": issued.sha256,
        "issued_at": "2026-11-23T03:00:00.000000Z",
        "agency": "kota-contoh",
        "position": "kabid-perizinan",
        "capacity": "definitive",
    }
    for secret in ["Sri Wahyuni", issued.case.applicant_nik, str(issued.id), issued.number,
                   issued.case.tracking_number, issued.verification_code]:  # fmt: skip
        assert secret not in entry.canonical


def test_the_issued_entry_commits_to_the_number_with_a_salt_only_the_holder_gets(issued):
    import base64
    import hashlib

    from loket.ledger.canonical import canonical_text
    from loket.ledger.commitments import commit

    entry = LedgerEntry.objects.get(kind="document.issued")
    number_json = canonical_text({"number": issued.number})
    assert entry.payload["commitment"] == commit(
        base64.b64decode(issued.commitment_salt), number_json
    )
    assert entry.payload["commitment"] != hashlib.sha256(number_json.encode()).hexdigest()
    assert entry.payload["commitment"] != commit(b"\0" * 32, number_json)


def test_an_issue_that_rolls_back_leaves_no_ledger_entry(org, make_case, storage_dir):
    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        issue(org, make_case())
        raise Abandon
    assert not LedgerEntry.objects.exists()


def test_revoking_keeps_the_index_of_its_ledger_entry(issued, org):
    revoke(document=issued, officer=org["Budi Santoso"], reason="Data tidak benar", at=AT)
    issued.refresh_from_db()
    entry = LedgerEntry.objects.get(kind="document.revoked")
    assert issued.revocation_ledger_index == entry.index == issued.ledger_index + 1
