"""API authentication: ``Authorization: Bearer <token>`` for staff API clients."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token authentication with the ``Bearer`` keyword (inactive users are refused)."""

    keyword = "Bearer"
