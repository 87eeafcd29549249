"""A name or address longer than any account's is a refused form, not a server error.

Django's sign-in form limits the username only in the page's HTML; the name then went
to authentication, and django-axes wrote it into its 255-character column of failed
attempts, which PostgreSQL refused (SQLite stores any length). Registration accepted
an e-mail address of up to 320 characters for a 150-character account name.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.accounts.factories import PASSWORD, make_applicant

pytestmark = pytest.mark.django_db


def _address(length: int) -> str:
    """A well-formed address of `length` characters (labels of at most 63)."""
    domain = "example.id"
    local = "a" * min(64, length - len(domain) - 1)
    labels, rest = [], length - len(local) - 1 - len(domain) - 1
    while rest > 0:
        label = "b" * min(63, rest)
        labels.append(label)
        rest -= len(label) + 1
    return f"{local}@{'.'.join([*labels, domain]) if labels else domain}"[:length]


@pytest.mark.parametrize("length", [151, 254, 320])
def test_registration_refuses_an_address_longer_than_an_account_name(
    client: Client, length: int
) -> None:
    address = _address(length)
    response = client.post(
        "/accounts/register/",
        {"name": "Sari Dewi", "email": address, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not get_user_model().objects.filter(email__startswith="a" * 60).exists()


def test_the_longest_address_an_account_can_have_still_registers(client: Client) -> None:
    address = _address(150)
    assert len(address) == 150
    response = client.post(
        "/accounts/register/",
        {"name": "Sari Dewi", "email": address, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username=address.lower()).exists()


@pytest.mark.parametrize("length", [151, 255, 256, 320, 5000])
def test_applicant_sign_in_with_an_overlong_address_is_a_wrong_sign_in(
    client: Client, length: int
) -> None:
    make_applicant("sari@example.id")
    response = client.post(
        "/accounts/login/", {"username": _address(length) if length <= 320 else "x" * length,
                             "password": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("path", ["/workspace/login/", "/admin/login/"])
@pytest.mark.parametrize("length", [151, 256, 5000])
def test_officer_and_admin_sign_in_with_an_overlong_name_is_a_wrong_sign_in(
    client: Client, path: str, length: int
) -> None:
    response = client.post(path, {"username": "x" * length, "password": PASSWORD, "otp_token": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors
