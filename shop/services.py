"""Shop rules: pricing, the daily order limit, order changes by field group, and the catalogue.

Original behaviour: original-backend-behaviour.md §1.14-1.15, §3.3, §3.4, §3.7, with ARCHITECTURE
§5 (per-group authorisation, atomic limits, optimistic locking, correct statuses).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from autolab import clock, dynamodb
from autolab.events import publish_to_staff
from autolab.exceptions import Conflict, LimitReached, NotFound, PermissionDenied, ValidationError
from autolab.money import to_money
from autolab.permissions import Permission, Role, StaffIdentity, has_permission
from chat.emails.services import email_customer
from chat.selectors import customer_get
from shop import selectors, validation
from shop.models import CATALOGUE_PARTITION, ItemPrice, Order, OrderDailyCounter, OrderLine
from shop.signals import order_cancelled
from staffapp.models import Staff
from staffapp.selectors import staff_get_by_user_id

logger = logging.getLogger(__name__)

ORDERS_DAILY_LIMIT = 5
EDITABLE_STATUSES = ("PENDING", "SCHEDULED")
# Order transitions (§3.3): who may move an order from one status to another.
SUPPORT_TRANSITIONS = {
    "PENDING": {"CANCELLED"},
    "SCHEDULED": {"PENDING", "CANCELLED"},
    "DELIVERED": {"SCHEDULED"},
    "CANCELLED": {"PENDING"},
}
ASSIGNED_MECHANIC_TRANSITIONS = {"SCHEDULED": {"DELIVERED"}, "DELIVERED": {"SCHEDULED"}}
GROUP_FIELDS = {
    "items": ("items",),
    "details": ("customerData", "carData", "notes", "deliveryLocation"),
    "scheduling": ("scheduledDate", "assignedMechanicId"),
    "status": ("status",),
    "postNotes": ("postNotes",),
}
GROUP_LABELS = {
    "items": "items",
    "details": "customer, car and delivery details",
    "scheduling": "scheduling",
    "status": "status",
    "postNotes": "post notes",
}


@dataclass(frozen=True)
class PricedLine:
    item: ItemPrice
    quantity: int

    @property
    def total(self) -> Decimal:
        return to_money(self.item.price * self.quantity)

    def as_order_line(self) -> OrderLine:
        return OrderLine(
            category_id=self.item.category_id,
            item_id=self.item.item_id,
            quantity=self.quantity,
            unit_price=to_money(self.item.price),
            total_price=self.total,
        )


def price_lines(lines: Iterable[validation.LineInput]) -> list[PricedLine]:
    """Unit prices from ItemPrices only; unknown or inactive items are refused, all named at once."""
    lines = list(lines)
    catalogue = selectors.item_prices_get_many((line.category_id, line.item_id) for line in lines)
    unknown = [line for line in lines if (line.category_id, line.item_id) not in catalogue]
    if unknown:
        named = ", ".join(f"categoryId {line.category_id} and itemId {line.item_id}" for line in unknown)
        raise ValidationError(f"Invalid category or item. Please check {named}")
    inactive = [catalogue[(line.category_id, line.item_id)] for line in lines]
    inactive = [item for item in inactive if not item.active]
    if inactive:
        named = ", ".join(
            f"{item.item_name} (categoryId {item.category_id}, itemId {item.item_id})" for item in inactive
        )
        raise ValidationError(f"Not available for ordering: {named}")
    return [PricedLine(item=catalogue[(line.category_id, line.item_id)], quantity=line.quantity) for line in lines]


# --- Creating orders -------------------------------------------------------------------------


def _order_owner(actor: StaffIdentity | None, user_id: Any) -> tuple[str, bool, bool]:
    """Whose order it is, whether it counts on their day counter, and whether the limit applies.

    A customer's own orders are limited; orders staff enter for a customer count on the customer's
    day (as the original counted them) but are never refused; administrative entries don't count.
    """
    if user_id is not None and not isinstance(user_id, str):
        raise ValidationError("userId must be a string")
    if actor is None:
        if not user_id:
            raise ValidationError("userId is required for non-staff users")
        if customer_get(user_id) is None:
            raise NotFound("No user record found for this userId")
        return user_id, True, True
    if not actor.has(Permission.ORDER_CREATE_FOR_CUSTOMER):
        raise PermissionDenied("Only customer support can create orders for customers")
    if not user_id or user_id == actor.user_id:
        return actor.user_id, False, False
    if customer_get(user_id) is not None:
        return user_id, True, False
    if staff_get_by_user_id(user_id) is not None:
        # An administrative entry: the order is recorded against the staff member entering it.
        return actor.user_id, False, False
    raise NotFound("No user record found for this userId")


def _new_order(data: validation.OrderInput, lines: list[PricedLine], owner: str) -> Order:
    now = clock.now()
    return Order(
        order_id=str(uuid.uuid4()),
        items=[line.as_order_line() for line in lines],
        customer_name=data.customer.name,
        customer_email=data.customer.email,
        customer_phone=data.customer.phone,
        car_make=data.car.make,
        car_model=data.car.model,
        car_year=data.car.year,
        notes=data.notes,
        delivery_location=data.delivery_location,
        created_user_id=owner,
        status="PENDING",
        total_price=to_money(sum((line.total for line in lines), Decimal(0))),
        payment_status="pending",
        post_notes="",
        created_at=int(now.timestamp()),
        created_date=clock.business_date_str(now),
        updated_at=int(now.timestamp()),
    )


def _daily_allowance(counter_id: str, user_id: str, day: str, *, count_paid: bool = False) -> int:
    """How high the day's counter may be before this order: 5 plus the day's paid orders.

    The counter counts every order created that day; paid ones do not count against the limit, so
    they raise the ceiling. They are looked up only once the counter has reached the plain limit.
    """
    if not count_paid:
        try:
            current = OrderDailyCounter.get(counter_id, consistent_read=True).count
        except OrderDailyCounter.DoesNotExist:
            current = 0
        count_paid = current >= ORDERS_DAILY_LIMIT
    if not count_paid:
        return ORDERS_DAILY_LIMIT
    return ORDERS_DAILY_LIMIT + selectors.orders_paid_today_count(user_id, day)


# moto (the local and test engine) applies a transaction item by item and rolls a failed one back
# by restoring table snapshots, so concurrent transactions can interleave or undo each other.
# DynamoDB runs transactions serialisably; against a local endpoint this process runs its shop
# transactions one at a time to get the same guarantee. The condition still decides the limit.
_LOCAL_ENGINE_LOCK = threading.Lock()


@contextmanager
def _serialised_on_local_engine() -> Iterator[None]:
    if settings.DYNAMODB_ENDPOINT_URL:
        with _LOCAL_ENGINE_LOCK:
            yield
    else:
        yield


def _save_counted(order: Order, *, enforce_limit: bool) -> None:
    """Put the order and bump the customer's day counter in one transaction (429 at the limit)."""
    counter_id = f"{order.created_user_id}#{order.created_date}"
    expires = clock.now() + dt.timedelta(days=3)
    count_paid = False
    for attempt in range(6):
        condition = None
        if enforce_limit:
            ceiling = _daily_allowance(counter_id, order.created_user_id, order.created_date, count_paid=count_paid)
            condition = OrderDailyCounter.count.does_not_exist() | (OrderDailyCounter.count < ceiling)
        try:
            with _serialised_on_local_engine(), dynamodb.transaction() as transaction:
                transaction.update(
                    OrderDailyCounter(counter_id=counter_id),
                    actions=[OrderDailyCounter.count.add(1), OrderDailyCounter.ttl.set(expires)],
                    condition=condition,
                )
                transaction.save(order, condition=Order.order_id.does_not_exist())
            return
        except TransactWriteError as error:
            codes = {reason.code for reason in (error.cancellation_reasons or []) if reason is not None}
            if "ConditionalCheckFailed" in codes and (count_paid or attempt == 5):
                raise LimitReached(f"Orders limit ({ORDERS_DAILY_LIMIT}) reached for today") from error
            if not codes & {"ConditionalCheckFailed", "TransactionConflict"} or attempt == 5:
                raise
            # The counter moved since it was read: check again, this time counting paid orders too.
            count_paid = count_paid or "ConditionalCheckFailed" in codes
            time.sleep(0.02 * (attempt + 1))


