"""API authentication: ``Authorization: Bearer <token>`` for staff API clients.

A token is valid for ``STAFF_TOKEN_TTL`` seconds from its issue; changing the password, an admin
reset and deactivation delete it (staffapp.services). Sockets use the same rule (chat.selectors).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_is_current(token: Token) -> bool:
    return token.created > timezone.now() - timedelta(seconds=settings.STAFF_TOKEN_TTL)


def current_token(key: str) -> Token | None:
    """The token with ``key`` and its user, unless it does not exist or has expired."""
    token = Token.objects.select_related("user").filter(key=str(key)[:64]).first()
    return token if token is not None and token_is_current(token) else None


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token authentication with the ``Bearer`` keyword, expiring tokens, inactive users refused."""

    keyword = "Bearer"

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = current_token(key)
        if token is None:
            raise AuthenticationFailed("Invalid or expired token; sign in again")
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return token.user, token
