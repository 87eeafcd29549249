from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from loket.workspace.otp import code_for
from tests.accounts.factories import PASSWORD, make_applicant, make_officer

pytestmark = pytest.mark.django_db


def _password_step(client: Client, username: str, password: str = PASSWORD, **data: str):
    return client.post("/workspace/login/", {"username": username, "password": password, **data})


def test_enrolled_officer_signs_in_with_password_then_code(client: Client) -> None:
    account = make_officer("andi")
    response = _password_step(client, "andi")
    assert response["Location"] == "/workspace/login/code/"
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    response = client.post("/workspace/login/code/", {"code": code_for(account.device)})
    assert response["Location"] == "/workspace/"
    home = client.get("/workspace/")
    assert home.status_code == 200
    assert "Analis Perizinan" in home.content.decode()


def test_wrong_code_keeps_the_officer_signed_out(client: Client) -> None:
    account = make_officer("andi")
    _password_step(client, "andi")
    wrong = str((int(code_for(account.device)) + 1) % 1_000_000).zfill(6)
    response = client.post("/workspace/login/code/", {"code": wrong})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert client.get("/workspace/").status_code == 302


def test_repeated_wrong_codes_are_throttled(client: Client) -> None:
    account = make_officer("andi")
    _password_step(client, "andi")
    client.post("/workspace/login/code/", {"code": "000000"})
    # django-otp now makes the device wait before it accepts any code, even the right one.
    response = client.post("/workspace/login/code/", {"code": code_for(account.device)})
    assert response.status_code == 200
    assert client.get("/workspace/").status_code == 302


def test_a_code_cannot_be_used_twice(client: Client) -> None:
    account = make_officer("andi")
    code = code_for(account.device)
    _password_step(client, "andi")
    assert client.post("/workspace/login/code/", {"code": code}).status_code == 302
    other = Client()
    _password_step(other, "andi")
    again = other.post("/workspace/login/code/", {"code": code})
    assert again.status_code == 200  # the code form again, with an error
    assert again.context["form"].errors
    assert other.get("/workspace/").status_code == 302  # not signed in


def test_first_sign_in_enrols_a_device_shown_as_qr_code_and_secret(client: Client) -> None:
    make_officer("rina", enrolled=False)
    response = _password_step(client, "rina")
    assert response["Location"] == "/workspace/login/setup/"
    page = client.get("/workspace/login/setup/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user__username="rina")
    assert not device.confirmed
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    # Reloading shows the same secret rather than a new device.
    client.get("/workspace/login/setup/")
    assert TOTPDevice.objects.filter(user__username="rina").count() == 1
    code = str(totp(device.bin_key)).zfill(6)
    response = client.post("/workspace/login/setup/", {"code": code})
    assert response["Location"] == "/workspace/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/workspace/").status_code == 200


def test_enrolment_is_not_confirmed_by_a_wrong_code(client: Client) -> None:
    make_officer("rina", enrolled=False)
    _password_step(client, "rina")
    client.get("/workspace/login/setup/")
    client.post("/workspace/login/setup/", {"code": "123456"})
    assert not TOTPDevice.objects.get(user__username="rina").confirmed
    assert client.get("/workspace/").status_code == 302


def test_code_pages_need_the_password_step_first(client: Client) -> None:
    make_officer("andi")
    assert client.get("/workspace/login/code/")["Location"] == "/workspace/login/"
    assert client.get("/workspace/login/setup/")["Location"] == "/workspace/login/"


def test_password_step_expires(client: Client, monkeypatch) -> None:
    account = make_officer("andi")
    _password_step(client, "andi")
    later = time.time() + 301
    monkeypatch.setattr("loket.workspace.views.time.time", lambda: later)
    response = client.post("/workspace/login/code/", {"code": code_for(account.device)})
    assert response["Location"] == "/workspace/login/"


def test_applicant_cannot_use_the_workspace_sign_in(client: Client) -> None:
    make_applicant("sari@example.id")
    response = _password_step(client, "sari@example.id")
    assert response.status_code == 200
    assert "/accounts/login/" in response.content.decode()
    assert "workspace_pending_sign_in" not in client.session


def test_inactive_officer_cannot_sign_in(client: Client) -> None:
    account = make_officer("andi")
    account.officer.is_active = False
    account.officer.save()
    assert _password_step(client, "andi").status_code == 200
    assert "workspace_pending_sign_in" not in client.session


