"""Portal forms of the shop (shape and type checks only; the rules live in services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from autolab import clock
from autolab.dates import clean_range
from autolab.validation import is_email, is_phone
from shop.selectors import ORDER_STATUSES, PAYMENT_STATUSES


def _choices(values: tuple[str, ...], blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(value, value.replace("_", " ").capitalize()) for value in values]


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(choices=_choices(ORDER_STATUSES, "Any status"), required=False)
    paymentStatus = forms.ChoiceField(
        choices=_choices(PAYMENT_STATUSES, "Any payment"), required=False, label="Payment"
    )
    dateFrom = forms.DateField(required=False, label="Created from", widget=forms.DateInput(attrs={"type": "date"}))
    dateTo = forms.DateField(required=False, label="Created to", widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")], required=False, label="Sort by date"
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        clean_range(data, ("dateFrom", "dateTo"), order_message="'Created from' must not be after 'Created to'.")
        return data


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ScheduleForm(VersionedForm):
    scheduledDate = forms.DateField(
        required=False, label="Delivery date", widget=forms.DateInput(attrs={"type": "date"})
    )
    assignedMechanicId = forms.ChoiceField(required=False, label="Mechanic")

    def __init__(self, *args: Any, mechanics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignedMechanicId"]).choices = [("", "No mechanic"), *mechanics]


class StatusForm(VersionedForm):
    status = forms.ChoiceField(choices=[(value, value) for value in ORDER_STATUSES])


class PostNotesForm(VersionedForm):
    postNotes = forms.CharField(
        required=False, max_length=1000, label="Post notes", widget=forms.Textarea(attrs={"rows": 3})
    )


class CatalogueItemForm(forms.Form):
    itemName = forms.CharField(max_length=100, label="Item name")
    price = forms.DecimalField(min_value=0.01, max_digits=9, decimal_places=2)
    active = forms.BooleanField(required=False)


class CatalogueAddForm(CatalogueItemForm):
    categoryId = forms.IntegerField(min_value=1, label="Category id")
    categoryName = forms.CharField(max_length=100, required=False, label="Category name (new categories)")
    itemId = forms.IntegerField(min_value=1, label="Item id")
    field_order = ["categoryId", "categoryName", "itemId", "itemName", "price", "active"]


class CategoryRenameForm(forms.Form):
    categoryId = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    categoryName = forms.CharField(max_length=100, label="Category name")


class DetailsForm(VersionedForm):
    customerName = forms.CharField(max_length=100, label="Customer name")
    customerEmail = forms.CharField(max_length=254, label="Customer email")
    customerPhone = forms.CharField(max_length=30, label="Customer phone")
    carMake = forms.CharField(max_length=50, label="Car make")
    carModel = forms.CharField(max_length=50, label="Car model")
    carYear = forms.IntegerField(label="Car year")
    # Checked by the service (autolab.vehicle_ids), which says what a registration or VIN must be.
    registration = forms.CharField(max_length=12, required=False, label="Registration")
    vin = forms.CharField(max_length=24, required=False, label="VIN")
    deliveryLocation = forms.CharField(max_length=300, required=False, label="Delivery location")
    notes = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_customerEmail(self) -> str:
        email = self.cleaned_data["customerEmail"]
        if not is_email(email):
            raise forms.ValidationError("must be a valid email address")
        return email

    def clean_customerPhone(self) -> str:
        phone = self.cleaned_data["customerPhone"]
        if not is_phone(phone):
            raise forms.ValidationError("must be a valid phone number")
        return phone

    def clean_carYear(self) -> int:
        year = self.cleaned_data["carYear"]
        latest = clock.business_today().year + 1
        if not 1900 <= year <= latest:
            raise forms.ValidationError(f"must be between 1900 and {latest}")
        return year
