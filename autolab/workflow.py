"""Rules bookings and shop share about a record's life: payment status values.

Each app keeps its own status enum next to its model (``AppointmentStatus``, ``OrderStatus``); the
values are the strings stored in DynamoDB and sent on the wire, so a member compares equal to them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

S = TypeVar("S", bound=StrEnum)


class PaymentStatus(StrEnum):
    """``paymentStatus`` of an appointment or order (and ``status`` of a Payments row)."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# What list filters accept: the original's four values (a refunded record is not offered as a filter).
PAYMENT_FILTER_STATUSES = tuple(status for status in PaymentStatus if status is not PaymentStatus.REFUNDED)


def status_of(kind: type[S], value: object) -> S | None:
    """The member of ``kind`` whose value is ``value``, or None (Python 3.11's ``in`` on an enum
    raises for a plain string instead of answering False)."""
    try:
        return kind(value)
    except ValueError:
        return None
