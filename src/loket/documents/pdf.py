"""The issued document as a PDF: letterhead, number, applicant data, decision, QR, signer.

The document itself is in Bahasa Indonesia whatever the reader's interface
language: official documents of Indonesian agencies must be (UU 24/2009), so
its fixed text is not passed through gettext. Fonts (Bitstream Vera, shipped
with reportlab) are embedded so the file renders the same everywhere and can
be archived. Output is deterministic for the same input (reportlab's
invariant mode), which keeps tests and re-renders comparable.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# How an acting holder signs: "Plt. Kepala Dinas ...", "Plh. Kepala Dinas ...".
CAPACITY_PREFIX = {"definitive": "", "plt": "Plt. ", "plh": "Plh. "}


@dataclass(frozen=True)
class CertificateContent:
    """Everything printed on an issued document."""

    agency_name: str  # e.g. "Pemerintah Kota Contoh"
    unit_name: str  # e.g. "Dinas Penanaman Modal dan PTSP"
    agency_address: str
    document_type: str  # title, e.g. "Izin Usaha Mikro"
    number: str
    applicant_fields: list[tuple[str, str]]  # (label, value), public data only
    decision: str  # the operative text: what is granted, to whom
    place: str  # city where signed, e.g. "Kota Contoh"
    issued_on: date
    position_title: str
    officer_name: str
    officer_nip: str
    verification_url: str  # what the QR code carries: the page with the code in its query
    capacity: str = "definitive"  # definitive | plt | plh
    validity: str = ""
    agency_contact: str = ""  # phone, e-mail, website on one line
    signature_issuer: str = ""  # who issued the signing certificate, for the footer
    legal_basis: list[str] = field(default_factory=list)  # printed as "Dasar:"
    notes: list[str] = field(default_factory=list)
    verification_code: str = ""  # the holder's secret, printed for typing at /verify/
    watermark: str = ""  # drawn across every page (a signer's preview: "PRATINJAU")
    crest_png: bytes = b""  # the agency's lambang beside the letterhead (org.branding)


def indonesian_date(day: date) -> str:
    """23 November 2026."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def render_certificate(content: CertificateContent) -> bytes:
    """Render the document as an unsigned A4 PDF."""
    _register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=28 * mm,
        title=f"{content.document_type} {content.number}",
        author=content.agency_name,
        subject=content.document_type,
        creator="Loket",
        lang="id-ID",
        invariant=True,
    )
    story = [
        *_letterhead(content),
        Spacer(1, 6 * mm),
        Paragraph(f"<u>{_e(content.document_type.upper())}</u>", _STYLES["title"]),
        Paragraph(f"Nomor: {_e(content.number)}", _STYLES["number"]),
        Spacer(1, 6 * mm),
        *_legal_basis(content.legal_basis),
        _data_table(content.applicant_fields),
        Spacer(1, 6 * mm),
        Paragraph(_e(content.decision), _STYLES["body"]),
    ]
    if content.validity:
        story += [Spacer(1, 3 * mm), Paragraph(_e(content.validity), _STYLES["body"])]
    for note in content.notes:
        story += [Spacer(1, 2 * mm), Paragraph(_e(note), _STYLES["small"])]
    # Tight enough that a licence with four legal bases and seven fields keeps its
    # signature and QR code on the first page (tests/verify decode it there).
    story += [Spacer(1, 6 * mm), KeepTogether([_signature_block(content)])]
    doc.build(
        story,
        onFirstPage=lambda canvas, _doc: _footer(canvas, content),
        onLaterPages=lambda canvas, _doc: _footer(canvas, content),
    )
    return buffer.getvalue()


def footer_text(content: CertificateContent) -> str:
    """The electronic-signature notice printed at the foot of every page (BSrE practice)."""
    issuer = (
        f" yang diterbitkan oleh {content.signature_issuer}" if content.signature_issuer else ""
    )
    return (
        "Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik"
        f"{issuer}. Sesuai Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan "
        "Transaksi Elektronik Pasal 5 ayat (1), informasi elektronik dan/atau hasil "
        "cetaknya merupakan alat bukti hukum yang sah. Keaslian dokumen dapat diperiksa "
        f"dengan memindai kode QR atau di {_form_url(content)}{_with_code(content)}"
    )


def _form_url(content: CertificateContent) -> str:
    # The typed route: the form, without the code the QR's query string carries.
    return content.verification_url.split("?", 1)[0]


def _with_code(content: CertificateContent) -> str:
    if not content.verification_code:
        return ""
    return f" dengan kode verifikasi {content.verification_code}"


