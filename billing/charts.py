"""Small server-drawn charts for the portal: HTML and CSS (billing/charts.css), no JavaScript.

The text is HTML text at the page's font size, not SVG text: an SVG scaled to a 390 px phone
shrank its labels to 6-10 px. Bars are sized in percent of the chart's width or height.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Number = int | float | Decimal
PALETTE = ("#417690", "#b35900", "#3d7a1a", "#ba2121", "#5b45c9", "#1f7a94")
MAX_COLUMN_LABELS = 6  # labels under a column chart: six short dates fit a phone at 12 px


def value_text(value: Number, money: bool) -> str:
    return f"${float(value):,.2f}" if money else f"{float(value):g}"


def _empty(title: str) -> SafeString:
    return format_html('<p class="help portal-chart-empty">{}: no data for this period.</p>', title)


def _share(value: Number, peak: float) -> str:
    return f"{max(0.0, float(value)) * 100 / peak:.1f}" if peak else "0"


def hbar_chart(pairs: list[tuple[str, Number]], *, title: str, money: bool = False) -> SafeString:
    """Horizontal bars, one row per (label, value): label, bar and value are text the page sizes."""
    if not pairs:
        return _empty(title)
    peak = max(float(v) for _, v in pairs) or 0.0
    rows = format_html_join(
        "",
        '<li class="chart-row"><span class="chart-label">{}</span><span class="chart-track">'
        '<span class="chart-bar" style="width: {}%; background: {}"></span></span>'
        '<span class="chart-value">{}</span></li>',
        (
            (label, _share(value, peak), PALETTE[i % len(PALETTE)], value_text(value, money))
            for i, (label, value) in enumerate(pairs)
        ),
    )
    return format_html(
        '<figure class="portal-chart chart-hbar" aria-label="{}"><figcaption>{}</figcaption><ul>{}</ul></figure>',
        title,
        title,
        rows,
    )


def _label_place(index: int, count: int) -> str:
    """Labels are centred on their column; the first starts and the last ends at the chart's edge."""
    if index == 0:
        return " chart-col-label-start"
    return " chart-col-label-end" if index == count - 1 else ""


def column_chart(pairs: list[tuple[str, Number]], *, title: str, money: bool = False) -> SafeString:
    """Columns over time; at most MAX_COLUMN_LABELS labels under them, so none overlap on a phone.
    Each column's value is its tooltip and its accessible name."""
    if not pairs:
        return _empty(title)
    peak = max(float(v) for _, v in pairs) or 0.0
    every = max(1, -(-len(pairs) // MAX_COLUMN_LABELS))
    columns = format_html_join(
        "",
        '<li class="chart-column" title="{}: {}"><span class="chart-col-bar" style="height: {}%"></span>'
        '<span class="chart-col-label{}">{}</span></li>',
        (
            (
                label,
                value_text(value, money),
                _share(value, peak),
                _label_place(i, len(pairs)),
                label if i % every == 0 else "",
            )
            for i, (label, value) in enumerate(pairs)
        ),
    )
    return format_html(
        '<figure class="portal-chart chart-columns" aria-label="{}"><figcaption>{} <span class="chart-peak">'
        "(highest {})</span></figcaption><ul>{}</ul></figure>",
        title,
        title,
        value_text(peak, money),
        columns,
    )
