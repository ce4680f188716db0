"""The website's order JSON, checked with the original's messages and turned into typed requests
(original-backend-behaviour.md §1.14, §3.1, §3.7). The first broken rule answers (autolab.wire)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from autolab import clock
from autolab.exceptions import ValidationError
from autolab.validation import is_email, is_phone
from autolab.wire import RawText, UserIdField, WireField, WireList, WireSerializer, path_of
from shop.types import CarDetails, CustomerDetails, LineRequest, OrderRequest
from shop.validation import MAX_LINES, MAX_LOCATION, MAX_NOTES, MAX_QUANTITY, text

# --- Fields ----------------------------------------------------------------------------------------


def _check_integer(field: WireField, value: Any, low: int, high: int | None) -> int:
    # JSON booleans are ints in Python; the website never sends them for ids or quantities.
    if isinstance(value, bool) or not isinstance(value, int):
        field.fail_with("{path} must be an integer")
    if value < low or (high is not None and value > high):
        field.fail_with(
            "{path} must be {bound}", bound=f"between {low} and {high}" if high is not None else f"at least {low}"
        )
    return value


class Integer(WireField, serializers.IntegerField):
    """An integer from ``low`` (to ``high``); missing counts as not an integer."""

    def __init__(self, *, low: int, high: int | None = None, **kwargs: Any) -> None:
        self.low, self.high = low, high
        if high is not None:
            kwargs["max_value"] = high
        super().__init__(min_value=low, **kwargs)

    def run_validation(self, data: Any = empty) -> int:
        return _check_integer(self, None if data is empty else data, self.low, self.high)


class Text(WireField, serializers.CharField):
    """A trimmed string of ``low`` to ``high`` characters; missing or null counts as empty."""

    def __init__(self, *, high: int, low: int = 0, **kwargs: Any) -> None:
        self.low, self.high = low, high
        kwargs.setdefault("required", low > 0)
        super().__init__(max_length=high, allow_blank=low == 0, allow_null=low == 0, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        if data is empty and not self.required:
            raise SkipField
        return text(None if data is empty else data, path_of(self), low=self.low, high=self.high)


class Email(Text):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(low=1, high=254, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        address = super().run_validation(data)
        if not is_email(address):
            self.fail_with("{path} must be a valid email address")
        return address


class Phone(Text):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(low=1, high=30, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        number = super().run_validation(data)
        if not is_phone(number):
            self.fail_with("{path} must be a valid phone number")
        return number


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "example": 2018})
class CarYear(WireField, serializers.Field):
    """A model year from 1900 to next year (business calendar), as a number or digits."""

    def run_validation(self, data: Any = empty) -> str:
        if data is empty and not self.required:
            raise SkipField
        year = None if data is empty else data
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year.strip())
        return str(_check_integer(self, year, 1900, clock.business_today().year + 1))


# --- Objects ---------------------------------------------------------------------------------------


class OrderLineInput(WireSerializer):
    categoryId = Integer(low=1)
    itemId = Integer(low=1)
    quantity = Integer(low=1, high=MAX_QUANTITY)

    def validate(self, attrs: dict[str, Any]) -> LineRequest:
        return LineRequest(attrs["categoryId"], attrs["itemId"], attrs["quantity"])


class Lines(WireList):
    """1 to 10 distinct items, each ``{categoryId, itemId, quantity}`` with quantity 1 to 30."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=OrderLineInput(), min_length=1, max_length=MAX_LINES, **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty and not self.required:
            raise SkipField
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> list[LineRequest]:
        if not isinstance(data, list) or not data:
            self.fail_with("{path} must contain at least one item")
        if len(data) > MAX_LINES:
            raise ValidationError(f"An order can contain at most {MAX_LINES} items")
        lines = self.each(data)
        keys = [(line.category_id, line.item_id) for line in lines]
        if len(set(keys)) != len(keys):
            raise ValidationError("Each item may appear only once; change its quantity instead")
        return lines


class OrderCustomerInput(WireSerializer):
    """``{name, email, phoneNumber | contactNumber}``; both phone spellings are kept."""

    name = Text(low=1, high=100)
    email = Email()
    phoneNumber = Phone()
    contactNumber = RawText(required=False, help_text="Legacy spelling of phoneNumber, used when it is absent")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            number = data.get("phoneNumber") or data.get("contactNumber")
            data = {**{k: v for k, v in data.items() if k != "contactNumber"}, "phoneNumber": number}
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> CustomerDetails:
        return CustomerDetails(attrs["name"], attrs["email"], attrs["phoneNumber"])


class OrderCarInput(WireSerializer):
    make = Text(low=1, high=50)
    model = Text(low=1, high=50)
    year = CarYear()

    def validate(self, attrs: dict[str, Any]) -> CarDetails:
        return CarDetails(attrs["make"], attrs["model"], attrs["year"])


class OrderInput(WireSerializer):
    """The ``orderData`` of ``POST /orders``."""

    path_root = True
    items = Lines()
    customerData = OrderCustomerInput()
    carData = OrderCarInput()
    notes = Text(high=MAX_NOTES)
    deliveryLocation = Text(high=MAX_LOCATION)

    def validate(self, attrs: dict[str, Any]) -> OrderRequest:
        return OrderRequest(
            lines=tuple(attrs["items"]),
            customer=attrs["customerData"],
            car=attrs["carData"],
            notes=attrs.get("notes", ""),
            delivery_location=attrs.get("deliveryLocation", ""),
        )


class OrderCreateInput(WireSerializer):
    """``POST /orders``: ``{userId, orderData}``; context ``customer``: the caller is a customer."""

    orderData = OrderInput()
    userId = UserIdField()  # the original checked it after the order

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        data = data if isinstance(data, Mapping) else {}  # read as an empty body
        if "orderData" not in data:
            raise ValidationError("orderData is required")
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"user_id": attrs["userId"], "order": attrs["orderData"]}
