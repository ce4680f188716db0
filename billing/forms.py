"""Portal forms of billing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms

from autolab import clock
from autolab.dates import clean_range

METHODS = [("cash", "Cash"), ("bank_transfer", "Bank transfer"), ("card", "Card (terminal)")]


class DateRangeForm(forms.Form):
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    max_days = 365

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        clean_range(
            data,
            ("start_date", "end_date"),
            max_days=self.max_days + 1,  # end - start at most max_days, as the API counts
            order_message="The end date must not be before the start date.",
            span_message=f"Choose at most {self.max_days} days.",
        )
        return data

    @classmethod
    def from_request(cls, params: Any, default_days: int = 30) -> DateRangeForm:
        today = clock.business_today()
        data = {
            "start_date": params.get("start_date") or (today - dt.timedelta(days=default_days)).isoformat(),
            "end_date": params.get("end_date") or today.isoformat(),
        }
        return cls(data)


class InvoiceRangeForm(DateRangeForm):
    max_days = 90


class ConfirmPaymentForm(forms.Form):
    payment_method = forms.ChoiceField(choices=METHODS)


class ManualCustomerForm(forms.Form):
    """Step 1 of the manual invoice: who paid, for which vehicle, how and when."""

    name = forms.CharField(max_length=100)
    email = forms.EmailField(required=False, max_length=254)
    phone = forms.CharField(required=False, max_length=30)
    make = forms.CharField(max_length=50, label="Vehicle make")
    model = forms.CharField(max_length=50, label="Vehicle model")
    year = forms.RegexField(r"^\d{4}$", required=False, label="Vehicle year")
    payment_method = forms.ChoiceField(choices=METHODS)
    payment_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reference_number = forms.RegexField(r"^[A-Za-z0-9-]{1,40}$", required=False, label="Reference (optional)")


class ManualItemsForm(forms.Form):
    """Step 2: a service plan and/or up to three extra lines."""

    plan = forms.ChoiceField(required=False, label="Service plan")
    item_name_1 = forms.CharField(required=False, max_length=120, label="Extra item")
    unit_price_1 = forms.DecimalField(
        required=False, min_value=Decimal("0.01"), max_value=Decimal(1000000), decimal_places=2
    )
    quantity_1 = forms.IntegerField(required=False, min_value=1, max_value=1000)
    item_name_2 = forms.CharField(required=False, max_length=120, label="Extra item")
    unit_price_2 = forms.DecimalField(
        required=False, min_value=Decimal("0.01"), max_value=Decimal(1000000), decimal_places=2
    )
    quantity_2 = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def __init__(self, *args: Any, plans: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan"]).choices = [("", "— none —"), *plans]

    def extra_lines(self) -> list[tuple[str, Decimal, int]]:
        lines = []
        for n in (1, 2):
            name, price, qty = (self.cleaned_data.get(f"{f}_{n}") for f in ("item_name", "unit_price", "quantity"))
            if name or price or qty:
                if not (name and price and qty):
                    raise forms.ValidationError("Each extra item needs a name, a unit price and a quantity.")
                lines.append((name, price, qty))
        return lines

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not data.get("plan") and not self.extra_lines():
            raise forms.ValidationError("Choose a service plan or add at least one item.")
        if not self.errors:
            self.extra_lines()
        return data
