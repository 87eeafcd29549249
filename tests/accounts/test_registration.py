from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from loket.accounts.services import register_applicant
from tests.accounts.factories import PASSWORD, make_applicant

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://loket\.example\.id(/accounts/verify/[^/\s]+/)")


def _register(client: Client, email: str = "Sari@Example.ID", **extra: str):
    data = {"name": "Sari Dewi", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    data.update(extra)
    return client.post("/accounts/register/", data)


def _verification_path(message: mail.EmailMessage) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_registration_creates_inactive_account_named_by_lowercased_email(client: Client) -> None:
    response = _register(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/sent/"
    user = get_user_model().objects.get()
    assert user.username == "sari@example.id"
    assert user.email == "sari@example.id"
    assert user.get_full_name() == "Sari Dewi"
    assert not user.is_active
    assert user.check_password(PASSWORD)


def test_registration_mails_a_verification_link_in_indonesian_by_default(client: Client) -> None:
    _register(client)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sari@example.id"]
    assert "Konfirmasi" in message.subject
    assert "Halo Sari Dewi" in message.body
    _verification_path(message)


def test_registration_mail_is_english_for_an_english_visitor(client: Client) -> None:
    client.cookies["django_language"] = "en"
    _register(client)
    assert mail.outbox[0].subject == "Confirm your e-mail address for Loket"
    assert "Hello Sari Dewi" in mail.outbox[0].body


def test_verification_link_activates_account_and_allows_sign_in(client: Client) -> None:
    _register(client)
    response = client.get(_verification_path(mail.outbox[0]))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert get_user_model().objects.get().is_active
    response = client.post(
        "/accounts/login/", {"username": "SARI@example.id", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").context["user"].username == "sari@example.id"


def test_unverified_account_cannot_sign_in_and_is_told_to_confirm(client: Client) -> None:
    _register(client)
    response = client.post(
        "/accounts/login/", {"username": "sari@example.id", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "belum dikonfirmasi" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_tampered_verification_link_is_refused(client: Client) -> None:
    _register(client)
    path = _verification_path(mail.outbox[0])
    response = client.get(path[:-3] + "xx/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/verify-again/"
    assert not get_user_model().objects.get().is_active


def test_expired_verification_link_is_refused(client: Client, monkeypatch) -> None:
    _register(client)
    path = _verification_path(mail.outbox[0])
    monkeypatch.setattr("time.time", lambda: 4_000_000_000)  # year 2096
    response = client.get(path, follow=True)
    assert "kedaluwarsa" in response.content.decode()
    assert not get_user_model().objects.get().is_active


def test_registering_an_existing_address_changes_nothing_and_warns_the_owner(
    client: Client,
) -> None:
    user = make_applicant("sari@example.id")
    response = _register(client, email="SARI@example.id", password1="x" * 12, password2="x" * 12)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert get_user_model().objects.count() == 1
    assert len(mail.outbox) == 1
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_registering_again_before_verifying_resends_the_link() -> None:
    register_applicant(name="Sari", email="sari@example.id", password=PASSWORD)
    register_applicant(name="Sari", email="sari@example.id", password=PASSWORD)
    assert len(mail.outbox) == 2
    assert all(LINK.search(message.body) for message in mail.outbox)


def test_registration_refuses_mismatched_and_weak_passwords(client: Client) -> None:
    response = _register(client, password2="something-else-1")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    response = _register(client, password1="12345678", password2="12345678")
    assert response.status_code == 200
    assert get_user_model().objects.count() == 0
    assert mail.outbox == []


def test_resend_link_answers_the_same_for_unknown_addresses(client: Client) -> None:
    make_applicant("baru@example.id", active=False)
    known = client.post("/accounts/verify-again/", {"email": "baru@example.id"}, follow=True)
    unknown = client.post("/accounts/verify-again/", {"email": "siapa@example.id"}, follow=True)
    assert len(mail.outbox) == 1
    assert [str(m) for m in known.context["messages"]] == [
        str(m) for m in unknown.context["messages"]
    ]


@pytest.mark.parametrize(
    "name",
    ["Klik https://evil.example", "Sari <a href=x>Dewi</a>", "www hadiah", "Promo bit.ly/abc"],
)
def test_registration_refuses_a_name_with_a_link_or_markup(client: Client, name: str) -> None:
    response = _register(client, name=name)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert mail.outbox == []
    assert not get_user_model().objects.exists()


def test_plain_names_with_punctuation_are_accepted(client: Client) -> None:
    assert _register(client, name="Moh. Ali bin Abd. Rahman-D'Souza").status_code == 302


def test_account_mails_to_one_address_are_limited(client: Client, settings) -> None:
    _register(client)
    for attempt in range(settings.LOKET_ACCOUNT_MAILS_PER_EMAIL + 2):
        Client(REMOTE_ADDR=f"10.3.0.{attempt + 1}").post(
            "/accounts/verify-again/", {"email": "sari@example.id"}
        )
    assert len(mail.outbox) == settings.LOKET_ACCOUNT_MAILS_PER_EMAIL
