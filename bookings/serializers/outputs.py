"""Appointments as the original website reads them (camelCase field names, numbers for money)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from pynamodb.attributes import MapAttribute

from autolab import links, storage
from autolab.money import json_number
from bookings.models import Appointment


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


def report_file_key(report: dict[str, Any]) -> str | None:
    """The file a report's links serve: once approved, the copy made at approval (bookings.updates)."""
    return report.get("approvedKey") or report.get("s3Key") or report.get("fileKey")


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


def appointment_json(appointment: Appointment, *, for_customer: bool = False) -> dict[str, Any]:
    """Every stored field by its attribute name; customers see approved reports only."""
    data: dict[str, Any] = {}
    for name, attribute in Appointment.get_attributes().items():
        value = getattr(appointment, name)
        if value is not None:
            data[attribute.attr_name] = _plain(value)
    reports = [dict(r) for r in appointment.reports or []]
    if for_customer:
        reports = [r for r in reports if r.get("approved") is True]
    data["reports"] = [report_json(r) for r in reports]
    if appointment.invoice_id:
        data["invoiceUrl"] = links.invoice_pdf(appointment.invoice_id)
    return data
