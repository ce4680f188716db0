"""The website's PATCH of an order, checked with the original's messages and turned into typed
OrderChanges. The body's shape is checked here, before anything is read; what depends on the order
(who may change what, its status and payment, the catalogue, the mechanic) is the service's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from autolab import clock
from autolab.exceptions import ValidationError
from autolab.wire import MechanicIdField, RawText, StatusField, VersionField, WireField, WireSerializer
from shop.models import OrderStatus
from shop.serializers.inputs import CarYear, Email, Lines, Phone, Text
from shop.types import CarChanges, CustomerChanges, OrderChanges
from shop.validation import MAX_LOCATION, MAX_NOTES

# wire name -> OrderChanges attribute
FIELDS = {
    "items": "lines",
    "customerData": "customer",
    "carData": "car",
    "notes": "notes",
    "deliveryLocation": "delivery_location",
    "scheduledDate": "scheduled_date",
    "assignedMechanicId": "mechanic_id",
    "status": "status",
    "postNotes": "post_notes",
}
NOTHING_TO_CHANGE = (
    "Nothing to change: give items, customerData, carData, notes, deliveryLocation, scheduledDate,"
    " assignedMechanicId, status or postNotes"
)


class CustomerChangesInput(WireSerializer):
    """The given fields of ``customerData`` (``phoneNumber`` or the legacy ``contactNumber``)."""

    name = Text(low=1, high=100, required=False)
    email = Email(required=False)
    phoneNumber = Phone(required=False)
    contactNumber = RawText(required=False, help_text="Legacy spelling of phoneNumber, used when it is absent")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            phone = {}
            if "phoneNumber" in data or "contactNumber" in data:
                phone = {"phoneNumber": data.get("phoneNumber") or data.get("contactNumber")}
            data = {**{k: v for k, v in data.items() if k not in ("phoneNumber", "contactNumber")}, **phone}
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> CustomerChanges:
        return CustomerChanges(attrs.get("name"), attrs.get("email"), attrs.get("phoneNumber"))


class CarChangesInput(WireSerializer):
    make = Text(low=1, high=50, required=False)
    model = Text(low=1, high=50, required=False)
    year = CarYear(required=False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def validate(self, attrs: dict[str, Any]) -> CarChanges:
        return CarChanges(attrs.get("make"), attrs.get("model"), attrs.get("year"))


class ScheduledDate(WireField, serializers.DateField):
    """``YYYY-MM-DD``, or empty to clear the date."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, **kwargs)

    def run_validation(self, data: Any = empty) -> str | None:
        if data is empty:
            raise SkipField
        if data in (None, ""):
            return None
        try:
            return clock.parse_date(data).isoformat()
        except ValueError:
            self.fail_with("{path} must be a date as YYYY-MM-DD")


class OrderChangesInput(WireSerializer):
    """``PATCH /orders/{id}``: any of the fields (others are ignored); each field group is
    authorised separately."""

    path_root = True
    not_an_object = "Request body must be a JSON object"
    version = VersionField()
    items = Lines(required=False)
    customerData = CustomerChangesInput()
    carData = CarChangesInput()
    notes = Text(high=MAX_NOTES)
    deliveryLocation = Text(high=MAX_LOCATION)
    scheduledDate = ScheduledDate()
    assignedMechanicId = MechanicIdField(max_length=64)
    status = StatusField(OrderStatus, any_case=True)
    postNotes = Text(high=MAX_NOTES)

    def validate(self, attrs: dict[str, Any]) -> OrderChanges:
        values = {FIELDS[name]: value for name, value in attrs.items() if name in FIELDS}
        if not values:
            raise ValidationError(NOTHING_TO_CHANGE)
        return OrderChanges(given=frozenset(values), version=attrs.get("version"), **values)
