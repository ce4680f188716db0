"""The dates of an invoice: read in any format the original accepted, written as DD/MM/YYYY."""

from __future__ import annotations

import datetime as dt

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d-%m-%Y", "%m/%d/%Y", "%Y/%m/%d", "%d %b %Y")


def parse_any_date(value: str) -> dt.date | None:
    """A date in any of the formats the original accepted (§0.2), or None."""
    text = (value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def day_text(day: dt.date) -> str:
    """``DD/MM/YYYY``, the format of every date inside analyticsData and metadata."""
    return day.strftime("%d/%m/%Y")
