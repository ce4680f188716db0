from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from staffapp.selectors import staff_identity_for_user


class StaffMiddleware:
    """Lets ``autolab.permissions.staff_of(request)`` find the signed-in staff member's roles."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.resolve_staff = lambda: staff_identity_for_user(request.user)  # type: ignore[attr-defined]
        return self.get_response(request)
