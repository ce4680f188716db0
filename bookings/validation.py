"""Validation of booking input, with the original's messages (original-backend-behaviour §1.9, §3.1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from autolab import clock
from autolab.exceptions import ValidationError
from autolab.validation import is_email, is_phone
from bookings.slots import MAX_PREFERRED_SLOTS, MIN_NOTICE_MINUTES, Interval

NOTES_MAX = 2000


def is_required_present(data: dict[str, Any], key: str) -> bool:
    return key in data and data[key] is not None and data[key] != ""


def require(data: dict[str, Any], *keys: str, prefix: str = "") -> None:
    for key in keys:
        if not is_required_present(data, key):
            raise ValidationError(f"{prefix}{key} is required")


def integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be an integer")
    return value


def text(value: Any, name: str, *, low: int = 1, high: int = 100) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a string")
    value = value.strip()
    if not low <= len(value) <= high:
        raise ValidationError(f"{name} must be between {low} and {high} characters")
    return value


def optional_text(value: Any, name: str, *, high: int) -> str:
    if value is None or value == "":
        return ""
    return text(value, name, low=0, high=high)


def email(value: Any, name: str) -> str:
    address = text(value, name, high=254)
    if not is_email(address):
        raise ValidationError(f"{name} must be a valid email address")
    return address


def phone(value: Any, name: str) -> str:
    number = text(value, name, high=30)
    if not is_phone(number):
        raise ValidationError(f"{name} must be a valid phone number (7-15 digits, optional +country code)")
    return number


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str


def person(data: Any, prefix: str) -> Person:
    """``buyerData``/``sellerData``: name, email and ``phoneNumber`` (or legacy ``contactNumber``)."""
    if not isinstance(data, dict):
        raise ValidationError(f"{prefix} must be an object")
    require(data, "name", "email", prefix=f"{prefix}.")
    number = data.get("phoneNumber") or data.get("contactNumber")
    if not number:
        raise ValidationError(f"{prefix}.phoneNumber is required")
    return Person(
        text(data["name"], f"{prefix}.name"),
        email(data["email"], f"{prefix}.email"),
        phone(number, f"{prefix}.phoneNumber"),
    )


@dataclass(frozen=True)
class Car:
    make: str
    model: str
    year: str
    location: str


def car(data: Any) -> Car:
    if not isinstance(data, dict):
        raise ValidationError("carData must be an object")
    require(data, "make", "model", "year", prefix="carData.")
    year = data["year"]
    try:
        year_number = int(str(year).strip()) if not isinstance(year, bool) else None
    except ValueError:
        year_number = None
    if year_number is None:
        raise ValidationError("carData.year must be a number")
    latest = clock.business_today().year + 1
    if not 1900 <= year_number <= latest:
        raise ValidationError(f"carData.year must be between 1900 and {latest}")
    return Car(
        text(data["make"], "carData.make", high=50),
        text(data["model"], "carData.model", high=50),
        str(year_number),
        optional_text(data.get("location"), "carData.location", high=200),
    )


@dataclass(frozen=True)
class PreferredSlot:
    date: str
    interval: Interval
    priority: int

    def as_item(self) -> dict[str, Any]:
        start, end = self.interval.label.split("-")
        return {"date": self.date, "start": start, "end": end, "priority": self.priority}


def slot_date(value: Any, name: str) -> dt.date:
    try:
        return clock.parse_date(value)
    except ValueError as exc:
        raise ValidationError(f"{name} must be in YYYY-MM-DD format") from exc


def preferred_slots(value: Any, *, required: bool) -> list[PreferredSlot]:
    """One to four well-formed slots inside business hours that do not overlap one another."""
    if value in (None, ""):
        value = []
    if not isinstance(value, list):
        raise ValidationError("selectedSlots must be an array")
    if required and not value:
        raise ValidationError("At least one selected time slot is required")
    if len(value) > MAX_PREFERRED_SLOTS:
        raise ValidationError(f"You can select up to {MAX_PREFERRED_SLOTS} slots")
    slots = [_preferred_slot(item, position) for position, item in enumerate(value, start=1)]
    for i, first in enumerate(slots):
        for second in slots[i + 1 :]:
            if first.date == second.date and first.interval.overlaps(second.interval):
                raise ValidationError(
                    f"Selected slots overlap: {first.date} {first.interval.label} and {second.interval.label}"
                )
    return slots


def _preferred_slot(item: Any, position: int) -> PreferredSlot:
    name = f"selectedSlots[{position - 1}]"
    if not isinstance(item, dict):
        raise ValidationError(f"{name} must be an object with date, start and end")
    require(item, "date", "start", "end", prefix=f"{name}.")
    day = slot_date(item["date"], f"{name}.date")
    try:
        interval = Interval.parse(item["start"], item["end"])
    except ValueError as exc:
        raise ValidationError(f"{name}: {exc}") from exc
    if not interval.inside_hours():
        raise ValidationError(f"{name} must be within business hours (08:00-20:00)")
    if "priority" not in item:
        raise ValidationError(f"{name} must contain priority")  # the original's message
    priority = integer(item["priority"], f"{name}.priority")
    return PreferredSlot(day.isoformat(), interval, priority)


def too_soon(date: str, interval: Interval) -> bool:
    """Less than two hours' notice, in business time."""
    start = clock.local_datetime(clock.parse_date(date), interval.label.split("-")[0])
    return (start - clock.now()).total_seconds() < MIN_NOTICE_MINUTES * 60
