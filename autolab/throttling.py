"""Rate limits for public writes and logins; ``API_RATE_LIMITS=off`` disables them (load tests)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from autolab.client_ip import client_ip


class _SwitchableThrottle(SimpleRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        if str(settings.API_RATE_LIMITS).lower() == "off":
            return True
        return super().allow_request(request, view)

    def get_ident(self, request: Any) -> str:
        """Not DRF's rule (the raw X-Forwarded-For unless NUM_PROXIES): only trusted proxies count."""
        return client_ip(request.META)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicWriteThrottle(_SwitchableThrottle):
    """Per client address, across every public write endpoint."""

    scope = "public_write"


class LoginThrottle(_SwitchableThrottle):
    """Per client address, for token logins."""

    scope = "login"