def order_create(*, actor: StaffIdentity | None, user_id: Any, order_data: Any) -> Order:
    """Create a PENDING, unpaid order priced from the catalogue; customers get 5 unpaid a day."""
    data = validation.parse_order(order_data)
    owner, counted, limited = _order_owner(actor, user_id)
    lines = price_lines(data.lines)
    order = _new_order(data, lines, owner)
    if counted:
        _save_counted(order, enforce_limit=limited)
    else:
        order.save(condition=Order.order_id.does_not_exist())
    _notify_created(order, {(line.item.category_id, line.item.item_id): line.item for line in lines})
    return order


# --- Changing orders -------------------------------------------------------------------------


@dataclass
class _Plan:
    actions: list[Action] = field(default_factory=list)
    changes: dict[str, str] = field(default_factory=dict)  # email label -> new value
    new_status: str | None = None
    touches_items: bool = False
    names: dict[tuple[int, int], ItemPrice] = field(default_factory=dict)


def _groups_in(data: dict[str, Any]) -> list[str]:
    return [group for group, fields in GROUP_FIELDS.items() if any(name in data for name in fields)]


def _is_assigned(actor: StaffIdentity, order: Order) -> bool:
    return bool(order.assigned_mechanic_id) and order.assigned_mechanic_id == actor.user_id


