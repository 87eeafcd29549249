"""Every table of the performance pages as CSV (one table) or XLSX (one sheet per table).

The sheets are built from the same objects the pages render, so a download and the page
never disagree. Cells that a spreadsheet would read as a formula are quoted (CSV/formula
injection: return reasons and names are typed by people).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from loket.core.errors import ValidationError
from loket.insights.dashboard import PublicComplaints, PublicService, UnitDashboard

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class Sheet:
    """One table: a short machine name (the `tabel` parameter), a title and its rows."""

    name: str
    title: str
    columns: list[str]
    rows: Sequence[Sequence[Cell]]


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _round(value: float | Decimal | None, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(sheet.columns)
    for row in sheet.rows:
        writer.writerow(["" if cell is None else _safe(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for sheet in sheets:
        page = book.create_sheet(title=sheet.name[:31])
        page.append(sheet.columns)
        for row in sheet.rows:
            page.append([_safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Export:
    body: bytes
    content_type: str
    filename: str


def export(sheets: Sequence[Sheet], *, fmt: str, table: str, stem: str) -> Export:
    """The download asked for: XLSX with every table, or CSV of the named table.

    Raises ValidationError naming `format` or `tabel` for anything else.
    """
    if fmt not in FORMATS:
        raise ValidationError(_("Choose the format csv or xlsx."), field="format")
    if fmt == "xlsx":
        return Export(
            to_xlsx(sheets),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{stem}.xlsx",
        )
    chosen = next((s for s in sheets if s.name == table), None)
    if chosen is None:
        names = ", ".join(s.name for s in sheets)
        raise ValidationError(_("Name a table: %(names)s.") % {"names": names}, field="tabel")
    return Export(to_csv(chosen), "text/csv; charset=utf-8", f"{stem}-{chosen.name}.csv")


# -- the head's dashboard ------------------------------------------------------------------


def dashboard_sheets(board: UnitDashboard) -> list[Sheet]:
    """The tables of the head's dashboard, in page order."""
    return [
        Sheet(
            "tiles",
            _("This month"),
            ["indicator", "this_month", "previous", "target", "achievement_percent", "note"],
            [
                [t.indicator, _round(t.this_month), _round(t.last_month),
                 t.target.value if t.target else None, _round(t.achievement, 1), t.note]
                for t in board.tiles
            ]
            + [
                ["open_applications", board.backlog.get("open"), None, None, None, ""],
                ["overdue_applications", board.backlog.get("overdue"), None, None, None, ""],
                ["waiting_for_applicant", board.backlog.get("waiting"), None, None, None, ""],
                ["open_complaints", board.complaints.get("open"), None, None, None, ""],
                ["overdue_complaints", board.complaints.get("overdue"), None, None, None, ""],
                ["fiktif_positif_exposure", len(board.exposed), None, None, None, ""],
            ],
        ),
        Sheet(
            "trend",
            _("Trend over twelve months"),
            ["month", "decided", "sla_percent", "median_working_days", "p90_working_days"],
            [
                [f"{month:%Y-%m}", row.decided if row else 0,
                 _round(row.sla_percent if row else None), _round(row.median_days if row else None),
                 _round(row.p90_days if row else None)]
                for month, row in zip(board.trend_months, board.trend, strict=True)
            ],
        ),
        Sheet(
            "services",
            _("Per service"),
            ["service", "decided", "sla_percent", "median_working_days",
             "first_time_right_percent", "ikm", "complaints", "complaints_per_1000_decided",
             "complaints_on_time_percent"],
            [_service_row(item) for item in board.services],
        ),
        Sheet(
            "bottlenecks",
            _("Bottlenecks per step"),
            ["step", "tasks_decided", "median_hours_before_pickup", "mean_hours_before_pickup",
             "median_hours_to_decide", "mean_hours_to_decide", "returns", "top_return_reasons"],
            [_bottleneck_row(b) for b in board.bottlenecks],
        ),
        Sheet(
            "queue",
            _("Queue age per position"),
            ["position", "open_tasks", "overdue", "oldest_hours"],
            [_queue_row(q) for q in board.queue],
        ),
        Sheet(
            "fiktif-positif",
            _("Applications exposed to fiktif positif"),
            ["tracking_number", "service", "declared_complete", "deadline"],
            [[c.tracking_number, c.service.name, c.complete_at, c.due_at] for c in board.exposed],
        ),
        Sheet(
            "anomalies",
            _("Anomaly flags for internal supervision"),
            ["rule", "tracking_number", "explanation"],
            [[f.rule, f.tracking_number, f.explanation] for f in board.flags],
        ),
    ]  # fmt: skip


