"""Portal form of a parts order for a caller on the phone.

It checks shapes; the order's rules are the API's own: ``order_request`` hands the input to the
API's serializer (``shop.serializers.inputs.OrderInput``) and puts its message on the field it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from autolab.exceptions import ValidationError
from shop.models import ItemPrice
from shop.serializers.inputs import OrderInput
from shop.types import OrderRequest
from shop.validation import MAX_LOCATION, MAX_NOTES, MAX_QUANTITY

# Where the serializer's paths land on the form: ``carData.year`` -> ``car_year``.
_FIELDS = {
    "customerData.name": "name",
    "customerData.email": "email",
    "customerData.phoneNumber": "phone",
    "carData.make": "car_make",
    "carData.model": "car_model",
    "carData.year": "car_year",
    "deliveryLocation": "delivery_location",
    "notes": "notes",
}


def quantity_field(item: ItemPrice) -> str:
    return f"qty_{item.category_id}_{item.item_id}"


class CallerOrderForm(forms.Form):
    """A parts order for a known caller: quantities of catalogue items, contact, car and delivery."""

    name = forms.CharField(max_length=100, label="Caller's name")
    email = forms.CharField(max_length=254, label="Caller's email", widget=forms.EmailInput)
    phone = forms.CharField(max_length=30, label="Caller's phone", widget=forms.TextInput(attrs={"type": "tel"}))
    car_make = forms.CharField(max_length=50, label="Make")
    car_model = forms.CharField(max_length=50, label="Model")
    car_year = forms.CharField(max_length=4, label="Year", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    delivery_location = forms.CharField(max_length=MAX_LOCATION, required=False, label="Delivery location")
    notes = forms.CharField(
        max_length=MAX_NOTES, required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 2})
    )
    key = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)  # autolab.once

    def __init__(self, *args: Any, items: Sequence[ItemPrice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[quantity_field(item)] = forms.IntegerField(
                min_value=0, max_value=MAX_QUANTITY, required=False, label=f"{item.item_name} quantity"
            )

    def item_rows(self) -> list[dict[str, Any]]:
        return [{"item": item, "field": self[quantity_field(item)]} for item in self.items]

    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in _FIELDS.values()]

    def order_request(self) -> OrderRequest | None:
        """The valid form as the API's typed order, checked by the API's serializer (None: its first
        broken rule is now on the form)."""
        data = self.cleaned_data
        lines = [
            {"categoryId": item.category_id, "itemId": item.item_id, "quantity": data[quantity_field(item)]}
            for item in self.items
            if data.get(quantity_field(item))
        ]
        wire = {
            "items": lines,
            "customerData": {"name": data["name"], "email": data["email"], "phoneNumber": data["phone"]},
            "carData": {"make": data["car_make"], "model": data["car_model"], "year": data["car_year"]},
            "notes": data["notes"],
            "deliveryLocation": data["delivery_location"],
        }
        try:
            return cast(OrderRequest, OrderInput.parse(wire))
        except ValidationError as error:
            path, _, rest = error.message.partition(" ")
            field = _FIELDS.get(path)
            if path == "items":
                self.add_error(None, "Choose at least one item: give it a quantity.")
            elif field is None:
                self.add_error(None, error.message)
            else:
                self.add_error(field, rest[:1].upper() + rest[1:] + ".")
            return None
