"""Reads of the catalogue, blocked periods, slot load and appointments: always by key or index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from autolab import caches, clock
from autolab.batch import BatchRead, first
from autolab.dynamodb import botocore_client
from autolab.money import json_number
from autolab.pagination import Page, Partitions, paginate
from autolab.permissions import Role
from bookings.models import (
    CATALOGUE_PARTITION,
    REVIEW_AWAITING,
    Appointment,
    AppointmentStatus,
    MechanicDay,
    ServicePrice,
    SlotLoad,
    UnavailableSlot,
)
from bookings.slots import CLOSE_MINUTE, OPEN_MINUTE, Interval, candidates, days_between, max_jobs, subtract, too_soon
from staffapp.selectors import staff_get_by_user_id, staff_list_active_with_role

CATALOGUE_CACHE_KEY = "bookings:catalogue"
CAPACITY_CACHE_KEY = caches.MECHANICS_KEY
CACHE_SECONDS = caches.TTL_SECONDS


# --- Catalogue ------------------------------------------------------------------------------


def service_price_get(service_id: int, plan_id: int) -> ServicePrice | None:
    """One plan by key (active or not)."""
    return ServicePrice.get_or_none(service_id, plan_id)


def plan_cached(service_id: int, plan_id: int) -> ServicePrice | None:
    """One plan by key through the shared short-lived cache (autolab.caches; cleared on save)."""
    raw = caches.cached(caches.plan_key(service_id, plan_id), lambda: _plan_raw(service_id, plan_id))
    return ServicePrice.from_raw_data(raw) if raw else None


def _plan_raw(service_id: int, plan_id: int) -> dict[str, Any] | None:
    plan = service_price_get(service_id, plan_id)
    return plan.serialize() if plan else None


def plan_peek(service_id: int, plan_id: int) -> ServicePrice | None:
    """The cached plan, or None without reading DynamoDB (callers batch the read instead)."""
    raw = caches.peek(caches.plan_key(service_id, plan_id))
    return ServicePrice.from_raw_data(raw) if isinstance(raw, dict) else None


def plan_remember(plan: ServicePrice) -> None:
    caches.store(caches.plan_key(plan.service_id, plan.plan_id), plan.serialize())


def service_price_list() -> list[ServicePrice]:
    """Every plan, active or not, ordered by service then plan (one Query on catalogue-index)."""
    plans = list(ServicePrice.catalogue_index.query(CATALOGUE_PARTITION))
    return sorted(plans, key=lambda plan: (plan.service_id, plan.plan_id))


def service_catalogue() -> list[dict[str, Any]]:
    """The public catalogue (active plans grouped by service), cached briefly."""
    cached = cache.get(CATALOGUE_CACHE_KEY)
    if cached is not None:
        return cached
    services: dict[int, dict[str, Any]] = {}
    for plan in service_price_list():
        if not plan.active:
            continue
        service = services.setdefault(
            plan.service_id, {"serviceId": plan.service_id, "serviceName": plan.service_name, "plans": []}
        )
        service["plans"].append(plan_json(plan))
    result = list(services.values())
    cache.set(CATALOGUE_CACHE_KEY, result, CACHE_SECONDS)
    return result


def plan_json(plan: ServicePrice) -> dict[str, Any]:
    return {
        "serviceId": plan.service_id,
        "planId": plan.plan_id,
        "serviceName": plan.service_name,
        "planName": plan.plan_name,
        "price": json_number(plan.price),
        "durationMinutes": plan.duration_minutes,
        "features": list(plan.features or []),
        "active": bool(plan.active),
    }


# --- Capacity and mechanics ---------------------------------------------------------------


def mechanics_active() -> list[dict[str, str]]:
    """Active mechanics as ``{userId, userName, userEmail, contactNumber}``, cached for a minute."""
    cached = cache.get(CAPACITY_CACHE_KEY)
    if cached is not None:
        return cached
    mechanics = [
        {
            "userId": staff.user_id,
            "userName": staff.user_name,
            "userEmail": staff.user_email,
            "contactNumber": staff.contact_number,
        }
        for staff in staff_list_active_with_role(Role.MECHANIC)
    ]
    cache.set(CAPACITY_CACHE_KEY, mechanics, CACHE_SECONDS)
    return mechanics


def booking_capacity() -> int:
    """Jobs that may run at once: ``settings.BOOKING_CAPACITY`` or the number of active mechanics."""
    if settings.BOOKING_CAPACITY:
        return int(settings.BOOKING_CAPACITY)
    return len(mechanics_active())


def mechanic_get(user_id: str) -> dict[str, str] | None:
    """An active mechanic by staff userId (through the cached list, falling back to the index)."""
    found = next((m for m in mechanics_active() if m["userId"] == user_id), None)
    if found is not None:
        return found
    staff = staff_get_by_user_id(user_id) if user_id else None
    if staff is None or not staff.is_active or Role.MECHANIC not in staff.roles:
        return None
    return {
        "userId": staff.user_id,
        "userName": staff.user_name,
        "userEmail": staff.user_email,
        "contactNumber": staff.contact_number,
    }


def staff_contact(user_id: str | None) -> dict[str, str] | None:
    """``{userName, userEmail, contactNumber}`` of any staff member (assigned mechanic display);
    active mechanics come from the cached list, anyone else from the Staff userId index."""
    if not user_id:
        return None
    mechanic = next((m for m in mechanics_active() if m["userId"] == user_id), None)
    if mechanic is not None:
        return {key: mechanic[key] for key in ("userName", "userEmail", "contactNumber")}
    staff = staff_get_by_user_id(user_id)
    if staff is None:
        return None
    return {"userName": staff.user_name, "userEmail": staff.user_email, "contactNumber": staff.contact_number}


# --- Days: blocks and load ------------------------------------------------------------------


@dataclass
class DayState:
    """What one business day looks like: blocked periods, load per bucket, scheduled jobs."""

    date: str
    blocks: list[Interval] = field(default_factory=list)
    block_version: int | None = None
    load: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, tuple[Interval, str]] = field(default_factory=dict)  # appointmentId -> (slot, status)

    def blocked(self, interval: Interval) -> bool:
        return any(block.overlaps(interval) for block in self.blocks)

    def used(self, interval: Interval) -> int:
        return max((self.load.get(bucket, 0) for bucket in interval.buckets()), default=0)


def blocked_periods(item: UnavailableSlot | None) -> list[Interval]:
    """Stored periods of a day; unreadable legacy entries are skipped."""
    intervals = []
    for period in (item.time_slots if item else []) or []:
        try:
            intervals.append(Interval.parse(period.start_time, period.end_time))
        except ValueError:
            continue
    return intervals


def unavailable_slot_get(date: str) -> UnavailableSlot | None:
    return UnavailableSlot.get_or_none(date)


def day_states(dates: list[str], batch: BatchRead | None = None) -> dict[str, DayState]:
    """Blocks and load of ``dates``: ONE BatchGetItem across UnavailableSlots and SlotLoad (up to
    50 days per call)."""
    return day_states_with(dates, batch or BatchRead())[0]


def day_states_with(
    dates: list[str], batch: BatchRead, *, consistent: bool = False
) -> tuple[dict[str, DayState], dict[str, list]]:
    """``day_states`` plus every other item ``batch`` asked for, read in the same call(s)."""
    for date in dates:
        batch.add(UnavailableSlot, date, consistent=consistent)
        batch.add(SlotLoad, date, consistent=consistent)
    found = batch.run()
    states = {date: DayState(date) for date in dates}
    for raw in found.get(UnavailableSlot.Meta.table_name, []):
        item = UnavailableSlot.from_raw_data(raw)
        if item.date in states:
            states[item.date].blocks = blocked_periods(item)
            states[item.date].block_version = item.version
    for raw in found.get(SlotLoad.Meta.table_name, []):
        if raw["date"]["S"] in states:
            _apply_load(states[raw["date"]["S"]], raw)
    return states, found


def block_read(date: str) -> DayState:
    """Only the blocked periods (and their version) of one day: one GetItem."""
    return _blocks_of(date, unavailable_slot_get(date))


def _blocks_of(date: str, item: UnavailableSlot | None) -> DayState:
    state = DayState(date)
    state.blocks, state.block_version = blocked_periods(item), (item.version if item else None)
    return state


def day_state(date: str) -> DayState:
    return day_states([date])[date]


def _apply_load(state: DayState, raw: dict[str, Any]) -> None:
    for name, value in raw.items():
        if name.startswith("b") and "N" in value:
            state.load[name[1:]] = int(value["N"])
        elif name.startswith("j_") and "S" in value:
            label, _, status = value["S"].partition("|")
            try:
                state.jobs[name[2:]] = (Interval.parse_range(label), status)
            except ValueError:
                continue


def _batch_get_raw(table: str, key_name: str, keys: list[str]) -> list[dict[str, Any]]:
    client = botocore_client()
    items: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        request: dict[str, Any] = {table: {"Keys": [{key_name: {"S": key}} for key in keys[start : start + 100]]}}
        while request:
            response = client.batch_get_item(RequestItems=request)
            items.extend(response["Responses"].get(table, []))
            request = response.get("UnprocessedKeys") or {}
    return items


def mechanic_day_jobs(mechanic_id: str, date: str) -> set[str]:
    """Ids of the appointments holding ``mechanic_id`` on ``date``."""
    raws = _batch_get_raw(MechanicDay.Meta.table_name, "mechanicDay", [f"{mechanic_id}#{date}"])
    return {value["S"] for raw in raws for name, value in raw.items() if name.startswith("b") and "S" in value}


# --- Appointments -----------------------------------------------------------------------------


def appointment_get(appointment_id: str) -> Appointment | None:
    """One appointment by id, or None (also for ids that cannot be ids)."""
    return Appointment.get_by_id(appointment_id)


def appointment_and_blocks(appointment_id: str, date: str | None) -> tuple[Appointment | None, DayState | None]:
    """The appointment and, when ``date`` is given (a PATCH that schedules), that day's blocked
    periods: one BatchGetItem across both tables instead of two GetItems."""
    if date is None or not appointment_id or not isinstance(appointment_id, str) or len(appointment_id) > 64:
        return appointment_get(appointment_id), None
    batch = BatchRead()
    batch.add(Appointment, appointment_id)
    batch.add(UnavailableSlot, date)
    found = batch.run()
    return (
        first(found[Appointment.Meta.table_name], Appointment),
        _blocks_of(date, first(found[UnavailableSlot.Meta.table_name], UnavailableSlot)),
    )


def appointment_get_many(appointment_ids: list[str]) -> list[Appointment]:
    return list(Appointment.batch_get(sorted(set(appointment_ids)))) if appointment_ids else []


@dataclass(frozen=True)
class AppointmentFilters:
    status: str | None = None
    payment_status: str | None = None
    service_id: int | None = None
    mechanic_id: str | None = None
    date_from: str | None = None  # scheduledDate, inclusive
    date_to: str | None = None


def _filter_condition(filters: AppointmentFilters, *, skip: set[str]) -> Any:
    condition = None
    parts = []
    if filters.status and "status" not in skip:
        parts.append(Appointment.status == filters.status)
    if filters.payment_status:
        parts.append(Appointment.payment_status == filters.payment_status)
    if filters.service_id is not None:
        parts.append(Appointment.service_id == filters.service_id)
    if filters.mechanic_id and "mechanic" not in skip:
        parts.append(Appointment.assigned_mechanic_id == filters.mechanic_id)
    if filters.date_from:
        parts.append(Appointment.scheduled_date >= filters.date_from)
    if filters.date_to:
        parts.append(Appointment.scheduled_date <= filters.date_to)
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def appointment_list_for_customer(user_id: str, filters: AppointmentFilters, *, limit: int, cursor: str | None) -> Page:
    """A customer's own appointments (createdUserId-index)."""
    return paginate(
        Appointment.created_user_index,
        user_id,
        limit=limit,
        cursor=cursor,
        filter_condition=_filter_condition(filters, skip=set()),
    )


