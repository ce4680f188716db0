"""Reads of the catalogue and of orders: always by key or index (never a Scan)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex

from autolab import clock
from autolab.pagination import Page, paginate
from autolab.permissions import Permission, StaffIdentity
from autolab.workflow import PAYMENT_FILTER_STATUSES, PaymentStatus
from shop.models import CATALOGUE_PARTITION, ORDER_LIST_PARTITION, ItemPrice, Order, OrderStatus

# The values list filters accept (the API's and the portal's choices).
ORDER_STATUSES = tuple(OrderStatus)
PAYMENT_STATUSES = PAYMENT_FILTER_STATUSES
# Filtered queries read this many items per request so a rare filter needs few round trips.
FILTERED_PAGE_SIZE = 200


@dataclass(frozen=True)
class OrderFilters:
    status: str | None = None
    payment_status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    oldest_first: bool = False  # the staff list: newest first unless asked

    def created_range(self) -> tuple[int | None, int | None]:
        """Epoch bounds [start, end) of the business days asked for."""
        start = clock.epoch_of_local_day(self.date_from) if self.date_from else None
        end = clock.epoch_of_local_day(self.date_to + dt.timedelta(days=1)) if self.date_to else None
        return start, end


def order_get(order_id: str) -> Order | None:
    """The order with ``order_id``, or None (also for ids that cannot be order ids)."""
    return Order.get_by_id(order_id)


def item_price_get(category_id: int, item_id: int) -> ItemPrice | None:
    """One catalogue row by its key, active or not."""
    return ItemPrice.get_or_none(category_id, item_id)


def item_prices_get_many(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], ItemPrice]:
    """Catalogue rows for ``keys`` in one BatchGet; unknown keys are simply absent."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    return {(row.category_id, row.item_id): row for row in ItemPrice.batch_get(wanted)}


def catalogue_list(*, active_only: bool) -> list[ItemPrice]:
    """The whole catalogue (one Query of catalogue-index), by category then item."""
    rows = ItemPrice.catalogue_index.query(CATALOGUE_PARTITION)
    return sorted(
        (row for row in rows if row.active or not active_only), key=lambda row: (row.category_id, row.item_id)
    )


def item_price_list() -> list[ItemPrice]:
    """Every catalogue row, active or not (the staff price list of ``GET /api/prices``)."""
    return catalogue_list(active_only=False)


def _filter_condition(filters: OrderFilters, *, with_status: bool, with_dates: bool) -> Condition | None:
    condition: Condition | None = None
    parts: list[Condition] = []
    if with_status and filters.status:
        parts.append(Order.status == filters.status)
    if filters.payment_status:
        parts.append(Order.payment_status == filters.payment_status)
    if with_dates:
        start, end = filters.created_range()
        if start is not None:
            parts.append(Order.created_at >= start)
        if end is not None:
            parts.append(Order.created_at < end)
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def _range_condition(filters: OrderFilters) -> Condition | None:
    start, end = filters.created_range()
    if start is not None and end is not None:
        return Order.created_at.between(start, end - 1)
    if start is not None:
        return Order.created_at >= start
    if end is not None:
        return Order.created_at < end
    return None


def _page_size(limit: int, condition: Condition | None) -> int:
    return max(limit, FILTERED_PAGE_SIZE) if condition is not None else limit


def order_list_all(filters: OrderFilters, *, limit: int, cursor: str | None) -> Page[Order]:
    """Every order, newest (or oldest) first; a status filter uses status-createdAt-index. A cursor is good for
    the date range it was issued for only (it would start outside another's key condition)."""
    index, key = (
        (Order.status_index, filters.status) if filters.status else (Order.order_list_index, ORDER_LIST_PARTITION)
    )
    condition = _filter_condition(filters, with_status=False, with_dates=False)
    return paginate(
        index,
        key,
        limit=limit,
        cursor=cursor,
        scope=_range_scope(filters),
        range_key_condition=_range_condition(filters),
        filter_condition=condition,
        scan_index_forward=filters.oldest_first,
        page_size=_page_size(limit, condition),
    )


def _range_scope(filters: OrderFilters) -> str:
    order = "oldest" if filters.oldest_first else ""
    return f"{filters.date_from or ''}..{filters.date_to or ''}{order}"


def order_list_for_customer(user_id: str, filters: OrderFilters, *, limit: int, cursor: str | None) -> Page[Order]:
    """Orders ``user_id`` created (createdUserId-index)."""
    return _filtered_page(Order.created_user_index, user_id, filters, limit=limit, cursor=cursor)


def orders_of_customer(user_id: str) -> list[Order]:
    """Every order created for ``user_id``, newest first (one Query chain on a key-only index)."""
    return sorted(Order.created_user_index.query(user_id), key=lambda order: order.created_at, reverse=True)


def order_list_for_mechanic(mechanic_id: str, filters: OrderFilters, *, limit: int, cursor: str | None) -> Page[Order]:
    """Orders assigned to ``mechanic_id`` (assignedMechanicId-index)."""
    return _filtered_page(Order.assigned_mechanic_index, mechanic_id, filters, limit=limit, cursor=cursor)


def _filtered_page(
    index: GlobalSecondaryIndex[Order], key: str, filters: OrderFilters, *, limit: int, cursor: str | None
) -> Page[Order]:
    """One person's orders by a key-only index: every filter (status, dates) is a filter condition."""
    condition = _filter_condition(filters, with_status=True, with_dates=True)
    return paginate(
        index, key, limit=limit, cursor=cursor, filter_condition=condition, page_size=_page_size(limit, condition)
    )


def order_list_for_staff(
    staff: StaffIdentity, filters: OrderFilters, *, limit: int, cursor: str | None
) -> Page[Order] | None:
    """What ``staff`` may list: everything, their assigned orders (mechanics), or None (not allowed)."""
    if staff.has(Permission.ORDER_VIEW_ALL):
        return order_list_all(filters, limit=limit, cursor=cursor)
    if staff.has(Permission.ORDER_VIEW_ASSIGNED):
        return order_list_for_mechanic(staff.user_id, filters, limit=limit, cursor=cursor)
    return None


VEHICLE_ORDERS_LIMIT = 50


def orders_of_vehicle_visible(staff: StaffIdentity, vehicle_key: str) -> list[Order] | None:
    """A car's orders newest first (one Query of the sparse vehicle index), those ``staff`` may see:
    all of them, a mechanic's assigned ones, or None (not allowed to see orders)."""
    if not (staff.has(Permission.ORDER_VIEW_ALL) or staff.has(Permission.ORDER_VIEW_ASSIGNED)):
        return None
    found = list(Order.vehicle_index.query(vehicle_key, scan_index_forward=False, limit=VEHICLE_ORDERS_LIMIT))
    if staff.has(Permission.ORDER_VIEW_ALL):
        return found
    return [order for order in found if order.assigned_mechanic_id == staff.user_id]


OPEN_ORDER_STATUSES = (OrderStatus.PENDING, OrderStatus.SCHEDULED)
UNPAID = (PaymentStatus.PENDING.value, PaymentStatus.FAILED.value)


def orders_unpaid() -> list[Order]:
    """Open orders (pending or scheduled) still to be paid, newest first: one Query per status on
    status-createdAt-index. Open orders are few; delivered and cancelled ones are never read."""
    unpaid = Order.payment_status.is_in(*UNPAID)
    found = [
        order
        for status in OPEN_ORDER_STATUSES
        for order in Order.status_index.query(status.value, filter_condition=unpaid)
    ]
    return sorted(found, key=lambda order: (-order.created_at, order.order_id))
