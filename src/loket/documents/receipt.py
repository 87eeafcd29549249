"""The application receipt (bukti pendaftaran) as a printable PDF with a QR code.

Like the "bukti pendaftaran" of OSS and MPP Digital: who received what and when,
the tracking number large enough to read over the phone, what happens next and
how to follow the application. The QR code carries the tracking page's address.
It holds no NIK and no access code: a receipt gets printed, photographed and
left on counters, and the access code is the applicant's secret.

Fixed text is Bahasa Indonesia with an English line under each heading, since
the applicant chose their language but the office reading it works in Indonesian.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from loket.documents.pdf import _STYLES, QrCode, _e, _register_fonts, letterhead


@dataclass(frozen=True)
class ReceiptContent:
    """Everything printed on a receipt; public data of the application only."""

    agency_name: str
    unit_name: str
    tracking_number: str
    service_name: str
    applicant_name: str
    submitted_at: str  # "05-12-2026 14:30 WIB": formatted in the agency's zone by the caller
    due_by: str  # "" until the application is declared complete
    track_url: str  # what the QR code carries
    recover_url: str  # where a lost access code is replaced
    next_steps: list[tuple[str, str]] = field(default_factory=list)  # (step, who · how long)
    fee: str = ""
    contact: str = ""
    language: str = "id"
    crest_png: bytes = b""


def render_receipt(content: ReceiptContent) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Bukti Pendaftaran {content.tracking_number}",
        author=content.agency_name,
        subject=content.service_name,
        creator="Loket",
        lang="id-ID",
        invariant=True,
    )
    doc.build(
        [
            *letterhead(
                agency_name=content.agency_name,
                unit_name=content.unit_name,
                lines=[content.contact],
                crest_png=content.crest_png,
            ),
            Spacer(1, 5 * mm),
            Paragraph("BUKTI PENDAFTARAN PERMOHONAN", _STYLES["title"]),
            Paragraph("<i>Application receipt</i>", _STYLES["number"]),
            Spacer(1, 5 * mm),
            _number_and_qr(content),
            Spacer(1, 5 * mm),
            _facts(content),
            Spacer(1, 5 * mm),
            *_next_steps(content),
            Spacer(1, 4 * mm),
            *_how_to_follow(content),
        ]
    )
    return buffer.getvalue()


def _number_and_qr(content: ReceiptContent) -> Table:
    number = [
        Paragraph("Nomor pendaftaran / <i>Tracking number</i>", _STYLES["small"]),
        Paragraph(f"<b>{_e(content.tracking_number)}</b>", _STYLES["agency"]),
        Spacer(1, 2 * mm),
        Paragraph(
            "Simpan bukti ini. Sebutkan nomor pendaftaran setiap kali menghubungi kami.",
            _STYLES["small"],
        ),
    ]
    qr: list[Flowable] = [
        QrCode(content.track_url, size=32 * mm),
        Paragraph("Pindai untuk memantau permohonan", _STYLES["small"]),
    ]
    table = Table([[number, qr]], colWidths=[None, 40 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
            ]
        )
    )
    return table


def _facts(content: ReceiptContent) -> Table:
    rows = [
        ("Layanan / Service", content.service_name),
        ("Pemohon / Applicant", content.applicant_name),
        ("Diterima / Received", content.submitted_at),
        ("Selesai paling lambat / Due by", content.due_by or "Dihitung sejak berkas dinyatakan "
         "lengkap oleh petugas (UU 30/2014 Pasal 53)."),
    ]  # fmt: skip
    if content.fee:
        rows.append(("Biaya / Fee", content.fee))
    data = [
        [Paragraph(_e(label), _STYLES["cell"]), Paragraph(_e(value), _STYLES["cell"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[55 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _next_steps(content: ReceiptContent) -> list[Flowable]:
    if not content.next_steps:
        return []
    parts: list[Flowable] = [
        Paragraph("<b>Tahap selanjutnya</b> / <i>What happens next</i>", _STYLES["body"])
    ]
    for index, (step, detail) in enumerate(content.next_steps, start=1):
        text = f"{index}. {_e(step)}" + (f" — {_e(detail)}" if detail else "")
        parts.append(Paragraph(text, _STYLES["cell"]))
    return parts


def _how_to_follow(content: ReceiptContent) -> list[Flowable]:
    lines = [
        "<b>Cara memantau</b> / <i>How to follow it</i>",
        f"Buka {_e(content.track_url)} atau pindai kode QR, lalu masukkan kode akses yang "
        "dikirim ke surel/SMS Anda. Kode akses tidak dicetak pada bukti ini.",
        f"Lupa kode akses? Minta kode baru di {_e(content.recover_url)}; kode dikirim ke "
        "kontak yang Anda berikan saat mendaftar.",
        "Anda akan diberi tahu melalui surel/SMS pada setiap tahap.",
    ]
    if content.contact:
        lines.append(f"Pertanyaan: {_e(content.contact)}")
    return [Paragraph(line, _STYLES["body"]) for line in lines]
