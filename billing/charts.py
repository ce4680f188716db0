"""Small server-drawn SVG charts for the portal (no JavaScript, no CDN)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal
PALETTE = ("#417690", "#f08c00", "#70bf2b", "#ba2121", "#7b61ff", "#2b9bbf")


def _label(value: Number, money: bool) -> str:
    return f"${float(value):,.2f}" if money else f"{float(value):g}"


def hbar_chart(pairs: list[tuple[str, Number]], *, title: str, money: bool = False, width: int = 520) -> SafeString:
    """Horizontal bars, one row per (label, value); readable on a phone."""
    if not pairs:
        return mark_safe(f'<p class="help">{escape(title)}: no data for this period.</p>')  # noqa: S308 - escaped
    row, label_w = 26, 170
    peak = max(float(v) for _, v in pairs) or 1
    height = row * len(pairs) + 30
    parts = [
        f'<svg class="portal-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%">',
        f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(pairs):
        y = 24 + i * row
        bar = max(1, (width - label_w - 90) * float(value) / peak)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(str(label))[:28]}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row - 8}" fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(str(label))}: {_label(value, money)}</title></rect>'
        )
        parts.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + 15}" font-size="12">{_label(value, money)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped above


def column_chart(
    pairs: list[tuple[str, Number]], *, title: str, money: bool = False, width: int = 640, height: int = 220
) -> SafeString:
    """Vertical columns over time (labels thinned so they never overlap)."""
    if not pairs:
        return mark_safe(f'<p class="help">{escape(title)}: no data for this period.</p>')  # noqa: S308 - escaped
    top, bottom = 24, 40
    peak = max(float(v) for _, v in pairs) or 1
    step = (width - 10) / len(pairs)
    every = max(1, len(pairs) // 10)
    parts = [
        f'<svg class="portal-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%">',
        f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>',
    ]
    plot = height - top - bottom
    for i, (label, value) in enumerate(pairs):
        h = plot * float(value) / peak
        x = 5 + i * step
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot - h:.1f}" width="{max(1.0, step * 0.8):.1f}" height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(str(label))}: {_label(value, money)}</title></rect>'
        )
        if i % every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="10">{escape(str(label))}</text>')
    parts.append(
        f'<text x="{width - 5}" y="14" font-size="11" text-anchor="end">max {_label(peak, money)}</text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped above
