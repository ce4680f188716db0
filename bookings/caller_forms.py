"""Portal forms of booking for a caller on the phone: find or add the caller, then the booking.

The forms check shapes; the booking's rules are the API's own: ``booking_request`` hands the
input to the API's serializer (``bookings.serializers.inputs.BookingInput``) and puts its message
on the field it names, and a new caller's details go through chat's profile rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms

from autolab import clock
from autolab.exceptions import ValidationError
from autolab.money import money_display
from bookings.models import ServicePrice
from bookings.serializers.inputs import NOTES_MAX, BookingInput
from bookings.types import BookingRequest
from chat.validation import Profile, clean_profile, profile_field_error

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SIDES = [("buyer", "The caller is buying the car"), ("seller", "The caller is selling the car")]
NO_LONGER_FREE = "That time is no longer free; choose another."
MAX_DAYS_AHEAD = 62  # as far as the API's availability looks


class CallerSearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Name or email")


class NewCallerForm(forms.Form):
    """A caller who is not a customer yet: checked by the same rules as the website's profile."""

    name = forms.CharField(max_length=100, label="Name")
    email = forms.CharField(max_length=254, label="Email", widget=forms.EmailInput)
    phone = forms.CharField(max_length=30, label="Phone", widget=forms.TextInput(attrs={"type": "tel"}))

    WIRE = {"name": "userName", "email": "userEmail", "phone": "contactNumber"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, wire in self.WIRE.items():
            problem = profile_field_error(wire, data[field]) if data.get(field) else None
            if problem is not None:
                self.add_error(field, sentence(problem.partition(" ")[2]))
        return data

    def profile(self) -> Profile:
        """The cleaned details as chat's Profile (the email in lower case, as the website stores it)."""
        data = self.cleaned_data
        return clean_profile({wire: data[field] for field, wire in self.WIRE.items()}, strict=True)


def plan_value(plan: ServicePrice) -> str:
    return f"{plan.service_id}:{plan.plan_id}"


def _plan_label(plan: ServicePrice) -> str:
    hours, minutes = divmod(int(plan.duration_minutes), 60)
    length = f"{hours} h" + (f" {minutes} min" if minutes else "") if hours else f"{minutes} min"
    return f"{plan.service_name}: {plan.plan_name} · {money_display(plan.price)} · {length}"


# Where the serializer's paths land on the form: ``carData.year`` -> ``car_year``.
_CAR_FIELDS = {f"carData.{key}": f"car_{key}" for key in ("make", "model", "year", "location", "registration", "vin")}


class CallerBookingForm(forms.Form):
    """An appointment for a known caller: a plan, one free slot of a day, the contacts and the car."""

    plan = forms.ChoiceField(label="Service and plan")
    date = forms.DateField(label="Day", widget=DATE_WIDGET)
    slot = forms.ChoiceField(label="Time", widget=forms.RadioSelect, error_messages={"invalid_choice": NO_LONGER_FREE})
    side = forms.ChoiceField(label="The caller", choices=SIDES, widget=forms.RadioSelect, initial="buyer")
    name = forms.CharField(max_length=100, label="Caller's name")
    email = forms.CharField(max_length=254, label="Caller's email", widget=forms.EmailInput)
    phone = forms.CharField(max_length=30, label="Caller's phone", widget=forms.TextInput(attrs={"type": "tel"}))
    other_name = forms.CharField(max_length=100, required=False, label="Other party's name")
    other_email = forms.CharField(max_length=254, required=False, label="Other party's email")
    other_phone = forms.CharField(max_length=30, required=False, label="Other party's phone")
    car_make = forms.CharField(max_length=50, label="Make")
    car_model = forms.CharField(max_length=50, label="Model")
    car_year = forms.CharField(max_length=4, label="Year", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    car_location = forms.CharField(max_length=200, required=False, label="Where the car is")
    # Optional (#18.3): bookings.vehicles checks and normalises them.
    car_registration = forms.CharField(max_length=12, required=False, label="Registration (rego), if known")
    car_vin = forms.CharField(max_length=24, required=False, label="VIN, if known")
    notes = forms.CharField(
        max_length=NOTES_MAX, required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 2})
    )
    key = forms.CharField(max_length=32, required=False, widget=forms.HiddenInput)  # autolab.once

    def __init__(
        self,
        *args: Any,
        plans: Sequence[ServicePrice] = (),
        slots: Sequence[Mapping[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan"]).choices = [(plan_value(p), _plan_label(p)) for p in plans]
        cast(forms.ChoiceField, self.fields["slot"]).choices = [
            (f"{s['start']}-{s['end']}", f"{s['start']}\u2013{s['end']} ({s['free']} free)") for s in slots
        ]

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        today = clock.business_today()
        if not today <= day <= today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(f"Choose a day from today to {MAX_DAYS_AHEAD} days ahead.")
        return day

    def booking_request(self) -> BookingRequest | None:
        """The valid form as the API's typed booking, checked by the API's serializer (None: its
        first broken rule is now on the form)."""
        data = self.cleaned_data
        caller = {"name": data["name"], "email": data["email"], "phoneNumber": data["phone"]}
        other = {"name": data["other_name"], "email": data["other_email"], "phoneNumber": data["other_phone"]}
        is_buyer = data["side"] == "buyer"
        start, end = data["slot"].split("-")
        wire: dict[str, Any] = {
            "serviceId": int(data["plan"].split(":")[0]),
            "planId": int(data["plan"].split(":")[1]),
            "isBuyer": is_buyer,
            "buyerData" if is_buyer else "sellerData": caller,
            "carData": {
                "make": data["car_make"],
                "model": data["car_model"],
                "year": data["car_year"],
                "location": data["car_location"],
                "registration": data["car_registration"],
                "vin": data["car_vin"],
            },
            "notes": data["notes"],
            "selectedSlots": [{"date": data["date"].isoformat(), "start": start, "end": end, "priority": 1}],
        }
        if any(other.values()):
            wire["sellerData" if is_buyer else "buyerData"] = other
        try:
            return cast(BookingRequest, BookingInput.parse(wire))
        except ValidationError as error:
            self._place(error.message, is_buyer)
            return None

    def _place(self, message: str, is_buyer: bool) -> None:
        path, _, rest = message.partition(" ")
        caller, other = ("buyerData", "sellerData") if is_buyer else ("sellerData", "buyerData")
        fields = {**_CAR_FIELDS, "notes": "notes"}
        for key, name in (("name", "name"), ("email", "email"), ("phoneNumber", "phone")):
            fields[f"{caller}.{key}"], fields[f"{other}.{key}"] = name, f"other_{name}"
        field = fields.get(path)
        self.add_error(field, sentence(rest) if field else message)


def sentence(text: str) -> str:
    """``must be a valid email address`` -> ``Must be a valid email address.``"""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