# -- layout -----------------------------------------------------------------

_FONT, _FONT_BOLD = "LoketSans", "LoketSans-Bold"
_STYLES: dict[str, ParagraphStyle] = {}


def _register_fonts() -> None:
    if _STYLES:
        return
    font_dir = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(_FONT, str(font_dir / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(font_dir / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(_FONT, normal=_FONT, bold=_FONT_BOLD)
    base = {"fontName": _FONT, "fontSize": 10.5, "leading": 14}
    _STYLES.update(
        agency=ParagraphStyle("agency", **base | {"fontName": _FONT_BOLD, "fontSize": 14,
                                                  "leading": 18, "alignment": TA_CENTER}),
        unit=ParagraphStyle("unit", **base | {"fontName": _FONT_BOLD, "fontSize": 12.5,
                                              "leading": 16, "alignment": TA_CENTER}),
        agency_beside_crest=ParagraphStyle("agency_beside_crest", **base | {
            "fontName": _FONT_BOLD, "fontSize": 13, "leading": 16, "alignment": TA_CENTER}),
        unit_beside_crest=ParagraphStyle("unit_beside_crest", **base | {
            "fontName": _FONT_BOLD, "fontSize": 10.5, "leading": 13, "alignment": TA_CENTER}),
        address=ParagraphStyle("address", **base | {"fontSize": 9, "leading": 11.5,
                                                    "alignment": TA_CENTER}),
        title=ParagraphStyle("title", **base | {"fontName": _FONT_BOLD, "fontSize": 13,
                                                "leading": 17, "alignment": TA_CENTER}),
        number=ParagraphStyle("number", **base | {"alignment": TA_CENTER}),
        body=ParagraphStyle("body", **base | {"alignment": TA_JUSTIFY}),
        cell=ParagraphStyle("cell", **base),
        small=ParagraphStyle("small", **base | {"fontSize": 9, "leading": 11.5}),
        signature=ParagraphStyle("signature", **base),
        footer=ParagraphStyle("footer", **base | {"fontSize": 7.5, "leading": 9.5,
                                                  "textColor": colors.HexColor("#444444")}),
    )  # fmt: skip


def _e(text: str) -> str:
    """Escape user data for reportlab's paragraph mark-up."""
    return escape(text).replace("\n", "<br/>")


def letterhead(
    *, agency_name: str, unit_name: str, lines: list[str], crest_png: bytes = b""
) -> list[Flowable]:
    """The kop surat: crest at the left (if any), names and address centred beside it
    (the usual layout of an Indonesian agency's letterhead), double rule."""
    _register_fonts()
    # Beside a crest the names have less width: a size smaller keeps the unit's name
    # on one line, so the letterhead is no taller than without one.
    small = "_beside_crest" if crest_png else ""
    text: list[Flowable] = [
        Paragraph(_e(agency_name.upper()), _STYLES["agency" + small]),
        Paragraph(_e(unit_name.upper()), _STYLES["unit" + small]),
        *[Paragraph(_e(line), _STYLES["address"]) for line in lines if line],
    ]
    parts: list[Flowable] = text
    if crest_png:
        crest = Image(io.BytesIO(crest_png), width=17 * mm, height=17 * mm, kind="proportional")
        head = Table([[crest, text]], colWidths=[19 * mm, None])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
        parts = [head]
    # The kop surat closes with a thick rule over a thin one.
    return [
        *parts,
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=2, color=colors.black, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color=colors.black),
    ]


def _letterhead(content: CertificateContent) -> list[Flowable]:
    return letterhead(
        agency_name=content.agency_name,
        unit_name=content.unit_name,
        lines=[content.agency_address, content.agency_contact],
        crest_png=content.crest_png,
    )


def _legal_basis(items: list[str]) -> list[Flowable]:
    if not items:
        return []
    rows = [
        ["Dasar" if index == 0 else "", ":" if index == 0 else "", f"{index + 1}.",
         Paragraph(_e(item), _STYLES["cell"])]
        for index, item in enumerate(items)
    ]  # fmt: skip
    table = Table(rows, colWidths=[20 * mm, 4 * mm, 7 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _FONT, 10.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [table, Spacer(1, 5 * mm)]


def _data_table(rows: list[tuple[str, str]]) -> Table:
    data = [
        [Paragraph(_e(label), _STYLES["cell"]), ":", Paragraph(_e(value), _STYLES["cell"])]
        for label, value in rows
    ] or [["", "", ""]]
    table = Table(data, colWidths=[55 * mm, 4 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), _FONT, 10.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _signature_block(content: CertificateContent) -> Table:
    prefix = CAPACITY_PREFIX.get(content.capacity, "")
    signer = [
        Paragraph(
            f"{_e(content.place)}, {indonesian_date(content.issued_on)}", _STYLES["signature"]
        ),
        Paragraph(f"{_e(prefix)}{_e(content.position_title)},", _STYLES["signature"]),
        Spacer(1, 1 * mm),
        ElectronicSignatureMark(),
        Spacer(1, 1 * mm),
        Paragraph(f"<b><u>{_e(content.officer_name)}</u></b>", _STYLES["signature"]),
        Paragraph(f"NIP. {_e(content.officer_nip)}", _STYLES["signature"]),
    ]
    qr: list[Flowable] = [
        QrCode(content.verification_url, size=30 * mm),
        Paragraph("Pindai untuk memeriksa keaslian", _STYLES["small"]),
    ]
    if content.verification_code:
        qr.append(
            Paragraph(f"Kode verifikasi: <b>{_e(content.verification_code)}</b>", _STYLES["small"])
        )
    table = Table([[qr, signer]], colWidths=[65 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


def _footer(canvas: object, content: CertificateContent) -> None:
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(canvas, Canvas)
    width = A4[0] - 45 * mm
    paragraph = Paragraph(_e(footer_text(content)), _STYLES["footer"])
    _w, height = paragraph.wrap(width, 30 * mm)
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#888888"))
    canvas.setLineWidth(0.4)
    canvas.line(25 * mm, 12 * mm + height + 2 * mm, A4[0] - 20 * mm, 12 * mm + height + 2 * mm)
    paragraph.drawOn(canvas, 25 * mm, 12 * mm)
    canvas.restoreState()
    if content.watermark:
        _watermark(canvas, content.watermark)


def _watermark(canvas: object, text: str) -> None:
    from reportlab.pdfgen.canvas import Canvas

    assert isinstance(canvas, Canvas)
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.25))
    canvas.setFont(_FONT_BOLD, 96)
    canvas.translate(A4[0] / 2, A4[1] / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -30, text)
    canvas.restoreState()


QR_MASK = 0


class QrCode(Flowable):
    """A QR code drawn as vector squares (sharp at any zoom, prints well)."""

    def __init__(self, data: str, *, size: float) -> None:
        super().__init__()
        # Medium error correction survives a fold or a stamp on a printed copy.
        # A fixed mask: segno otherwise scores all eight (most of the QR's cost); any
        # mask scans, the scoring only trims a few dark runs.
        qr = segno.make(data, error="m", micro=False, mask=QR_MASK)
        self.matrix = [list(row) for row in qr.matrix]
        self.size = size
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        quiet = 4  # modules of white border the QR standard asks for
        modules = len(self.matrix) + 2 * quiet
        cell = self.size / modules
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(colors.black)
        # One path of horizontal runs rather than a square per module: a few hundred
        # path operations instead of a thousand drawing calls (issuing is on the
        # approving officer's clock).
        path = canvas.beginPath()
        for row_index, row in enumerate(self.matrix):
            y = self.size - (row_index + quiet + 1) * cell
            start = None
            for col_index, dark in enumerate([*row, 0]):
                if dark and start is None:
                    start = col_index
                elif not dark and start is not None:
                    path.rect((start + quiet) * cell, y, (col_index - start) * cell, cell)
                    start = None
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()


class ElectronicSignatureMark(Flowable):
    """A visible stamp where a wet signature would be: a framed "TTE" seal and the words
    "Ditandatangani secara elektronik", so a reader of the paper sees at once how it
    was signed (the signature itself is in the file; the QR code leads to its check)."""

    def __init__(self) -> None:
        super().__init__()
        self.width, self.height = 62 * mm, 10 * mm

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#0b4f8a"))
        canvas.setFillColor(colors.HexColor("#0b4f8a"))
        canvas.setLineWidth(1)
        canvas.roundRect(0, 0, self.width, self.height, 2 * mm, stroke=1, fill=0)
        canvas.circle(6.5 * mm, self.height / 2, 3.8 * mm, stroke=1, fill=0)
        canvas.setFont(_FONT_BOLD, 7)
        canvas.drawCentredString(6.5 * mm, self.height / 2 - 0.9 * mm, "TTE")
        canvas.setFont(_FONT_BOLD, 8)
        canvas.drawString(12 * mm, self.height / 2 + 0.6 * mm, "Ditandatangani secara")
        canvas.drawString(12 * mm, self.height / 2 - 2.8 * mm, "elektronik")
        canvas.restoreState()
