"""Objective evidence (bukti dukung) for one officer's SKP: quantity, quality, time.

Loket never computes the SKP predikat: the superior decides in e-Kinerja
(PermenPANRB 6/2022). It supplies the figures behind the three aspects for one
officer and month, as CSV and as a PDF signed with the agency's key, for the
officer's superiors only (see ``is_superior``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict
from xml.sax.saxutils import escape

import reportlab
from django.db.models import Count, F, Q
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from loket.cases.models import Decision, Task
from loket.insights.kpi import ACTING_CAPACITIES, Period
from loket.org.models import Officer

_FONT, _FONT_BOLD = "LoketSkpVera", "LoketSkpVeraBd"


@dataclass(frozen=True)
class Evidence:
    """One officer's figures for one month: counts only, no applicant data."""

    officer_name: str
    nip: str
    month: dt.date
    positions: tuple[str, ...]
    decided: int
    approved: int
    rejected: int
    returned: int
    with_due: int
    on_time: int
    escalated: int
    acting: int
    overturned: int
    complaints: int

    def percent(self, part: int, whole: int) -> float | None:
        return None if whole == 0 else round(100 * part / whole, 1)

    def rows(self) -> list[tuple[str, str, str, int | float | None, str]]:
        """(aspect, code, indicator, value, definition) in Bahasa Indonesia, as filed."""
        return [
            ("kuantitas", "tugas_diputus", "Tugas diputus", self.decided,
             "Tugas yang diputus pegawai dalam bulan ini (setuju, tolak, kembalikan)."),
            ("kuantitas", "disetujui", "Disetujui", self.approved, "Keputusan setuju."),
            ("kuantitas", "ditolak", "Ditolak", self.rejected, "Keputusan tolak."),
            ("kuantitas", "dikembalikan", "Dikembalikan untuk perbaikan", self.returned,
             "Keputusan mengembalikan berkas kepada pemohon."),
            ("kualitas", "keputusan_dibatalkan", "Persetujuan yang dikoreksi", self.overturned,
             "Persetujuan pegawai yang kemudian dikembalikan atau ditolak pada tahap "
             "berikutnya permohonan yang sama."),
            ("kualitas", "pengaduan_terkait", "Pengaduan atas permohonan yang diputus",
             self.complaints,
             "Pengaduan yang diajukan atas permohonan yang diputus pegawai bulan ini."),
            ("waktu", "tepat_waktu", "Tugas diputus tepat waktu", self.on_time,
             "Tugas berbatas waktu yang diputus paling lambat pada batas waktunya."),
            ("waktu", "persen_tepat_waktu", "Persentase tepat waktu (K8)",
             self.percent(self.on_time, self.with_due),
             "Tepat waktu ÷ tugas berbatas waktu yang diputus × 100 %."),
            ("waktu", "eskalasi", "Tugas yang dieskalasi", self.escalated,
             "Tugas yang melewati batas waktu dan dieskalasi kepada kepala unit."),
            ("kewenangan", "porsi_plt_plh", "Porsi keputusan sebagai Plt/Plh (K9, %)",
             self.percent(self.acting, self.decided),
             "Keputusan dalam kapasitas Plt atau Plh ÷ seluruh keputusan × 100 %."),
        ]  # fmt: skip


def evidence(*, officer: Officer, period: Period, month: dt.date) -> Evidence:
    """The officer's evidence for the month (three queries, whatever the volume)."""
    decided = Task.objects.filter(
        decided_by=officer, decided_at__gte=period.start, decided_at__lt=period.end
    )
    rows = list(
        decided.values_list(
            "case_id", "decided_at", "decision", "due_at", "decided_capacity", "escalated_at",
            "position__title",
        )
    )  # fmt: skip
    approvals = [
        (case, at)
        for case, at, decision, *_ in rows
        if decision == Decision.APPROVE and at is not None
    ]
    return Evidence(
        officer_name=officer.name,
        nip=officer.nip,
        month=month,
        positions=tuple(sorted({r[6] for r in rows})),
        decided=len(rows),
        approved=len(approvals),
        rejected=sum(1 for r in rows if r[2] == Decision.REJECT),
        returned=sum(1 for r in rows if r[2] == Decision.RETURN),
        with_due=sum(1 for r in rows if r[3] is not None),
        on_time=sum(1 for r in rows if r[1] is not None and r[3] is not None and r[1] <= r[3]),
        escalated=sum(1 for r in rows if r[5] is not None),
        acting=sum(1 for r in rows if (r[4] or "").lower() in ACTING_CAPACITIES),
        overturned=_overturned(approvals),
        complaints=_complaints_on({r[0] for r in rows}),
    )


def _overturned(approvals: list[tuple[int, dt.datetime]]) -> int:
    """Approvals followed, on the same case, by a later return or rejection."""
    if not approvals:
        return 0
    later = Task.objects.filter(
        case_id__in={case for case, _ in approvals},
        decision__in=(Decision.RETURN, Decision.REJECT),
    ).values_list("case_id", "decided_at")
    reversals: dict[int, list[dt.datetime]] = {}
    for case, at in later:
        if at is not None:
            reversals.setdefault(case, []).append(at)
    return sum(1 for case, at in approvals if any(other > at for other in reversals.get(case, ())))


