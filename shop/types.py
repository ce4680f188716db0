"""What the shop's services are asked to do, as typed values.

The API's serializers (shop.serializers.inputs) and the portal's forms build these; the services
never see request JSON.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineRequest:
    """One catalogue item and how many; its price comes from the catalogue."""

    category_id: int
    item_id: int
    quantity: int


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str
    phone: str


@dataclass(frozen=True)
class CarDetails:
    make: str
    model: str
    year: str


@dataclass(frozen=True)
class OrderRequest:
    """A parts order, well-formed (the catalogue and the customer are checked when it is placed)."""

    lines: tuple[LineRequest, ...]
    customer: CustomerDetails
    car: CarDetails
    notes: str
    delivery_location: str


@dataclass(frozen=True)
class CustomerChanges:
    """New contact details of an order's customer; None keeps a field."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class CarChanges:
    make: str | None = None
    model: str | None = None
    year: str | None = None
    registration: str | None = None  # raw, as typed; "" clears it (autolab.vehicle_ids cleans it)
    vin: str | None = None


@dataclass(frozen=True)
class OrderChanges:
    """A staff change of an order. ``given`` names the fields it sets; the others keep their value.
    A given ``scheduled_date`` or ``mechanic_id`` of None clears it."""

    given: frozenset[str]
    lines: tuple[LineRequest, ...] | None = None
    customer: CustomerChanges | None = None
    car: CarChanges | None = None
    notes: str | None = None
    delivery_location: str | None = None
    scheduled_date: str | None = None
    mechanic_id: str | None = None
    status: str | None = None
    post_notes: str | None = None
    version: int | None = None  # the version the change was made on: 409 when it is stale

    def sets(self, *names: str) -> bool:
        """Whether the change sets any of ``names``."""
        return not self.given.isdisjoint(names)
