"""Template filters every portal page uses for money, moments, days, slots and labels, so each is
shown one way: ``Fri 4 Dec, 13:00``, ``Fri 4 Dec, 13:00-15:30`` (an en dash), ``$1,234.50``, ``In progress``.
The year is added only when it is not this year's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from autolab import clock
from autolab.money import money_display

register = template.Library()

MISSING = "—"
EN_DASH = "\u2013"  # between the two ends of a range
LOCAL_TIME_FORMAT = ""  # empty: the portal's one format (``when``)

# Words an enum's value does not spell the way people say them.
_LABELS = {"eft": "EFT", "gst": "GST", "pdf": "PDF", "id": "ID", "sms": "SMS"}


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
    if moment is None:
        return MISSING
    local = clock.to_local(moment)
    return local.strftime(fmt) if fmt else f"{day(local.date())}, {local:%H:%M}"


@register.filter
def when(value: int | float | str | dt.datetime | None) -> str:
    """A stored moment in business time: ``Fri 4 Dec, 13:00``."""
    return local_time(value)


@register.filter
def day(value: dt.date | str | None) -> str:
    """A day: ``Fri 4 Dec`` (``Fri 4 Dec 2025`` outside this year); ``—`` when there is none."""
    date = _date(value)
    if date is None:
        return MISSING
    text = f"{date:%a} {date.day} {date:%b}"
    return text if date.year == clock.business_today().year else f"{text} {date.year}"


@register.filter
def slot_range(slot: object) -> str:
    """Anything with ``date``, ``start`` and ``end`` (a time slot): ``Fri 4 Dec, 13:00-15:30`` (an en dash)."""
    if slot is None:
        return MISSING
    date, start, end = (getattr(slot, name, None) for name in ("date", "start", "end"))
    if not date:
        return MISSING
    return f"{day(date)}, {start}{EN_DASH}{end}" if start and end else day(date)


@register.filter
def label(value: object) -> str:
    """An enum value for people: ``IN_PROGRESS`` -> ``In progress``, ``bank_transfer`` -> ``Bank transfer``."""
    if value is None or value == "":
        return MISSING
    words = str(value).replace("_", " ").replace("-", " ").lower().split()
    words = [_LABELS.get(word, word) for word in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@register.filter
def status_class(value: object) -> str:
    """The badge class of a status, so each status has one colour on every page (portal.css)."""
    return f"status-{str(value or 'none').lower().replace('_', '-')}"


def _date(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return clock.to_local(value).date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return clock.parse_date(value[:10])
    except ValueError:
        return None


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
