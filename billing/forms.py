"""Portal forms of billing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from autolab import clock
from autolab.dates import clean_range
from autolab.exceptions import ValidationError
from billing.pdf import method_label
from billing.periods import PRESETS, preset_range
from billing.services.buyer import abn_normalised

METHODS = [(method, method_label(method)) for method in ("cash", "bank_transfer", "card")]


ORDER_MESSAGE = "The end date must not be before the start date."
PERIOD_CHOICES = [("", "Custom dates"), *PRESETS]


def _date_field(label: str, *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )


def with_preset_dates(params: Any, names: tuple[str, ...]) -> dict[str, str]:
    """The query's ``names``; a known preset also fills the two dates, so the date fields show
    the period the preset chose (its links carry no dates)."""
    data = {name: params.get(name, "") for name in names}
    if data.get("preset") in dict(PRESETS):
        start, end = preset_range(data["preset"], clock.business_today())
        data.update(start_date=start.isoformat(), end_date=end.isoformat())
    return data


def _apply_preset(data: dict[str, Any]) -> None:
    """A named period replaces whatever dates came with it (its links carry none)."""
    if data.get("preset"):
        data["start_date"], data["end_date"] = preset_range(data["preset"], clock.business_today())


class DateRangeForm(forms.Form):
    """Analytics' period: a preset (this month, this financial year...) or two dates."""

    preset = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, label="Period")
    start_date = _date_field("From", required=False)
    end_date = _date_field("To", required=False)

    max_days = 366  # a financial year with a 29 February

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _apply_preset(data)
        if not self.errors and (data.get("start_date") is None or data.get("end_date") is None):
            raise forms.ValidationError("Choose a period, or both a start and an end date.")
        clean_range(
            data,
            ("start_date", "end_date"),
            max_days=self.max_days,
            order_message=ORDER_MESSAGE,
            span_message=f"Choose at most {self.max_days} days.",
        )
        return data

    @classmethod
    def from_request(cls, params: Any, default_preset: str = "this_month") -> DateRangeForm:
        """The period asked for; with none, ``default_preset``."""
        names = ("preset", "start_date", "end_date")
        if not any(params.get(name) for name in names):
            params = {"preset": default_preset}
        return cls(with_preset_dates(params, names))


SORTS = [("newest", "Newest first"), ("oldest", "Oldest first")]


class InvoiceFilterForm(forms.Form):
    NAMES = ("q", "preset", "start_date", "end_date", "sort")

    """The invoice list: a search, an optional period (preset or dates) and the order by date.

    Without a period every invoice is listed: no window hides a job booked months ahead."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Number, customer, email or reference"}),
    )
    preset = forms.ChoiceField(choices=[("", "Any date"), *PRESETS], required=False, label="Period")
    start_date = _date_field("From", required=False)
    end_date = _date_field("To", required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False, label="Sort by date")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _apply_preset(data)
        data["q"] = " ".join((data.get("q") or "").split())
        data["newest_first"] = data.get("sort") != "oldest"
        start, end = data.get("start_date"), data.get("end_date")
        if start is not None and end is not None and end < start:
            raise forms.ValidationError(ORDER_MESSAGE)
        return data


class ConfirmPaymentForm(forms.Form):
    payment_method = forms.ChoiceField(
        choices=METHODS, widget=forms.RadioSelect, initial="cash", label="Payment received by"
    )


class BuyerAbnForm(forms.Form):
    """The buyer's ABN for the record's tax invoice, checked as billing.services.buyer checks it."""

    buyer_abn = forms.CharField(
        max_length=20, required=False, label="Buyer's ABN", widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def clean_buyer_abn(self) -> str:
        try:
            return abn_normalised(self.cleaned_data["buyer_abn"])
        except ValidationError as error:
            raise forms.ValidationError(error.message) from error


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


REFUND_METHODS_STRIPE = [("card", "Card (back to the card, through Stripe)")]
REFUND_METHODS_MANUAL = [("cash", "Cash"), ("bank_transfer", "Bank transfer")]


class RefundForm(forms.Form):
    """A refund as staff ask for it; ``idempotency_key`` is made when the form is first shown, so a
    double submit or a browser retry of the same form gives one refund."""

    amount = forms.DecimalField(label="Amount (AUD)", min_value=Decimal("0.01"), max_digits=10, decimal_places=2)
    method = forms.ChoiceField(label="Refund by", widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", max_length=200, initial="Refund")
    notes = forms.CharField(
        label="Notes (how: bank reference, cash at counter)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, stripe_paid: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        method = cast(forms.ChoiceField, self.fields["method"])
        method.choices = REFUND_METHODS_STRIPE if stripe_paid else REFUND_METHODS_MANUAL
        method.initial = "card" if stripe_paid else "cash"
