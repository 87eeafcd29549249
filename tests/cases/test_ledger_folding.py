"""A case's public events reach the ledger through the worker's fold (ADR 0022): what
the public sees in the second before, and that a just-approved licence verifies."""

from __future__ import annotations

from typing import Any

import pytest

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from loket.documents.models import IssuedDocument
from loket.ledger import services as ledger
from loket.ledger.models import LedgerEntry
from tests.cases.conftest import NIK, iu_data, iu_documents, officer
from tests.helpers import issue_requested_documents

pytestmark = pytest.mark.django_db


def _decide(case: Case, step: str, username: str) -> None:
    task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
    services.decide(task_id=task.pk, officer=officer(username), decision="approve")


def _case_events_in_log() -> list[tuple[str, int]]:
    rows = LedgerEntry.objects.filter(kind="case.event").order_by("index")
    return [(row.payload["kind"], row.payload["sequence"]) for row in rows]


def test_a_step_queues_its_public_events_and_the_public_sees_them_pending(
    demo: Any, client: Any
) -> None:
    size = ledger.log_size()
    case = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents=iu_documents(),
    ).case

    assert ledger.log_size() == size  # the step did not touch the log
    body = client.get("/api/v1/ledger/checkpoint", headers={"Accept-Language": "id"}).json()
    assert body["tree_size"] == size and body["pending"] == 1
    assert "menunggu pencatatan" in body["pending_note"]

    assert ledger.fold_pending() == 1
    body = client.get("/api/v1/ledger/checkpoint").json()
    assert (body["tree_size"], body["pending"], body["pending_note"]) == (size + 1, 0, "")
    assert _case_events_in_log()[-1] == ("submitted", 1)
    assert case.events.filter(kind="submitted").exists()


def test_a_just_approved_licence_verifies_and_every_public_event_is_logged_once(
    demo: Any, client: Any
) -> None:
    case = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id"),
        data=iu_data(),
        documents=iu_documents(),
    ).case
    for step, username in [
        ("verifikasi-berkas", "andi"),
        ("kajian-teknis", "siti"),
        ("persetujuan", "dewi"),
    ]:
        _decide(case, step, username)
    assert ledger.pending_count() == 4  # submitted and three decisions, none folded yet

    # The worker issues: its direct append of `document.issued` folds the approval first.
    issue_requested_documents()
    document = IssuedDocument.objects.get(case=case)
    issued_at = document.ledger_index
    assert issued_at is not None
    kinds = [e.payload.get("kind") for e in LedgerEntry.objects.order_by("index")]
    assert kinds[issued_at - 4 : issued_at] == ["submitted", "decided", "decided", "decided"]

    page = client.get(f"/verify/?code={document.verification_code}")
    assert page.status_code == 200
    proof = client.get(f"/api/v1/ledger/entries/{issued_at}").json()
    assert proof["kind"] == "document.issued" and proof["inclusion_proof"] is not None

    public = {(kind, sequence) for kind, sequence in _case_events_in_log()}
    expected = set(
        case.events.filter(kind__in=["submitted", "decided", "issued", "closed"]).values_list(
            "kind", "sequence"
        )
    )
    assert expected <= public
    assert len(_case_events_in_log()) == len(set(_case_events_in_log()))
    assert ledger.pending_count() == 0
    ledger.sign_tree_head()
    assert ledger.verify_log().is_intact
