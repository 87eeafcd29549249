"""A year of varied application history for the demo agency, so every figure is real.

Driven through the real case engine (submit, decide, resubmit): on time, late,
returned, rejected, and a few decisions at night for the anomaly rules.
Deterministic and idempotent: once its cases exist, a second run does nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from loket.calendar.workingtime import add_working_hours, is_working_day
from loket.cases import services as cases
from loket.cases.intake import Applicant
from loket.cases.models import Case, IdempotencyKey, Task, TaskStatus
from loket.insights import services
from loket.org.models import Agency, Officer

SERVICE = "izin-usaha-mikro"
# Marks the history's cases, so a second run (or other demo cases) is recognised.
DEMO_EMAIL = "riwayat-demo@example.id"
HISTORY_CLIENT = "demo-history"
KEY_PREFIX = "demo-history-"
# Valid NIKs of the kind the demo uses elsewhere (Kota Bandung, fictitious people).
NIKS = ["3273055504900003", "3273051201850001", "3273054708920002", "3273050303880004"]
STEPS = (
    ("verifikasi-berkas", "andi"),
    ("kajian-teknis", "siti"),
    ("persetujuan", "dewi"),
)


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 180, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("foto.png", buffer.getvalue(), content_type="image/png")


def _morning(agency: Agency, day: dt.date) -> dt.datetime:
    while not is_working_day(agency, day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _decide(case: Case, step: str, who: str, decision: str, at: dt.datetime) -> None:
    task = Task.objects.get(case=case, step_id=step, status=TaskStatus.OPEN)
    officer = Officer.objects.get(user__username=who)
    reason = "" if decision == "approve" else "Foto lokasi kurang jelas, mohon unggah ulang."
    cases.decide(task_id=task.pk, officer=officer, decision=decision, reason=reason, now=at)


def _submit(agency: Agency, start: dt.datetime, rng: random.Random, key: str) -> Case:
    return cases.submit(
        service_code=SERVICE,
        applicant=Applicant(name="Pemohon Demo", nik=rng.choice(NIKS), email=DEMO_EMAIL),
        data={
            "nama_usaha": "Usaha Demo",
            "bidang_usaha": "kuliner",
            "alamat_usaha": "Jl. Contoh No. 1, Kota Contoh",
            "modal_usaha": 25_000_000,
            "hasil_penjualan_tahunan": 150_000_000,
        },
        documents={"ktp": _png(), "foto_lokasi": _png()},
        # The key marks the demo's cases (names and e-mails are encrypted, so they
        # cannot be looked up) and makes a second run find them instead of adding more.
        idempotency_key=key,
        client=HISTORY_CLIENT,
        now=start,
    ).case


def _one_case(agency: Agency, start: dt.datetime, rng: random.Random, key: str) -> None:
    case = _submit(agency, start, rng, key)
    moment = add_working_hours(agency, start, 1)
    kind = rng.choices(["fast", "slow", "returned", "rejected", "night"], [5, 2, 2, 1, 0.3])[0]
    for step, who in STEPS:
        hours = rng.uniform(2, 10) if kind != "slow" else rng.uniform(12, 20)
        moment = add_working_hours(agency, moment, hours)
        if kind == "returned" and step == "kajian-teknis":
            _decide(case, step, who, "return", moment)
            moment = add_working_hours(agency, moment, rng.uniform(8, 24))
            cases.resubmit(case_id=case.pk, data={"alamat_usaha": "Jl. Contoh No. 2"}, now=moment)
            moment = add_working_hours(agency, moment, 1)
            _decide(case, "verifikasi-berkas", "andi", "approve", moment)
            moment = add_working_hours(agency, moment, 2)
        if kind == "night" and step == "persetujuan":
            moment = moment.replace(hour=22)
        decision = "reject" if kind == "rejected" and step == "persetujuan" else "approve"
        _decide(case, step, who, decision, moment)
    if decision == "approve":
        # The worker issues the licence; the history does it at once, on its own clock.
        cases.issue(case_id=case.pk, now=moment)


def load_performance_history(*, now: dt.datetime | None = None, per_month: int = 4) -> int:
    """Create `per_month` cases in each of the last twelve months; returns how many."""
    agency = Agency.objects.filter(services__code=SERVICE).first()
    if agency is None or IdempotencyKey.objects.filter(key__startswith=KEY_PREFIX).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(15)  # noqa: S311  (demo data, not security)
    created = 0
    month = services.month_of(now)
    for _ in range(12):
        month = services.previous_month(month)
        for index in range(per_month):
            start = _morning(agency, month + dt.timedelta(days=2 + 6 * index))
            _one_case(agency, start, rng, f"{KEY_PREFIX}{month:%Y-%m}-{index}")
            created += 1
    for _ in range(13):
        services.refresh_recent(now=timezone.make_aware(dt.datetime.combine(month, dt.time(12))))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return created


# Work in progress on the demo's first start: the history above is all closed, so
# without these the queues, the tracking pages and "waiting for you" would be bare.
CURRENT_KEY_PREFIX = "demo-current-"
# state -> the steps decided (approve unless named) before the case is left there
CURRENT_WORK: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("submitted", ()),
    ("claimed", ()),
    ("review", (("verifikasi-berkas", "approve"),)),
    ("returned", (("verifikasi-berkas", "approve"), ("kajian-teknis", "return"))),
    ("approval", (("verifikasi-berkas", "approve"), ("kajian-teknis", "approve"))),
    (
        "approved",
        (
            ("verifikasi-berkas", "approve"),
            ("kajian-teknis", "approve"),
            ("persetujuan", "approve"),
        ),
    ),
    ("cancelled", ()),
)


def load_current_work(*, now: dt.datetime | None = None) -> int:
    """One case in each state of the demo service, submitted in the last working days.

    Left waiting for verification, claimed by andi, at technical review, returned to
    the applicant, waiting for the head's approval, approved with its licence, and
    withdrawn by the applicant. Idempotent like the history. Returns how many it made.
    """
    agency = Agency.objects.filter(services__code=SERVICE).first()
    if agency is None or IdempotencyKey.objects.filter(key__startswith=CURRENT_KEY_PREFIX).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(17)  # noqa: S311  (demo data, not security)
    made = 0
    for index, (state, decisions) in enumerate(CURRENT_WORK):
        start = _morning(agency, (now - dt.timedelta(days=8 - index)).date())
        if start >= now:  # never in the future (a demo started before nine on a Monday)
            start = now - dt.timedelta(hours=len(CURRENT_WORK) - index)
        case = _submit(agency, start, rng, f"{CURRENT_KEY_PREFIX}{state}")
        moment = start
        for step, decision in decisions:
            moment = min(add_working_hours(agency, moment, rng.uniform(1, 3)), now)
            who = dict(STEPS)[step]
            _decide(case, step, who, decision, moment)
        if state == "approved":  # issued at once, like the history (the worker would)
            cases.issue(case_id=case.pk, now=moment)
        if state == "claimed":
            task = Task.objects.get(case=case, status=TaskStatus.OPEN)
            cases.claim_task(
                task_id=task.pk, officer=Officer.objects.get(user__username="andi"), now=start
            )
        if state == "cancelled":
            cases.cancel(case_id=case.pk, reason="Pemohon mengurungkan permohonan.", now=start)
        made += 1
    services.refresh_recent(now=now)
    return made
