"""Who may do what with a case, over every role and action, through the API and the workspace.

One table per channel: each row is a role (the officer holding the task's
position, an acting holder, the head of the unit, an officer of another unit,
an officer of another agency, an applicant, an anonymous visitor) and what each
action gives them. The case is at its first task (document verification by the
front office, unit Bidang Pelayanan Perizinan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from loket.demo.agency import DEMO_PASSWORD
from loket.org.models import Capacity, Officer, Position
from loket.workspace.otp import code_for, confirmed_devices
from tests.accounts.factories import PASSWORD, make_applicant, make_officer
from tests.cases.conftest import NIK, iu_data, iu_documents
from tests.helpers import login_with_second_factor
from tests.org.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

FULL_NIK = NIK
MASKED_NIK = "3273********0003"

HOLDER, ACTING, HEAD, OTHER_UNIT, OTHER_AGENCY, APPLICANT, ANONYMOUS = (
    "holder",
    "acting holder",
    "unit head",
    "officer of another unit",
    "officer of another agency",
    "applicant",
    "anonymous",
)


@dataclass
class World:
    case: Case
    task: Task
    officers: dict[str, Officer]
    applicant: Any


@pytest.fixture
def world(demo: Any) -> World:
    applicant = make_applicant("sri@example.id")
    case = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id", language="id"),
        data=iu_data(),
        documents=iu_documents(),
        user=applicant,
    ).case
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    # Hendra (a licensing analyst) stands in for the front office as Plh this week.
    hendra = Officer.objects.get(user__username="hendra")
    today = timezone.localdate()
    AppointmentFactory(
        officer=hendra,
        position=Position.objects.get(code="petugas-front-office"),
        capacity=Capacity.PLH,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=5),
    )
    outsider = make_officer("luar").officer  # holds a position in another agency
    officers = {
        HOLDER: Officer.objects.get(user__username="andi"),
        ACTING: hendra,
        HEAD: Officer.objects.get(user__username="dewi"),  # Plt head of the division
        OTHER_UNIT: Officer.objects.get(user__username="rudi"),  # spatial planning
        OTHER_AGENCY: outsider,
    }
    return World(case=case, task=task, officers=officers, applicant=applicant)


def api_client(world: World, role: str) -> tuple[Client, dict[str, str]]:
    """A client and the headers the role would call the API with."""
    client = Client()
    if role == ANONYMOUS:
        return client, {}
    if role == APPLICANT:  # the applicant's session cookie is no bearer token
        client.force_login(world.applicant)
        return client, {}
    user = world.officers[role].user
    password = PASSWORD if role == OTHER_AGENCY else DEMO_PASSWORD
    response = client.post(
        "/api/v1/auth/token",
        {
            "username": user.username,
            "password": password,
            "otp": code_for(confirmed_devices(user)[0]),
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return client, {"Authorization": f"Bearer {response.json()['token']}"}


# role: (GET /cases/{n}, NIK shown, POST claim, POST decision)
API_TABLE = {
    HOLDER: (200, FULL_NIK, 200, 200),
    ACTING: (200, FULL_NIK, 200, 200),
    HEAD: (200, MASKED_NIK, 403, 403),
    OTHER_UNIT: (403, None, 403, 403),
    OTHER_AGENCY: (404, None, 404, 404),
    APPLICANT: (401, None, 401, 401),
    ANONYMOUS: (401, None, 401, 401),
}


@pytest.mark.parametrize("role", list(API_TABLE))
def test_api_answers_each_role_as_the_policy_says(world: World, role: str) -> None:
    view, nik, claim, decide = API_TABLE[role]
    client, headers = api_client(world, role)
    task = world.task

    response = client.get(f"/api/v1/cases/{world.case.tracking_number}", headers=headers)
    assert response.status_code == view, response.content
    if nik is not None:
        body = response.json()
        assert body["applicant"]["nik"] == nik
        assert (body["applicant"]["email"] == "sri@example.id") == (nik == FULL_NIK)
    else:
        assert FULL_NIK not in response.content.decode()

    response = client.post(f"/api/v1/tasks/{task.pk}/claim", headers=headers)
    assert response.status_code == claim, response.content
    response = client.post(
        f"/api/v1/tasks/{task.pk}/decision",
        {"decision": "approve"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == decide, response.content
    task.refresh_from_db()
    if decide == 200:
        assert task.decided_by == world.officers[role]
        assert task.decided_capacity == ("plh" if role == ACTING else "definitive")
    else:
        assert task.status == TaskStatus.OPEN and task.claimed_by is None


def workspace_client(world: World, role: str) -> Client:
    client = Client()
    if role == APPLICANT:
        client.force_login(world.applicant)
    elif role != ANONYMOUS:
        user = world.officers[role].user
        client.force_login(user)
        if not confirmed_devices(user):
            login_with_second_factor(client, user)
        else:
            from django_otp import DEVICE_ID_SESSION_KEY

            session = client.session
            session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
            session.save()
    return client


# role: (task page, NIK shown, document, reassign page, claim+decide takes the task)
WORKSPACE_TABLE = {
    HOLDER: (200, FULL_NIK, 200, 403, True),
    ACTING: (200, FULL_NIK, 200, 403, True),
    HEAD: (200, MASKED_NIK, 404, 200, False),
    OTHER_UNIT: (404, None, 404, 404, False),
    OTHER_AGENCY: (404, None, 404, 404, False),
    APPLICANT: (403, None, 403, 403, False),
    ANONYMOUS: (302, None, 302, 302, False),
}


@pytest.mark.parametrize("role", list(WORKSPACE_TABLE))
def test_workspace_answers_each_role_as_the_policy_says(world: World, role: str) -> None:
    page, nik, document, reassign, decides = WORKSPACE_TABLE[role]
    client = workspace_client(world, role)
    task = world.task
    doc = world.case.documents.first()
    assert doc is not None

    response = client.get(f"/workspace/tasks/{task.pk}/")
    assert response.status_code == page
    body = response.content.decode()
    if nik is not None:
        assert nik in body
    assert FULL_NIK not in body or nik == FULL_NIK
    assert client.get(f"/workspace/tasks/{task.pk}/documents/{doc.pk}/").status_code == document
    assert client.get(f"/workspace/tasks/{task.pk}/reassign/").status_code == reassign

    client.post(f"/workspace/tasks/{task.pk}/claim/")
    client.post(f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"})
    task.refresh_from_db()
    if decides:
        assert task.status == TaskStatus.DONE and task.decided_by == world.officers[role]
    else:
        assert task.status == TaskStatus.OPEN and task.claimed_by is None


def test_head_reassigns_through_the_policy_but_staff_may_not(world: World) -> None:
    from loket.core.errors import AuthorityError

    task = world.task
    with pytest.raises(AuthorityError):
        services.reassign_task(
            task_id=task.pk, head=world.officers[HOLDER], assignee=world.officers[ACTING]
        )
    services.reassign_task(
        task_id=task.pk, head=world.officers[HEAD], assignee=world.officers[ACTING]
    )
    task.refresh_from_db()
    assert task.claimed_by == world.officers[ACTING]


# role: status of the portal's case page (/lacak/<n>/); 302 sends the visitor to the
# access-code form, whether or not the number exists
PORTAL_TABLE = {
    APPLICANT: 200,
    HOLDER: 302,
    HEAD: 302,
    OTHER_AGENCY: 302,
    ANONYMOUS: 302,
}


@pytest.mark.parametrize("role", list(PORTAL_TABLE))
def test_portal_shows_the_case_only_to_its_applicant_and_masked(world: World, role: str) -> None:
    client = workspace_client(world, role)
    response = client.get(f"/lacak/{world.case.tracking_number}/")
    assert response.status_code == PORTAL_TABLE[role]
    body = response.content.decode()
    assert FULL_NIK not in body
    if response.status_code == 302:
        assert response["Location"].startswith("/lacak/?nomor=")
