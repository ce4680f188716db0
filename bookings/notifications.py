"""Customer emails and staff live events about appointments."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from autolab import links, storage
from autolab.events import publish_to_staff
from autolab.money import money_str
from bookings import selectors
from bookings.models import Appointment
from bookings.serializers import report_file_key

logger = logging.getLogger(__name__)


# --- Emails --------------------------------------------------------------------------------


def customer_contact(appointment: Appointment) -> tuple[str, str, str]:
    if appointment.is_buyer:
        return appointment.buyer_name or "", appointment.buyer_email or "", appointment.buyer_phone or ""
    return appointment.seller_name or "", appointment.seller_email or "", appointment.seller_phone or ""


def email_context(appointment: Appointment) -> dict[str, Any]:
    """What the appointment email templates need, JSON-serialisable."""
    plan = selectors.service_price_get(appointment.service_id, appointment.plan_id)
    name, email, phone = customer_contact(appointment)
    mechanic = selectors.staff_contact(appointment.assigned_mechanic_id)
    slot = appointment.scheduled_time_slot
    return {
        "appointmentId": appointment.appointment_id,
        "serviceName": plan.service_name if plan else "",
        "planName": plan.plan_name if plan else "",
        "customerName": name,
        "customerEmail": email,
        "customerPhone": phone,
        "customerType": "Buyer" if appointment.is_buyer else "Seller",
        "status": appointment.status,
        "paymentStatus": appointment.payment_status,
        "price": money_str(appointment.price),
        "selectedSlots": [s.as_dict() for s in appointment.selected_slots or []],
        "scheduledTimeSlot": slot.as_dict() if slot else None,
        "mechanicName": mechanic["userName"] if mechanic else None,
        "carMake": appointment.car_make,
        "carModel": appointment.car_model,
        "carYear": appointment.car_year,
        "carLocation": appointment.car_location,
        "appointmentUrl": f"{settings.FRONTEND_ROOT_URL}/appointment/{appointment.appointment_id}",
    }


def notify(
    appointment: Appointment,
    email_type: str,
    *,
    dedupe: str,
    update_type: str | None = None,
    changes: list[str] | None = None,
    report: dict | None = None,
) -> None:
    """Queue the customer email of a change; a failure is logged, the change is already stored."""
    from chat.emails.services import email_customer

    name, email, _phone = customer_contact(appointment)
    if not email:
        return
    context = email_context(appointment)
    if update_type:
        context.update(update_type=update_type, changes=changes or [])
    if report:
        url = storage.download_url(
            report_file_key(report) or "", filename=report.get("fileName"), max_age=links.customer_link_max_age()
        )
        context.update(reportFileName=report.get("fileName"), reportS3Key=report.get("s3Key"), reportUrl=url)
    try:
        email_customer(email_type=email_type, to_email=email, to_name=name, context=context, dedupe_key=dedupe)
    except Exception:
        logger.exception("Could not queue %s for appointment %s", email_type, appointment.appointment_id)


def event_payload(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointmentId": appointment.appointment_id,
        "status": appointment.status,
        "serviceId": appointment.service_id,
        "planId": appointment.plan_id,
        "scheduledDate": appointment.scheduled_date,
        "paymentStatus": appointment.payment_status,
    }


def publish(event_type: str, appointment: Appointment) -> None:
    publish_to_staff(event_type, event_payload(appointment))
