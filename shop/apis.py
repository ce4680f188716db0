"""Shop REST API: the original website's paths and field names (original-backend-behaviour.md §1.13-1.15)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from autolab.api import PageQuerySerializer, ok, validated_query
from autolab.dates import day_field, validate_range
from autolab.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from autolab.pagination import Page
from autolab.permissions import staff_of
from autolab.throttling import PublicWriteThrottle
from chat.selectors import customer_get
from shop import selectors, services
from shop.models import Order
from shop.serializers import outputs as out
from shop.serializers.changes import OrderChangesInput
from shop.serializers.inputs import OrderCreateInput
from shop.serializers.outputs import catalogue_json, order_catalogue, order_json
from staffapp.selectors import staff_get_by_user_id


class ItemListApi(APIView):
    """Public: the active parts catalogue with prices."""

    authentication_classes: list = []

    @extend_schema(operation_id="items_list", responses={200: out.CatalogueOut})
    def get(self, request: Request) -> Response:
        return ok(catalogue_json(selectors.catalogue_list(active_only=True)))


class OrderFilterSerializer(PageQuerySerializer):
    userId = serializers.CharField(required=False, max_length=64)
    status = serializers.ChoiceField(choices=selectors.ORDER_STATUSES, required=False)
    paymentStatus = serializers.ChoiceField(choices=selectors.PAYMENT_STATUSES, required=False)
    dateFrom = day_field(required=False)
    dateTo = day_field(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        validate_range(attrs, ("dateFrom", "dateTo"), order_message="dateFrom must not be after dateTo")
        return attrs


class CustomerQueryDoc(serializers.Serializer):
    userId = serializers.CharField(required=False, max_length=64, help_text="Required for customers")


def _customer_id(request: Request) -> str:
    """The calling customer's id (query ``userId``), which must exist."""
    user_id = request.query_params.get("userId")
    if not user_id:
        raise ValidationError("userId is required for non-staff users")
    if customer_get(user_id) is None:
        raise NotFound("No user record found for this userId")
    return user_id


class OrderListCreateApi(APIView):
    """GET: customers their own orders, staff what their roles allow. POST: order parts."""

    def get_throttles(self) -> list[BaseThrottle]:
        return [PublicWriteThrottle()] if self.request.method == "POST" else []

    @extend_schema(operation_id="orders_list", parameters=[OrderFilterSerializer], responses={200: out.OrderListOut})
    def get(self, request: Request) -> Response:
        query = validated_query(OrderFilterSerializer, request)
        filters = selectors.OrderFilters(
            status=query.get("status"),
            payment_status=query.get("paymentStatus"),
            date_from=query.get("dateFrom"),
            date_to=query.get("dateTo"),
        )
        page = self._page(request, filters, limit=query["limit"], cursor=query["cursor"])
        catalogue = order_catalogue(page.items)
        orders = [order_json(order, catalogue) for order in page.items]
        return ok({"orders": orders, "count": len(orders), "nextCursor": page.next_cursor})

    @staticmethod
    def _page(request: Request, filters: selectors.OrderFilters, *, limit: int, cursor: str) -> Page[Order]:
        staff = staff_of(request)
        if staff is None:
            return selectors.order_list_for_customer(_customer_id(request), filters, limit=limit, cursor=cursor)
        page = selectors.order_list_for_staff(staff, filters, limit=limit, cursor=cursor)
        if page is None:
            raise PermissionDenied("Unauthorized: Insufficient permissions")
        return page

    @extend_schema(operation_id="orders_create", request=OrderCreateInput, responses={200: out.OrderCreatedOut})
    def post(self, request: Request) -> Response:
        actor = staff_of(request)
        order = services.order_create(actor=actor, **OrderCreateInput.parse(request.data, customer=actor is None))
        return ok({"message": "Order created successfully", "orderId": order.order_id})


class OrderDetailApi(APIView):
    """GET one order (customers only their own; any staff); PATCH a staff change."""

    @extend_schema(operation_id="orders_retrieve", parameters=[CustomerQueryDoc], responses={200: out.OrderDetailOut})
    def get(self, request: Request, order_id: str) -> Response:
        staff = staff_of(request)
        order = selectors.order_get(order_id)
        if staff is None:
            user_id = _customer_id(request)
            if order is None or order.created_user_id != user_id:
                raise NotFound("Order not found")
            return ok({"order": order_json(order)})
        if order is None:
            raise NotFound("Order not found")
        return ok({"order": order_json(order), **_mechanic_json(order)})

    @extend_schema(
        operation_id="orders_partial_update", request=OrderChangesInput, responses={200: out.OrderUpdatedOut}
    )
    def patch(self, request: Request, order_id: str) -> Response:
        staff = staff_of(request)
        if staff is None:
            raise NotAuthenticated("Staff authentication required")
        changes = OrderChangesInput.parse(request.data)
        order = services.order_update(actor=staff, order_id=order_id, changes=changes)
        return ok({"message": "Order updated successfully", "order": order_json(order)})


def _mechanic_json(order: Order) -> dict[str, Any]:
    mechanic = staff_get_by_user_id(order.assigned_mechanic_id) if order.assigned_mechanic_id else None
    if mechanic is None:
        return {}
    return {
        "assignedMechanic": {
            "userName": mechanic.user_name,
            "userEmail": mechanic.user_email,
            "contactNumber": mechanic.contact_number,
        }
    }
