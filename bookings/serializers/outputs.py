"""Appointments as the original website reads them (camelCase field names, numbers for money)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from pynamodb.attributes import MapAttribute
from rest_framework import serializers

from autolab import links, storage
from autolab.api import SuccessMessageOut, SuccessOut
from autolab.money import json_number
from bookings import selectors
from bookings.models import Appointment
from bookings.report_changes import report_file_key


def _plain(value: Any) -> Any:
    if isinstance(value, MapAttribute):
        return {key: _plain(item) for key, item in value.as_dict().items()}
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def report_json(report: dict[str, Any]) -> dict[str, Any]:
    """A report with a fresh, expiring download link (never a public URL)."""
    data = _plain(dict(report))
    key = report_file_key(data)
    if key:
        try:
            data["fileUrl"] = storage.download_url(key, filename=data.get("fileName"))
        except storage.StorageError:
            data["fileUrl"] = None
    return data


def mechanic_json(contact: dict[str, str], *, for_customer: bool) -> dict[str, str]:
    """The assigned mechanic. Staff see the mechanic's own contact details; a customer sees the
    mechanic's name with the business's email and phone in the same fields (the website shows
    them), never a mechanic's private ones."""
    if not for_customer:
        return contact
    return {
        "userName": contact.get("userName", ""),
        "userEmail": settings.BUSINESS_EMAIL,
        "contactNumber": settings.BUSINESS_PHONE,
    }


# The staff list's own attributes (bookings.listing): how the portal finds a record, not part of it.
LIST_ATTRIBUTES = frozenset({"listKey", "listDate", "searchText"})
# The review queue's keys and the generated reports' keys (#15): bookkeeping, not the record.
QUEUE_ATTRIBUTES = frozenset({"reviewQueue", "reviewSinceMs", "generatedReports"})


def appointment_json(appointment: Appointment, *, for_customer: bool = False) -> dict[str, Any]:
    """Every stored field by its attribute name; customers see approved reports only."""
    data: dict[str, Any] = {}
    for name, attribute in Appointment.get_attributes().items():
        value = getattr(appointment, name)
        if value is not None and attribute.attr_name not in LIST_ATTRIBUTES | QUEUE_ATTRIBUTES:
            data[attribute.attr_name] = _plain(value)
    reports = [dict(r) for r in appointment.reports or []]
    if for_customer:
        reports = [r for r in reports if r.get("approved") is True]
    data["reports"] = [report_json(r) for r in reports]
    if appointment.invoice_id:
        data["invoiceUrl"] = links.invoice_pdf(appointment.invoice_id)
    return data


def service_price_rows() -> list[dict[str, Any]]:
    """``servicePrices`` of the staff price list: every plan, active or not (``autolab.price_lists``)."""
    return [
        {key: value for key, value in selectors.plan_json(plan).items() if key not in ("features", "durationMinutes")}
        for plan in selectors.service_price_list()
    ]


# --- Response bodies: the OpenAPI shapes of what the views answer through ``ok`` ------------------
# Documentation only; tests/bookings/test_api_schema.py holds them to the real bodies.

_STR, _INT, _NUM, _BOOL = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.FloatField,
    serializers.BooleanField,
)


def _optional(field: type[serializers.Field], **kwargs: Any) -> serializers.Field:
    return field(required=False, **kwargs)


class PlanOut(serializers.Serializer):
    serviceId = _INT()
    planId = _INT()
    serviceName = _STR()
    planName = _STR()
    price = _NUM()
    durationMinutes = _INT()
    features = serializers.ListField(child=_STR())
    active = _BOOL()


class ServiceOut(serializers.Serializer):
    serviceId = _INT()
    serviceName = _STR()
    plans = PlanOut(many=True)


class ServicesOut(SuccessOut):
    services = ServiceOut(many=True)


class UnavailableEntryOut(serializers.Serializer):
    timeSlot = _STR(help_text="HH:MM-HH:MM")
    reason = serializers.ChoiceField(choices=["manually_set", "pending_appointment", "scheduled_appointment"])
    appointmentId = _optional(_STR)
    status = _optional(_STR)


class UnavailableDayOut(serializers.Serializer):
    date = _STR()
    unavailableSlots = UnavailableEntryOut(many=True)
    manuallyUnavailableSlots = serializers.ListField(child=_STR())
    scheduledSlots = UnavailableEntryOut(many=True)


class DateRangeOut(serializers.Serializer):
    startDate = _STR()
    endDate = _STR()


class UnavailableDayBodyOut(SuccessOut, UnavailableDayOut):
    """One day (``date``)."""


class UnavailableRangeOut(SuccessOut):
    """A range (``startDate``/``endDate``): each day by its date."""

    dateRange = DateRangeOut()
    unavailableSlotsByDate = serializers.DictField(child=UnavailableDayOut())


class SlotCheckOut(serializers.Serializer):
    date = _STR()
    requestedSlot = _STR()
    appointmentsCount = _INT()
    blocked = _BOOL()


class UnavailableCheckOut(SuccessOut):
    """One day with ``checkSlot``."""

    availabilityCheck = SlotCheckOut()
    fullUnavailableSlots = UnavailableDayOut()


