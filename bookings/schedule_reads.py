"""Reads for scheduling by staff: each mechanic's free/busy on a few days and the booked jobs a
blocked period would cover. By key only (BatchGetItem); selectors.py holds the other reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autolab.batch import BatchRead
from bookings.models import Appointment, MechanicDay
from bookings.selectors import CLOSED_STATUSES, DayState, appointment_get_many, day_states, day_states_with
from bookings.slots import STEP_MINUTES, Interval

MechanicJobs = dict[str, Interval]  # appointmentId -> the time it holds the mechanic


def mechanic_day_key(mechanic_id: str, date: str) -> str:
    return f"{mechanic_id}#{date}"


def day_schedules(dates: list[str], mechanic_ids: list[str]) -> tuple[dict[str, DayState], dict[str, MechanicJobs]]:
    """Blocks and load of ``dates`` and the jobs holding each mechanic on them (keyed by
    ``mechanic_day_key``): ONE BatchGetItem across UnavailableSlots, SlotLoad and MechanicDay."""
    batch = BatchRead()
    for date in dates:
        for mechanic_id in mechanic_ids:
            batch.add(MechanicDay, mechanic_day_key(mechanic_id, date))
    states, found = day_states_with(dates, batch)
    busy: dict[str, MechanicJobs] = {mechanic_day_key(m, d): {} for m in mechanic_ids for d in dates}
    for raw in found.get(MechanicDay.Meta.table_name, []):
        busy[raw["mechanicDay"]["S"]] = _held_intervals(raw)
    return states, busy


def _held_intervals(raw: dict[str, Any]) -> MechanicJobs:
    """A MechanicDay item's ``bHHMM`` buckets joined into one interval per appointment."""
    starts: dict[str, list[int]] = {}
    for name, value in raw.items():
        if len(name) == 5 and name.startswith("b") and name[1:].isdigit() and "S" in value:
            starts.setdefault(value["S"], []).append(int(name[1:3]) * 60 + int(name[3:5]))
    return {job: Interval(min(minutes), max(minutes) + STEP_MINUTES) for job, minutes in starts.items()}


@dataclass(frozen=True)
class CoveredJob:
    """A booked job inside a period about to be blocked."""

    date: str
    interval: Interval
    appointment: Appointment | None


def jobs_covered(dates: list[str], period: Interval) -> list[CoveredJob]:
    """The open jobs (scheduled, or a paid first choice held) overlapping ``period`` on ``dates``,
    in time order, with their appointments (one BatchGetItem for the days, one for the jobs)."""
    states = day_states(dates)
    covered = [
        (date, interval, appointment_id)
        for date in dates
        for appointment_id, (interval, status) in states[date].jobs.items()
        if status not in CLOSED_STATUSES and interval.overlaps(period)
    ]
    appointments = {a.appointment_id: a for a in appointment_get_many([job[2] for job in covered])}
    return [CoveredJob(date, interval, appointments.get(job_id)) for date, interval, job_id in sorted(covered)]