def _complaints_on(case_ids: Iterable[int]) -> int:
    from loket.complaints.selectors import count_on_cases

    return count_on_cases(list(case_ids))


def is_superior(*, superior: Officer, officer: Officer, headed_unit_ids: Iterable[int]) -> bool:
    """Whether `superior` heads a unit (or one above it) where `officer` holds or held a
    position. Nobody is their own superior."""
    if superior.pk == officer.pk or superior.agency_id != officer.agency_id:
        return False
    from loket.org.models import Appointment

    units = set(
        Appointment.objects.filter(officer=officer).values_list("position__unit_id", flat=True)
    )
    return bool(units & set(headed_unit_ids))


class PersonFigures(TypedDict):
    officer_id: int
    name: str
    decided: int
    on_time_percent: float | None
    acting_percent: float


def unit_officers(*, unit_ids: Iterable[int], period: Period) -> list[PersonFigures]:
    """People section: per officer who decided tasks of the units' services in the month,
    decisions, K8 and K9. Sorted by name: no league table (one query)."""
    rows = (
        Task.objects.filter(
            Q(case__service__unit_id__in=list(unit_ids)),
            decided_at__gte=period.start,
            decided_at__lt=period.end,
            decided_by__isnull=False,
        )
        .values("decided_by_id", "decided_by__name")
        .annotate(
            decided=Count("pk"),
            with_due=Count("pk", filter=Q(due_at__isnull=False)),
            on_time=Count("pk", filter=Q(due_at__isnull=False, decided_at__lte=F("due_at"))),
            acting=Count("pk", filter=Q(decided_capacity__in=list(ACTING_CAPACITIES))),
        )
        .order_by("decided_by__name")
    )
    return [
        PersonFigures(
            officer_id=r["decided_by_id"],
            name=r["decided_by__name"],
            decided=r["decided"],
            on_time_percent=None
            if not r["with_due"]
            else round(100 * r["on_time"] / r["with_due"], 1),
            acting_percent=round(100 * r["acting"] / r["decided"], 1),
        )
        for r in rows
    ]


# -- downloads ------------------------------------------------------------------------------


def to_csv(item: Evidence) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nama", "nip", "bulan", "aspek", "kode", "indikator", "nilai", "definisi"])
    for aspect, code, label, value, definition in item.rows():
        writer.writerow([
            item.officer_name, item.nip, f"{item.month:%Y-%m}", aspect, code, label,
            "" if value is None else value, definition,
        ])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _fonts() -> None:
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    font_dir = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(_FONT, str(font_dir / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(font_dir / "VeraBd.ttf")))


def to_pdf(item: Evidence, *, agency_name: str, generated_at: dt.datetime) -> bytes:
    """The evidence as an unsigned PDF (``signed_pdf`` signs it)."""
    _fonts()
    base = ParagraphStyle("base", fontName=_FONT, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", parent=base, fontName=_FONT_BOLD, fontSize=13, leading=17)
    positions = ", ".join(escape(p) for p in item.positions) or "–"
    story: list[object] = [
        Paragraph("Bukti Dukung Kinerja Pegawai (SKP)", heading),
        Paragraph(escape(agency_name), base),
        Paragraph(f"Nama: {escape(item.officer_name)} — NIP {escape(item.nip)}", base),
        Paragraph(f"Jabatan yang memutus: {positions}", base),
        Paragraph(f"Periode: {item.month:%m/%Y}; dibuat {generated_at:%d-%m-%Y %H:%M %Z}", base),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[object]] = [["Aspek", "Indikator", "Nilai", "Definisi"]]
    for aspect, _code, label, value, definition in item.rows():
        shown = "–" if value is None else str(value)
        rows.append([aspect, Paragraph(escape(label), base), shown, Paragraph(definition, base)])
    table = Table(rows, colWidths=[22 * mm, 48 * mm, 16 * mm, 88 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _FONT),
                ("FONTNAME", (0, 0), (-1, 0), _FONT_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 4 * mm),
        Paragraph(
            "Angka dihitung dari riwayat tugas yang tercatat di Loket. Loket tidak menetapkan "
            "predikat kinerja: penilaian ada pada atasan (PermenPANRB 6/2022).",
            base,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title="Bukti Dukung SKP", author=agency_name, invariant=True,
        leftMargin=18 * mm, rightMargin=18 * mm,
    ).build(story)  # fmt: skip
    return buffer.getvalue()


def signed_pdf(item: Evidence, *, agency_code: str, agency_name: str, now: dt.datetime) -> bytes:
    """The evidence PDF signed (PAdES) with the agency's key: a superior can file it and
    anyone can check it was not changed."""
    from loket.documents import signing

    body = to_pdf(item, agency_name=agency_name, generated_at=now)
    with signing.agency_signer(agency_code, agency_name) as signer:
        return signing.sign_pdf(
            body, signer=signer, reason="Bukti dukung SKP", location=agency_name
        )
