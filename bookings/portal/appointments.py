"""Appointment pages of the staff portal: the list, the detail page and its actions."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote_plus

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from autolab import clock, workflow
from autolab.permissions import Permission, StaffIdentity, staff_required
from bookings import (
    forms,
    listing,
    notifications,
    reminders,
    selectors,
    seller_confirmation,
    services,
    updates,
    vehicles,
)
from bookings.models import AppointmentStatus
from bookings.portal.common import VIEW, apply, detail_url, page
from bookings.portal.scheduling import schedule_context
from bookings.serializers.outputs import appointment_json
from bookings.types import AppointmentChanges, ReportReview
from emails.selectors import email_is_suppressed
from emails.sms import OPTED_OUT
from staffapp.actions import post_action, refused
from staffapp.paging import cursor_page
from staffapp.rendering import render_page
from staffapp.templatetags.staff_format import label


@page("bookings/appointments/", "bookings-appointments", "Appointments", VIEW, order=10)
def appointment_list(request: HttpRequest) -> HttpResponse:
    """Appointments by date (scheduled, else the earliest preferred slot), searched and filtered by
    name; a mechanic sees only their own jobs."""
    staff = staff_required(request)
    sees_all = staff.has(Permission.APPOINTMENT_VIEW_ALL)
    plans = selectors.service_price_list()
    services = sorted({plan.service_id: plan.service_name for plan in plans}.items())
    mechanics = selectors.mechanics_active()
    form = forms.AppointmentFilterForm(
        request.GET or None, services=services, mechanics=mechanics if sees_all else None
    )
    data = form.cleaned_data if form.is_valid() else {}
    query = listing.ListQuery(
        sort=data.get("sort") or "upcoming",
        today=clock.business_date_str(),
        status=data.get("status") or None,
        payment_status=data.get("payment_status") or None,
        service_id=data.get("service"),
        mechanic_id=(data.get("mechanic") or None) if sees_all else staff.user_id,
        date_from=data["date_from"].isoformat() if data.get("date_from") else None,
        date_to=data["date_to"].isoformat() if data.get("date_to") else None,
        search=data.get("q") or "",
    )
    page = cursor_page(request, lambda cursor: listing.appointment_list(query, limit=25, cursor=cursor))
    context = {
        "form": form,
        "rows": _list_rows(page.items, dict(services), {m["userId"]: m["userName"] for m in mechanics}),
        "sort_label": dict(forms.SORT_CHOICES)[query.sort],
        **page.pager,
    }
    return render_page(request, "bookings/appointment_list.html", context, title="Appointments")


def _list_rows(appointments: list[Any], services: dict[int, str], names: dict[str, str]) -> list[dict[str, Any]]:
    """Each appointment with what its row shows by name: service, mechanic, customer, first preferred slot."""
    rows = []
    for appointment in appointments:
        mechanic_id = appointment.assigned_mechanic_id
        if mechanic_id and mechanic_id not in names:  # no longer an active mechanic: read once per page
            contact = selectors.staff_contact(mechanic_id)
            names[mechanic_id] = contact["userName"] if contact else "Former staff member"
        preferred = sorted(appointment.selected_slots or [], key=lambda slot: (slot.date, slot.start))
        rows.append(
            {
                "a": appointment,
                "customer": (appointment.buyer_name if appointment.is_buyer else appointment.seller_name) or "—",
                "service": services.get(appointment.service_id, "—"),
                "mechanic": names.get(mechanic_id or "", ""),
                "preferred": preferred[0] if preferred else None,
            }
        )
    return rows


PENDING, SCHEDULED, ONGOING, COMPLETED, CANCELLED = AppointmentStatus
MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&query="


def status_action(current: str, target: str) -> str:
    """What a status button says: the step of the job it takes, not the status it sets."""
    if target == ONGOING:
        return "Reopen job" if current == COMPLETED else "Start job"
    if target == COMPLETED:
        return "Mark completed"
    if target == SCHEDULED:
        return "Back to scheduled" if current in (ONGOING, COMPLETED) else "Mark scheduled"
    if target == PENDING:
        return "Reopen as pending" if current == CANCELLED else "Back to pending"
    return "Cancel appointment"


def _status_buttons(staff: StaffIdentity, appointment: Any) -> list[dict[str, Any]]:
    """The allowed moves in workflow order; forward moves (the next step of the job) are primary."""
    order = list(AppointmentStatus)
    current = appointment.status
    return [
        {
            "status": status,
            "label": status_action(current, status),
            "forward": current in order
            and CANCELLED not in (status, current)
            and order.index(status) > order.index(current),
        }
        for status in workflow.in_workflow_order(AppointmentStatus, updates.allowed_transitions(staff, appointment))
    ]


def _contact(appointment: Any) -> dict[str, str]:
    """The customer of the job (buyer or seller) and the links a phone opens: call, map."""
    side = "buyer" if appointment.is_buyer else "seller"
    phone = getattr(appointment, f"{side}_phone") or ""
    location = (appointment.car_location or "").strip()
    return {
        "role": side.title(),
        "name": getattr(appointment, f"{side}_name") or "",
        "email": getattr(appointment, f"{side}_email") or "",
        "phone": phone,
        "tel": "".join(ch for ch in phone if ch.isdigit() or ch == "+"),
        "location": location,
        "map_url": MAPS_SEARCH + quote_plus(location) if location else "",
    }


def _detail_context(request: HttpRequest, appointment: Any) -> dict[str, Any]:
    staff = staff_required(request)
    email = appointment.buyer_email if appointment.is_buyer else appointment.seller_email
    can_write_reports = _can_write_reports(staff, appointment)
    return {
        "appointment": appointment,
        "data": appointment_json(appointment),
        "plan": selectors.service_price_get(appointment.service_id, appointment.plan_id),
        "mechanic": selectors.staff_contact(appointment.assigned_mechanic_id),
        "customer_email": email,
        "suppressed": bool(email) and email_is_suppressed(email),
        "contact": _contact(appointment),
        "seller_named": seller_confirmation.seller_named(appointment),
        "seller_label": seller_confirmation.label(appointment),
        "status_buttons": _status_buttons(staff, appointment),
        "can_edit": staff.has(Permission.APPOINTMENT_EDIT)
        and appointment.status in (AppointmentStatus.PENDING, AppointmentStatus.SCHEDULED),
        "can_approve": staff.has(Permission.APPOINTMENT_REPORT_APPROVE)
        and appointment.status == AppointmentStatus.COMPLETED,
        "can_write_reports": can_write_reports,
        # Notes while the mechanic works on the job, not only once it is completed (updates.appointment_notes_save).
        "can_write_notes": can_write_reports and appointment.status in updates.NOTES_WHILE_WORKING_STATUSES,
        # The same permissions as billing's payments page (confirm or revert a payment, invoices).
        "can_view_payments": staff.has(Permission.INVOICE_VIEW) or staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "can_confirm_payment": staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "notes_form": forms.NotesForm(initial={"post_notes": appointment.post_notes, "version": appointment.version}),
        "upload_form": forms.ReportUploadForm(),
        "can_set_vehicle": vehicles.may_set_vehicle(staff, appointment),
        "vehicle_form": forms.VehicleForm(initial={"registration": appointment.registration, "vin": appointment.vin}),
        "can_send_on_my_way": appointment.assigned_mechanic_id == staff.user_id
        and appointment.status in reminders.ON_MY_WAY_STATUSES
        and bool(notifications.customer_contact(appointment)[2]),
        # A token per rendering: the same form sent twice (a double tap) texts once.
        "on_my_way_form": forms.OnMyWayForm(initial={"eta_minutes": 20, "click": uuid.uuid4().hex}),
    }


def _can_write_reports(staff: StaffIdentity, appointment: Any) -> bool:
    if not staff.has(Permission.APPOINTMENT_REPORT_WRITE) or appointment.status not in (
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.ONGOING,
        AppointmentStatus.COMPLETED,
    ):
        return False
    return not staff.is_mechanic_only or appointment.assigned_mechanic_id == staff.user_id


@page(
    "bookings/appointments/<str:appointment_id>/", "bookings-appointment", "Appointment", VIEW, order=11, in_index=False
)
def appointment_detail(request: HttpRequest, appointment_id: str) -> HttpResponse:
    appointment = selectors.appointment_get(appointment_id)
    staff = staff_required(request)
    if appointment is None or (staff.is_mechanic_only and appointment.assigned_mechanic_id != staff.user_id):
        raise Http404("Appointment not found")
    context = _detail_context(request, appointment)
    if context["can_edit"]:
        context.update(schedule_context(appointment, request.GET))
    return render_page(
        request, "bookings/appointment_detail.html", context, title=f"Appointment {appointment_id[:8].upper()}"
    )


@page(
    "bookings/appointments/<str:appointment_id>/status/",
    "bookings-appointment-status",
    "Status",
    VIEW,
    order=13,
    in_index=False,
)
@require_POST
def appointment_status(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose a status.", detail_url(appointment_id))
    status, version = form.cleaned_data["status"], form.cleaned_data["version"]
    changes = AppointmentChanges(given=frozenset({"status"}), status=status, version=version)
    return apply(request, appointment_id, lambda: changes, f"Status set to {label(status)}.")


@page(
    "bookings/appointments/<str:appointment_id>/cancel/",
    "bookings-appointment-cancel",
    "Cancel appointment",
    (Permission.APPOINTMENT_STATUS_SUPPORT,),
    order=13,
    in_index=False,
)
@require_GET
def appointment_cancel_confirm(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """Cancelling frees the slot, cancels the invoice and emails the customer: a page asks first (the
    portal's Content Security Policy blocks an inline ``confirm()``), then POSTs to the status action."""
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise Http404("Appointment not found")
    return render_page(
        request,
        "bookings/appointment_cancel.html",
        {"appointment": appointment, "customer_name": notifications.customer_contact(appointment)[0]},
        title=f"Cancel appointment {appointment_id[:8].upper()}",
    )


@page(
    "bookings/appointments/<str:appointment_id>/notes/",
    "bookings-appointment-notes",
    "Notes",
    VIEW,
    order=14,
    in_index=False,
)
@require_POST
def appointment_notes(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.NotesForm(request.POST)
    if not form.is_valid():
        return refused(request, "Notes are at most 5000 characters.", detail_url(appointment_id))
    data = form.cleaned_data
    return post_action(
        request,
        lambda: updates.appointment_notes_save(
            actor=staff_required(request),
            appointment_id=appointment_id,
            post_notes=data["post_notes"],
            version=data["version"],
        ),
        success="Post-inspection notes saved.",
        redirect_to=detail_url(appointment_id),
    )


@page(
    "bookings/appointments/<str:appointment_id>/on-my-way/",
    "bookings-appointment-on-my-way",
    "On my way",
    VIEW,
    order=14,
    in_index=False,
)
@require_POST
def appointment_on_my_way(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """The mechanic's "on my way" button: texts the customer the ETA (reminders.on_my_way_send)."""
    form = forms.OnMyWayForm(request.POST)
    if not form.is_valid():
        return refused(request, "Give the minutes until you arrive (1 to 240).", detail_url(appointment_id))
    data = form.cleaned_data
    return post_action(
        request,
        lambda: reminders.on_my_way_send(
            actor=staff_required(request),
            appointment_id=appointment_id,
            eta_minutes=data["eta_minutes"],
            click=data["click"],
        ),
        success=lambda status: "Customer opted out of texts: not sent." if status == OPTED_OUT else "Customer texted.",
        redirect_to=detail_url(appointment_id),
    )


@page(
    "bookings/appointments/<str:appointment_id>/review/",
    "bookings-appointment-review",
    "Review report",
    VIEW,
    order=15,
    in_index=False,
)
@require_POST
def appointment_review(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        return refused(
            request, "Approve or reject a report; notes are at most 1000 characters.", detail_url(appointment_id)
        )
    data = form.cleaned_data
    review = ReportReview(key=data["key"], action=data["action"], notes=data["notes"])
    changes = AppointmentChanges(given=frozenset({"report_review"}), report_review=review)
    return apply(
        request, appointment_id, lambda: changes, f"Report {'approved' if review.action == 'approve' else 'rejected'}."
    )


@page(
    "bookings/appointments/<str:appointment_id>/upload/",
    "bookings-appointment-upload",
    "Upload report",
    VIEW,
    order=16,
    in_index=False,
)
@require_POST
def appointment_upload(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.ReportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, forms.REPORT_REFUSED, detail_url(appointment_id))
    upload = form.cleaned_data["file"]
    return post_action(
        request,
        lambda: services.report_attach(
            actor=staff_required(request),
            appointment_id=appointment_id,
            file_name=upload.name,
            data=upload.read(services.REPORT_MAX_BYTES + 1),
        ),
        success=f"Report {upload.name} uploaded; an admin reviews it before the customer sees it.",
        redirect_to=detail_url(appointment_id),
    )
