"""`loket demo --setup-only`: what `make demo` prepares before it serves.

The set-up loads a year of history through the engine (about 30 s of CPU per run in
each suite), so one test runs it once and checks everything a first start promises:
the summary it prints, a case in every state, every open dataset published from that
history, and that a second run reuses what is there. Each check says what failed.
"""

import csv
import io

import pytest
from django.core.management import call_command

from loket.org.models import Officer

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_setup_prints_its_summary_starts_with_every_state_and_publishes_open_data(
    monkeypatch: pytest.MonkeyPatch, settings, tmp_path
) -> None:
    monkeypatch.setenv("LOKET_PUBLIC_URL", "")  # restored after the test
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # the fixture restores it
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "surat"  # wherever it is configured, not var/
    out = io.StringIO()
    call_command("demo", "--setup-only", "--bind", "127.0.0.1:8913", stdout=out)
    text = out.getvalue()

    # The printed summary: accounts, links at the bound address, where mail and SMS go.
    assert "http://127.0.0.1:8913/workspace/" in text
    assert "dewi" in text and "[PLT]" in text
    assert "loket demo-otp" in text
    assert settings.PUBLIC_BASE_URL == "http://127.0.0.1:8913"
    assert str(settings.EMAIL_FILE_PATH) in text
    assert str(settings.DATA_DIR / "sms-outbox.jsonl") in text
    assert Officer.objects.filter(user__username="dewi").exists()

    _assert_a_case_in_every_state()
    _assert_every_dataset_published()

    officers = Officer.objects.count()
    again = io.StringIO()  # running it again reuses what is there
    call_command("demo", "--setup-only", "--bind", "127.0.0.1:8913", stdout=again)
    assert Officer.objects.count() == officers, "a second start loaded the demo again"


def _assert_a_case_in_every_state() -> None:
    from loket.cases.models import Case, CaseStatus, IdempotencyKey, Task, TaskStatus
    from loket.documents.models import IssuedDocument
    from loket.insights.demo import CURRENT_KEY_PREFIX

    current = Case.objects.filter(
        pk__in=IdempotencyKey.objects.filter(key__startswith=CURRENT_KEY_PREFIX).values("case")
    )
    statuses = set(current.values_list("status", flat=True))
    assert {
        CaseStatus.IN_PROGRESS,
        CaseStatus.AWAITING_APPLICANT,
        CaseStatus.APPROVED,
        CaseStatus.CANCELLED,
    } <= statuses, f"the demo's current work has only {sorted(statuses)}"
    open_steps = set(
        Task.objects.filter(case__in=current, status=TaskStatus.OPEN).values_list(
            "step_id", flat=True
        )
    )
    assert {"verifikasi-berkas", "kajian-teknis", "persetujuan"} <= open_steps
    assert Task.objects.filter(
        case__in=current, status=TaskStatus.OPEN, claimed_by__user__username="andi"
    ).exists(), "no task claimed by andi"
    assert IssuedDocument.objects.filter(case__in=current).exists(), "no licence issued"


def _assert_every_dataset_published() -> None:
    from loket.opendata.builders import REGISTRY
    from loket.opendata.models import Dataset, Resource

    assert set(Dataset.objects.values_list("kind", flat=True)) == set(REGISTRY)
    ikm = Resource.objects.get(dataset__kind="indeks-kepuasan-masyarakat", format="CSV")
    rows = list(csv.DictReader(io.StringIO(bytes(ikm.content).decode())))
    assert rows, "the demo's published IKM results are in the open data"
    assert all(row["ikm"] for row in rows if row["responden"] != "<5")
    complaints = Resource.objects.get(dataset__kind="penanganan-pengaduan", format="CSV")
    assert len(bytes(complaints.content).decode().splitlines()) > 1
