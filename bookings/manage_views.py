"""The customer's manage page: server-rendered, phone-first, behind a signed link.

Thin: the token names the appointment (bookings.manage_links), bookings.self_service decides and
writes. A refused action re-renders the page with its message and the error's status; a done one
redirects back to the page (so a reload does not post it again) with what was done.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from autolab.exceptions import ApplicationError
from bookings import manage_links, self_service

TEMPLATE = "bookings/manage/page.html"
DONE = {
    "rescheduled": "Your booking has been moved. We have emailed you the new time.",
    "cancelled": "Your booking has been cancelled. We have emailed you a confirmation.",
    "requested": "We have asked our team to cancel your booking; they will contact you shortly.",
}


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


class ManagePage(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._page(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            appointment_id = manage_links.appointment_from_token(token)
        except manage_links.ManageLinkError as error:
            return _refused_link(request, error)
        action = request.POST.get("action")
        try:
            if action == "reschedule":
                date, _, slot = request.POST.get("slot", "").partition(" ")
                self_service.reschedule(appointment_id=appointment_id, date=date, slot=slot, version=_version(request))
                done = "rescheduled"
            elif action == "cancel":
                outcome = self_service.cancel(appointment_id=appointment_id, version=_version(request))
                done = "cancelled" if outcome.cancelled else "requested"
            else:
                return self._page(request, token, error="Choose what to do with your booking", status=400)
        except ApplicationError as error:
            return self._page(request, token, error=error.message, status=error.status_code)
        return HttpResponseRedirect(f"{reverse('bookings-manage', kwargs={'token': token})}?done={done}", status=303)

    def _page(self, request: HttpRequest, token: str, *, error: str = "", status: int = 200) -> HttpResponse:
        try:
            view = self_service.manage_view(manage_links.appointment_from_token(token))
        except manage_links.ManageLinkError as link_error:
            return _refused_link(request, link_error)
        except ApplicationError as gone:
            return _message(request, gone.message, gone.status_code)
        context: dict[str, Any] = {
            "view": view,
            "appointment": view.appointment,
            "error": error,
            "done": DONE.get(request.GET.get("done", ""), ""),
        }
        return render(request, TEMPLATE, context, status=status)


def _refused_link(request: HttpRequest, error: manage_links.ManageLinkError) -> HttpResponse:
    """Expired: 410 Gone; forged or altered: 403."""
    return _message(request, str(error), 410 if error.expired else 403)


def _message(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "bookings/manage/message.html", {"message": message}, status=status)
