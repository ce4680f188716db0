"""Application errors and the API's error envelope.

Services raise these; the DRF handler turns them (and DRF's own errors) into
``{"success": false, "message": "..."}`` with the right status. Bad input is never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from autolab import dynamodb

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """A rule was broken; ``message`` is safe to show to the caller."""

    status_code = 400

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ValidationError(ApplicationError):
    status_code = 400


class NotAuthenticated(ApplicationError):
    status_code = 401


class PermissionDenied(ApplicationError):
    status_code = 403


class NotFound(ApplicationError):
    status_code = 404


class Conflict(ApplicationError):
    status_code = 409


class LimitReached(ApplicationError):
    status_code = 429


class ServiceUnavailable(ApplicationError):
    status_code = 503


def _first_message(detail: Any, prefix: str = "") -> str:
    """The first human message of a DRF error detail, with the field it concerns."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            return _first_message(value, path)
        return "Invalid input"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0], prefix)
    text = str(detail)
    return f"{prefix}: {text}" if prefix else text


UNAVAILABLE_MESSAGE = "The service is temporarily unavailable; please try again in a moment"
RETRY_AFTER_SECONDS = "5"


def unavailable_body(error: BaseException) -> dict[str, Any]:
    """The 503 body of a data-layer outage, logged once without a traceback (it is not a bug)."""
    logger.warning("DynamoDB unavailable: %s", error)
    return error_body(UNAVAILABLE_MESSAGE)


def error_body(message: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "message": message}
    if extra:
        body.update(extra)
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.message, exc.extra), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    elif dynamodb.is_unavailable(exc):
        return Response(unavailable_body(exc), status=503, headers={"Retry-After": RETRY_AFTER_SECONDS})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        message = _first_message(exc.detail)
        response.data = error_body(message, {"errors": exc.detail})
    else:
        response.data = error_body(_first_message(getattr(exc, "detail", str(exc))))
    return response
