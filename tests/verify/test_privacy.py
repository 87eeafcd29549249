"""Issue 9, findings 1 and 4: the public ledger and /verify give no one else's personal data.

An outsider walks every public ledger entry and tries every value found there
as a document id or verification code: nothing personal and no document
comes back. Only the holder's code (or the PDF) opens a document, and then
only what confirms it. No NIP, no internal event, no bare hash of a reason.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.test import Client

from loket.cases.flow import PUBLIC_LEDGER_KINDS
from loket.cases.models import Case, CaseEvent
from loket.documents.models import IssuedDocument
from loket.documents.services import read_stored, revoke
from loket.ledger import commitments, merkle
from loket.ledger.models import LedgerEntry
from loket.org.models import Officer
from tests.cases.conftest import NIK, fast_passwords, post_application, token_for  # noqa: F401
from tests.cases.test_end_to_end import SERVICES
from tests.conftest import english_client
from tests.helpers import issue_requested_documents

pytestmark = pytest.mark.django_db(transaction=True)

DOMICILE = SERVICES["surat-keterangan-domisili"]
MICRO = SERVICES["izin-usaha-mikro"]
DECISION_REASON = "Berkas lengkap dan sesuai dengan persyaratan"
REVOCATION_REASON = "Pemilik usaha Sri Wahyuni pindah alamat"


def _approve(client: Client, tokens: Any, number: str, officers: Any, reason: str = "") -> None:
    for step, username in officers:
        headers = tokens(username)
        queue = client.get("/api/v1/tasks", headers=headers).json()
        [task] = [t for t in queue if t["tracking_number"] == number and t["step"] == step]
        assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers).status_code == 200
        decided = client.post(
            f"/api/v1/tasks/{task['id']}/decision",
            json.dumps({"decision": "approve", "reason": reason}),
            content_type="application/json",
            headers=headers,
        )
        assert decided.status_code == 200, decided.content
    issue_requested_documents()


@pytest.fixture
def history(demo, client, token_for):  # noqa: F811
    """A domicile letter (NIK, birth date, address) and a revoked micro-business licence."""
    domicile = post_application(
        client,
        service="surat-keterangan-domisili",
        data=DOMICILE["data"],
        documents=DOMICILE["documents"](),
    ).json()
    _approve(client, token_for, domicile["tracking_number"], DOMICILE["officers"])
    micro = post_application(client, data=MICRO["data"], documents=MICRO["documents"]()).json()
    _approve(client, token_for, micro["tracking_number"], MICRO["officers"], DECISION_REASON)
    licence = IssuedDocument.objects.get(case__tracking_number=micro["tracking_number"])
    revoke(document=licence, officer=licence.issued_by, reason=REVOCATION_REASON)
    return [IssuedDocument.objects.get(case__tracking_number=domicile["tracking_number"]),
            IssuedDocument.objects.get(pk=licence.pk)]  # fmt: skip


def _personal_data() -> list[str]:
    """Everything about people the public must not learn from the ledger or /verify."""
    values = [NIK, "1990-04-15", "15-04-1990", "Jl. Kenanga No. 7", "Jl. Melati", "Sri Wahyuni",
              "sri@example.id", "081234567890", DECISION_REASON, REVOCATION_REASON]  # fmt: skip
    for officer in Officer.objects.all():
        values += [officer.nip, officer.name]
    for case in Case.objects.all():
        values += [case.tracking_number, case.applicant_nik]
    for document in IssuedDocument.objects.all():
        values += [str(document.id), document.id.hex, document.verification_code]
    return [value for value in values if value]


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)] if isinstance(value, str | int) and not isinstance(value, bool) else []


def _walk_public_ledger(client: Client) -> list[dict[str, Any]]:
    size = client.get("/api/v1/ledger/checkpoint").json()["tree_size"]
    entries = []
    for index in range(size):
        response = client.get(f"/api/v1/ledger/entries/{index}")
        assert response.status_code == 200
        entries.append(response.json())
    return entries


def test_walking_the_whole_public_ledger_finds_no_personal_data_and_no_nip(history):
    anonymous = Client()
    entries = _walk_public_ledger(anonymous)
    assert {e["kind"] for e in entries} == {"case.event", "document.issued", "document.revoked"}
    text = json.dumps(entries, ensure_ascii=False)
    for secret in _personal_data():
        assert secret not in text, secret
    # Each entry's text still hashes to its leaf: the walk is a real audit, not a redacted view.
    for entry in entries:
        assert not entry["withheld"]
        assert merkle.leaf_hash(entry["canonical"].encode()) == __import__("base64").b64decode(
            entry["leaf_hash"]
        )


def test_every_value_in_the_ledger_tried_as_id_or_code_opens_nothing(history):
    anonymous = english_client()
    entries = _walk_public_ledger(anonymous)
    tokens = {s for e in entries for s in _strings(e["payload"]) if s.strip()}
    personal = _personal_data()
    for token in sorted(tokens):
        for url, query in [
            (f"/verify/{token}", {}),
            (f"/verify/{token}/bundle.json", {}),
            ("/verify/", {"code": token}),
            ("/verify/bundle.json", {"code": token}),
        ]:
            try:
                response = anonymous.get(url, query)
            except ValueError:  # a value no URL can hold ("/" in it) cannot open anything either
                continue
            assert response.status_code == 404, (url, query)
            body = response.content.decode()
            assert not [secret for secret in personal if secret in body], (url, query)


def test_the_document_id_opens_nothing_at_all(history):
    anonymous = english_client()
    for document in history:
        for url in [f"/verify/{document.id}", f"/verify/{document.id}/bundle.json"]:
            response = anonymous.get(url)
            assert response.status_code == 404
            body = response.content.decode()
            assert document.number not in body
            assert "Sri Wahyuni" not in body and NIK not in body


def test_the_code_confirms_the_domicile_letter_without_nik_birth_date_or_address(history, settings):
    domicile = history[0]
    anonymous = english_client()
    page = anonymous.get("/verify/", {"code": domicile.verification_code})
    bundle = anonymous.get("/verify/bundle.json", {"code": domicile.verification_code})
    assert page.status_code == bundle.status_code == 200
    body = page.content.decode() + bundle.content.decode()
    # The signing position in the reader's language (English here).
    position = domicile.issued_position.title_en or domicile.issued_position.title
    for shown in ["Surat Keterangan Domisili", domicile.number, "Valid", "S** W******",
                  position]:  # fmt: skip
        assert shown in page.content.decode()
    for hidden in [NIK, NIK[:6], "1990-04-15", "15-04-1990", "Jl. Kenanga", "Sri Wahyuni",
                   "Pembukaan rekening", domicile.case.tracking_number]:  # fmt: skip
        assert hidden not in body


def test_a_revoked_licence_shows_its_status_but_not_the_reason(history):
    licence = history[1]
    page = english_client().get("/verify/", {"code": licence.verification_code})
    body = page.content.decode()
    assert "Revoked" in body
    assert REVOCATION_REASON not in body and "Sri Wahyuni" not in body


def test_internal_events_are_not_published_and_no_reason_is_a_bare_hash(history):
    case_events = LedgerEntry.objects.filter(kind="case.event")
    kinds = {entry.payload["kind"] for entry in case_events}
    assert kinds <= PUBLIC_LEDGER_KINDS
    assert {"submitted", "decided", "issued", "closed"} <= kinds
    assert CaseEvent.objects.filter(kind="claimed").exists()  # kept in the case's history
    for entry in LedgerEntry.objects.all():
        assert "officer_nip" not in entry.payload and "data_hash" not in entry.payload
    [decision] = CaseEvent.objects.filter(kind="decided", reason=DECISION_REASON)[:1]
    content = json.dumps(
        {"payload": decision.payload, "reason": decision.reason},
        sort_keys=True,
        ensure_ascii=True,
        default=str,
    )
    bare = [hashlib.sha256(text.encode()).hexdigest() for text in [content, DECISION_REASON]]
    everything = "".join(entry.canonical for entry in LedgerEntry.objects.all())
    assert not [digest for digest in bare if digest in everything]
    # The server can open the commitment for an auditor by disclosing this event's salt.
    case = decision.case
    salt = commitments.derived_salt("case-event", f"{case.tracking_number}#{decision.sequence}")
    handle = commitments.pseudonym("case", case.tracking_number)
    [entry] = [e for e in case_events if e.payload["kind"] == "decided"
               and e.payload["sequence"] == decision.sequence
               and e.payload["case"] == handle]  # fmt: skip
    assert entry.payload["data_commitment"] == commitments.commit(salt, content)


def test_the_holder_may_verify_by_uploading_the_pdf(history):
    from django.core.files.uploadedfile import SimpleUploadedFile

    domicile = history[0]
    anonymous = english_client()
    upload = SimpleUploadedFile("surat.pdf", read_stored(domicile.pdf), "application/pdf")
    response = anonymous.post("/verify/", {"pdf": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert domicile.number in body and "Valid" in body and NIK not in body
    changed = read_stored(domicile.pdf) + b"%"
    refused = anonymous.post("/verify/", {"pdf": SimpleUploadedFile("x.pdf", changed)})
    assert refused.status_code == 422
    assert domicile.number not in refused.content.decode()
    assert anonymous.post("/verify/", {}).status_code == 400
