"""Input rules of parts orders (original-backend-behaviour.md §1.14, §3.1, §3.7), as pure functions.

Each parser takes the JSON the website sends and returns typed values, or raises ValidationError
with a message naming the field, so bad input is a 400 and never reaches the database.
"""

from __future__ import annotations

from typing import Any

from autolab import clock
from autolab.exceptions import ValidationError
from autolab.validation import is_email, is_phone
from shop.types import CarDetails, CustomerDetails, LineRequest

MAX_LINES = 10
MAX_QUANTITY = 30
MAX_NOTES = 1000
MAX_LOCATION = 300


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(f"{field} must be an object")
    return value


def _integer(value: Any, field: str, low: int, high: int | None = None) -> int:
    # JSON booleans are ints in Python; the website never sends them for ids or quantities.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be an integer")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationError(f"{field} must be {bound}")
    return value


def text(value: Any, field: str, *, low: int = 0, high: int) -> str:
    """A trimmed string of ``low``..``high`` characters; None counts as empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string")
    value = value.strip()
    if len(value) < low:
        raise ValidationError(f"{field} is required" if low == 1 else f"{field} must be at least {low} characters")
    if len(value) > high:
        raise ValidationError(f"{field} must be at most {high} characters")
    return value


def parse_lines(value: Any) -> list[LineRequest]:
    """1 to 10 distinct items, each ``{categoryId, itemId, quantity}`` with quantity 1 to 30."""
    if not isinstance(value, list) or not value:
        raise ValidationError("items must contain at least one item")
    if len(value) > MAX_LINES:
        raise ValidationError(f"An order can contain at most {MAX_LINES} items")
    lines = []
    for index, raw in enumerate(value):
        entry = _object(raw, f"items[{index}]")
        lines.append(
            LineRequest(
                category_id=_integer(entry.get("categoryId"), f"items[{index}].categoryId", 1),
                item_id=_integer(entry.get("itemId"), f"items[{index}].itemId", 1),
                quantity=_integer(entry.get("quantity"), f"items[{index}].quantity", 1, MAX_QUANTITY),
            )
        )
    keys = [(line.category_id, line.item_id) for line in lines]
    if len(set(keys)) != len(keys):
        raise ValidationError("Each item may appear only once; change its quantity instead")
    return lines


def parse_customer(value: Any) -> CustomerDetails:
    """``{name, email, phoneNumber | contactNumber}``; both phone spellings are kept."""
    data = _object(value, "customerData")
    name = text(data.get("name"), "customerData.name", low=1, high=100)
    email = text(data.get("email"), "customerData.email", low=1, high=254)
    if not is_email(email):
        raise ValidationError("customerData.email must be a valid email address")
    phone = text(data.get("phoneNumber") or data.get("contactNumber"), "customerData.phoneNumber", low=1, high=30)
    if not is_phone(phone):
        raise ValidationError("customerData.phoneNumber must be a valid phone number")
    return CustomerDetails(name=name, email=email, phone=phone)


def parse_car(value: Any) -> CarDetails:
    """``{make, model, year}``: year 1900..next year (business calendar)."""
    data = _object(value, "carData")
    make = text(data.get("make"), "carData.make", low=1, high=50)
    model = text(data.get("model"), "carData.model", low=1, high=50)
    year = data.get("year")
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    latest = clock.business_today().year + 1
    year = _integer(year, "carData.year", 1900, latest)
    return CarDetails(make=make, model=model, year=str(year))


def parse_notes(value: Any, field: str = "notes") -> str:
    return text(value, field, high=MAX_NOTES)


def parse_location(value: Any) -> str:
    return text(value, "deliveryLocation", high=MAX_LOCATION)


def parse_scheduled_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` or empty (clears the date)."""
    if value in (None, ""):
        return None
    try:
        return clock.parse_date(value).isoformat()
    except ValueError as exc:
        raise ValidationError("scheduledDate must be a date as YYYY-MM-DD") from exc
