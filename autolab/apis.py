from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import clock, links, search
from autolab.api import envelope, ok, validated_query
from autolab.health import health_report
from autolab.permissions import IsStaff, Permission, staff_required, staff_with
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


class SearchApi(APIView):
    """Staff: customers, appointments, orders, invoices and vehicles by name, email, phone, rego,
    VIN or reference (autolab.search: one Query of the index), of the kinds the caller's roles see."""

    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(min_length=2, max_length=200, help_text="What to look for")
        limit = serializers.IntegerField(min_value=1, max_value=50, default=20)

    HIT = inline_serializer(
        "SearchHit",
        {
            "kind": serializers.ChoiceField(choices=["customer", "appointment", "order", "invoice", "vehicle"]),
            "id": serializers.CharField(),
            "label": serializers.CharField(),
            "subtitle": serializers.CharField(),
            "url": serializers.CharField(help_text="The record's staff portal page"),
        },
        many=True,
    )

    @extend_schema(
        operation_id="search",
        parameters=[InputSerializer],
        responses={200: envelope("SearchOut", {"results": HIT})},
    )
    def get(self, request: Request) -> Response:
        query = validated_query(self.InputSerializer, request)
        allowed = search.visible_kinds(staff_required(request))
        results = []
        for hit in search.search(query["q"], allowed=allowed, limit=query["limit"]):
            page = search.page_of(hit)
            if page is not None:
                row = {"kind": hit.kind, "id": hit.record_id, "label": hit.label, "subtitle": hit.subtitle}
                results.append({**row, "url": links.absolute(page)})
        return ok({"results": results})
