"""Server-rendered SVG charts: no script, no CDN; each page puts a table beside each chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, MARGIN = 600, 220, 30


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    target: float | None = None,
    maximum: float | None = None,
) -> SafeString:
    """Vertical bars (months along the bottom), with an optional dashed target line.

    Scales with its container (viewBox), so it reads on a phone; `title` names it
    for screen readers, which are pointed at the table beside it.
    """
    values = [p.value for p in points if p.value is not None]
    top = maximum or max([*values, target or 0, 1.0])
    plot_height = HEIGHT - 2 * MARGIN
    step = (WIDTH - 2 * MARGIN) / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        x = MARGIN + index * step
        height = 0.0 if point.value is None else plot_height * point.value / top
        bars.append(
            (
                f"{x + step * 0.15:.1f}",
                f"{HEIGHT - MARGIN - height:.1f}",
                f"{step * 0.7:.1f}",
                f"{height:.1f}",
                f"{point.label}: {'–' if point.value is None else _number(point.value)}",
                f"{x + step / 2:.1f}",
                point.label,
            )
        )
    body = format_html_join(
        "",
        '<g><rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>'
        '<text x="{}" y="' + str(HEIGHT - 8) + '" text-anchor="middle">{}</text></g>',
        bars,
    )
    line = SafeString("")
    if target is not None:
        y = HEIGHT - MARGIN - plot_height * target / top
        line = format_html(
            '<line class="target" x1="{}" x2="{}" y1="{}" y2="{}" stroke-dasharray="6 4"/>',
            MARGIN,
            WIDTH - MARGIN,
            f"{y:.1f}",
            f"{y:.1f}",
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet"><title>{}</title>'
        '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        MARGIN,
        WIDTH - MARGIN,
        HEIGHT - MARGIN,
        HEIGHT - MARGIN,
        body,
        line,
    )


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))
