"""What the bookings services are asked to do, as typed values.

The API's serializers (bookings.serializers.inputs) and the portal's forms build these; the
services never see request JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bookings.slots import Interval


@dataclass(frozen=True)
class Person:
    """A buyer or seller: the contact details the booking is for."""

    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class Car:
    make: str
    model: str
    year: str
    location: str
    # Optional (#18.3): normalised by bookings.vehicles; None: not given (an edit keeps the stored one).
    registration: str | None = None
    vin: str | None = None


@dataclass(frozen=True)
class PreferredSlot:
    """One of the customer's preferred times, inside business hours."""

    date: str
    interval: Interval
    priority: int

    def as_item(self) -> dict[str, Any]:
        start, end = self.interval.label.split("-")
        return {"date": self.date, "start": start, "end": end, "priority": self.priority}


@dataclass(frozen=True)
class BookingRequest:
    """A booking, well-formed (nothing read yet: the plan, the customer and the days are checked
    when it is booked)."""

    service_id: int
    plan_id: int
    is_buyer: bool
    buyer: Person | None
    seller: Person | None
    car: Car
    notes: str
    slots: tuple[PreferredSlot, ...]


@dataclass(frozen=True)
class ReportReview:
    """An admin's verdict on one uploaded report."""

    key: str
    action: str  # "approve" or "reject"
    notes: str = ""


@dataclass(frozen=True)
class ReportEdit:
    """One entry of a new report list: a report upload-urls issued, renamed or annotated."""

    key: str
    file_name: str
    report_notes: str | None = None  # None: keep the report's notes


@dataclass(frozen=True)
class AppointmentChanges:
    """A staff change of an appointment. ``given`` names the fields it sets; the others keep their
    value. A given ``schedule`` or ``mechanic_id`` of None clears it."""

    given: frozenset[str]
    service_id: int | None = None
    plan_id: int | None = None
    is_buyer: bool | None = None
    buyer: Person | None = None
    seller: Person | None = None
    car: Car | None = None
    notes: str | None = None
    schedule: tuple[str, Interval] | None = None  # (date, slot)
    mechanic_id: str | None = None
    status: str | None = None
    report_review: ReportReview | None = None
    reports: tuple[ReportEdit, ...] | None = None
    post_notes: str | None = None
    version: int | None = None  # the version the change was made on: 409 when it is stale

    def sets(self, *names: str) -> bool:
        """Whether the change sets any of ``names``."""
        return not self.given.isdisjoint(names)
