"""Time: storage is UTC epoch seconds; "today", slot dates and times are business wall clock.

This is the only module that knows about the business time zone.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings


@lru_cache(maxsize=1)
def business_tz() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def now() -> dt.datetime:
    """Aware UTC now."""
    return dt.datetime.now(tz=dt.UTC)


def epoch_now() -> int:
    return int(time.time())


def local_now() -> dt.datetime:
    return now().astimezone(business_tz())


def business_today() -> dt.date:
    return local_now().date()


def business_date_str(moment: dt.datetime | None = None) -> str:
    """``YYYY-MM-DD`` of the business day containing ``moment`` (default now)."""
    return (moment or now()).astimezone(business_tz()).date().isoformat()


def from_epoch(seconds: int | float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def to_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(business_tz())


def local_datetime(day: dt.date, hhmm: str) -> dt.datetime:
    """The aware moment of wall-clock ``HH:MM`` on ``day`` in the business time zone."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=business_tz())


def epoch_of_local_day(day: dt.date) -> int:
    """Epoch seconds at local midnight starting ``day``."""
    return int(dt.datetime.combine(day, dt.time(0, 0), tzinfo=business_tz()).timestamp())


def analytics_date(moment: dt.datetime) -> str:
    """``DD/MM/YYYY`` in business time, the format of invoice analytics."""
    return to_local(moment).strftime("%d/%m/%Y")


def iso_local(moment: dt.datetime | None = None) -> str:
    return to_local(moment or now()).isoformat(timespec="seconds")


def parse_date(value: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` strictly; raises ValueError otherwise."""
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(f"Invalid date {value!r}: expected YYYY-MM-DD")
    return dt.date.fromisoformat(value)
