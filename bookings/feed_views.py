"""The mechanic's calendar feed: a phone's calendar app fetches it without a login or a cookie."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from bookings import calendar_feed


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS file of the token's mechanic; 404 for a forged, revoked or no-longer-mechanic token."""
    try:
        staff = calendar_feed.mechanic_from_token(token)
    except calendar_feed.FeedTokenError as error:
        return HttpResponse(str(error), status=404, content_type="text/plain; charset=utf-8")
    response = HttpResponse(calendar_feed.feed_ics(staff), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="jobs.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
