"""Booking for a caller on the phone (support): find or add the caller, then book an appointment
in a slot of the live availability, through the API's own booking service.

The caller page is also where an order for a caller starts (the shop's ``shop-caller-order``
page takes the caller from here by its URL name).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from autolab import clock, once
from autolab.exceptions import ApplicationError
from autolab.permissions import Permission, StaffIdentity, staff_required
from bookings import caller_forms, selectors, services
from bookings.models import ServicePrice
from bookings.portal.common import page
from chat.models import Customer
from chat.selectors import customer_get, customer_list
from chat.services import customer_register
from staffapp.rendering import render_page

BOOK = (Permission.APPOINTMENT_BOOK_FOR_CUSTOMER,)
CALLER = (Permission.APPOINTMENT_BOOK_FOR_CUSTOMER, Permission.ORDER_CREATE_FOR_CUSTOMER)
PURPOSES = {"appointment": "bookings-caller-book", "order": "shop-caller-order"}
SEARCH_RESULTS = 10
BUSY = "This booking is being made already; it is on the appointments list in a moment."
LOOK_AHEAD_DAYS = 14  # days offered as buttons; the first with a free time is shown first


def caller_url(purpose: str, customer_id: str) -> str:
    return f"{reverse('admin:' + PURPOSES[purpose])}?{urlencode({'customer': customer_id})}"


def _purposes(staff: StaffIdentity, wanted: str) -> list[str]:
    allowed = [
        purpose
        for purpose, permission in (
            ("appointment", Permission.APPOINTMENT_BOOK_FOR_CUSTOMER),
            ("order", Permission.ORDER_CREATE_FOR_CUSTOMER),
        )
        if staff.has(permission)
    ]
    return [wanted] if wanted in allowed else allowed


# --- Step 1: the caller -------------------------------------------------------------------------


@page("bookings/caller/", "bookings-caller", "Book or order for a caller", CALLER, order=9)
@require_http_methods(["GET", "POST"])
def caller_find(request: HttpRequest) -> HttpResponse:
    """Search the customers by name or email, or add the caller as a new customer."""
    staff = staff_required(request)
    purposes = _purposes(staff, request.GET.get("for", ""))
    search = caller_forms.CallerSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    found = customer_list(limit=SEARCH_RESULTS, cursor=None, search=query).items if query else []
    form = caller_forms.NewCallerForm(request.POST or None, initial=_guess(query))
    status, existing = 200, None
    if request.method == "POST":
        next_purpose = request.POST.get("next", purposes[0])
        if next_purpose not in purposes:
            next_purpose = purposes[0]
        if form.is_valid():
            profile = form.profile()
            existing = _same_email(profile.user_email or "")
            if existing is None:
                customer = customer_register(**profile.given())
                messages.success(request, f"Added {customer.user_name} as a new customer.")
                return redirect(caller_url(next_purpose, customer.user_id))
            form.add_error("email", "A customer with this email already exists: choose them below.")
            status = 409
        else:
            status = 400
    context = {"search": search, "query": query, "found": found, "form": form, "existing": existing}
    context["purposes"] = purposes
    response = render_page(request, "bookings/caller_find.html", context, title="Book or order for a caller")
    response.status_code = status
    return response


def _guess(query: str) -> dict[str, str]:
    """A search that found nobody becomes the new caller's email or name."""
    if not query:
        return {}
    return {"email": query} if "@" in query else {"name": query}


def _same_email(email: str) -> Customer | None:
    matches = customer_list(limit=SEARCH_RESULTS, cursor=None, search=email).items if email else []
    return next((c for c in matches if (c.user_email or "").lower() == email.lower()), None)


def _caller_or_redirect(request: HttpRequest, purpose: str) -> Customer | HttpResponse:
    customer = customer_get(request.GET.get("customer", ""))
    if customer is None:
        messages.error(request, "Choose the caller first.")
        return redirect(f"{reverse('admin:bookings-caller')}?for={purpose}")
    return customer


# --- Step 2: the appointment ----------------------------------------------------------------------


def _active_plans() -> list[ServicePrice]:
    return [plan for plan in selectors.service_price_list() if plan.active]


def _chosen_plan(plans: list[ServicePrice], value: object) -> ServicePrice:
    return next((p for p in plans if caller_forms.plan_value(p) == value), plans[0])


def _chosen_day(value: object, window: list[dict[str, Any]]) -> dt.date:
    """The posted day, kept when it can be read, else the first day of ``window`` with a free time."""
    today = clock.business_today()
    try:
        day = clock.parse_date(value) if isinstance(value, str) and value else None
    except ValueError:
        day = None
    if day is not None and today <= day <= today + dt.timedelta(days=caller_forms.MAX_DAYS_AHEAD):
        return day
    return next((clock.parse_date(entry["date"]) for entry in window if _free(entry["slots"])), today)