def reports_awaiting_review(*, limit: int = 50, cursor: str | None = None) -> Page:
    """Appointments with a report uploaded (or generated) and not reviewed yet, waiting longest
    first: one Query of the sparse ``reviewQueue-reviewSinceMs-index``."""
    return paginate(Appointment.review_index, REVIEW_AWAITING, limit=limit, cursor=cursor, scan_index_forward=True)


def appointments_of_customer(user_id: str) -> list[Appointment]:
    """Every appointment booked for ``user_id``, newest first (one Query chain; the index has no
    sort key, so the order is made here)."""
    found = Appointment.created_user_index.query(user_id)
    return sorted(found, key=lambda appointment: appointment.created_at, reverse=True)


def appointment_list_for_mechanic(
    mechanic_id: str, filters: AppointmentFilters, *, limit: int, cursor: str | None
) -> Page:
    """Appointments assigned to one mechanic (assignedMechanicId-index)."""
    return paginate(
        Appointment.assigned_mechanic_index,
        mechanic_id,
        limit=limit,
        cursor=cursor,
        filter_condition=_filter_condition(filters, skip={"mechanic"}),
    )


def appointment_list_for_staff(filters: AppointmentFilters, *, limit: int, cursor: str | None) -> Page:
    """All appointments for staff who see everything: by mechanic, or by status (status-index), one
    status or the five in turn."""
    if filters.mechanic_id:
        return appointment_list_for_mechanic(filters.mechanic_id, filters, limit=limit, cursor=cursor)
    statuses = [filters.status] if filters.status else list(AppointmentStatus)
    return Partitions(Appointment.status_index, statuses).page(
        limit=limit, cursor=cursor, filter_condition=_filter_condition(filters, skip={"status"})
    )


