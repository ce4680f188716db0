"""What the bookings portal pages share: their section, permissions and the page decorator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from autolab import clock
from autolab.permissions import Permission, staff_required
from bookings import updates
from bookings.types import AppointmentChanges
from staffapp.actions import post_action
from staffapp.sites import portal_site

SECTION = "Bookings"
VIEW = (Permission.APPOINTMENT_VIEW_ALL, Permission.APPOINTMENT_VIEW_ASSIGNED)
SLOTS = (Permission.SLOTS_MANAGE_PORTAL,)


def page(route: str, name: str, title: str, permissions: tuple, *, order: int, in_index: bool = True) -> Any:
    return portal_site.register_page(
        section=SECTION, title=title, route=route, name=name, permissions=permissions, order=order, in_index=in_index
    )


def day_param(request: HttpRequest, name: str = "date") -> dt.date:
    try:
        return clock.parse_date(request.GET.get(name) or "")
    except ValueError:
        return clock.business_today()


def detail_url(appointment_id: str) -> str:
    return reverse("admin:bookings-appointment", kwargs={"appointment_id": appointment_id})


def apply(
    request: HttpRequest, appointment_id: str, changes: Callable[[], AppointmentChanges], done: str
) -> HttpResponse:
    """Apply ``changes()`` (a refused slot or change is the page's error message)."""
    return post_action(
        request,
        lambda: updates.appointment_update(
            actor=staff_required(request), appointment_id=appointment_id, changes=changes()
        ),
        success=done,
        redirect_to=detail_url(appointment_id),
    )