def may_write_post_notes(actor: StaffIdentity, order: Order) -> bool:
    # Support and clerks may write any order's notes; a mechanic only on orders assigned to them.
    if has_permission(actor.roles - {Role.MECHANIC}, Permission.ORDER_NOTES_WRITE):
        return True
    return actor.has(Permission.ORDER_NOTES_WRITE) and _is_assigned(actor, order)


def allowed_transitions(actor: StaffIdentity, order: Order) -> set[str]:
    """Statuses ``actor`` may move ``order`` to: the union of the role tables they qualify for."""
    allowed: set[str] = set()
    if actor.has(Permission.ORDER_STATUS_SUPPORT):
        allowed |= SUPPORT_TRANSITIONS.get(order.status, set())
    if actor.has(Permission.ORDER_STATUS_ASSIGNED) and _is_assigned(actor, order):
        allowed |= ASSIGNED_MECHANIC_TRANSITIONS.get(order.status, set())
    return allowed


def _may_change_status(actor: StaffIdentity, order: Order) -> bool:
    return actor.has(Permission.ORDER_STATUS_SUPPORT) or (
        actor.has(Permission.ORDER_STATUS_ASSIGNED) and _is_assigned(actor, order)
    )


def _authorise(actor: StaffIdentity, order: Order, groups: list[str]) -> None:
    """Every field group is authorised on its own: one refused group refuses the whole change."""
    for group in groups:
        if group in ("items", "details", "scheduling"):
            allowed = actor.has(Permission.ORDER_EDIT)
        elif group == "status":
            allowed = _may_change_status(actor, order)
        else:
            allowed = may_write_post_notes(actor, order)
        if not allowed:
            raise PermissionDenied(f"You are not allowed to change the order's {GROUP_LABELS[group]}")


def _plan_items(order: Order, data: dict[str, Any], plan: _Plan) -> None:
    if order.payment_status == "paid":
        raise ValidationError("Cannot update items after payment is completed")
    lines = price_lines(validation.parse_lines(data["items"]))
    total = to_money(sum((line.total for line in lines), Decimal(0)))
    plan.actions += [Order.items.set([line.as_order_line() for line in lines]), Order.total_price.set(total)]
    plan.touches_items = True
    plan.names.update({(line.item.category_id, line.item.item_id): line.item for line in lines})
    plan.changes["Items"] = "; ".join(f"{line.item.item_name} x {line.quantity}" for line in lines)
    plan.changes["Total"] = f"AUD {total:.2f}"


