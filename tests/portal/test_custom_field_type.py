"""A field type added by writing one class and registering it (issue 10).

The test registers an NPWP type of its own (Loket has none), publishes a service
that asks for one, and applies through the portal and through the API: the
portal draws it, the engine cleans it, the review page, the workspace and the
licence show it, with no edit to the portal, the API or the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from loket.cases.flow import public_fields
from loket.cases.models import Case, Task
from loket.catalog.fields import DataField, FieldType, FieldValueError, register, unregister
from loket.catalog.services import publish_text
from loket.workspace.otp import confirmed_devices
from tests.cases.conftest import iu_data, post_application
from tests.portal.conftest import APPLY, REVIEW, application, officer

pytestmark = pytest.mark.django_db

NPWP_TYPED = "01.234.567.8-901.000"
NPWP_DIGITS = "012345678901000"


class NpwpField(FieldType):
    """Nomor Pokok Wajib Pajak: 15 or 16 digits, typed with or without its dots and dash."""

    name = "npwp"

    def clean(self, field: DataField, value: Any, *, language: str) -> Any:
        digits = re.sub(r"[\s.-]", "", str(value))
        if not re.fullmatch(r"\d{15,16}", digits):
            raise FieldValueError(
                f"{field.label_text(language)}: 15 atau 16 digit, mis. 01.234.567.8-901.000"
            )
        return digits

    def display(self, field: DataField, value: Any, *, language: str) -> str:
        d = str(value)
        if len(d) != 15:
            return d
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:]}"


@pytest.fixture
def npwp_service(demo: Any) -> Iterator[None]:
    register(NpwpField)
    text = (settings.LOKET_SERVICES_DIR / "izin-usaha-mikro.yaml").read_text(encoding="utf-8")
    anchor = "      max_length: 300\n"
    assert anchor in text
    field = (
        "    - name: npwp_usaha\n"
        "      type: npwp\n"
        "      label: {id: NPWP usaha, en: Business tax number (NPWP)}\n"
        "      required: true\n"
    )
    publish_text(text.replace(anchor, anchor + field, 1))
    yield
    unregister("npwp")


def _officer_client(username: str) -> Client:
    """Signed in with password and second factor, as the workspace asks."""
    officer_client = Client()
    user = officer(username).user
    officer_client.force_login(user)
    session = officer_client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
    session.save()
    return officer_client


def test_portal_draws_cleans_and_shows_a_registered_field_type(
    npwp_service: None, client: Client
) -> None:
    form = client.get(APPLY).content.decode()
    assert 'name="data_npwp_usaha"' in form
    assert "NPWP usaha" in form

    refused = client.post(APPLY, application(data_npwp_usaha="12345"))
    assert refused.status_code == 422
    assert "15 atau 16 digit" in refused.content.decode()

    sent = client.post(APPLY, application(data_npwp_usaha=NPWP_TYPED))
    assert sent.status_code == 302, sent.content.decode()[:2000]
    review = client.get(REVIEW).content.decode()
    assert NPWP_TYPED in review
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', review)
    assert key is not None
    confirmed = client.post(REVIEW, {"idempotency_key": key.group(1)})
    assert confirmed.status_code == 302
    case = Case.objects.get(tracking_number=confirmed["Location"].split("/")[2])
    assert case.data["npwp_usaha"] == NPWP_DIGITS
    assert ("NPWP usaha", NPWP_TYPED) in public_fields(case)


def test_api_cleans_a_registered_field_type_and_the_workspace_shows_it(
    npwp_service: None, client: Client
) -> None:
    refused = post_application(client, data=iu_data(npwp_usaha="12-34"))
    assert refused.status_code == 422
    assert refused.json()["field"] == "data.npwp_usaha"

    accepted = post_application(client, data=iu_data(npwp_usaha=NPWP_TYPED))
    assert accepted.status_code == 201, accepted.content.decode()[:2000]
    case = Case.objects.get(tracking_number=accepted.json()["tracking_number"])
    assert case.data["npwp_usaha"] == NPWP_DIGITS

    task = Task.objects.get(case=case, step_id="verifikasi-berkas")
    page = _officer_client("andi").get(reverse("workspace:task", args=[task.pk])).content.decode()
    assert NPWP_TYPED in page
