"""Customer emails and staff live events about appointments."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from autolab import events, links, storage
from autolab.events import publish_to_staff
from autolab.money import money_str
from bookings import manage_links, selectors
from bookings.models import Appointment
from bookings.report_changes import report_file_key
from emails.services import OutboxEmail, email_customer, outbox_message

logger = logging.getLogger(__name__)


# --- Emails --------------------------------------------------------------------------------


def customer_contact(appointment: Appointment) -> tuple[str, str, str]:
    if appointment.is_buyer:
        return appointment.buyer_name or "", appointment.buyer_email or "", appointment.buyer_phone or ""
    return appointment.seller_name or "", appointment.seller_email or "", appointment.seller_phone or ""


def email_context(appointment: Appointment) -> dict[str, Any]:
    """What the appointment email templates need, JSON-serialisable."""
    plan = selectors.plan_cached(appointment.service_id, appointment.plan_id)
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
        "manageUrl": manage_links.manage_url(appointment.appointment_id),  # reschedule or cancel, no login
    }


@dataclass(frozen=True)
class Notice:
    """Which customer email a change sends, and what it says beyond the appointment itself."""

    email_type: str
    dedupe: str
    update_type: str | None = None
    changes: list[str] = field(default_factory=list)
    report: dict | None = None


def _email_args(appointment: Appointment, notice: Notice) -> dict[str, Any] | None:
    """The outbox arguments of ``notice`` about ``appointment``; None without a customer address."""
    name, email, _phone = customer_contact(appointment)
    if not email:
        return None
    context = email_context(appointment)
    if notice.update_type:
        context.update(update_type=notice.update_type, changes=notice.changes)
    if report := notice.report:
        url = storage.download_url(
            report_file_key(report) or "", filename=report.get("fileName"), max_age=links.customer_link_max_age()
        )
        context.update(reportFileName=report.get("fileName"), reportS3Key=report.get("s3Key"), reportUrl=url)
    return {
        "email_type": notice.email_type,
        "to_email": email,
        "to_name": name,
        "context": context,
        "dedupe_key": notice.dedupe,
    }


def notify(appointment: Appointment, notice: Notice) -> None:
    """Queue the customer email of a stored change; a failure is logged, the change stays."""
    try:
        args = _email_args(appointment, notice)
        if args is not None:
            email_customer(**args)
    except Exception:
        logger.exception("Could not queue %s for appointment %s", notice.email_type, appointment.appointment_id)


def outbox_for(appointment: Appointment, notice: Notice) -> OutboxEmail | None:
    """``notify``'s email, to be written in the change's own transaction instead (None without a
    customer address, or when it cannot be built: the change still goes ahead without it)."""
    try:
        args = _email_args(appointment, notice)
        return outbox_message(**args) if args is not None else None
    except Exception:
        logger.exception("Could not build %s for appointment %s", notice.email_type, appointment.appointment_id)
        return None


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
    publish_to_staff(event_type, {**event_payload(appointment), "customerName": customer_contact(appointment)[0]})


def _job_line(appointment: Appointment) -> str:
    slot = appointment.scheduled_time_slot
    when = f"{slot.date} {slot.start}\u2013{slot.end}" if slot else (appointment.scheduled_date or "")
    car = " ".join(str(part) for part in (appointment.car_year, appointment.car_make, appointment.car_model) if part)
    return " \u00b7 ".join(part for part in (when, car, appointment.car_location or "") if part)


def publish_assigned(appointment: Appointment, actor_id: str) -> None:
    """Tell the newly assigned mechanic, on their own sockets (and Web Push): a job is theirs."""
    mechanic = appointment.assigned_mechanic_id
    if not mechanic:
        return
    payload = {
        **event_payload(appointment),
        "version": appointment.version,
        "title": "Job assigned to you",
        "message": _job_line(appointment),
        "url": f"/admin/bookings/appointments/{appointment.appointment_id}/",
        "actorId": actor_id,
    }
    events.publish(events.staff_member_group(mechanic), "appointment.assigned", payload)


def publish_report_uploaded(appointment: Appointment, report: dict[str, Any]) -> None:
    """A report file arrived and waits for review: staff see it live (and reviewers by Web Push)."""
    payload = {
        **event_payload(appointment),
        "s3Key": report.get("s3Key"),
        "fileName": report.get("fileName"),
        "title": "Report to review",
        "message": f"{report.get('fileName') or 'A report'} \u00b7 {_job_line(appointment)}",
        "url": f"/admin/bookings/appointments/{appointment.appointment_id}/",
        "actorId": report.get("uploadedBy") or "",
    }
    publish_to_staff("appointment.report_uploaded", payload)
