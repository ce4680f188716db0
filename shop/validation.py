"""Limits of parts orders (original-backend-behaviour.md §1.14, §3.7) and the text rule the shop's
serializers and catalogue services share."""

from __future__ import annotations

from typing import Any

from autolab.exceptions import ValidationError

MAX_LINES = 10
MAX_QUANTITY = 30
MAX_NOTES = 1000
MAX_LOCATION = 300


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