def _free(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [slot for slot in slots if slot["status"] == "available"]


def _availability(plan: ServicePrice, days: list[str]) -> list[dict[str, Any]]:
    """The API's availability of ``plan`` on ``days`` (one BatchGetItem)."""
    states = selectors.day_states(days)
    capacity = selectors.booking_capacity()
    return selectors.availability_days([states[d] for d in days], plan.duration_minutes, capacity)


def _caller_initial(customer: Customer) -> dict[str, Any]:
    return {
        "side": "buyer",
        "name": customer.user_name or "",
        "email": customer.user_email or "",
        "phone": customer.contact_number or "",
    }


@page("bookings/appointments/new/", "bookings-caller-book", "Book for a caller", BOOK, order=12, in_index=False)
@require_http_methods(["GET", "POST"])
def caller_book(request: HttpRequest) -> HttpResponse:
    """The booking form: ``action=slots`` only shows the free times of the chosen plan and day
    (keeping what was typed); ``action=book`` books through the API's service."""
    customer = _caller_or_redirect(request, "appointment")
    if isinstance(customer, HttpResponse):
        return customer
    plans = _active_plans()
    if not plans:
        messages.error(request, "No service plan is active; an admin sets them up under Services & plans.")
        return redirect("admin:bookings-caller")
    posted = request.POST if request.method == "POST" else None
    source = posted or request.GET
    plan = _chosen_plan(plans, source.get("plan"))
    today = clock.business_today()
    # The next days' free times of the plan (one BatchGetItem), as buttons, and the chosen day's.
    window = _availability(plan, [(today + dt.timedelta(days=n)).isoformat() for n in range(LOOK_AHEAD_DAYS)])
    day = _chosen_day(source.get("pick_day") or source.get("date"), window)
    chosen = next((entry for entry in window if entry["date"] == day.isoformat()), None)
    slots = (chosen or _availability(plan, [day.isoformat()])[0])["slots"]
    kwargs: dict[str, Any] = {"plans": plans, "slots": _free(slots)}
    status = 200
    if posted is not None and posted.get("action") == "book" and "pick_day" not in posted:
        form = caller_forms.CallerBookingForm(posted, **kwargs)
        done = _book(request, customer, form)
        if isinstance(done, HttpResponse):
            return done
        status = done
    else:
        values = posted.dict() if posted is not None else _caller_initial(customer)
        initial = {"key": once.new_key(), **values, "plan": caller_forms.plan_value(plan), "date": day}
        form = caller_forms.CallerBookingForm(initial=initial, **kwargs)
    context = {
        "customer": customer,
        "form": form,
        "plan": plan,
        "day": day,
        "day_iso": day.isoformat(),
        "days": [{"date": e["date"], "free": len(_free(e["slots"]))} for e in window if _free(e["slots"])],
        "not_offered": _not_offered(slots),
        "find_url": f"{reverse('admin:bookings-caller')}?for=appointment",
    }
    response = render_page(request, "bookings/caller_book.html", context, title=f"Book for {customer.user_name}")
    response.status_code = status
    return response


def _not_offered(slots: list[dict[str, Any]]) -> list[tuple[str, int]]:
    names = {"full": "full", "blocked": "blocked", "too_soon": "too soon"}
    counts = [(text, sum(1 for s in slots if s["status"] == status)) for status, text in names.items()]
    return [(text, count) for text, count in counts if count]


def _book(request: HttpRequest, customer: Customer, form: caller_forms.CallerBookingForm) -> HttpResponse | int:
    """Book the valid form for ``customer``; else the status of the re-rendered form, which says
    why not (409: the chosen time is no longer free)."""
    booking = form.booking_request() if form.is_valid() else None
    if booking is None:
        # A day outside the window is the fault (400), whatever times that day's fallback offers.
        taken = form.has_error("slot", "invalid_choice") and not form.has_error("date")
        return 409 if taken else 400
    actor = staff_required(request)

    def book() -> str:
        return services.appointment_create(actor=actor, user_id=customer.user_id, booking=booking).appointment_id

    try:  # a double tap books once and shows the same booking
        appointment_id = once.submit_once("caller-book", form.cleaned_data["key"], book, busy=BUSY)
    except ApplicationError as error:
        form.add_error(None, error.message)
        return error.status_code
    return redirect("admin:bookings-caller-booked", appointment_id=appointment_id)


@page(
    "bookings/appointments/new/<str:appointment_id>/",
    "bookings-caller-booked",
    "Booked for a caller",
    BOOK,
    order=12,
    in_index=False,
)
@require_GET
def caller_booked(request: HttpRequest, appointment_id: str) -> HttpResponse:
    """What to read back to the caller, and the next step: take the payment now."""
    appointment = selectors.appointment_get(appointment_id)
    if appointment is None:
        raise Http404("Appointment not found")
    staff = staff_required(request)
    customer = customer_get(appointment.created_user_id or "")
    slot = next(iter(appointment.selected_slots or []), None)
    context = {
        "appointment": appointment,
        "customer": customer,
        "plan": selectors.service_price_get(appointment.service_id, appointment.plan_id),
        "slot": slot,
        "can_confirm_payment": staff.has(Permission.PAYMENT_CONFIRM_MANUAL),
        "can_view_payments": staff.has(Permission.INVOICE_VIEW),
        "can_order": staff.has(Permission.ORDER_CREATE_FOR_CUSTOMER) and customer is not None,
        "book_again": caller_url("appointment", customer.user_id) if customer else None,
        "order_url": caller_url("order", customer.user_id) if customer else None,
    }
    return render_page(
        request, "bookings/caller_booked.html", context, title=f"Booked: appointment {appointment_id[:8].upper()}"
    )
