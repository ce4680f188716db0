"""API authentication that only lets active staff through.

A token or portal session stands for a staff member; if that member's Staff item is gone or
deactivated, the credentials are refused (401) instead of the request quietly going on as an
anonymous customer and writing as one.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed

from autolab.authentication import BearerTokenAuthentication
from autolab.permissions import remember_staff
from staffapp.selectors import staff_identity_for_user

NOT_STAFF = "Staff authentication required: no active staff member for these credentials"


def _staff_only(request: Any, result: tuple[Any, Any] | None) -> tuple[Any, Any] | None:
    if result is None:
        return None
    identity = staff_identity_for_user(result[0])
    if identity is None:
        raise AuthenticationFailed(NOT_STAFF)
    remember_staff(request, identity)  # one Staff read per request
    return result


class StaffTokenAuthentication(BearerTokenAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        return _staff_only(request, super().authenticate(request))


class StaffSessionAuthentication(SessionAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        return _staff_only(request, super().authenticate(request))
