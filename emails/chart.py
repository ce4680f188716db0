"""Geometry of the email analytics chart: an SVG line chart drawn on the server (no CDN, no JS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36
SERIES = (
    ("sent", "Sent", "#2563eb"),
    ("delivered", "Delivered", "#16a34a"),
    ("bounced", "Bounced", "#d97706"),
    ("complained", "Complained", "#dc2626"),
)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    colour: str
    points: str
    total: int


def _nice_max(value: int) -> int:
    for step in (4, 8, 10, 20, 40, 50, 100, 200, 400, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def line_chart(daily: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the template needs: polylines, y grid lines and x labels, in SVG coordinates."""
    top = _nice_max(max([day[key] for day in daily for key, _, _ in SERIES] + [1]))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(daily) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value: int) -> float:
        return round(TOP + plot_height - value / top * plot_height, 1)

    lines = [
        Line(
            key,
            label,
            colour,
            " ".join(f"{x(i)},{y(day[key])}" for i, day in enumerate(daily)),
            sum(d[key] for d in daily),
        )
        for key, label, colour in SERIES
    ]
    grid = [{"y": y(top * n // 4), "label": top * n // 4} for n in range(5)]
    every = max(1, len(daily) // 8)
    labels = [{"x": x(i), "label": day["date"][5:]} for i, day in enumerate(daily) if i % every == 0]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "lines": lines,
        "grid": grid,
        "labels": labels,
    }
