"""Who may do what with a case: every role x every action, through each channel.

`loket.cases.policy` gives the one answer; these tables check that the policy and
the API, the workspace and the portal that ask it agree, role by role. The case is
at its first task: document verification by the front office (unit Bidang
Pelayanan Perizinan, headed by Dewi as Plt; the agency's head Bambang is above it).

Roles: the definitive holder of the task's position; a Plt and a Plh of it; the
head of its unit and the head of the unit above; another officer of the agency;
the agency's DPO (the personal-data audit permission, no position on the case);
an officer of another agency; machine accounts with and without `cases:read`;
the applicant signed in, a visitor who proved the access code, and an anonymous
visitor. Actions: view the case, see the NIK in full, claim, decide, reassign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from loket.accounts import machine_accounts
from loket.cases import policy, services
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from loket.core.errors import AuthorityError
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
FULL, MASKED = policy.PersonalData.FULL, policy.PersonalData.MASKED

HOLDER = "holder"
PLT = "Plt of the position"
PLH = "Plh of the position"
HEAD = "head of the unit (Plt)"
HEAD_ABOVE = "head of the unit above"
SAME_AGENCY = "officer of another unit"
DPO = "data protection officer"
OTHER_AGENCY = "officer of another agency"
MACHINE = "machine account with cases:read"
MACHINE_NO_SCOPE = "machine account without cases:read"
APPLICANT = "applicant signed in"
CODE_HOLDER = "visitor with the access code"
ANONYMOUS = "anonymous"

OFFICER_ROLES = [HOLDER, PLT, PLH, HEAD, HEAD_ABOVE, SAME_AGENCY, DPO, OTHER_AGENCY]


@dataclass
class World:
    case: Case
    task: Task
    access_code: str
    officers: dict[str, Officer]
    applicant: Any
    keys: dict[str, str]


def _act_for_front_office(username: str, capacity: Capacity) -> Officer:
    officer = Officer.objects.get(user__username=username)
    today = timezone.localdate()
    AppointmentFactory(
        officer=officer,
        position=Position.objects.get(code="petugas-front-office"),
        capacity=capacity,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=5),
    )
    return officer


@pytest.fixture
def world(demo: Any) -> World:
    applicant = make_applicant("sri@example.id")
    submission = services.submit(
        service_code="izin-usaha-mikro",
        applicant=Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id", language="id"),
        data=iu_data(),
        documents=iu_documents(),
        user=applicant,
    )
    case = submission.case
    task = Task.objects.get(case=case, status=TaskStatus.OPEN)
    # Siti (a licensing analyst) stands in for the front office as Plt, Hendra as Plh.
    plt = _act_for_front_office("siti", Capacity.PLT)
    plh = _act_for_front_office("hendra", Capacity.PLH)
    dpo = Officer.objects.get(user__username="maya")
    dpo.user.user_permissions.add(Permission.objects.get(codename="view_personaldataread"))
    officers = {
        HOLDER: Officer.objects.get(user__username="andi"),
        PLT: plt,
        PLH: plh,
        HEAD: Officer.objects.get(user__username="dewi"),  # Plt head of the division
        HEAD_ABOVE: Officer.objects.get(user__username="bambang"),  # head of the agency
        SAME_AGENCY: Officer.objects.get(user__username="rudi"),  # spatial planning
        DPO: dpo,
        OTHER_AGENCY: make_officer("luar").officer,  # holds a position in another agency
    }
    keys = {
        role: machine_accounts.create(
            name=role, scopes=scopes, created_by="test", agency_code="kota-contoh"
        )[0]
        for role, scopes in ((MACHINE, ["cases:read"]), (MACHINE_NO_SCOPE, ["open311"]))
    }
    return World(
        case=case,
        task=task,
        access_code=submission.access_code,
        officers=officers,
        applicant=applicant,
        keys=keys,
    )


# -- the policy itself -------------------------------------------------------------------

# role: (case access, may claim, may decide, may reassign)
POLICY_TABLE = {
    HOLDER: (FULL, True, True, False),
    PLT: (FULL, True, True, False),
    PLH: (FULL, True, True, False),
    HEAD: (MASKED, False, False, True),
    HEAD_ABOVE: (MASKED, False, False, True),
    SAME_AGENCY: (None, False, False, False),
    DPO: (None, False, False, False),
    OTHER_AGENCY: (None, False, False, False),
}


@pytest.mark.parametrize("role", OFFICER_ROLES)
def test_the_policy_answers_each_officer_role(world: World, role: str) -> None:
    access, claim, decide, reassign = POLICY_TABLE[role]
    reach = policy.reach_of(world.officers[role], timezone.now())
    assert policy.officer_case_access(reach, world.case) == access
    assert policy.may_view_case(reach, world.case) == (access is not None)
    assert policy.may_claim(reach, world.task) == claim
    assert policy.may_decide(reach, world.task) == decide
    assert policy.may_reassign(reach, world.task) == reassign


@pytest.mark.parametrize("role", OFFICER_ROLES)
def test_reassigning_follows_the_policy_for_each_officer_role(world: World, role: str) -> None:
    reassign = POLICY_TABLE[role][3]
    task, assignee = world.task, world.officers[PLH]
    if not reassign:
        with pytest.raises(AuthorityError):
            services.reassign_task(task_id=task.pk, head=world.officers[role], assignee=assignee)
        task.refresh_from_db()
        assert task.claimed_by is None
    else:
        services.reassign_task(task_id=task.pk, head=world.officers[role], assignee=assignee)
        task.refresh_from_db()
        assert task.claimed_by == assignee


def test_the_applicant_side_of_the_policy(world: World) -> None:
    case = world.case
    assert policy.applicant_may_view(case, user=world.applicant)
    assert policy.applicant_may_view(case, proven=[case.tracking_number])
    assert not policy.applicant_may_view(case, user=make_applicant("other@example.id"))
    assert not policy.applicant_may_view(case, user=world.officers[HOLDER].user)
    assert not policy.applicant_may_view(case, proven=["LKT-OTHER"])
    assert not policy.applicant_may_view(case)


def test_a_machine_account_sees_cases_of_its_own_agency_masked(world: World) -> None:
    other_agency = world.officers[OTHER_AGENCY].agency.code
    _key, mine = machine_accounts.create(
        name="mine", scopes=["cases:read"], created_by="test", agency_code="kota-contoh"
    )
    _key, theirs = machine_accounts.create(
        name="theirs", scopes=["cases:read"], created_by="test", agency_code=other_agency
    )
    assert policy.machine_case_access(mine, world.case) == MASKED
    assert policy.machine_case_access(theirs, world.case) is None


# -- the API -----------------------------------------------------------------------------


def api_client(world: World, role: str) -> tuple[Client, dict[str, str]]:
    """A client and the headers the role would call the API with."""
    client = Client()
    if role in (ANONYMOUS, CODE_HOLDER):  # an access code is no credential for /cases
        return client, {}
    if role == APPLICANT:  # the applicant's session cookie is no bearer token
        client.force_login(world.applicant)
        return client, {}
    if role in world.keys:
        return client, {"Authorization": f"Bearer {world.keys[role]}"}
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


# role: (GET /cases/{n}, NIK shown, POST claim, POST decision). The API has no reassign
# route: reassigning is the workspace's (and the service's, tested above).
API_TABLE = {
    HOLDER: (200, FULL_NIK, 200, 200),
    PLT: (200, FULL_NIK, 200, 200),
    PLH: (200, FULL_NIK, 200, 200),
    HEAD: (200, MASKED_NIK, 403, 403),
    HEAD_ABOVE: (200, MASKED_NIK, 403, 403),
    SAME_AGENCY: (403, None, 403, 403),
    DPO: (403, None, 403, 403),
    OTHER_AGENCY: (404, None, 404, 404),
    MACHINE: (200, MASKED_NIK, 401, 401),
    MACHINE_NO_SCOPE: (403, None, 401, 401),
    APPLICANT: (401, None, 401, 401),
    CODE_HOLDER: (401, None, 401, 401),
    ANONYMOUS: (401, None, 401, 401),
}
CAPACITY = {PLT: "plt", PLH: "plh"}


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
        assert task.decided_capacity == CAPACITY.get(role, "definitive")
    else:
        assert task.status == TaskStatus.OPEN and task.claimed_by is None


# role: GET /applications/{n} (the applicant's side of the API), never with the full NIK
APPLICATION_TABLE = {
    APPLICANT: 200,
    CODE_HOLDER: 200,
    ANONYMOUS: 404,
    MACHINE: 404,
}


@pytest.mark.parametrize("role", list(APPLICATION_TABLE))
def test_api_shows_the_application_to_its_applicant_only(world: World, role: str) -> None:
    client, headers = api_client(world, role)
    if role == CODE_HOLDER:
        headers = {"X-Access-Code": world.access_code}
    response = client.get(f"/api/v1/applications/{world.case.tracking_number}", headers=headers)
    assert response.status_code == APPLICATION_TABLE[role], response.content
    assert FULL_NIK not in response.content.decode()


def workspace_client(world: World, role: str) -> Client:
    client = Client()
    if role == APPLICANT:
        client.force_login(world.applicant)
    elif role == CODE_HOLDER:
        prove_access_code(client, world)
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


def prove_access_code(client: Client, world: World) -> None:
    response = client.post(
        "/lacak/",
        {"tracking_number": world.case.tracking_number, "access_code": world.access_code},
    )
    assert response.status_code == 302, response.content


# role: (task page, NIK shown, document, reassign page, claim+decide takes the task,
# the DPO's personal-data audit page)
WORKSPACE_TABLE = {
    HOLDER: (200, FULL_NIK, 200, 403, True, 403),
    PLT: (200, FULL_NIK, 200, 403, True, 403),
    PLH: (200, FULL_NIK, 200, 403, True, 403),
    HEAD: (200, MASKED_NIK, 404, 200, False, 403),
    HEAD_ABOVE: (200, MASKED_NIK, 404, 200, False, 403),
    SAME_AGENCY: (404, None, 404, 404, False, 403),
    DPO: (404, None, 404, 404, False, 200),
    OTHER_AGENCY: (404, None, 404, 404, False, 403),
    APPLICANT: (403, None, 403, 403, False, 403),
    CODE_HOLDER: (302, None, 302, 302, False, 302),
    ANONYMOUS: (302, None, 302, 302, False, 302),
}


@pytest.mark.parametrize("role", list(WORKSPACE_TABLE))
def test_workspace_answers_each_role_as_the_policy_says(world: World, role: str) -> None:
    page, nik, document, reassign, decides, audit = WORKSPACE_TABLE[role]
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
    assert client.get("/workspace/audit/personal-data/").status_code == audit

    client.post(f"/workspace/tasks/{task.pk}/claim/")
    client.post(f"/workspace/tasks/{task.pk}/decide/", {"d-decision": "approve"})
    task.refresh_from_db()
    if decides:
        assert task.status == TaskStatus.DONE and task.decided_by == world.officers[role]
        assert task.decided_capacity == CAPACITY.get(role, "definitive")
    else:
        assert task.status == TaskStatus.OPEN and task.claimed_by is None


# role: status of the portal's case page (/lacak/<n>/); 302 sends the visitor to the
# access-code form, whether or not the number exists. Officers have no standing there.
PORTAL_TABLE = {
    APPLICANT: 200,
    CODE_HOLDER: 200,
    HOLDER: 302,
    HEAD: 302,
    DPO: 302,
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
    else:
        assert world.case.tracking_number in body
