"""Date-range input: one way to read a ``YYYY-MM-DD`` day and to check a from/to pair.

``date_range()`` is the rule (order, then length); ``validate_range()`` applies it inside a DRF
serializer's ``validate`` and ``clean_range()`` inside a Django form's ``clean``. Each call site
passes its own field names and messages, because the website and the portal already show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from rest_framework import serializers

from autolab import clock
from autolab.exceptions import ValidationError

DAY_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class DateRange:
    """Business days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=offset) for offset in range(self.days)]


def parse_day(value: Any, name: str = "date") -> dt.date:
    """A strict ``YYYY-MM-DD`` day; anything else is a 400 naming the parameter."""
    try:
        return clock.parse_date(value)
    except ValueError as exc:
        raise ValidationError(f"{name} must be in YYYY-MM-DD format") from exc


def date_range(
    start: dt.date,
    end: dt.date,
    *,
    max_days: int | None = None,
    names: tuple[str, str] = ("startDate", "endDate"),
    order_message: str | None = None,
    span_message: str | None = None,
) -> DateRange:
    """``start``..``end`` checked: ``end`` not before ``start``, at most ``max_days`` days (both ends count).

    The default messages name the fields (``names``); a call site whose wording differs passes its own.
    """
    if end < start:
        raise ValidationError(order_message or f"{names[1]} must not be before {names[0]}")
    span = DateRange(start, end)
    if max_days is not None and span.days > max_days:
        raise ValidationError(span_message or f"The date range can span at most {max_days} days")
    return span


def day_field(**kwargs: Any) -> serializers.DateField:
    """A DRF field reading a strict ``YYYY-MM-DD`` day (the website's only date format)."""
    return serializers.DateField(input_formats=[DAY_FORMAT], **kwargs)


def validate_range(
    attrs: Mapping[str, Any],
    names: tuple[str, str],
    *,
    required_message: str | None = None,
    **rules: Any,
) -> DateRange | None:
    """``date_range()`` on a serializer's two date fields, as a DRF error (for ``validate``).

    With either field missing: None, or ``required_message`` when the pair is required.
    """
    start, end = attrs.get(names[0]), attrs.get(names[1])
    if start is None or end is None:
        if required_message:
            raise serializers.ValidationError(required_message)
        return None
    try:
        return date_range(start, end, names=names, **rules)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.message) from exc


def clean_range(data: Mapping[str, Any], names: tuple[str, str], **rules: Any) -> DateRange | None:
    """``date_range()`` on a form's two date fields, as a form error (for ``clean``).

    A missing or invalid field already has its own error, so the pair is checked only when both are set.
    """
    start, end = data.get(names[0]), data.get(names[1])
    if start is None or end is None:
        return None
    try:
        return date_range(start, end, names=names, **rules)
    except ValidationError as exc:
        raise forms.ValidationError(exc.message) from exc
