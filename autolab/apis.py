from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import clock
from autolab.api import envelope, ok
from autolab.health import health_report
from autolab.permissions import Permission, staff_with
from autolab.price_lists import price_list


class HealthApi(APIView):
    """Liveness for the process manager: 200 when DynamoDB and Redis answer, else 503 naming which."""

    authentication_classes: list = []

    @extend_schema(
        responses={
            (200, "application/json"): inline_serializer(
                "Health",
                {
                    "success": serializers.BooleanField(),
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(child=serializers.BooleanField()),
                },
            )
        }
    )
    def get(self, request: Request) -> Response:
        checks = health_report()
        down = [name for name, up in checks.items() if not up]
        body = {"success": not down, "status": "ok" if not down else "down", "checks": checks}
        if down:
            body["message"] = f"Unreachable: {', '.join(down)}"
        return Response(body, status=503 if down else 200)


class PricesApi(APIView):
    """Staff: every parts price and service plan, active or not (the lists come from shop and
    bookings through ``autolab.price_lists``)."""

    permission_classes = [staff_with(Permission.PRICES_VIEW)]

    @extend_schema(
        operation_id="prices_list",
        responses={
            200: envelope(
                "PricesOut",
                {
                    # The rows are the owning apps' (shop, bookings), registered with autolab.price_lists.
                    "itemPrices": serializers.ListField(child=serializers.DictField()),
                    "servicePrices": serializers.ListField(child=serializers.DictField()),
                    "timestamp": serializers.CharField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        lists = {"itemPrices": price_list("itemPrices"), "servicePrices": price_list("servicePrices")}
        return ok({**lists, "timestamp": clock.iso_local()})
