"""A request id on every request and every log line, echoed as ``X-Request-ID``; 503 for outages
of the data layer outside the API (the API's own handler answers those)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        # Not reset on the way out: Django logs 4xx/5xx responses after the middleware returns, and
        # those lines must carry the id too. Every request sets its own id first.
        _request_id.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class DataLayerUnavailableMiddleware:
    """A DynamoDB outage in a portal page or any non-API view is a 503 with a message, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Not at the top: logging's config imports this module (its request-id filter) before the
        # apps are ready, and autolab.exceptions imports DRF, which needs them.
        from autolab import dynamodb
        from autolab.exceptions import RETRY_AFTER_SECONDS, unavailable_body

        if not dynamodb.is_unavailable(exception):
            return None
        body = unavailable_body(exception)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(body, status=503)
        else:
            response = HttpResponse(body["message"], status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