def _bottleneck_row(row: dict[str, Any]) -> list[Cell]:
    reasons = "; ".join(f"{reason} ({n})" for reason, n in row["top_reasons"])
    return [
        row["step"],
        row["decided"],
        _round(row["wait_hours"]),
        _round(row.get("wait_mean_hours")),
        _round(row["decide_hours"]),
        _round(row.get("decide_mean_hours")),
        row["returns"],
        reasons,
    ]


def _queue_row(row: dict[str, Any]) -> list[Cell]:
    return [row["position"], row["open"], row["overdue"], _round(row["oldest_hours"], 0)]


def _service_row(item: dict[str, Any]) -> list[Cell]:
    row = item["row"]
    return [
        row.service.name,
        row.decided,
        _round(row.sla_percent),
        _round(row.median_days),
        _round(row.first_time_right_percent),
        _round(item["ikm"].this_month) if "ikm" in item else None,
        row.complaints_received,
        _round(row.complaints_per_thousand),
        _round(row.complaints_on_time_percent),
    ]


# -- the public Kinerja Layanan page -------------------------------------------------------


def public_sheets(
    services: Iterable[PublicService], complaints: Iterable[PublicComplaints]
) -> list[Sheet]:
    """The public page's tables: per service and month, IKM results, complaints per unit."""
    monthly: list[list[Cell]] = []
    ikm: list[list[Cell]] = []
    for item in services:
        name = str(getattr(item.service, "name", ""))
        for month, row in zip(item.months, item.rows, strict=True):
            monthly.append([
                name, f"{month:%Y-%m}", row.submitted if row else 0, row.decided if row else 0,
                row.cancelled if row else 0, _round(row.sla_percent if row else None),
                _round(row.median_days if row else None),
                row.complaints_received if row else 0,
                _round(row.complaints_on_time_percent if row else None),
            ])  # fmt: skip
        for result in item.ikm:
            ikm.append([
                name, result.period.name, result.ikm, result.grade, result.respondents,  # type: ignore[attr-defined]
            ])  # fmt: skip
    handling: list[list[Cell]] = []
    for unit in complaints:
        for month, row in zip(unit.months, unit.rows, strict=True):
            handling.append([
                str(getattr(unit.unit, "name", "")), f"{month:%Y-%m}",
                row.complaints_received if row else 0, row.complaints_to_resolve if row else 0,
                row.complaints_on_time if row else 0,
                _round(row.complaints_on_time_percent if row else None),
                _round(row.complaint_median_days if row else None),
            ])  # fmt: skip
    return [
        Sheet(
            "services",
            _("Volume, SLA compliance and median time per month"),
            ["service", "month", "submitted", "decided", "cancelled", "sla_percent",
             "median_working_days", "complaints", "complaints_on_time_percent"],
            monthly,
        ),
        Sheet("ikm", _("Satisfaction index (IKM), published results"),
              ["service", "survey_period", "ikm", "grade", "respondents"], ikm),
        Sheet(
            "complaints",
            _("Complaint handling per unit"),
            ["unit", "month", "received", "to_be_resolved", "resolved_on_time",
             "resolved_on_time_percent", "median_working_days_to_answer"],
            handling,
        ),
    ]  # fmt: skip


def attachment(download: Export) -> HttpResponse:
    """The export as a download (the dashboards' CSV and XLSX links)."""
    response = HttpResponse(download.body, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response
