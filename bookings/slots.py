"""Pure slot arithmetic: wall-clock ``HH:MM`` intervals, business hours and 30-minute buckets.

Intervals are half-open ``[start, end)``, so 09:00-10:00 and 10:00-11:00 do not overlap.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from autolab import clock

OPEN_MINUTE = 8 * 60  # 08:00
CLOSE_MINUTE = 20 * 60  # 20:00
STEP_MINUTES = 30
MIN_NOTICE_MINUTES = 120
MAX_PREFERRED_SLOTS = 4
BUCKETS = [f"{minute // 60:02d}{minute % 60:02d}" for minute in range(OPEN_MINUTE, CLOSE_MINUTE, STEP_MINUTES)]

_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def to_minutes(hhmm: object) -> int:
    """Minutes after midnight of ``HH:MM``; raises ValueError for anything else."""
    match = _HHMM.match(hhmm) if isinstance(hhmm, str) else None
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"Invalid time {hhmm!r}: expected HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))


def to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True)
class Interval:
    start: int  # minutes after midnight
    end: int

    @classmethod
    def parse(cls, start: object, end: object) -> Interval:
        interval = cls(to_minutes(start), to_minutes(end))
        if interval.end <= interval.start:
            raise ValueError(f"Invalid time slot {start}-{end}: the end must be after the start")
        return interval

    @classmethod
    def parse_range(cls, text: object) -> Interval:
        """``"HH:MM-HH:MM"``."""
        parts = text.split("-") if isinstance(text, str) else []
        if len(parts) != 2:
            raise ValueError(f"Invalid timeslot format: {text!r}")
        return cls.parse(parts[0].strip(), parts[1].strip())

    @property
    def label(self) -> str:
        return f"{to_hhmm(self.start)}-{to_hhmm(self.end)}"

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def inside_hours(self) -> bool:
        return self.start >= OPEN_MINUTE and self.end <= CLOSE_MINUTE

    def buckets(self) -> list[str]:
        """The 30-minute buckets (``"0900"``) this interval touches, clipped to business hours."""
        return [
            f"{minute // 60:02d}{minute % 60:02d}"
            for minute in range(OPEN_MINUTE, CLOSE_MINUTE, STEP_MINUTES)
            if minute < self.end and self.start < minute + STEP_MINUTES
        ]


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted union; touching intervals join (09:00-10:00 + 10:00-11:00 = 09:00-11:00)."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            merged[-1] = Interval(merged[-1].start, max(merged[-1].end, interval.end))
        else:
            merged.append(interval)
    return merged


def subtract(intervals: list[Interval], removed: list[Interval]) -> list[Interval]:
    """``intervals`` minus ``removed``, splitting partial overlaps."""
    result = merge(intervals)
    for cut in merge(removed):
        pieces: list[Interval] = []
        for interval in result:
            if not interval.overlaps(cut):
                pieces.append(interval)
                continue
            if interval.start < cut.start:
                pieces.append(Interval(interval.start, cut.start))
            if cut.end < interval.end:
                pieces.append(Interval(cut.end, interval.end))
        result = pieces
    return result


def candidates(duration_minutes: int) -> list[Interval]:
    """Every bookable slot of a plan: starts every 30 min from 08:00, ending by 20:00."""
    return [
        Interval(start, start + duration_minutes)
        for start in range(OPEN_MINUTE, CLOSE_MINUTE, STEP_MINUTES)
        if start + duration_minutes <= CLOSE_MINUTE
    ]


def max_jobs(duration_minutes: int, free_intervals: list[Interval]) -> int:
    """How many back-to-back jobs of ``duration_minutes`` fit into the free intervals."""
    return sum((interval.end - interval.start) // duration_minutes for interval in free_intervals)


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def too_soon(date: str, interval: Interval) -> bool:
    """Less than two hours' notice, in business time."""
    start = clock.local_datetime(clock.parse_date(date), interval.label.split("-")[0])
    return (start - clock.now()).total_seconds() < MIN_NOTICE_MINUTES * 60