def _plan_customer(order: Order, data: dict[str, Any], plan: _Plan) -> None:
    given = data["customerData"]
    if not isinstance(given, dict):
        raise ValidationError("customerData must be an object")
    current = {"name": order.customer_name, "email": order.customer_email, "phoneNumber": order.customer_phone}
    merged = {**current, **{key: value for key, value in given.items() if key in ("name", "email")}}
    if "phoneNumber" in given or "contactNumber" in given:
        merged["phoneNumber"] = given.get("phoneNumber") or given.get("contactNumber")
    customer = validation.parse_customer(merged)
    plan.actions += [
        Order.customer_name.set(customer.name),
        Order.customer_email.set(customer.email),
        Order.customer_phone.set(customer.phone),
    ]
    plan.changes["Customer"] = f"{customer.name}, {customer.email}, {customer.phone}"


def _plan_car(order: Order, data: dict[str, Any], plan: _Plan) -> None:
    given = data["carData"]
    if not isinstance(given, dict):
        raise ValidationError("carData must be an object")
    current = {"make": order.car_make, "model": order.car_model, "year": order.car_year}
    car = validation.parse_car({**current, **{key: given[key] for key in ("make", "model", "year") if key in given}})
    plan.actions += [Order.car_make.set(car.make), Order.car_model.set(car.model), Order.car_year.set(car.year)]
    plan.changes["Vehicle"] = f"{car.make} {car.model} ({car.year})"


def _plan_details(order: Order, data: dict[str, Any], plan: _Plan) -> None:
    if "customerData" in data:
        _plan_customer(order, data, plan)
    if "carData" in data:
        _plan_car(order, data, plan)
    if "notes" in data:
        notes = validation.parse_notes(data["notes"])
        plan.actions.append(Order.notes.set(notes))
        plan.changes["Notes"] = notes
    if "deliveryLocation" in data:
        location = validation.parse_location(data["deliveryLocation"])
        plan.actions.append(Order.delivery_location.set(location))
        plan.changes["Delivery Location"] = location or "Not given"


def _valid_mechanic(value: Any) -> Staff | None:
    """The active mechanic ``value`` names; empty means "no mechanic"."""
    if value in (None, ""):
        return None
    staff = staff_get_by_user_id(value) if isinstance(value, str) and len(value) <= 64 else None
    if staff is None or not staff.is_active or Role.MECHANIC not in staff.roles:
        raise ValidationError("Invalid mechanic ID")
    return staff


def _plan_scheduling(data: dict[str, Any], plan: _Plan) -> None:
    """Set or clear date and mechanic (removed, not blanked: the GSIs are sparse); forces SCHEDULED."""
    if "scheduledDate" in data:
        day = validation.parse_scheduled_date(data["scheduledDate"])
        plan.actions.append(Order.scheduled_date.set(day) if day else Order.scheduled_date.remove())
        plan.changes["Scheduled Date"] = day or "Not scheduled"
    if "assignedMechanicId" in data:
        mechanic = _valid_mechanic(data["assignedMechanicId"])
        action = Order.assigned_mechanic_id.set(mechanic.user_id) if mechanic else Order.assigned_mechanic_id.remove()
        plan.actions.append(action)
        plan.changes["Assigned Mechanic"] = mechanic.user_name if mechanic else "Our team"
    plan.new_status = "SCHEDULED"


def _plan_status(actor: StaffIdentity, order: Order, data: dict[str, Any], plan: _Plan) -> None:
    target = data["status"]
    if not isinstance(target, str) or target.upper() not in selectors.ORDER_STATUSES:
        raise ValidationError(f"status must be one of {', '.join(selectors.ORDER_STATUSES)}")
    target = target.upper()
    if target not in allowed_transitions(actor, order):
        raise ValidationError(f"Invalid status transition from {order.status} to {target}")
    plan.new_status = target  # an explicit status wins over the one scheduling implies


def _plan(actor: StaffIdentity, order: Order, data: dict[str, Any], groups: list[str]) -> _Plan:
    plan = _Plan()
    if {"items", "details", "scheduling"} & set(groups) and order.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"Order details can only be changed while the order is PENDING or SCHEDULED, not {order.status}"
        )
    if "items" in groups:
        _plan_items(order, data, plan)
    if "details" in groups:
        _plan_details(order, data, plan)
    if "scheduling" in groups:
        _plan_scheduling(data, plan)
    if "status" in groups:
        _plan_status(actor, order, data, plan)
    if "postNotes" in groups:
        plan.actions.append(Order.post_notes.set(validation.parse_notes(data["postNotes"], "postNotes")))
        plan.changes["Post Notes"] = "Updated"
    if plan.new_status and plan.new_status != order.status:
        plan.actions.append(Order.status.set(plan.new_status))
        plan.changes["Status"] = plan.new_status
    plan.actions.append(Order.updated_at.set(clock.epoch_now()))
    return plan


