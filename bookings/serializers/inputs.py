"""The website's booking JSON, checked with the original's messages and turned into typed requests
(original-backend-behaviour §1.9, §3.1). The first broken rule answers (autolab.wire)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from autolab import clock, vehicle_ids
from autolab.exceptions import ValidationError
from autolab.validation import is_email, is_phone
from autolab.wire import RawInteger, RawText, UserIdField, WireField, WireList, WireSerializer, is_absent, path_of
from bookings.slots import MAX_PREFERRED_SLOTS, Interval
from bookings.types import BookingRequest, Car, Person, PreferredSlot

NOTES_MAX = 2000

# --- Fields ----------------------------------------------------------------------------------------


class Integer(WireField, serializers.IntegerField):
    """A JSON integer (true and false are not integers here)."""

    def run_validation(self, data: Any = empty) -> int:
        if data is empty:
            raise SkipField
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail_with("{path} must be an integer")
        return data


class Boolean(WireField, serializers.BooleanField):
    def run_validation(self, data: Any = empty) -> bool:
        if data is empty:
            raise SkipField
        if not isinstance(data, bool):
            self.fail_with("{path} must be true or false")
        return data


class Text(WireField, serializers.CharField):
    """A trimmed string of ``low`` to ``high`` characters; an ``optional`` one may be null or empty."""

    def __init__(self, *, high: int, low: int = 1, optional: bool = False, **kwargs: Any) -> None:
        self.low, self.high, self.optional = (0 if optional else low), high, optional
        kwargs.setdefault("required", not optional)
        super().__init__(max_length=high, allow_blank=optional, allow_null=optional, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        if data is empty:
            raise SkipField
        if self.optional and is_absent(data):
            return ""
        if not isinstance(data, str):
            self.fail_with("{path} must be a string")
        value = data.strip()
        if not self.low <= len(value) <= self.high:
            self.fail_with("{path} must be between {low} and {high} characters", low=self.low, high=self.high)
        return value


class Email(Text):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(high=254, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        address = super().run_validation(data)
        if not is_email(address):
            self.fail_with("{path} must be a valid email address")
        return address


class Phone(Text):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(high=30, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        number = super().run_validation(data)
        if not is_phone(number):
            self.fail_with("{path} must be a valid phone number (7-15 digits, optional +country code)")
        return number


class Day(WireField, serializers.DateField):
    """A calendar day, ``YYYY-MM-DD``."""

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            raise SkipField
        try:
            return clock.parse_date(data)
        except ValueError:
            self.fail_with("{path} must be in YYYY-MM-DD format")


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "example": 2015})
class CarYear(WireField, serializers.Field):
    """A model year from 1900 to next year, as a number or a string of digits; stored as a string."""

    def run_validation(self, data: Any = empty) -> str:
        if data is empty:
            raise SkipField
        try:
            year = int(str(data).strip()) if not isinstance(data, bool) else None
        except ValueError:
            year = None
        if year is None:
            self.fail_with("{path} must be a number")
        latest = clock.business_today().year + 1
        if not 1900 <= year <= latest:
            self.fail_with("{path} must be between 1900 and {latest}", latest=latest)
        return str(year)


class VehicleCode(Text):
    """An optional registration or VIN, normalised (``clean``); null or "" clears it."""

    def __init__(self, clean: Callable[[str], str], *, high: int) -> None:
        self.clean = clean
        super().__init__(high=high, optional=True)

    def run_validation(self, data: Any = empty) -> str:
        value = super().run_validation(data)
        try:
            return self.clean(value)
        except ValidationError as error:
            # "Registration must be ..." as "carData.registration must be ...", like the other fields
            self.fail_with("{path} " + error.message.split(" ", 1)[1])


# --- Objects ---------------------------------------------------------------------------------------


class PersonInput(WireSerializer):
    """``buyerData``/``sellerData``: name, email and ``phoneNumber`` (or the legacy ``contactNumber``)."""

    presence = ("name", "email", "phoneNumber")
    name = Text(high=100)
    email = Email()
    phoneNumber = Phone()
    contactNumber = RawText(required=False, help_text="Legacy spelling of phoneNumber, used when it is absent")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            number = data.get("phoneNumber") or data.get("contactNumber") or None
            data = {**{k: v for k, v in data.items() if k != "contactNumber"}, "phoneNumber": number}
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> Person:
        return Person(attrs["name"], attrs["email"], attrs["phoneNumber"])


class ContactInput(PersonInput):
    """The buyer's or the seller's details: required for the side booking (``isBuyer``); the other
    side's are checked only when given."""

    def __init__(self, *, side: str, **kwargs: Any) -> None:
        self.side = side
        super().__init__(required=False, **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty or not data:
            if cast(WireSerializer, self.parent).body["isBuyer"] == (self.side == "buyer"):  # checked before
                self.fail_with("{path} is required")
            raise SkipField
        return super().run_validation(data)


class CarInput(WireSerializer):
    presence = ("make", "model", "year")
    year = CarYear()  # the original checked the year first
    make = Text(high=50)
    model = Text(high=50)
    location = Text(high=200, optional=True)
    # Additions (#18.3), optional: staff capture them; the website sends neither.
    registration = VehicleCode(vehicle_ids.clean_registration, high=12)
    vin = VehicleCode(vehicle_ids.clean_vin, high=24)

    def validate(self, attrs: dict[str, Any]) -> Car:
        return Car(
            attrs["make"],
            attrs["model"],
            attrs["year"],
            attrs.get("location", ""),
            registration=attrs.get("registration"),
            vin=attrs.get("vin"),
        )


class SlotInput(WireSerializer):
    """One preferred slot: ``{date, start, end, priority}`` inside business hours."""

    not_an_object = "{path} must be an object with date, start and end"
    presence = ("date", "start", "end")
    date = Day()
    start = RawText(help_text="HH:MM")
    end = RawText(help_text="HH:MM, after start")
    priority = RawInteger()

    def validate(self, attrs: dict[str, Any]) -> PreferredSlot:
        path = path_of(self)
        try:
            interval = Interval.parse(attrs["start"], attrs["end"])
        except ValueError as exc:
            raise ValidationError(f"{path}: {exc}") from exc
        if not interval.inside_hours():
            raise ValidationError(f"{path} must be within business hours (08:00-20:00)")
        if "priority" not in attrs:
            raise ValidationError(f"{path} must contain priority")  # the original's message
        priority = attrs["priority"]
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise ValidationError(f"{path}.priority must be an integer")
        return PreferredSlot(attrs["date"].isoformat(), interval, priority)


class PreferredSlots(WireList):
    """One to four slots that do not overlap one another; customers must give at least one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=SlotInput(), required=False, max_length=MAX_PREFERRED_SLOTS, **kwargs)

    def to_internal_value(self, data: Any) -> list[PreferredSlot]:
        if is_absent(data):
            data = []
        if not isinstance(data, list):
            self.fail_with("{path} must be an array")
        if self.context.get("customer") and not data:
            raise ValidationError("At least one selected time slot is required")
        if len(data) > MAX_PREFERRED_SLOTS:
            raise ValidationError(f"You can select up to {MAX_PREFERRED_SLOTS} slots")
        slots = self.each(data)
        for i, first in enumerate(slots):
            for second in slots[i + 1 :]:
                if first.date == second.date and first.interval.overlaps(second.interval):
                    raise ValidationError(
                        f"Selected slots overlap: {first.date} {first.interval.label} and {second.interval.label}"
                    )
        return slots


class BookingInput(WireSerializer):
    """``appointmentData`` of ``POST /appointments``."""

    path_root = True
    not_an_object = "{path} is required"
    presence = ("serviceId", "planId", "isBuyer", "carData")
    serviceId = Integer()
    planId = Integer()
    isBuyer = Boolean()
    buyerData = ContactInput(side="buyer")
    sellerData = ContactInput(side="seller")
    carData = CarInput()
    notes = Text(high=NOTES_MAX, optional=True)
    selectedSlots = PreferredSlots()

    def validate(self, attrs: dict[str, Any]) -> BookingRequest:
        return BookingRequest(
            service_id=attrs["serviceId"],
            plan_id=attrs["planId"],
            is_buyer=attrs["isBuyer"],
            buyer=attrs.get("buyerData"),
            seller=attrs.get("sellerData"),
            car=attrs["carData"],
            notes=attrs.get("notes", ""),
            slots=tuple(attrs["selectedSlots"]),
        )


class AppointmentCreateInput(WireSerializer):
    """``POST /appointments``: ``{userId, appointmentData}``. Context ``customer``: the caller is a
    customer (their userId and at least one preferred slot are required)."""

    userId = UserIdField()
    appointmentData = BookingInput()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        return super().to_internal_value(data if isinstance(data, Mapping) else {})  # read as an empty body

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"user_id": attrs["userId"], "booking": attrs["appointmentData"]}


# --- Blocked periods -------------------------------------------------------------------------------

_PERIOD = {"type": "string", "example": "12:00-13:00"}
_PERIOD_OBJECT = {"type": "object", "properties": {"startTime": _PERIOD, "endTime": _PERIOD}}


@extend_schema_field({"type": "array", "items": {"oneOf": [_PERIOD, _PERIOD_OBJECT]}})
class Periods(WireField, serializers.Field):
    """``timeSlots``: ``"HH:MM-HH:MM"``, ``{startTime, endTime}`` or ``{start, end}`` entries; read
    only when the operation changes something."""

    def run_validation(self, data: Any = empty) -> list[Interval]:
        if (cast(WireSerializer, self.parent).body.get("operation") or "get") == "get":
            return []
        values = [] if data is empty else data
        if not isinstance(values, list):
            raise ValidationError("timeSlots must be an array")
        return [self._period(value) for value in values]

    @staticmethod
    def _period(value: Any) -> Interval:
        try:
            if isinstance(value, str):
                return Interval.parse_range(value)
            if isinstance(value, dict):
                start, end = value.get("startTime") or value.get("start"), value.get("endTime") or value.get("end")
                return Interval.parse(start, end)
            raise ValueError(f"Invalid timeslot format: {value!r}")
        except (ValueError, TypeError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else f"Invalid timeslot format: {value!r}"
            raise ValidationError(message) from exc


class SlotsChangeInput(WireSerializer):
    """``POST /unavailable-slots``: the day (``date``) or range (``startDate``/``endDate``, body or
    query) is read by the view; ``get`` (the default) reads, ``set``/``add``/``remove`` change."""

    date = RawText(required=False, help_text="YYYY-MM-DD (or startDate and endDate)")
    startDate = RawText(required=False)
    endDate = RawText(required=False)
    operation = RawText(required=False, help_text="get (default), set, add or remove")
    timeSlots = Periods(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"operation": attrs.get("operation") or "get", "periods": attrs["timeSlots"]}
