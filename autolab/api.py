"""Helpers shared by every app's API views: the success envelope, its OpenAPI shape and input parsing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.response import Response


def ok(data: dict[str, Any] | None = None, status: int = 200) -> Response:
    """``{"success": true, ...data}``, the envelope the website expects."""
    return Response({"success": True, **(data or {})}, status=status)


def envelope(name: str, fields: dict[str, serializers.Field]) -> serializers.Serializer:
    """The OpenAPI shape of an ``ok`` body: ``success`` and ``fields`` (documentation only)."""
    return inline_serializer(name, {"success": serializers.BooleanField(), **fields})


class OpenAutoSchema(AutoSchema):
    """An operation open to customers lists ``{}`` (anonymous) beside the staff schemes in its
    security, as drf-spectacular does for AllowAny. The views that serve customers and staff alike
    (booking, the contact form) choose their permissions per method: a method with none is open,
    and a permission that lets customers through says so with ``admits_customers``. Without this
    the schema called those operations staff-only."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        permissions = self.view.get_permissions()
        if {} not in auths and all(getattr(p, "admits_customers", False) for p in permissions):
            auths.append({})
        return auths


# The OpenAPI shapes every ``ok`` body starts from; each app's response shapes extend them. Comments,
# not docstrings: drf-spectacular would give a subclass without one of its own the base's description.
class SuccessOut(serializers.Serializer):
    success = serializers.BooleanField()


class SuccessMessageOut(SuccessOut):
    message = serializers.CharField()


class PageQuerySerializer(serializers.Serializer):
    """``limit`` and ``cursor`` of every list endpoint."""

    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=25)
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


def validated_query(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def validated_body(serializer_class: type[serializers.Serializer], request: Any) -> dict[str, Any]:
    """The request body through its input serializer; a DRF error is the 400 envelope."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