def appointments_on(date: str) -> list[Appointment]:
    """Appointments scheduled on one day (scheduledDate-index)."""
    return list(Appointment.scheduled_date_index.query(date))


# --- Availability (computed from DayStates; no per-appointment reads) -----------------------

CLOSED_STATUSES = {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED}


def _scheduled_entries(state: DayState) -> list[dict[str, Any]]:
    return [
        {
            "timeSlot": interval.label,
            # A PENDING job is a paid first choice held at payment (reservations.py).
            "reason": "pending_appointment" if status == AppointmentStatus.PENDING else "scheduled_appointment",
            "appointmentId": appointment_id,
            "status": status,
        }
        for appointment_id, (interval, status) in sorted(state.jobs.items(), key=lambda job: (job[1][0], job[0]))
        if status not in CLOSED_STATUSES
    ]


def unavailable_payload(state: DayState) -> dict[str, Any]:
    """One day in the original ``/unavailable-slots`` shape."""
    manual = [block.label for block in state.blocks]
    scheduled = _scheduled_entries(state)
    combined: list[dict[str, Any]] = [{"timeSlot": label, "reason": "manually_set"} for label in manual]
    seen = set(manual)
    for entry in scheduled:
        if entry["timeSlot"] not in seen:
            seen.add(entry["timeSlot"])
            combined.append(entry)
    return {
        "date": state.date,
        "unavailableSlots": combined,
        "manuallyUnavailableSlots": manual,
        "scheduledSlots": scheduled,
    }