class _SlotsChangeOut(SuccessOut):
    operation = _STR()
    updatedBy = _STR()
    timestamp = _STR()


class DayChangeOut(serializers.Serializer):
    date = _STR()
    operation = _STR()
    previousSlots = serializers.ListField(child=_STR())
    newSlots = serializers.ListField(child=_STR())


class SlotsDayChangeOut(_SlotsChangeOut):
    """``set``, ``add`` or ``remove`` on one day."""

    date = _STR()
    previousSlots = serializers.ListField(child=_STR())
    newSlots = serializers.ListField(child=_STR())


class SlotsRangeChangeOut(_SlotsChangeOut):
    """``set``, ``add`` or ``remove`` on a range."""

    dateRange = DateRangeOut()
    results = serializers.DictField(child=DayChangeOut())


class AvailabilitySlotOut(serializers.Serializer):
    start = _STR()
    end = _STR()
    status = serializers.ChoiceField(choices=["available", "full", "blocked", "too_soon"])
    free = _INT()


class AvailabilityDayOut(serializers.Serializer):
    date = _STR()
    slots = AvailabilitySlotOut(many=True)


class AvailabilityOut(SuccessOut):
    serviceId = _INT()
    planId = _INT()
    durationMinutes = _INT()
    capacity = _INT()
    days = AvailabilityDayOut(many=True)


class SlotOut(serializers.Serializer):
    date = _STR()
    start = _STR()
    end = _STR()


class SelectedSlotOut(SlotOut):
    priority = _INT()


class ReportOut(serializers.Serializer):
    """A PDF report; ``fileUrl`` is a fresh, expiring link (null when the store cannot sign one)."""

    s3Key = _optional(_STR)
    fileName = _optional(_STR)
    fileType = _optional(_STR)
    fileSize = _optional(_INT)
    uploadType = _optional(_STR)
    uploadedBy = _optional(_STR)
    uploadedAt = _optional(_STR)
    status = _optional(serializers.ChoiceField, choices=["pending_upload", "uploaded"])
    reviewed = _optional(_BOOL)
    approved = _optional(_BOOL)
    reviewedBy = _optional(_STR)
    reviewedAt = _optional(_INT)
    reviewNotes = _optional(_STR)
    reportNotes = _optional(_STR)
    fileUrl = _optional(_STR, allow_null=True)


class AppointmentOut(serializers.Serializer):
    """Every stored attribute by its name (absent ones are left out); customers see approved
    reports only."""

    appointmentId = _STR()
    serviceId = _INT()
    planId = _INT()
    isBuyer = _BOOL()
    buyerName = _optional(_STR)
    buyerEmail = _optional(_STR)
    buyerPhone = _optional(_STR)
    sellerName = _optional(_STR)
    sellerEmail = _optional(_STR)
    sellerPhone = _optional(_STR)
    carMake = _STR()
    carModel = _STR()
    carYear = _STR()
    carLocation = _optional(_STR)
    notes = _optional(_STR)
    selectedSlots = SelectedSlotOut(many=True)
    scheduledDate = _optional(_STR)
    scheduledTimeSlot = SlotOut(required=False)
    assignedMechanicId = _optional(_STR)
    heldSlot = SlotOut(required=False, help_text="The first choice a paid, unscheduled appointment holds")
    createdUserId = _STR()
    status = _STR()
    price = _NUM()
    paymentStatus = _STR()
    paymentMethod = _optional(_STR)
    paymentConfirmedBy = _optional(_STR)
    paymentConfirmedAt = _optional(_INT)
    paymentIntentId = _optional(_STR)
    paymentAmount = _optional(_NUM)
    paidAt = _optional(_INT)
    postNotes = _optional(_STR)
    reports = ReportOut(many=True)
    createdAt = _INT()
    createdDate = _STR()
    updatedAt = _INT()
    paymentRevertedBy = _optional(_STR)
    paymentRevertedAt = _optional(_INT)
    invoiceId = _optional(_STR)
    invoiceUrl = _optional(_STR)
    version = _INT()


class AppointmentListOut(SuccessOut):
    appointments = AppointmentOut(many=True)
    count = _INT()
    nextCursor = _STR(allow_null=True)


class AppointmentCreatedOut(SuccessMessageOut):
    appointmentId = _STR()


class MechanicOut(serializers.Serializer):
    """Staff see the mechanic's own contact details; a customer sees the business's email and phone."""

    userName = _STR()
    userEmail = _STR(allow_null=True)
    contactNumber = _STR(allow_null=True)


class AppointmentDetailOut(SuccessOut):
    appointment = AppointmentOut()
    assignedMechanic = MechanicOut(required=False)


class AppointmentUpdatedOut(SuccessMessageOut):
    appointment = AppointmentOut()


class UploadInstructionsOut(serializers.Serializer):
    method = _STR()
    headers = serializers.DictField(child=_STR())
    note = _STR()


class UploadUrlOut(SuccessOut):
    uploadUrl = _STR()
    uploadFields = serializers.DictField()
    s3Key = _STR()
    referenceId = _STR()
    uploadType = _STR()
    metadata = ReportOut()
    expiresIn = _INT()
    fileUrl = _STR(allow_null=True)
    instructions = UploadInstructionsOut()
