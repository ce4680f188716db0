"""The seller's confirmation page: server-rendered, phone-first, behind a signed link.

Thin: bookings.seller_confirmation reads the link and writes the answer. A refused answer
re-renders the page with its message and status; a done one redirects back (303) to the page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from autolab.exceptions import ApplicationError
from bookings import seller_confirmation

TEMPLATE = "bookings/manage/seller.html"
DONE = {
    "confirmed": "Thank you: you have confirmed the time. See you then.",
    "proposed": "Thank you: we have passed your suggested time to our team; they will be in touch.",
}


class SellerPage(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._page(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        action = request.POST.get("action")
        try:
            if action == "confirm":
                seller_confirmation.confirm(token)
                done = "confirmed"
            elif action == "propose":
                date, _, slot = request.POST.get("slot", "").partition(" ")
                seller_confirmation.propose(token, date=date, slot=slot)
                done = "proposed"
            else:
                return self._page(request, token, error="Choose whether the time works for you", status=400)
        except seller_confirmation.SellerLinkError as error:
            return _refused(request, error)
        except ApplicationError as error:
            return self._page(request, token, error=error.message, status=error.status_code)
        return HttpResponseRedirect(f"{reverse('bookings-seller', kwargs={'token': token})}?done={done}", status=303)

    def _page(self, request: HttpRequest, token: str, *, error: str = "", status: int = 200) -> HttpResponse:
        try:
            view = seller_confirmation.seller_view(token)
        except seller_confirmation.SellerLinkError as link_error:
            return _refused(request, link_error)
        except ApplicationError as gone:
            return _message(request, gone.message, gone.status_code)
        context = {
            "view": view,
            "appointment": view.appointment,
            "state": view.appointment.seller_confirmation,
            "proposed": view.appointment.seller_proposed_slot,
            "error": error,
            "done": DONE.get(request.GET.get("done", ""), ""),
        }
        return render(request, TEMPLATE, context, status=status)


def _refused(request: HttpRequest, error: seller_confirmation.SellerLinkError) -> HttpResponse:
    """Expired (or superseded by a reschedule): 410 Gone; forged or altered: 403."""
    return _message(request, str(error), 410 if error.expired else 403)


def _message(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "bookings/manage/message.html", {"message": message}, status=status)
