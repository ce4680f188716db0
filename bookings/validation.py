"""Validation of booking input, with the original's messages (original-backend-behaviour §1.9, §3.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from autolab import clock
from autolab.exceptions import ValidationError
from autolab.validation import is_email, is_phone
from bookings.types import Car, Person

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


def slot_date(value: Any, name: str) -> dt.date:
    try:
        return clock.parse_date(value)
    except ValueError as exc:
        raise ValidationError(f"{name} must be in YYYY-MM-DD format") from exc
