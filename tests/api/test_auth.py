"""Who gets into the API: officers only with a second factor; integrations with a scoped key."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from loket.accounts.models import ApiToken, MachineAccount
from loket.demo.agency import DEMO_PASSWORD, load_demo
from loket.org.models import Officer
from tests.accounts.factories import make_officer
from tests.cases.conftest import post_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: Any) -> Any:
    return load_demo()


def ask_token(client: Client, username: str, password: str, otp: str = "") -> Any:
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, "otp": otp},
        content_type="application/json",
    )


def apikey(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def tracking_number(client: Client) -> str:
    response = post_application(client)
    assert response.status_code == 201, response.content
    return str(response.json()["tracking_number"])


# -- officers' tokens need the second factor ------------------------------------------------


def test_officer_without_a_confirmed_authenticator_gets_no_token(demo: Any, client: Client) -> None:
    TOTPDevice.objects.filter(user__username="andi").delete()
    response = ask_token(client, "andi", DEMO_PASSWORD)
    assert response.status_code == 403
    assert response.json()["field"] == "otp"
    assert response.json()["type"].endswith("otp_device_required")
    assert not ApiToken.objects.exists()


def test_officer_with_an_unconfirmed_authenticator_gets_no_token(demo: Any, client: Client) -> None:
    TOTPDevice.objects.filter(user__username="andi").update(confirmed=False)
    assert ask_token(client, "andi", DEMO_PASSWORD, "123456").status_code == 403
    assert not ApiToken.objects.exists()


# -- machine accounts -------------------------------------------------------------------------


def test_apikey_create_prints_the_key_once_and_stores_only_its_hash(demo: Any) -> None:
    out, err = apikey("create", "--name", "lapor-bridge", "--scope", "open311")
    key = out.strip()
    assert key.startswith("lkm_") and len(key) > 40
    account = MachineAccount.objects.get(name="lapor-bridge")
    assert account.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert account.scopes == ["open311"]
    assert account.created_by
    assert account.expires_at > timezone.now() + dt.timedelta(days=300)
    assert key not in err
    listing, _err = apikey("list")
    assert "lapor-bridge" in listing and "open311" in listing and key not in listing
    assert "active until" in listing


def test_apikey_refuses_unknown_scopes_and_duplicate_names(demo: Any) -> None:
    with pytest.raises(CommandError):
        apikey("create", "--name", "x", "--scope", "cases:write")
    apikey("create", "--name", "x", "--scope", "open311")
    with pytest.raises(CommandError, match=r" x\.$"):  # "already … named x."
        apikey("create", "--name", "x", "--scope", "open311")
    with pytest.raises(CommandError):
        apikey("create", "--name", "y", "--scope", "open311", "--expires-days", "0")
    assert MachineAccount.objects.count() == 1


def test_machine_key_with_cases_read_sees_cases_of_its_agency_masked(
    demo: Any, client: Client
) -> None:
    number = tracking_number(client)
    key = apikey("create", "--name", "dashboard", "--scope", "cases:read")[0].strip()
    response = client.get(f"/api/v1/cases/{number}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.content
    assert response.json()["applicant"]["nik"] == "3273********0003"
    assert MachineAccount.objects.get(name="dashboard").last_used_at is not None


def test_machine_key_without_the_scope_is_refused(demo: Any, client: Client) -> None:
    number = tracking_number(client)
    key = apikey("create", "--name", "open311-client", "--scope", "open311")[0].strip()
    response = client.get(f"/api/v1/cases/{number}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert response.json()["type"].endswith("scope_missing")


def test_machine_key_opens_no_officer_route(demo: Any, client: Client) -> None:
    key = apikey("create", "--name", "dashboard", "--scope", "cases:read")[0].strip()
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_revoked_and_expired_keys_are_refused(demo: Any, client: Client) -> None:
    number = tracking_number(client)
    revoked = apikey("create", "--name", "old", "--scope", "cases:read")[0].strip()
    expired = apikey("create", "--name", "stale", "--scope", "cases:read")[0].strip()
    out, _err = apikey("revoke", "old")
    assert "revoked old" in out
    MachineAccount.objects.filter(name="stale").update(expires_at=timezone.now())
    for key in (revoked, expired, "lkm_not-a-key"):
        response = client.get(f"/api/v1/cases/{number}", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401
    account = MachineAccount.objects.get(name="old")
    assert account.revoked_at is not None and account.revoked_by
    assert "revoked" in apikey("list")[0]


def test_key_of_another_agency_finds_no_case(demo: Any, client: Client) -> None:
    number = tracking_number(client)
    other_agency = make_officer("luar").officer.agency
    key = apikey(
        "create", "--name", "other", "--scope", "cases:read", "--agency", other_agency.code
    )[0].strip()
    response = client.get(f"/api/v1/cases/{number}", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 404


def test_open311_clients_may_send_the_key_as_api_key(demo: Any, client: Client) -> None:
    number = tracking_number(client)
    key = apikey("create", "--name", "dashboard", "--scope", "cases:read")[0].strip()
    assert client.get(f"/api/v1/cases/{number}?api_key={key}").status_code == 200


def test_officer_tokens_carry_no_machine_scope() -> None:
    from django.test import RequestFactory

    from loket.api.auth import require_scope
    from loket.core.errors import AuthorityError

    request = RequestFactory().get("/")
    request.auth = Officer()  # type: ignore[attr-defined]
    with pytest.raises(AuthorityError):
        require_scope(request, "open311")
