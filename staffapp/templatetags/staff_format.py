"""Template filters every portal page uses for money and moments, so each is shown one way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from autolab import clock
from autolab.money import money_display

register = template.Library()

MISSING = "—"
LOCAL_TIME_FORMAT = "%d %b %Y %I:%M %p"


@register.filter
def money(value: Decimal | int | float | str | None) -> str:
    """An amount as ``$1,234.50`` (autolab.money's format for people); ``—`` when there is none."""
    if value is None or value == "":
        return MISSING
    try:
        return money_display(value)
    except ValueError:  # a stored value that is not an amount must not break the page
        return MISSING


@register.filter
def local_time(value: int | float | str | dt.datetime | None, fmt: str = LOCAL_TIME_FORMAT) -> str:
    """A stored moment (epoch seconds, aware datetime or ISO text) in business time, e.g. ``25 Sep 2025 04:01 PM``."""
    moment = _moment(value)
    return clock.to_local(moment).strftime(fmt) if moment else MISSING


def _moment(value: int | float | str | dt.datetime | None) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # stored moments are UTC
    if isinstance(value, int | float) and not isinstance(value, bool):
        return clock.from_epoch(value)
    if not isinstance(value, str) or not value:
        return None
    if value.isdigit():
        return clock.from_epoch(int(value))
    try:
        return _moment(dt.datetime.fromisoformat(value))
    except ValueError:
        return None
