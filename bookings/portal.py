"""Bookings pages of the staff portal: appointments, my day, week calendar, slot analyser, catalogue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from autolab import clock, workflow
from autolab.dates import date_range
from autolab.exceptions import ValidationError
from autolab.permissions import Permission, StaffIdentity, staff_required
from bookings import catalogue, forms, notifications, selectors, services, updates
from bookings.models import AppointmentStatus
from bookings.serializers.outputs import appointment_json
from bookings.slots import BUCKETS, Interval
from bookings.types import AppointmentChanges, ReportReview
from bookings.validation import staff_slot
from emails.selectors import email_is_suppressed
from staffapp.actions import post_action, refused
from staffapp.paging import cursor_page
from staffapp.rendering import render_page
from staffapp.sites import portal_site

SECTION = "Bookings"
VIEW = (Permission.APPOINTMENT_VIEW_ALL, Permission.APPOINTMENT_VIEW_ASSIGNED)
SLOTS = (Permission.SLOTS_MANAGE_PORTAL,)


def _page(route: str, name: str, title: str, permissions: tuple, *, order: int, in_index: bool = True) -> Any:
    return portal_site.register_page(
        section=SECTION, title=title, route=route, name=name, permissions=permissions, order=order, in_index=in_index
    )


def _day_param(request: HttpRequest, name: str = "date") -> dt.date:
    try:
        return clock.parse_date(request.GET.get(name) or "")
    except ValueError:
        return clock.business_today()


# --- Appointment list and detail -----------------------------------------------------------------


@_page("bookings/appointments/", "bookings-appointments", "Appointments", VIEW, order=10)
def appointment_list(request: HttpRequest) -> HttpResponse:
    staff = staff_required(request)
    form = forms.AppointmentFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AppointmentFilters(
        status=data.get("status") or None,
        payment_status=data.get("payment_status") or None,
        service_id=data.get("service_id"),
        date_from=data["date_from"].isoformat() if data.get("date_from") else None,
        date_to=data["date_to"].isoformat() if data.get("date_to") else None,
    )
    page = cursor_page(request, lambda cursor: _list_page(staff, filters, cursor))
    context = {"form": form, "appointments": page.items, **page.pager}
    return render_page(request, "bookings/appointment_list.html", context, title="Appointments")


def _list_page(staff: StaffIdentity, filters: selectors.AppointmentFilters, cursor: str | None) -> Any:
    if staff.has(Permission.APPOINTMENT_VIEW_ALL):
        return selectors.appointment_list_for_staff(filters, limit=25, cursor=cursor)
    return selectors.appointment_list_for_mechanic(staff.user_id, filters, limit=25, cursor=cursor)


def _detail_context(request: HttpRequest, appointment: Any) -> dict[str, Any]:
    staff = staff_required(request)
    email = appointment.buyer_email if appointment.is_buyer else appointment.seller_email
    mechanics = selectors.mechanics_active()
    return {
        "appointment": appointment,
        "data": appointment_json(appointment),
        "plan": selectors.service_price_get(appointment.service_id, appointment.plan_id),
        "mechanic": selectors.staff_contact(appointment.assigned_mechanic_id),
        "customer_email": email,
        "suppressed": bool(email) and email_is_suppressed(email),
        "transitions": workflow.in_workflow_order(AppointmentStatus, updates.allowed_transitions(staff, appointment)),
        "can_edit": staff.has(Permission.APPOINTMENT_EDIT)
        and appointment.status in (AppointmentStatus.PENDING, AppointmentStatus.SCHEDULED),
        "can_approve": staff.has(Permission.APPOINTMENT_REPORT_APPROVE)
        and appointment.status == AppointmentStatus.COMPLETED,
        "can_write_reports": _can_write_reports(staff, appointment),
        # The same permissions as billing's payments page (confirm or revert a payment, invoices).
        "can_view_payments": staff.has(Permission.INVOICE_VIEW) or staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "can_confirm_payment": staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "schedule_form": forms.ScheduleForm(initial=_schedule_initial(appointment), mechanics=mechanics),
        "notes_form": forms.NotesForm(initial={"post_notes": appointment.post_notes, "version": appointment.version}),
        "upload_form": forms.ReportUploadForm(),
    }


def _can_write_reports(staff: StaffIdentity, appointment: Any) -> bool:
    if not staff.has(Permission.APPOINTMENT_REPORT_WRITE) or appointment.status not in (
        AppointmentStatus.SCHEDULED,
        AppointmentStatus.ONGOING,
        AppointmentStatus.COMPLETED,
    ):
        return False
    return not staff.is_mechanic_only or appointment.assigned_mechanic_id == staff.user_id


def _schedule_initial(appointment: Any) -> dict[str, Any]:
    slot = appointment.scheduled_time_slot or next(iter(appointment.selected_slots or []), None)
    initial: dict[str, Any] = {"version": appointment.version, "mechanic": appointment.assigned_mechanic_id or ""}
    if slot is not None:
        initial.update(date=slot.date, start=slot.start, end=slot.end)
    return initial


@_page(
    "bookings/appointments/<str:appointment_id>/", "bookings-appointment", "Appointment", VIEW, order=11, in_index=False
)
def appointment_detail(request: HttpRequest, appointment_id: str) -> HttpResponse:
    appointment = selectors.appointment_get(appointment_id)
    staff = staff_required(request)
    if appointment is None or (staff.is_mechanic_only and appointment.assigned_mechanic_id != staff.user_id):
        raise Http404("Appointment not found")
    context = _detail_context(request, appointment)
    if context["can_edit"] and appointment.selected_slots:
        context["availability"] = _preferred_availability(appointment)
    return render_page(
        request, "bookings/appointment_detail.html", context, title=f"Appointment {appointment_id[:8].upper()}"
    )


def _preferred_availability(appointment: Any) -> list[dict[str, Any]]:
    """The customer's preferred slots with their status right now (free / full / blocked / too soon)."""
    states = selectors.day_states(sorted({s.date for s in appointment.selected_slots}))
    capacity = selectors.booking_capacity()
    rows = []
    for slot in sorted(appointment.selected_slots, key=lambda s: s.priority):
        status, free = selectors.slot_status(states[slot.date], Interval.parse(slot.start, slot.end), capacity)
        rows.append({"slot": slot, "status": status, "free": free})
    return rows