def slot_check(state: DayState, interval: Interval) -> dict[str, Any]:
    """``availabilityCheck`` of one slot: overlapping open appointments and whether it is blocked."""
    count = sum(1 for slot, status in state.jobs.values() if status not in CLOSED_STATUSES and slot.overlaps(interval))
    return {
        "date": state.date,
        "requestedSlot": interval.label,
        "appointmentsCount": count,
        "blocked": state.blocked(interval),
    }


def slot_status(state: DayState, interval: Interval, capacity: int) -> tuple[str, int]:
    """(status, free) of one candidate slot: too_soon, blocked, full or available."""
    free = max(capacity - state.used(interval), 0)
    if too_soon(state.date, interval):
        return "too_soon", 0
    if state.blocked(interval):
        return "blocked", 0
    return ("available", free) if free > 0 else ("full", 0)


def availability_days(states: list[DayState], duration_minutes: int, capacity: int) -> list[dict[str, Any]]:
    """Every candidate slot of a plan per day with its status and free capacity."""
    days = []
    for state in states:
        slots = []
        for interval in candidates(duration_minutes):
            status, free = slot_status(state, interval, capacity)
            start, end = interval.label.split("-")
            slots.append({"start": start, "end": end, "status": status, "free": free})
        days.append({"date": state.date, "slots": slots})
    return days


# --- Portal views of days ---------------------------------------------------------------------


@dataclass
class DayAnalysis:
    """The slot analyser's figures for one day and plan."""

    slots: list[dict[str, Any]]
    counts: dict[str, int]
    capacity: int
    max_jobs: int
    current_jobs: int

    @property
    def utilisation(self) -> int:
        return round(100 * self.current_jobs / self.max_jobs) if self.max_jobs else 0


def day_analysis(date: str, duration_minutes: int) -> DayAnalysis:
    """Free/full/blocked/too-soon slots, the most jobs that fit and how many are booked."""
    state, capacity = day_state(date), booking_capacity()
    slots = availability_days([state], duration_minutes, capacity)[0]["slots"]
    counts = {
        status: sum(1 for s in slots if s["status"] == status)
        for status in ("available", "full", "blocked", "too_soon")
    }
    free_time = subtract([Interval(OPEN_MINUTE, CLOSE_MINUTE)], state.blocks)
    current = sum(1 for _, status in state.jobs.values() if status != AppointmentStatus.CANCELLED)
    return DayAnalysis(slots, counts, capacity, capacity * max_jobs(duration_minutes, free_time), current)


def week_states(first: str, days: int = 7) -> tuple[list[DayState], dict[str, Appointment]]:
    """Seven days of blocks and jobs plus the scheduled appointments themselves (3 calls)."""
    start = clock.parse_date(first)
    dates = [day.isoformat() for day in days_between(start, start.fromordinal(start.toordinal() + days - 1))]
    states = day_states(dates)
    ids = [appointment_id for state in states.values() for appointment_id in state.jobs]
    appointments = {a.appointment_id: a for a in appointment_get_many(ids)}
    return [states[d] for d in dates], appointments


def mechanic_day(mechanic_id: str, date: str) -> list[Appointment]:
    """A mechanic's jobs on one day, in start order (MechanicDay item, then a BatchGet)."""
    jobs = appointment_get_many(sorted(mechanic_day_jobs(mechanic_id, date)))
    return sorted(jobs, key=lambda a: a.scheduled_time_slot.start if a.scheduled_time_slot else "")
