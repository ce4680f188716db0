"""The reports awaiting review (ADMIN): appointments with a report nobody has approved or rejected,
waiting longest first (bookings.selectors.reports_awaiting_review, one Query of its sparse index).
Each row links to the appointment, where approve and reject already are."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from bookings import selectors as booking_selectors
from inspections.portal.common import REVIEW, appointment_url, page
from staffapp.paging import cursor_page
from staffapp.rendering import render_page

PAGE_SIZE = 25


def _row(appointment: Any) -> dict[str, Any]:
    waiting = [r for r in appointment.reports or [] if not r.get("reviewed") and r.get("status") != "pending_upload"]
    return {
        "a": appointment,
        "customer": (appointment.buyer_name if appointment.is_buyer else appointment.seller_name) or "—",
        "reports": [str(r.get("fileName") or "report") for r in waiting],
        "uploaded_at": min((str(r.get("uploadedAt") or "") for r in waiting), default=""),
        "url": appointment_url(appointment.appointment_id) + "#reports",
    }


@page("inspections/review/", "inspections-review", "Reports awaiting review", REVIEW, order=20)
def review_queue(request: HttpRequest) -> HttpResponse:
    found = cursor_page(
        request, lambda cursor: booking_selectors.reports_awaiting_review(limit=PAGE_SIZE, cursor=cursor)
    )
    context = {"rows": [_row(appointment) for appointment in found.items], **found.pager}
    return render_page(request, "inspections/review.html", context, title="Reports awaiting review")
