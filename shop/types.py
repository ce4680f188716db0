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
