import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import login_with_second_factor

pytestmark = pytest.mark.django_db


def test_admin_refuses_a_superuser_without_a_second_factor(client: Client) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_opens_after_the_second_factor(client: Client) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    login_with_second_factor(client, user)
    assert client.get("/admin/").status_code == 200


def test_otp_enrol_prints_an_otpauth_uri_and_refuses_a_second_device() -> None:
    get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    out = io.StringIO()
    call_command("otp-enrol", "root", stdout=out)
    assert out.getvalue().startswith("otpauth://totp/")
    assert TOTPDevice.objects.filter(user__username="root", confirmed=True).count() == 1
    with pytest.raises(CommandError, match="already has"):
        call_command("otp-enrol", "root", stdout=io.StringIO())
    call_command("otp-enrol", "root", "--replace", stdout=io.StringIO())
    assert TOTPDevice.objects.filter(user__username="root").count() == 1


def test_admin_signs_in_with_password_and_the_code_of_its_one_authenticator(
    client: Client,
) -> None:
    from loket.workspace.otp import code_for

    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "x-Pass-1234", "otp_token": code_for(device)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_refuses_a_wrong_code(client: Client) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.go.id", "x-Pass-1234")
    TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": "x-Pass-1234", "otp_token": "000000"},
    )
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302
