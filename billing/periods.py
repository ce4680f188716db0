"""Named periods of the invoice list and analytics: today, this week, this month, last month and
this Australian financial year (1 July to 30 June). One place for where each starts and ends."""

from __future__ import annotations

import calendar
import datetime as dt

PRESETS: list[tuple[str, str]] = [
    ("today", "Today"),
    ("this_week", "This week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_fy", "This financial year"),
]

FY_START_MONTH = 7  # the Australian financial year starts on 1 July


def _month(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """1 July to 30 June of the financial year ``day`` is in."""
    first_year = day.year if day.month >= FY_START_MONTH else day.year - 1
    return dt.date(first_year, FY_START_MONTH, 1), dt.date(first_year + 1, FY_START_MONTH - 1, 30)


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day (both included) of ``preset`` as of ``today``; KeyError for an unknown one."""
    if preset == "today":
        return today, today
    if preset == "this_week":  # Monday to Sunday
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)
    if preset == "this_month":
        return _month(today.year, today.month)
    if preset == "last_month":
        return _month(today.year - 1, 12) if today.month == 1 else _month(today.year, today.month - 1)
    if preset == "this_fy":
        return financial_year(today)
    raise KeyError(preset)
