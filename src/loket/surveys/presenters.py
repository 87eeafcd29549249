"""Shapes for the survey pages: element rows in display order and the trend chart's geometry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from loket.surveys import ikm

CHART_WIDTH = 320
CHART_HEIGHT = 160
CHART_PAD = 28
# The chart's vertical axis is the index scale.
LOW, HIGH = Decimal(25), Decimal(100)


@dataclass(frozen=True)
class ElementRow:
    code: str
    name: str
    respondents: int
    nrr: str
    converted: str
    grade: str


def element_rows(result: ikm.IkmResult, rules: ikm.Rules, language: str) -> list[ElementRow]:
    english = language.startswith("en")
    by_code = {e.code: e for e in result.elements}
    rows = []
    for code in rules.display_order:
        e = by_code[code]
        element = rules.elements[code]
        rows.append(
            ElementRow(
                code=code,
                name=element.name_en if english else element.name_id,
                respondents=e.respondents,
                nrr=str(ikm.round_half_up(e.nrr, 4)) if e.nrr is not None else "-",
                converted=str(e.converted) if e.converted is not None else "-",
                grade=e.grade.grade if e.grade else "-",
            )
        )
    return rows


def words(band: ikm.GradeBand | None, language: str) -> str:
    if band is None:
        return ""
    return band.words_en if language.startswith("en") else band.words_id


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: Decimal
    x: int
    y: int


def chart_points(series: list[tuple[str, Decimal]]) -> list[ChartPoint]:
    """Place (label, IKM) pairs on the SVG: x evenly by period, y on the 25-100 scale."""
    if not series:
        return []
    inner_w = CHART_WIDTH - 2 * CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / max(len(series) - 1, 1)
    points = []
    for index, (label, value) in enumerate(series):
        share = (min(max(value, LOW), HIGH) - LOW) / (HIGH - LOW)
        x = CHART_PAD + round(step * index) if len(series) > 1 else CHART_WIDTH // 2
        y = CHART_PAD + round(inner_h * (1 - float(share)))
        points.append(ChartPoint(label, value, x, y))
    return points


def polyline(points: list[ChartPoint]) -> str:
    return " ".join(f"{p.x},{p.y}" for p in points)


def gridlines() -> list[tuple[int, int]]:
    """Horizontal guides at 25, 50, 75 and 100 as (value, y)."""
    inner_h = CHART_HEIGHT - 2 * CHART_PAD
    return [(v, CHART_PAD + round(inner_h * (1 - (v - 25) / 75))) for v in (25, 50, 75, 100)]


def trend_context(series: list[tuple[str, Decimal]]) -> dict[str, Any]:
    points = chart_points(series)
    return {
        "points": points,
        "chart": {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "pad": CHART_PAD,
            "right": CHART_WIDTH - CHART_PAD,
            "grid": gridlines(),
            "polyline": polyline(points),
        },
    }
