"""Cases built the way applicants make them: `services.submit` on a minimal service.

For a test that needs one case and the officers around it, not the whole demo agency
(a dozen officers, three services with their histories): `make_case()` publishes a
one-task service (`pemeriksaan` by a front-office position, then the end) in a fresh agency with two
holders and a unit head, and submits one application through the engine.

    world = make_case()                       # case at its task, holder and head ready
    services.decide(task_id=world.task.pk, officer=world.holder, decision="approve")
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from loket.cases import services
from loket.cases.intake import Applicant
from loket.cases.models import Case, Task, TaskStatus
from loket.catalog.models import ServiceVersion
from loket.catalog.services import publish_text
from loket.org.models import Agency, Capacity, Officer, Position, Unit
from tests.org.factories import (
    AgencyFactory,
    AppointmentFactory,
    OfficerFactory,
    PositionFactory,
    UnitFactory,
)

# A valid NIK: Kota Bandung (32 73 05), a woman born 15-04-1990, serial 0003.
NIK = "3273055504900003"
_SEQUENCE = itertools.count(1)

MINIMAL_SERVICE = """\
code: {code}
name: {{id: Surat Keterangan Contoh, en: Sample Certificate}}
agency: {agency}
unit: {unit}
description: {{id: Layanan contoh untuk pengujian., en: A sample service for tests.}}
legal_basis:
  - Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik
requirements:
  data:
    - name: keperluan
      type: text
      label: {{id: Keperluan, en: Purpose}}
      max_length: 200
  documents: []
fee:
  amount: 0
deadline:
  working_days: 5
product:
  document_type: {{id: Surat Keterangan Contoh, en: Sample Certificate}}
  number_pattern: "{{seq}}/SKC/{{year}}"
standard:
  complaint_channel: {{id: Menu Pengaduan di Loket., en: Loket's complaint page.}}
  facilities: {{id: Ruang tunggu., en: Waiting room.}}
  officer_competence: {{id: Terlatih., en: Trained.}}
  internal_supervision: {{id: Kepala bidang., en: The head of the division.}}
  number_of_officers: {{id: 2 orang., en: 2 people.}}
  service_guarantee: {{id: 5 hari kerja., en: 5 working days.}}
  security_guarantee: {{id: Data pribadi dilindungi., en: Personal data is protected.}}
  performance_evaluation: {{id: Setiap tahun., en: Every year.}}
steps:
  - id: pemeriksaan
    kind: task
    name: {{id: Pemeriksaan berkas, en: File check}}
    position: {position}
    deadline: {{working_days: 2}}
{task_extra}    actions:
      approve: selesai
      return: perbaikan
      reject: ditolak
  - id: perbaikan
    kind: applicant
    name: {{id: Perbaikan oleh pemohon, en: Applicant corrects}}
    deadline: {{working_days: 5}}
    next: pemeriksaan
  - id: selesai
    kind: end
    outcome: approved
    name: {{id: Selesai, en: Completed}}
  - id: ditolak
    kind: end
    outcome: rejected
    name: {{id: Ditolak, en: Rejected}}
"""


@dataclass
class ServiceWorld:
    """A fresh agency, the minimal service published there, and the people who work it."""

    service_code: str
    agency: Agency
    unit: Unit
    position: Position  # the position that decides the task (two holders)
    holder: Officer  # holds it definitively
    colleague: Officer  # holds it too
    head: Officer  # heads its unit


@dataclass
class CaseWorld(ServiceWorld):
    """One submitted case, at its task, and the people around it."""

    case: Case
    task: Task
    access_code: str


def publish_minimal_service(
    *, agency: Agency, unit: Unit, position: Position, code: str = "", task_extra: str = ""
) -> ServiceVersion:
    """Publish the one-task service for `position`; returns its version. `task_extra` adds
    YAML lines to the task step (indented four spaces), e.g. "    strategic: true\n"."""
    text = MINIMAL_SERVICE.format(
        code=code or f"layanan-uji-{next(_SEQUENCE)}",
        agency=agency.code,
        unit=unit.code,
        position=position.code,
        task_extra=task_extra,
    )
    return publish_text(text, "tests/cases/factories.py").version


def appoint(officer: Officer, position: Position, capacity: Capacity = Capacity.DEFINITIVE) -> None:
    AppointmentFactory(
        officer=officer, position=position, capacity=capacity, start_date=dt.date(2024, 1, 2)
    )


def make_service(*, task_extra: str = "") -> ServiceWorld:
    """A fresh agency with a unit, its head and two front-office holders, and the minimal
    service published there (`task_extra`: see publish_minimal_service)."""
    agency = AgencyFactory()
    unit = UnitFactory(agency=agency)
    head_position = PositionFactory(unit=unit, is_head=True, title="Kepala Bidang")
    position = PositionFactory(unit=unit, title="Petugas Front Office", is_single_holder=False)
    holder, colleague, head = (OfficerFactory(agency=agency) for _ in range(3))
    appoint(holder, position)
    appoint(colleague, position)
    appoint(head, head_position)
    version = publish_minimal_service(
        agency=agency, unit=unit, position=position, task_extra=task_extra
    )
    return ServiceWorld(
        service_code=version.service.code,
        agency=agency,
        unit=unit,
        position=position,
        holder=holder,
        colleague=colleague,
        head=head,
    )


def submit_application(
    service_code: str,
    *,
    data: dict[str, Any] | None = None,
    applicant: Applicant | None = None,
    user: AbstractBaseUser | None = None,
    idempotency_key: str = "",
) -> services.Submission:
    """One application to the minimal service, through the engine's own operation."""
    return services.submit(
        service_code=service_code,
        applicant=applicant
        or Applicant(name="Sri Wahyuni", nik=NIK, email="sri@example.id", language="id"),
        data={"keperluan": "Pembukaan rekening bank"} if data is None else data,
        documents={},
        user=user,
        idempotency_key=idempotency_key,
    )


def make_case(
    *,
    task_extra: str = "",
    data: dict[str, Any] | None = None,
    applicant: Applicant | None = None,
    user: AbstractBaseUser | None = None,
) -> CaseWorld:
    """`make_service()` and one application submitted to it, waiting at its task."""
    world = make_service(task_extra=task_extra)
    submission = submit_application(world.service_code, data=data, applicant=applicant, user=user)
    task = Task.objects.get(case=submission.case, status=TaskStatus.OPEN)
    return CaseWorld(
        **vars(world), case=submission.case, task=task, access_code=submission.access_code
    )
