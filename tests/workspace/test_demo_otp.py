from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from loket.demo.agency import DEMO_PASSWORD, load_demo
from loket.workspace.otp import demo_totp_key, enrol_demo_devices
from tests.accounts.factories import make_officer

pytestmark = pytest.mark.django_db


def _demo_otp(username: str) -> str:
    out = StringIO()
    call_command("demo-otp", username, stdout=out)
    return out.getvalue().strip()


def test_demo_otp_refuses_outside_demo_mode(settings, monkeypatch) -> None:
    settings.DEBUG = False
    monkeypatch.delenv("LOKET_DEMO", raising=False)
    make_officer("andi")
    with pytest.raises(CommandError, match="demo mode"):
        _demo_otp("andi")


def test_demo_otp_prints_a_code_the_workspace_accepts(monkeypatch) -> None:
    monkeypatch.setenv("LOKET_DEMO", "1")
    make_officer("andi")
    code = _demo_otp("andi")
    assert len(code) == 6 and code.isdigit()
    client = Client()
    client.post("/workspace/login/", {"username": "andi", "password": "kopi-tubruk-2026"})
    assert client.post("/workspace/login/code/", {"code": code})["Location"] == "/workspace/"


def test_demo_otp_never_reveals_a_real_officers_code(monkeypatch) -> None:
    monkeypatch.setenv("LOKET_DEMO", "1")
    account = make_officer("andi", enrolled=False)
    TOTPDevice.objects.create(user=account.user, name="Phone", confirmed=True)  # random key
    with pytest.raises(CommandError, match="no demo authenticator"):
        _demo_otp("andi")


def test_enrolling_demo_devices_is_idempotent() -> None:
    make_officer("andi", enrolled=False)
    assert enrol_demo_devices(["andi", "nobody"]) == 1
    assert enrol_demo_devices(["andi"]) == 0
    device = TOTPDevice.objects.get(user__username="andi")
    assert device.confirmed and device.key == demo_totp_key("andi")


def test_demo_officers_can_sign_in_with_the_printed_code(monkeypatch, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("LOKET_DEMO", "1")
    load_demo()
    client = Client()
    client.post("/workspace/login/", {"username": "dewi", "password": DEMO_PASSWORD})
    response = client.post("/workspace/login/code/", {"code": _demo_otp("dewi")})
    assert response["Location"] == "/workspace/"
    home = client.get("/workspace/").content.decode()
    assert "Kepala Bidang Pelayanan Perizinan" in home
    assert "Plt" in home