def _detail_url(appointment_id: str) -> str:
    return reverse("admin:bookings-appointment", kwargs={"appointment_id": appointment_id})


def _apply(
    request: HttpRequest, appointment_id: str, changes: Callable[[], AppointmentChanges], done: str
) -> HttpResponse:
    """Apply ``changes()`` (a refused slot or change is the page's error message)."""
    return post_action(
        request,
        lambda: updates.appointment_update(
            actor=staff_required(request), appointment_id=appointment_id, changes=changes()
        ),
        success=done,
        redirect_to=_detail_url(appointment_id),
    )


@_page(
    "bookings/appointments/<str:appointment_id>/schedule/",
    "bookings-appointment-schedule",
    "Schedule",
    VIEW,
    order=12,
    in_index=False,
)
@require_POST
def appointment_schedule(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.ScheduleForm(request.POST, mechanics=selectors.mechanics_active())
    if not form.is_valid():
        return refused(request, "Choose a date, a start and an end.", _detail_url(appointment_id))
    data = form.cleaned_data

    def changes() -> AppointmentChanges:
        return AppointmentChanges(
            given=frozenset({"schedule", "mechanic_id"}),
            schedule=staff_slot(data["date"], data["start"], data["end"]),
            mechanic_id=data["mechanic"] or None,
            version=data["version"],
        )

    done = f"Scheduled for {data['date'].isoformat()} {data['start']}-{data['end']}."
    return _apply(request, appointment_id, changes, done)


@_page(
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
        return refused(request, "Choose a status.", _detail_url(appointment_id))
    status, version = form.cleaned_data["status"], form.cleaned_data["version"]
    changes = AppointmentChanges(given=frozenset({"status"}), status=status, version=version)
    return _apply(request, appointment_id, lambda: changes, f"Status set to {status}.")


@_page(
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


@_page(
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
        return refused(request, "Notes are too long.", _detail_url(appointment_id))
    changes = AppointmentChanges(
        given=frozenset({"post_notes"}),
        post_notes=form.cleaned_data["post_notes"],
        version=form.cleaned_data["version"],
    )
    return _apply(request, appointment_id, lambda: changes, "Post-inspection notes saved.")


@_page(
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
            request, "Approve or reject a report; notes are at most 1000 characters.", _detail_url(appointment_id)
        )
    data = form.cleaned_data
    review = ReportReview(key=data["key"], action=data["action"], notes=data["notes"])
    changes = AppointmentChanges(given=frozenset({"report_review"}), report_review=review)
    return _apply(
        request, appointment_id, lambda: changes, f"Report {'approved' if review.action == 'approve' else 'rejected'}."
    )


@_page(
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
        return refused(request, "Choose a PDF file.", _detail_url(appointment_id))
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
        redirect_to=_detail_url(appointment_id),
    )


# --- My day ------------------------------------------------------------------------------------


@_page("bookings/my-day/", "bookings-my-day", "My day", (Permission.APPOINTMENT_VIEW_ASSIGNED,), order=20)
def my_day(request: HttpRequest) -> HttpResponse:
    day = _day_param(request)
    jobs = selectors.mechanic_day(staff_required(request).user_id, day.isoformat())
    context = {"day": day, "jobs": jobs, "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1)}
    return render_page(request, "bookings/my_day.html", context, title=f"My day: {day:%a %d %b %Y}")


# --- Week calendar with blocking -----------------------------------------------------------------


def _calendar_columns(states: list[selectors.DayState], appointments: dict[str, Any]) -> list[dict[str, Any]]:
    """Per day: positioned boxes for blocked periods and jobs (grid rows are half-hour buckets)."""
    columns = []
    for state in states:
        boxes = [
            {"kind": "block", "label": f"Blocked {b.label}", "row": _row(b.start), "end": _row(b.end), "lane": 0}
            for b in state.blocks
        ]
        for lane, (appointment_id, (slot, status)) in enumerate(sorted(state.jobs.items(), key=lambda j: j[1][0])):
            if status == AppointmentStatus.CANCELLED:
                continue
            appointment = appointments.get(appointment_id)
            name = (
                appointment.buyer_name
                if appointment and appointment.is_buyer
                else getattr(appointment, "seller_name", "")
            ) or "Job"
            boxes.append(
                {
                    "kind": "job",
                    "label": f"{slot.label} {name} ({status.title()})",
                    "row": _row(slot.start),
                    "end": _row(slot.end),
                    "lane": lane % 3 + 1,
                    "id": appointment_id,
                }
            )
        columns.append({"date": state.date, "day": clock.parse_date(state.date), "boxes": boxes})
    return columns


def _row(minute: int) -> int:
    """CSS grid row of a minute of the day (row 1 is the header, 08:00 is row 2)."""
    return max(2, min(len(BUCKETS) + 2, (minute - 8 * 60) // 30 + 2))


@_page("bookings/calendar/", "bookings-calendar", "Week calendar", VIEW + SLOTS, order=30)
@require_http_methods(["GET", "POST"])
def week_calendar(request: HttpRequest) -> HttpResponse:
    staff = staff_required(request)
    if request.method == "POST":
        return _block_action(request, staff)
    first = _day_param(request, "week")
    first -= dt.timedelta(days=first.weekday())
    states, appointments = selectors.week_states(first.isoformat())
    context = {
        "columns": _calendar_columns(states, appointments),
        "hours": [b[:2] + ":" + b[2:] for b in BUCKETS],
        "previous": first - dt.timedelta(days=7),
        "next": first + dt.timedelta(days=7),
        "first": first,
        "can_block": staff.has(Permission.SLOTS_MANAGE_PORTAL),
        "block_form": forms.BlockForm(initial={"start_date": first}),
    }
    return render_page(request, "bookings/calendar.html", context, title=f"Week of {first:%d %b %Y}")


def _block_action(request: HttpRequest, staff: StaffIdentity) -> HttpResponse:
    if not staff.has(Permission.SLOTS_MANAGE_PORTAL):
        raise Http404
    form = forms.BlockForm(request.POST)
    if not form.is_valid():
        return refused(request, "Choose the dates and times to block or unblock.", "admin:bookings-calendar")
    data = form.cleaned_data
    verb = "Blocked" if data["action"] == "add" else "Unblocked"
    return post_action(
        request,
        lambda: _block(staff, data),
        success=lambda days: f"{verb} {data['start']}-{data['end']} on {days} day(s).",
        redirect_to=f"{request.path}?week={data['start_date'].isoformat()}",
    )


def _block(staff: StaffIdentity, data: dict[str, Any]) -> int:
    """Block or unblock the period on each day of the range; returns how many days."""
    wrong = f"Choose an end date on or after the start, at most {catalogue.MAX_RANGE_DAYS} days"
    span = date_range(
        data["start_date"],
        data["end_date"] or data["start_date"],
        max_days=catalogue.MAX_RANGE_DAYS,
        order_message=wrong,
        span_message=wrong,
    )
    try:
        period = Interval.parse(data["start"], data["end"])
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    dates = [day.isoformat() for day in span.each_day()]
    catalogue.unavailable_slots_update(actor=staff, dates=dates, operation=data["action"], periods=[period])
    return len(dates)


# --- Slot analyser ---------------------------------------------------------------------------------


@_page("bookings/analyser/", "bookings-analyser", "Slot analyser", VIEW + SLOTS, order=40)
def slot_analyser(request: HttpRequest) -> HttpResponse:
    plans = [p for p in selectors.service_price_list() if p.active]
    form = forms.AnalyserForm(request.GET or {"date": clock.business_today().isoformat()}, plans=plans)
    analysis, plan = None, None
    if form.is_valid() and plans:
        service_id, plan_id = (
            int(part)
            for part in (form.cleaned_data.get("plan") or f"{plans[0].service_id}:{plans[0].plan_id}").split(":")
        )
        plan = selectors.service_price_get(service_id, plan_id)
        analysis = (
            selectors.day_analysis(form.cleaned_data["date"].isoformat(), plan.duration_minutes) if plan else None
        )
    return render_page(
        request, "bookings/analyser.html", {"form": form, "analysis": analysis, "plan": plan}, title="Slot analyser"
    )


# --- Services & plans --------------------------------------------------------------------------------


@_page("bookings/catalogue/", "bookings-catalogue", "Services & plans", (Permission.CATALOGUE_MANAGE,), order=50)
@require_http_methods(["GET", "POST"])
def catalogue_page(request: HttpRequest) -> HttpResponse:
    plans = selectors.service_price_list()
    editing = _plan_initial(request, plans)
    form = forms.PlanForm(request.POST or None, initial=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = post_action(
            request,
            lambda: catalogue.service_plan_save(**{**data, "features": data["features"].splitlines()}),
            success=lambda plan: f"Saved {plan.service_name}: {plan.plan_name}.",
            redirect_to="admin:bookings-catalogue",
            form=form,
        )
        if done:
            return done
    return render_page(
        request, "bookings/catalogue.html", {"plans": plans, "form": form, "editing": editing}, title="Services & plans"
    )


def _plan_initial(request: HttpRequest, plans: list) -> dict[str, Any]:
    wanted = request.GET.get("edit", "")
    plan = next((p for p in plans if f"{p.service_id}:{p.plan_id}" == wanted), None)
    if plan is None:
        return {"active": True, "duration_minutes": 120}
    return {
        "service_id": plan.service_id,
        "plan_id": plan.plan_id,
        "service_name": plan.service_name,
        "plan_name": plan.plan_name,
        "price": plan.price,
        "duration_minutes": plan.duration_minutes,
        "features": "\n".join(plan.features or []),
        "active": plan.active,
    }
