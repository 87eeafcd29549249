"""A period's report as the PDF agencies file, and its responses as CSV or XLSX.

The PDF is in Bahasa Indonesia, as documents/pdf.py does for official papers,
with Bitstream Vera embedded and reportlab's invariant mode (same input, same bytes).
Exports hold ratings and optional profile answers only: responses carry no
name, NIK or case.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from loket.surveys import ikm, presenters
from loket.surveys.models import Response
from loket.surveys.selectors import Report

_FONT, _FONT_BOLD = "LoketSurveyVera", "LoketSurveyVeraBd"
EXPORT_COLUMNS = (
    "submitted_at",
    "channel",
    *ikm.ELEMENTS,
    "gender",
    "age_band",
    "education",
    "occupation",
)


def _fonts() -> None:
    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    font_dir = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(_FONT, str(font_dir / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_FONT_BOLD, str(font_dir / "VeraBd.ttf")))


def report_pdf(report: Report, rules: ikm.Rules) -> bytes:
    """The SKM report of one period: sample, per-element NRR and grade, IKM, priorities."""
    _fonts()
    base = ParagraphStyle("base", fontName=_FONT, fontSize=10, leading=13)
    heading = ParagraphStyle("heading", parent=base, fontName=_FONT_BOLD, fontSize=14, leading=18)
    period = report.period
    result = report.result
    unit = escape(period.unit.name)
    service = f" — {escape(period.service.name)}" if period.service else ""
    story = [
        Paragraph("Laporan Survei Kepuasan Masyarakat (SKM)", heading),
        Paragraph(f"{unit}{service}", base),
        Paragraph(
            f"Periode {escape(period.name)}: {period.starts_on:%d-%m-%Y} s.d. "
            f"{period.ends_on:%d-%m-%Y}",
            base,
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Responden: {result.respondents}; populasi: {report.population}; "
            f"sampel minimum (Krejcie–Morgan): {report.sample_required}"
            + ("" if report.meets_sample else " — sampel belum memenuhi"),
            base,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [["Unsur", "Uraian", "n", "NRR", "× 25", "Mutu"]]
    for row in presenters.element_rows(result, rules, "id"):
        rows.append(
            [row.code, Paragraph(escape(row.name), base), str(row.respondents), row.nrr,
             row.converted, row.grade]
        )  # fmt: skip
    table = Table(rows, colWidths=[14 * mm, 78 * mm, 14 * mm, 20 * mm, 20 * mm, 14 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _FONT),
                ("FONTNAME", (0, 0), (-1, 0), _FONT_BOLD),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    if result.ikm is not None and result.grade is not None:
        weight = "1/9" if result.weight_mode == ikm.WeightMode.EXACT else "0,11"
        story.append(
            Paragraph(
                f"IKM: {result.ikm} — mutu {result.grade.grade} ({result.grade.words_id}); "
                f"bobot {weight}",
                heading,
            )
        )
        lowest = ", ".join(
            f"{e.code} {escape(rules.elements[e.code].name_id)}" for e in result.lowest
        )
        story.append(Paragraph(f"Prioritas perbaikan (tiga unsur terendah): {lowest}", base))
    else:
        story.append(Paragraph("IKM belum dapat dihitung: ada unsur tanpa jawaban.", base))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title="Laporan SKM",
        author=period.unit.name,
        invariant=True,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()


def _rows(responses: list[Response]) -> list[list[object]]:
    return [
        [
            r.submitted_at.isoformat(),
            r.channel,
            *[getattr(r, code.lower()) for code in ikm.ELEMENTS],
            r.gender,
            r.age_band,
            r.education,
            r.occupation,
        ]
        for r in responses
    ]


def responses_csv(responses: list[Response]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in _rows(responses):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def responses_xlsx(responses: list[Response]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("SKM")
    sheet.append(list(EXPORT_COLUMNS))
    for row in _rows(responses):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
