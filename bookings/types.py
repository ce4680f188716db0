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
