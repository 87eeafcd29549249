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
