"""Demo complaints: the demo agency's categories and a history in every state.

Driven through the public operations with moments in the past, so deadlines, pauses,
escalations and the ledger are as real as a year of use would make them. Idempotent:
an agency that already has complaints gets none added.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from loket.complaints import ports, services
from loket.complaints.categories import load_dir
from loket.complaints.models import Complaint, Tier
from loket.org.models import Agency, Officer, Position


@dataclass(frozen=True)
class Story:
    category: str
    text: str
    steps: tuple[str, ...]  # what happens after filing, in order
    days_ago: int
    anonymous: bool = False
    confidential: bool = False
    attributes: tuple[tuple[str, Any], ...] = ()


STORIES = [
    Story(
        "pelayanan-perizinan",
        "Permohonan izin usaha mikro saya sudah lewat dua minggu belum ada kabar.",
        (),
        0,
        attributes=(("jenis_masalah", "terlambat"),),
    ),
    Story(
        "reklame-liar",
        "Baliho di perempatan Jl. Merdeka menutup rambu dilarang berhenti.",
        (),
        12,
        anonymous=True,
        attributes=(("kondisi", ["menutup_rambu"]),),
    ),
    Story(
        "pelayanan-kelurahan",
        "Antrean surat keterangan domisili dibuka terlambat satu jam.",
        ("ask",),
        6,
    ),
    Story(
        "pajak-daerah", "Tagihan PBB saya tercatat dua kali untuk objek yang sama.", ("verify",), 3
    ),
    Story(
        "pelayanan-perizinan",
        "Petugas meminta biaya tambahan untuk mempercepat izin.",
        ("verify:berkadar", "forward"),
        8,
        confidential=True,
        attributes=(("jenis_masalah", "pungutan"),),
    ),
    Story(
        "reklame-liar",
        "Papan reklame rusak dan hampir roboh di depan SD Negeri 3.",
        ("verify", "follow_up"),
        15,
        anonymous=True,
    ),
    Story(
        "pelayanan-kelurahan",
        "Jam layanan kelurahan tidak sesuai dengan yang diumumkan.",
        ("verify", "answer"),
        9,
    ),
    Story(
        "pajak-daerah",
        "Denda keterlambatan retribusi dihitung sejak tanggal yang salah.",
        ("verify", "answer", "accept"),
        30,
    ),
    Story(
        "pelayanan-perizinan",
        "Status permohonan di situs tidak berubah selama seminggu.",
        ("verify", "answer", "timer"),
        60,
        attributes=(("jenis_masalah", "lainnya"),),
    ),
    Story("pelayanan-kelurahan", "Jalan provinsi di depan kelurahan berlubang.", ("reject",), 20),
    Story(
        "pajak-daerah",
        "Nomor objek pajak saya berbeda di dua surat tagihan.",
        ("verify", "answer", "accept", "archive"),
        80,
    ),
    Story(
        "reklame-liar",
        "Spanduk kampanye terpasang di pohon peneduh.",
        ("verify", "answer", "reopen"),
        25,
    ),
]

ANSWER = (
    "Terima kasih atas laporan Anda. Petugas telah memeriksa di lapangan dan "
    "menindaklanjuti sesuai ketentuan; hasilnya kami sampaikan di sini."
)


def _officer(position_code: str, agency: Agency, now: dt.datetime) -> Officer:
    position = Position.objects.get(agency=agency, code=position_code)
    holding = ports.holders_at(position, now)
    officer: Officer = holding[0].officer
    return officer


def _tell(story: Story, agency: Agency, now: dt.datetime) -> Complaint:
    clock = now - dt.timedelta(days=story.days_ago)
    filing = services.file_complaint(
        agency_id=agency.pk,
        filed=services.Filed(
            category_code=story.category,
            description=story.text,
            attributes=dict(story.attributes),
            is_anonymous=story.anonymous,
            is_confidential=story.confidential,
            name="" if story.anonymous else "Warga Contoh",
            email="" if story.anonymous else "warga@example.id",
        ),
        now=clock,
    )
    complaint = filing.complaint
    policy = services.policy_of(agency.pk)
    admin = _officer(policy.admin_position.code, agency, now)
    for step in story.steps:
        clock += dt.timedelta(days=1)
        complaint.refresh_from_db()
        handler = _officer(complaint.position.code, agency, now)
        common: dict[str, Any] = {"complaint_id": complaint.pk, "now": clock}
        if step.startswith("verify"):
            tier = step.partition(":")[2] or Tier.LIGHT
            services.verify(**common, officer=admin, tier=tier)
        elif step == "ask":
            services.ask_information(
                **common, officer=admin, question="Mohon sebutkan tanggal dan jam kejadian."
            )
        elif step == "forward":
            target = Position.objects.get(agency=agency, code="kepala-dpmptsp")
            services.forward(
                **common,
                officer=handler,
                position_id=target.pk,
                reason="Dugaan pungutan liar: ditangani kepala dinas.",
            )
        elif step == "follow_up":
            services.start_follow_up(**common, officer=handler)
        elif step == "answer":
            services.answer(**common, officer=handler, text=ANSWER)
        elif step == "accept":
            services.reply(**common, text="Terima kasih.", is_satisfied=True)
        elif step == "reopen":
            services.reply(**common, text="Spanduk masih terpasang.", is_satisfied=False)
        elif step == "timer":
            services.close_unanswered(now=now)
        elif step == "reject":
            services.reject(
                **common,
                officer=admin,
                reason="Bukan kewenangan Pemerintah Kota Contoh: jalan provinsi.",
            )
        elif step == "archive":
            services.archive(**common, officer=admin)
    return complaint


def load_complaint_demo(agency: Agency, now: dt.datetime | None = None) -> int:
    """Load the category files and, once, the demo complaints; returns how many were added."""
    now = now or timezone.now()
    load_dir()
    if Complaint.objects.filter(agency=agency).exists() or not hasattr(agency, "complaint_policy"):
        return 0
    for story in STORIES:
        _tell(story, agency, now)
    services.escalate_overdue(now=now)
    return len(STORIES)
