from __future__ import annotations

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from loket.accounts.models import AccountLockout
from tests.accounts.factories import PASSWORD, make_applicant, make_officer
from tests.helpers import login_with_second_factor

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_applicant_signs_in_and_returns_to_the_page_asked_for(client: Client) -> None:
    make_applicant("sari@example.id")
    response = client.post(
        "/accounts/login/?next=/accounts/register/sent/",
        {"username": "sari@example.id", "password": PASSWORD, "next": "/accounts/register/sent/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/sent/"


def test_sign_in_does_not_redirect_to_another_site(client: Client) -> None:
    make_applicant("sari@example.id")
    response = client.post(
        "/accounts/login/",
        {"username": "sari@example.id", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client: Client) -> None:
    make_applicant("sari@example.id")
    wrong_password = _login(client, "sari@example.id", "salah-salah-salah")
    unknown_user = _login(client, "siapa@example.id")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert wrong_password.context["form"].errors == unknown_user.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_fifth_wrong_password_locks_the_address_for_fifteen_minutes(client: Client) -> None:
    make_applicant("sari@example.id")
    for _ in range(4):
        assert _login(client, "sari@example.id", "salah-salah-salah").status_code == 200
    locked = _login(client, "sari@example.id", "salah-salah-salah")
    assert locked.status_code == 429
    assert "15 menit" in locked.content.decode()
    # Even the right password is refused while locked.
    assert _login(client, "sari@example.id").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_message_is_english_for_an_english_visitor(client: Client) -> None:
    make_applicant("sari@example.id")
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = _login(client, "sari@example.id", "wrong-wrong-wrong")
    assert response.status_code == 429
    assert "Try again in 15 minutes." in response.content.decode()


def test_lockout_is_per_address_so_others_can_still_sign_in(client: Client) -> None:
    make_applicant("sari@example.id")
    make_applicant("budi@example.id")
    for _ in range(5):
        _login(client, "sari@example.id", "salah-salah-salah")
    assert _login(client, "budi@example.id").status_code == 302


def test_lockout_ends_after_the_cool_off(client: Client) -> None:
    make_applicant("sari@example.id")
    for _ in range(5):
        _login(client, "sari@example.id", "salah-salah-salah")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _login(client, "sari@example.id").status_code == 302


def test_officer_cannot_sign_in_through_the_applicant_page(client: Client) -> None:
    account = make_officer("budi")
    response = _login(client, account.user.username)
    # The applicant form asks for an e-mail address; with the officer's e-mail as username
    # the account is unknown, with its username the field is invalid: never signed in.
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_officer_whose_username_is_an_email_is_sent_to_the_workspace(client: Client) -> None:
    account = make_officer("andi@kotacontoh.go.id")
    response = _login(client, "andi@kotacontoh.go.id")
    assert response.status_code == 200
    assert "/workspace/login/" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert account.user.pk


def test_sign_out_needs_post_and_ends_the_session(client: Client) -> None:
    make_applicant("sari@example.id")
    _login(client, "sari@example.id")
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_form_without_csrf_token_is_rejected() -> None:
    make_applicant("sari@example.id")
    client = Client(enforce_csrf_checks=True)
    response = _login(client, "sari@example.id")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_form_with_csrf_token_is_accepted() -> None:
    make_applicant("sari@example.id")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        "/accounts/login/",
        {"username": "sari@example.id", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_registration_without_csrf_token_is_rejected() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/register/",
        {"name": "A", "email": "a@example.id", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 403
    assert mail.outbox == []


def test_password_reset_mails_a_link_that_sets_a_new_password(client: Client) -> None:
    user = make_applicant("sari@example.id")
    response = client.post("/accounts/password-reset/", {"email": "sari@example.id"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    path = re.search(r"https://loket\.example\.id(/accounts/reset/\S+/)", body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "teh-manis-hangat-9", "new_password2": "teh-manis-hangat-9"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("teh-manis-hangat-9")
    # The link works once.
    again = client.get(path, follow=True)
    assert again.context["validlink"] is False


def test_password_reset_for_unknown_address_sends_nothing_but_looks_the_same(
    client: Client,
) -> None:
    response = client.post("/accounts/password-reset/", {"email": "siapa@example.id"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


# -- account-level lock-out (failures from any address) ------------------------------


def _spread_failures(username: str, count: int, *, path: str = "/accounts/login/") -> None:
    # Four tries per address: django-axes (5 per username+address) never trips.
    for attempt in range(count):
        stranger = Client(REMOTE_ADDR=f"10.1.{attempt // 4}.{attempt % 4 + 1}")
        stranger.post(path, {"username": username, "password": "salah-salah-salah"})


def test_wrong_passwords_spread_over_many_addresses_lock_the_account(settings) -> None:
    make_applicant("sari@example.id")
    _spread_failures("sari@example.id", settings.LOKET_ACCOUNT_FAILURE_LIMIT + 12)

    owner = Client(REMOTE_ADDR="10.2.0.1")
    refused = _login(owner, "sari@example.id")
    assert refused.status_code == 429
    assert f"{settings.LOKET_ACCOUNT_LOCK_MINUTES} menit" in refused.content.decode()
    assert "_auth_user_id" not in owner.session


def test_account_lock_ends_by_itself_and_an_administrator_can_lift_it(settings) -> None:
    make_applicant("sari@example.id")
    _spread_failures("sari@example.id", settings.LOKET_ACCOUNT_FAILURE_LIMIT)
    assert _login(Client(REMOTE_ADDR="10.2.0.1"), "sari@example.id").status_code == 429

    AccountLockout.objects.update(
        locked_until=timezone.now() - dt.timedelta(seconds=1),
        window_started_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert _login(Client(REMOTE_ADDR="10.2.0.2"), "sari@example.id").status_code == 302

    _spread_failures("sari@example.id", settings.LOKET_ACCOUNT_FAILURE_LIMIT)
    assert _login(Client(REMOTE_ADDR="10.2.0.3"), "sari@example.id").status_code == 429
    admin = Client()
    login_with_second_factor(
        admin, get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pw-1")
    )
    lock = AccountLockout.objects.get()
    response = admin.post(
        "/admin/accounts/accountlockout/",
        {"action": "unlock", "_selected_action": [lock.pk]},
    )
    assert response.status_code == 302
    assert _login(Client(REMOTE_ADDR="10.2.0.4"), "sari@example.id").status_code == 302


def test_officer_account_is_locked_for_the_workspace_and_the_api_token(settings) -> None:
    make_officer("andi")
    _spread_failures("andi", settings.LOKET_ACCOUNT_FAILURE_LIMIT, path="/workspace/login/")

    workspace = Client(REMOTE_ADDR="10.2.0.5").post(
        "/workspace/login/", {"username": "andi", "password": PASSWORD}
    )
    assert workspace.status_code == 429
    token = Client(REMOTE_ADDR="10.2.0.6").post(
        "/api/v1/auth/token",
        {"username": "andi", "password": PASSWORD, "otp": ""},
        content_type="application/json",
    )
    assert token.status_code == 429
    assert token["Content-Type"] == "application/problem+json"


# -- limits on password-reset mail ---------------------------------------------------


def test_password_reset_mail_to_one_address_is_limited_but_the_page_looks_the_same(
    settings,
) -> None:
    make_officer("andi")
    for attempt in range(settings.LOKET_ACCOUNT_MAILS_PER_EMAIL + 3):
        response = Client(REMOTE_ADDR=f"10.4.0.{attempt + 1}").post(
            "/accounts/password-reset/", {"email": "andi@example.go.id"}
        )
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == settings.LOKET_ACCOUNT_MAILS_PER_EMAIL


def test_password_reset_requests_from_one_address_are_limited(client: Client, settings) -> None:
    settings.LOKET_ACCOUNT_MAILS_PER_ADDRESS = 3
    for attempt in range(3):
        client.post("/accounts/password-reset/", {"email": f"orang{attempt}@example.id"})
    refused = client.post("/accounts/password-reset/", {"email": "orang9@example.id"})
    assert refused.status_code == 429
    assert 'role="alert"' in refused.content.decode()


def test_admin_sign_in_is_refused_while_the_account_is_locked(settings) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from loket.workspace.otp import code_for

    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    _spread_failures("root", settings.LOKET_ACCOUNT_FAILURE_LIMIT, path="/admin/login/")

    admin = Client(REMOTE_ADDR="10.2.0.7")
    response = admin.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "x-Pass-1234", "otp_token": code_for(device)},
    )
    assert response.status_code == 429
    assert admin.get("/admin/").status_code == 302
