"""Every read of an applicant's full personal data leaves an audit line the DPO can read."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from loket.cases.models import AuditLog, Case, PersonalDataRead, Task, TaskStatus
from loket.org.models import Officer
from loket.workspace.otp import confirmed_devices
from tests.cases.conftest import NIK, post_application

pytestmark = pytest.mark.django_db


def officer(username: str) -> Officer:
    return Officer.objects.select_related("user").get(user__username=username)


def workspace(username: str) -> Client:
    client = Client()
    user = officer(username).user
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_devices(user)[0].persistent_id
    session.save()
    return client


def submitted(client: Client) -> tuple[Case, Task]:
    number = post_application(client).json()["tracking_number"]
    case = Case.objects.get(tracking_number=number)
    return case, Task.objects.get(case=case, status=TaskStatus.OPEN)


def make_dpo(username: str = "bambang") -> Client:
    user = officer(username).user
    user.user_permissions.add(Permission.objects.get(codename="view_personaldataread"))
    return workspace(username)


def test_api_read_in_full_is_audited_with_who_which_case_and_channel(
    demo: Any, client: Client, token_for: Any
) -> None:
    case, _task = submitted(client)
    response = client.get(f"/api/v1/cases/{case.tracking_number}", headers=token_for("andi"))
    assert response.json()["applicant"]["nik"] == NIK
    [line] = PersonalDataRead.objects.all()
    assert line.officer == officer("andi")
    assert line.case == case and line.tracking_number == case.tracking_number
    assert line.channel == "api"
    assert line.reader == f"Andi Pratama, S.Kom. (NIP {officer('andi').nip})"


def test_masked_read_by_a_supervising_head_leaves_no_read_line(
    demo: Any, client: Client, token_for: Any
) -> None:
    case, _task = submitted(client)
    body = client.get(f"/api/v1/cases/{case.tracking_number}", headers=token_for("dewi")).json()
    assert body["applicant"]["nik"] == "3273********0003"
    assert (
        body["applicant"]["phone"].endswith("890") and "1234567" not in body["applicant"]["phone"]
    )
    assert body["applicant"]["email"] == "s**@example.id"
    assert not PersonalDataRead.objects.exists()


def test_refused_api_read_is_kept_in_the_audit_log(
    demo: Any, client: Client, token_for: Any
) -> None:
    case, _task = submitted(client)
    response = client.get(f"/api/v1/cases/{case.tracking_number}", headers=token_for("rudi"))
    assert response.status_code == 403
    assert response.json()["type"].endswith("case_outside_reach")
    refusal = AuditLog.objects.get(action="read_case")
    assert refusal.officer == officer("rudi")
    assert case.tracking_number in refusal.target
    assert not PersonalDataRead.objects.exists()


def test_workspace_page_and_document_downloads_are_audited(demo: Any, client: Client) -> None:
    case, task = submitted(client)
    andi = workspace("andi")
    assert andi.get(f"/workspace/tasks/{task.pk}/").status_code == 200
    ktp = case.documents.get(name="ktp")
    response = andi.get(f"/workspace/tasks/{task.pk}/documents/{ktp.pk}/")
    assert response.status_code == 200
    lines = list(PersonalDataRead.objects.order_by("pk"))
    assert [line.channel for line in lines] == ["workspace", "document"]
    assert all(line.officer == officer("andi") and line.case == case for line in lines)
    assert lines[1].detail == "ktp (revision 0)"


def test_dpo_page_lists_reads_filtered_by_officer_and_case(demo: Any, client: Client) -> None:
    first, first_task = submitted(client)
    second, second_task = submitted(client)
    workspace("andi").get(f"/workspace/tasks/{first_task.pk}/")
    workspace("rina").get(f"/workspace/tasks/{second_task.pk}/")
    dpo = make_dpo()

    everything = dpo.get("/workspace/audit/personal-data/")
    assert everything.status_code == 200
    assert [line.tracking_number for line in everything.context["page"].object_list] == [
        second.tracking_number,
        first.tracking_number,
    ]
    by_officer = dpo.get(f"/workspace/audit/personal-data/?officer={officer('andi').pk}")
    assert [line.tracking_number for line in by_officer.context["page"].object_list] == [
        first.tracking_number
    ]
    by_case = dpo.get(f"/workspace/audit/personal-data/?case={second.tracking_number.lower()}")
    [line] = by_case.context["page"].object_list
    assert line.officer == officer("rina")
    assert "Rina Wulandari" in by_case.content.decode()


def test_dpo_page_is_read_only_and_for_the_dpo_alone(demo: Any) -> None:
    assert workspace("andi").get("/workspace/audit/personal-data/").status_code == 403
    assert Client().get("/workspace/audit/personal-data/").status_code == 302
    dpo = make_dpo()
    assert dpo.post("/workspace/audit/personal-data/").status_code == 405


def test_dpo_page_answers_a_bad_filter_without_an_error(demo: Any) -> None:
    response = make_dpo().get("/workspace/audit/personal-data/?officer=x&case=%3Cscript%3E")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"officer", "case"}
    assert "<script>" not in response.content.decode()
