"""Done-when of verification: the demo izin-usaha-mikro ends with a PDF that verifies offline."""

from __future__ import annotations

import json

import pytest

from loket.cases.models import CaseEvent
from loket.documents.models import IssuedDocument
from tests.cases.conftest import fast_passwords, post_application, token_for  # noqa: F401
from tests.helpers import issue_requested_documents
from tests.verify.test_offline import run_verify
from tests.verify.test_qr_and_tampering import decode_qr_codes

pytestmark = pytest.mark.django_db(transaction=True)

APPROVALS = [("verifikasi-berkas", "andi"), ("kajian-teknis", "siti"), ("persetujuan", "dewi")]


def test_the_demo_micro_business_licence_verifies_offline_and_by_qr(
    demo,
    client,
    token_for,  # noqa: F811
    download,
    settings,
):
    receipt = post_application(client).json()
    for step, username in APPROVALS:
        headers = token_for(username)
        queue = client.get("/api/v1/tasks", headers=headers).json()
        [task] = [t for t in queue if t["tracking_number"] == receipt["tracking_number"]
                  and t["step"] == step]  # fmt: skip
        client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers)
        decided = client.post(f"/api/v1/tasks/{task['id']}/decision",
                              json.dumps({"decision": "approve"}),
                              content_type="application/json", headers=headers)  # fmt: skip
        assert decided.status_code == 200, decided.content
    issue_requested_documents()

    document = IssuedDocument.objects.get(case__tracking_number=receipt["tracking_number"])
    issued_event = CaseEvent.objects.get(case=document.case, kind="issued")
    assert issued_event.payload["document_number"] == document.number
    # Appended once, by issue_certificate: the case engine does not append it again.
    from loket.ledger.models import LedgerEntry

    assert LedgerEntry.objects.filter(kind="document.issued").count() == 1
    files = download(document)
    code, line = run_verify(files)
    assert (code, line.split(" ")[0]) == (0, "VALID:"), line
    [url] = decode_qr_codes(files.pdf.read_bytes())
    assert url.startswith(f"{settings.PUBLIC_BASE_URL}/verify/?code=")
    assert "Plt." in client.get(url.removeprefix(settings.PUBLIC_BASE_URL)).content.decode()