def test_workspace_password_step_locks_after_five_failures(client: Client) -> None:
    make_officer("andi")
    for _ in range(4):
        assert _password_step(client, "andi", "salah-salah").status_code == 200
    assert _password_step(client, "andi", "salah-salah").status_code == 429
    assert _password_step(client, "andi").status_code == 429


def test_workspace_pages_send_signed_out_visitors_to_the_officer_sign_in(client: Client) -> None:
    response = client.get("/workspace/")
    assert response["Location"] == "/workspace/login/?next=/workspace/"


def test_next_is_followed_after_the_second_factor(client: Client) -> None:
    account = make_officer("andi")
    _password_step(client, "andi", next="/workspace/?tab=1")
    response = client.post("/workspace/login/code/", {"code": code_for(account.device)})
    assert response["Location"] == "/workspace/?tab=1"


def test_signed_in_applicant_gets_403_in_the_workspace(client: Client) -> None:
    user = make_applicant("sari@example.id")
    client.force_login(user)
    response = client.get("/workspace/")
    # Not an officer: refused outright, never asked for a code.
    assert response.status_code == 403


def test_officer_signed_in_without_second_factor_is_asked_for_the_code(client: Client) -> None:
    account = make_officer("andi")
    client.force_login(account.user)  # e.g. through /admin/, which has no second step
    assert client.get("/workspace/?state=mine")["Location"] == "/workspace/login/code/"
    response = client.post("/workspace/login/code/", {"code": code_for(account.device)})
    assert response["Location"] == "/workspace/?state=mine"
    assert client.get("/workspace/").status_code == 200


def test_workspace_sign_in_without_csrf_token_is_rejected() -> None:
    make_officer("andi")
    client = Client(enforce_csrf_checks=True)
    assert _password_step(client, "andi").status_code == 403


def test_officer_sign_out_returns_to_the_officer_sign_in(client: Client) -> None:
    account = make_officer("andi")
    _password_step(client, "andi")
    client.post("/workspace/login/code/", {"code": code_for(account.device)})
    response = client.post("/workspace/logout/")
    assert response["Location"] == "/workspace/login/"
    assert client.get("/workspace/").status_code == 302


# -- idle timeout ----------------------------------------------------------------------


def _idle_for(client: Client, minutes: float) -> None:
    from loket.accounts.middleware import LAST_SEEN

    session = client.session
    session[LAST_SEEN] = time.time() - minutes * 60
    session.save()


def test_officer_session_ends_after_the_idle_timeout(client: Client, settings) -> None:
    from tests.helpers import login_with_second_factor

    account = make_officer("andi", enrolled=False)
    login_with_second_factor(client, account.user)
    assert client.get("/workspace/").status_code == 200

    _idle_for(client, settings.LOKET_OFFICER_IDLE_MINUTES - 1)
    assert client.get("/workspace/").status_code == 200
    _idle_for(client, settings.LOKET_OFFICER_IDLE_MINUTES + 1)
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/login/")


def test_queue_polling_does_not_keep_an_idle_officer_signed_in(client: Client, settings) -> None:
    from tests.helpers import login_with_second_factor

    login_with_second_factor(client, make_officer("andi", enrolled=False).user)
    _idle_for(client, settings.LOKET_OFFICER_IDLE_MINUTES - 1)
    assert client.get("/workspace/", headers={"X-Loket-Poll": "1"}).status_code == 200
    _idle_for(client, 2)  # what a real request would have left: only if it was activity
    client.get("/workspace/", headers={"X-Loket-Poll": "1"})
    from loket.accounts.middleware import LAST_SEEN

    assert time.time() - client.session[LAST_SEEN] >= 2 * 60


def test_applicant_session_ends_after_its_idle_timeout(client: Client, settings) -> None:
    client.force_login(make_applicant("sari@example.id"))
    assert "_auth_user_id" in client.session
    client.get("/")
    _idle_for(client, settings.LOKET_APPLICANT_IDLE_MINUTES + 1)
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_a_busy_session_still_ends_after_its_absolute_lifetime(client: Client, settings) -> None:
    from loket.accounts.middleware import STARTED

    client.force_login(make_applicant("sari@example.id"))
    client.get("/")
    session = client.session
    session[STARTED] = time.time() - settings.SESSION_COOKIE_AGE - 1
    session.save()
    client.get("/")
    assert "_auth_user_id" not in client.session
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