def _write(order: Order, plan: _Plan) -> None:
    """One conditional update: the version the change was planned on, and unpaid for item changes."""
    condition = (Order.payment_status != "paid") if plan.touches_items else None
    try:
        order.update(actions=plan.actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        latest = selectors.order_get(order.order_id)
        if plan.touches_items and latest is not None and latest.payment_status == "paid":
            raise ValidationError("Cannot update items after payment is completed") from error
        raise Conflict("The order was changed by someone else; reload it and try again") from error


def _update_type(groups: list[str], previous_status: str, order: Order) -> str:
    if "scheduling" in groups:
        return "scheduling"
    if order.status != previous_status:
        return "status"
    return "general"


def order_update(*, actor: StaffIdentity, order_id: str, data: Any, expected_version: int | None = None) -> Order:
    """Apply a staff change; each field group is authorised separately; lost updates answer 409."""
    order = selectors.order_get(order_id)
    if order is None:
        raise NotFound("Order not found")
    if not isinstance(data, dict):
        raise ValidationError("Request body must be an object")
    groups = _groups_in(data)
    if not groups:
        raise ValidationError(
            "Nothing to change: give items, customerData, carData, notes, deliveryLocation, scheduledDate, assignedMechanicId, status or postNotes"
        )
    _authorise(actor, order, groups)
    plan = _plan(actor, order, data, groups)
    if expected_version is not None and expected_version != order.version:
        raise Conflict("The order was changed by someone else; reload it and try again")
    previous_status = order.status
    _write(order, plan)
    if order.status == "CANCELLED" and previous_status != "CANCELLED":
        _announce_cancelled(order.order_id)
    _notify_updated(order, _update_type(groups, previous_status, order), plan)
    return order


def _announce_cancelled(order_id: str) -> None:
    # The cancellation is stored; a failing receiver (billing's invoice cancel) is logged with its
    # traceback for billing's reconciler rather than turning a done change into an error.
    for receiver, result in order_cancelled.send_robust(sender=Order, order_id=order_id):
        if isinstance(result, Exception):
            logger.error("order_cancelled receiver %r failed for %s", receiver, order_id, exc_info=result)


# --- Notifications ---------------------------------------------------------------------------


def _item_names(order: Order, known: dict[tuple[int, int], ItemPrice]) -> dict[tuple[int, int], ItemPrice]:
    missing = [
        (line.category_id, line.item_id) for line in order.items if (line.category_id, line.item_id) not in known
    ]
    return {**known, **selectors.item_prices_get_many(missing)}


def _mechanic_name(mechanic_id: str | None) -> str:
    mechanic = staff_get_by_user_id(mechanic_id) if mechanic_id else None
    return mechanic.user_name if mechanic else ""


def email_context(order: Order, catalogue: dict[tuple[int, int], ItemPrice]) -> dict[str, Any]:
    """What the order emails show: everything as strings, so it is JSON-serialisable."""
    items = []
    for line in order.items:
        row = catalogue.get((line.category_id, line.item_id))
        items.append(
            {
                "categoryName": row.category_name if row else f"Category {line.category_id}",
                "itemName": row.item_name if row else f"Item {line.item_id}",
                "quantity": line.quantity,
                "unitPrice": f"{to_money(line.unit_price):.2f}",
                "totalPrice": f"{to_money(line.total_price):.2f}",
            }
        )
    return {
        "orderId": order.order_id,
        "customerName": order.customer_name,
        "items": items,
        "totalPrice": f"{to_money(order.total_price):.2f}",
        "vehicle": f"{order.car_make} {order.car_model} ({order.car_year})",
        "deliveryLocation": order.delivery_location or "",
        "status": order.status,
        "paymentStatus": order.payment_status,
        "scheduledDate": order.scheduled_date or "",
        "assignedMechanicName": _mechanic_name(order.assigned_mechanic_id),
        "contactNumber": order.customer_phone,
        "orderUrl": f"{settings.FRONTEND_ROOT_URL.rstrip('/')}/order/{order.order_id}",
    }


def _email(email_type: str, order: Order, context: dict[str, Any], dedupe_key: str) -> None:
    # The order is stored whatever happens to its email; an outbox failure is logged, not raised.
    try:
        email_customer(
            email_type=email_type,
            to_email=order.customer_email,
            to_name=order.customer_name,
            context=context,
            dedupe_key=dedupe_key,
        )
    except Exception:
        logger.exception("Could not queue %s email for order %s", email_type, order.order_id)


def _event_payload(order: Order) -> dict[str, Any]:
    return {
        "orderId": order.order_id,
        "status": order.status,
        "paymentStatus": order.payment_status,
        "customerName": order.customer_name,
        "totalPrice": f"{to_money(order.total_price):.2f}",
        "version": order.version,
    }


def _notify_created(order: Order, catalogue: dict[tuple[int, int], ItemPrice]) -> None:
    _email("order_created", order, email_context(order, catalogue), f"order_created:{order.order_id}")
    publish_to_staff("order.created", _event_payload(order))


def _notify_updated(order: Order, update_type: str, plan: _Plan) -> None:
    context = {
        **email_context(order, _item_names(order, plan.names)),
        "update_type": update_type,
        "changes": {label: {"new": value} for label, value in plan.changes.items()},
    }
    _email("order_updated", order, context, f"order_updated:{order.order_id}:{order.version}")
    publish_to_staff("order.updated", {**_event_payload(order), "updateType": update_type})


# --- Catalogue -------------------------------------------------------------------------------


def _price(value: Any) -> Decimal:
    try:
        price = to_money(value)
    except ValueError as exc:
        raise ValidationError("price must be an amount such as 120 or 99.50") from exc
    if price <= 0 or price > Decimal("1000000"):
        raise ValidationError("price must be more than 0 and at most 1,000,000")
    return price


def _category_name_of(category_id: int) -> str | None:
    return next((row.category_name for row in ItemPrice.query(category_id, limit=1)), None)


def item_price_add(
    *, category_id: int, item_id: int, category_name: str, item_name: str, price: Any, active: bool = True
) -> ItemPrice:
    """Add a catalogue item; an existing (category, item) pair is a 409, never overwritten."""
    if category_id < 1 or item_id < 1:
        raise ValidationError("categoryId and itemId must be positive")
    existing_name = _category_name_of(category_id)
    category_name = existing_name or validation.text(category_name, "categoryName", low=1, high=100)
    row = ItemPrice(
        category_id=category_id,
        item_id=item_id,
        category_name=category_name,
        item_name=validation.text(item_name, "itemName", low=1, high=100),
        price=_price(price),
        active=bool(active),
    )
    try:
        row.save(condition=ItemPrice.item_id.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(f"Item {item_id} already exists in category {category_id}") from error
    return row


def item_price_change(*, category_id: int, item_id: int, item_name: str, price: Any, active: bool) -> ItemPrice:
    """Rename, re-price or (de)activate an item; existing orders keep the price they were made at."""
    row = selectors.item_price_get(category_id, item_id)
    if row is None:
        raise NotFound("Catalogue item not found")
    actions = [
        ItemPrice.item_name.set(validation.text(item_name, "itemName", low=1, high=100)),
        ItemPrice.price.set(_price(price)),
        ItemPrice.active.set(bool(active)),
        ItemPrice.catalogue.set(CATALOGUE_PARTITION),
    ]
    row.update(actions=actions, condition=ItemPrice.item_id.exists())
    return row


def category_rename(*, category_id: int, category_name: str) -> int:
    """Rename a category on every one of its items; returns how many items were renamed."""
    name = validation.text(category_name, "categoryName", low=1, high=100)
    rows = list(ItemPrice.query(category_id))
    if not rows:
        raise NotFound("Category not found")
    for row in rows:
        row.update(actions=[ItemPrice.category_name.set(name)], condition=ItemPrice.item_id.exists())
    return len(rows)
