import io

import pytest
from django.core.management import call_command

from loket.org.models import Officer

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_setup_prints_accounts_and_points_links_at_its_address(
    monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    monkeypatch.setenv("LOKET_PUBLIC_URL", "")  # restored after the test
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"  # the fixture restores it
    out = io.StringIO()
    call_command("demo", "--setup-only", "--bind", "127.0.0.1:8913", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8913/workspace/" in text
    assert "dewi" in text and "[PLT]" in text
    assert "loket demo-otp" in text
    assert settings.PUBLIC_BASE_URL == "http://127.0.0.1:8913"
    assert Officer.objects.filter(user__username="dewi").exists()

    officers = Officer.objects.count()
    again = io.StringIO()  # running it again reuses what is there
    call_command("demo", "--setup-only", "--bind", "127.0.0.1:8913", stdout=again)
    assert Officer.objects.count() == officers


def test_demo_starts_with_a_case_in_every_state_and_names_where_mail_goes(
    monkeypatch: pytest.MonkeyPatch, settings, tmp_path
) -> None:
    from loket.cases.models import Case, CaseStatus, IdempotencyKey, Task, TaskStatus
    from loket.documents.models import IssuedDocument
    from loket.insights.demo import CURRENT_KEY_PREFIX

    monkeypatch.setenv("LOKET_PUBLIC_URL", "")
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "surat"  # wherever it is configured, not var/
    out = io.StringIO()
    call_command("demo", "--setup-only", "--bind", "127.0.0.1:8914", stdout=out)
    assert str(settings.EMAIL_FILE_PATH) in out.getvalue()
    assert str(settings.DATA_DIR / "sms-outbox.jsonl") in out.getvalue()

    current = Case.objects.filter(
        pk__in=IdempotencyKey.objects.filter(key__startswith=CURRENT_KEY_PREFIX).values("case")
    )
    statuses = set(current.values_list("status", flat=True))
    assert {
        CaseStatus.IN_PROGRESS,
        CaseStatus.AWAITING_APPLICANT,
        CaseStatus.APPROVED,
        CaseStatus.CANCELLED,
    } <= statuses
    open_steps = set(
        Task.objects.filter(case__in=current, status=TaskStatus.OPEN).values_list(
            "step_id", flat=True
        )
    )
    assert {"verifikasi-berkas", "kajian-teknis", "persetujuan"} <= open_steps
    assert Task.objects.filter(
        case__in=current, status=TaskStatus.OPEN, claimed_by__user__username="andi"
    ).exists()
    assert IssuedDocument.objects.filter(case__in=current).exists()
