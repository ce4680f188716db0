"""Template filters of chat's portal pages."""

from __future__ import annotations

from django import template

from autolab import clock

register = template.Library()


@register.filter
def epoch_local(value: int | None, fmt: str = "%d %b %Y %I:%M %p") -> str:
    """Epoch seconds as business-time wall clock, e.g. ``25 Sep 2025 04:01 PM``."""
    if value in (None, ""):
        return "—"
    return clock.to_local(clock.from_epoch(int(value))).strftime(fmt)
