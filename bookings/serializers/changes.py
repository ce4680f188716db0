"""The website's PATCH of an appointment, checked with the original's messages and turned into
typed AppointmentChanges. The body's shape is checked here, before anything is read; what depends
on the appointment (who may change what, its status, the plan, the mechanic) is the service's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from autolab.exceptions import ValidationError
from autolab.wire import (
    MechanicIdField,
    RawText,
    StatusField,
    VersionField,
    WireList,
    WireSerializer,
    path_of,
)
from bookings.models import AppointmentStatus
from bookings.serializers.inputs import NOTES_MAX, Boolean, CarInput, Day, Integer, PersonInput, Text
from bookings.types import AppointmentChanges, ReportEdit, ReportReview
from bookings.validation import staff_slot

# wire name -> AppointmentChanges attribute
FIELDS = {
    "serviceId": "service_id",
    "planId": "plan_id",
    "isBuyer": "is_buyer",
    "buyerData": "buyer",
    "sellerData": "seller",
    "carData": "car",
    "notes": "notes",
    "scheduledTimeSlot": "schedule",
    "assignedMechanicId": "mechanic_id",
    "status": "status",
    "reportApproval": "report_review",
    "reports": "reports",
    "postNotes": "post_notes",
}
BODY_REQUIRED = "Request body is required"


class ScheduleInput(WireSerializer):
    """``{date, start, end}`` on the half-hour grid inside business hours, today or later; null,
    "" or ``{}`` unschedules."""

    not_an_object = "{path} must be an object with date, start and end"
    presence = ("date", "start", "end")
    date = Day()
    start = RawText(help_text="HH:MM")
    end = RawText(help_text="HH:MM, after start")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, allow_null=True, **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if data is not empty and data in (None, "", {}):
            return None
        return super().run_validation(data)

    def validate(self, attrs: dict[str, Any]) -> Any:
        return staff_slot(attrs["date"], attrs["start"], attrs["end"])


class ReviewInput(WireSerializer):
    """``reportApproval``: ``{reportS3Key, action: approve | reject, notes}``."""

    reportS3Key = RawText(help_text="reports/...")
    action = serializers.ChoiceField(choices=["approve", "reject"])
    notes = RawText(required=False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            self.fail_with(self.not_an_object)
        path = path_of(self)
        key = str(data.get("reportS3Key") or "").strip()
        action = data.get("action")
        if not key.startswith("reports/"):
            raise ValidationError(f"{path}.reportS3Key must start with reports/")
        if action not in ("approve", "reject"):
            raise ValidationError(f"{path}.action must be approve or reject")
        notes = _notes_of(data.get("notes"), f"{path}.notes") if data.get("notes") else ""
        return ReportReview(key, action, notes)


def _notes_of(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be a string")
    value = value.strip()
    if not 1 <= len(value) <= 1000:
        raise ValidationError(f"{name} must be between 1 and 1000 characters")
    return value


class ReportEditInput(WireSerializer):
    """One report of ``reports``: ``s3Key`` (or the legacy ``fileKey``), ``fileName``, ``uploadedBy``."""

    presence = ("s3Key", "fileName", "uploadedBy")
    s3Key = RawText()
    fileKey = RawText(required=False, help_text="Legacy spelling of s3Key")
    fileName = Text(high=200)
    uploadedBy = RawText()
    reportNotes = Text(high=2000, optional=True, required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            data = {**data, "s3Key": data.get("s3Key") or data.get("fileKey")}
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> ReportEdit:
        return ReportEdit(str(attrs["s3Key"]), attrs["fileName"], attrs.get("reportNotes"))


class ReportsInput(WireList):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=ReportEditInput(), required=False, max_length=50, **kwargs)

    def run_validation(self, data: Any = empty) -> Any:
        if data is empty:
            raise SkipField
        if not isinstance(data, list) or len(data) > 50:
            raise ValidationError("reports must be an array of at most 50 reports")
        return tuple(self.each(data))


class AppointmentChangesInput(WireSerializer):
    """``PATCH /appointments/{id}``: any of the fields; each field group is authorised separately."""

    path_root = True
    version = VersionField()
    serviceId = Integer(required=False)
    planId = Integer(required=False)
    isBuyer = Boolean(required=False)
    buyerData = PersonInput(required=False)
    sellerData = PersonInput(required=False)
    carData = CarInput(required=False)
    notes = Text(high=NOTES_MAX, optional=True)
    scheduledTimeSlot = ScheduleInput()
    assignedMechanicId = MechanicIdField()
    status = StatusField(AppointmentStatus)
    reportApproval = ReviewInput()
    reports = ReportsInput()
    postNotes = Text(high=5000, optional=True)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping) or not data:
            raise ValidationError(BODY_REQUIRED)
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise ValidationError(f"Unknown field: {unknown[0][:50]}")
        if set(data) == {"version"}:
            raise ValidationError(BODY_REQUIRED)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> AppointmentChanges:
        values = {FIELDS[name]: value for name, value in attrs.items() if name in FIELDS}
        return AppointmentChanges(given=frozenset(values), version=attrs.get("version"), **values)
