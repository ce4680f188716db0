"""Changing orders: each field group authorised on its own, one versioned write, then effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab import audit, clock, domain_events, vehicle_ids, workflow
from autolab.dynamodb import condition_failed, set_or_remove
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.money import to_money
from autolab.permissions import Permission, Role, StaffIdentity, has_permission
from autolab.workflow import PaymentStatus
from shop import searching, selectors
from shop.models import ItemPrice, Order, OrderStatus
from shop.services.catalogue import price_lines
from shop.services.notifications import notify_updated
from shop.types import CarChanges, CustomerChanges, LineRequest, OrderChanges
from staffapp.models import Staff
from staffapp.selectors import staff_get_by_user_id

PENDING, SCHEDULED, DELIVERED, CANCELLED = OrderStatus
EDITABLE_STATUSES = (PENDING, SCHEDULED)
# Order transitions (§3.3): who may move an order from one status to another.
TRANSITIONS = workflow.Transitions(
    (
        workflow.TransitionTable(
            Permission.ORDER_STATUS_SUPPORT,
            {
                PENDING: frozenset({CANCELLED}),
                SCHEDULED: frozenset({PENDING, CANCELLED}),
                DELIVERED: frozenset({SCHEDULED}),
                CANCELLED: frozenset({PENDING}),
            },
        ),
        workflow.TransitionTable(
            Permission.ORDER_STATUS_ASSIGNED,
            {SCHEDULED: frozenset({DELIVERED}), DELIVERED: frozenset({SCHEDULED})},
            assigned_only=True,
        ),
    )
)
allowed_transitions = TRANSITIONS.allowed


def may_write_post_notes(actor: StaffIdentity, order: Order) -> bool:
    # Support and clerks may write any order's notes; a mechanic only on orders assigned to them.
    if has_permission(actor.roles - {Role.MECHANIC}, Permission.ORDER_NOTES_WRITE):
        return True
    return actor.has(Permission.ORDER_NOTES_WRITE) and workflow.is_assigned(actor, order)


def _editing(group: str, fields: tuple[str, ...], label: str) -> workflow.FieldGroup:
    return workflow.FieldGroup(group, frozenset(fields), workflow.holding(Permission.ORDER_EDIT), _refused(label))


def _refused(label: str) -> str:
    return f"You are not allowed to change the order's {label}"


# Every field group (of OrderChanges attributes) is authorised on its own: one refused group
# refuses the whole change.
FIELD_GROUPS = (
    _editing("items", ("lines",), "items"),
    _editing("details", ("customer", "car", "notes", "delivery_location"), "customer, car and delivery details"),
    _editing("scheduling", ("scheduled_date", "mechanic_id"), "scheduling"),
    workflow.FieldGroup("status", frozenset({"status"}), TRANSITIONS.may_change, _refused("status")),
    workflow.FieldGroup("postNotes", frozenset({"post_notes"}), may_write_post_notes, _refused("post notes")),
)


@dataclass
class _Plan:
    actions: list[Action] = field(default_factory=list)
    changes: dict[str, str] = field(default_factory=dict)  # email label -> new value
    new_status: str | None = None
    touches_items: bool = False
    names: dict[tuple[int, int], ItemPrice] = field(default_factory=dict)


def _plan_items(order: Order, requested: tuple[LineRequest, ...], plan: _Plan) -> None:
    if order.payment_status == PaymentStatus.PAID:
        raise ValidationError("Cannot update items after payment is completed")
    lines = price_lines(requested)
    total = to_money(sum((line.total for line in lines), Decimal(0)))
    plan.actions += [Order.items.set([line.as_order_line() for line in lines]), Order.total_price.set(total)]
    plan.touches_items = True
    plan.names.update({(line.item.category_id, line.item.item_id): line.item for line in lines})
    plan.changes["Items"] = "; ".join(f"{line.item.item_name} x {line.quantity}" for line in lines)
    plan.changes["Total"] = f"AUD {total:.2f}"


def _plan_customer(order: Order, given: CustomerChanges, plan: _Plan) -> None:
    name = order.customer_name if given.name is None else given.name
    email = order.customer_email if given.email is None else given.email
    phone = order.customer_phone if given.phone is None else given.phone
    plan.actions += [Order.customer_name.set(name), Order.customer_email.set(email), Order.customer_phone.set(phone)]
    plan.changes["Customer"] = f"{name}, {email}, {phone}"


def _plan_car(order: Order, given: CarChanges, plan: _Plan) -> None:
    make = order.car_make if given.make is None else given.make
    model = order.car_model if given.model is None else given.model
    year = order.car_year if given.year is None else given.year
    plan.actions += [Order.car_make.set(make), Order.car_model.set(model), Order.car_year.set(year)]
    plan.changes["Vehicle"] = f"{make} {model} ({year})"
    if given.registration is not None or given.vin is not None:
        car = vehicle_ids.identity(
            order.registration if given.registration is None else given.registration,
            order.vin if given.vin is None else given.vin,
        )
        plan.actions += [
            set_or_remove(Order.registration, car.registration),
            set_or_remove(Order.vin, car.vin),
            set_or_remove(Order.vehicle_key, car.key),
        ]


def _car_of(order: Order) -> domain_events.VehicleSeen:
    return domain_events.VehicleSeen(
        registration=order.registration or "",
        vin=order.vin or "",
        make=order.car_make,
        model=order.car_model,
        year=order.car_year,
    )


def _plan_details(order: Order, changes: OrderChanges, plan: _Plan) -> None:
    if changes.customer is not None:
        _plan_customer(order, changes.customer, plan)
    if changes.car is not None:
        _plan_car(order, changes.car, plan)
    if changes.notes is not None:
        plan.actions.append(Order.notes.set(changes.notes))
        plan.changes["Notes"] = changes.notes
    if changes.delivery_location is not None:
        location = changes.delivery_location
        plan.actions.append(Order.delivery_location.set(location))
        plan.changes["Delivery Location"] = location or "Not given"


def _valid_mechanic(mechanic_id: str | None) -> Staff | None:
    """The active mechanic ``mechanic_id`` names; None means "no mechanic"."""
    if mechanic_id is None:
        return None
    staff = staff_get_by_user_id(mechanic_id)
    if staff is None or not staff.is_active or Role.MECHANIC not in staff.roles:
        raise ValidationError("Invalid mechanic ID")
    return staff


def _plan_scheduling(changes: OrderChanges, plan: _Plan) -> None:
    """Set or clear date and mechanic (removed, not blanked: the GSIs are sparse); forces SCHEDULED."""
    if changes.sets("scheduled_date"):
        day = changes.scheduled_date
        plan.actions.append(Order.scheduled_date.set(day) if day else Order.scheduled_date.remove())
        plan.changes["Scheduled Date"] = day or "Not scheduled"
    if changes.sets("mechanic_id"):
        mechanic = _valid_mechanic(changes.mechanic_id)
        action = Order.assigned_mechanic_id.set(mechanic.user_id) if mechanic else Order.assigned_mechanic_id.remove()
        plan.actions.append(action)
        plan.changes["Assigned Mechanic"] = mechanic.user_name if mechanic else "Our team"
    plan.new_status = SCHEDULED


def _plan_status(actor: StaffIdentity, order: Order, target: str, plan: _Plan) -> None:
    if target not in allowed_transitions(actor, order):
        raise ValidationError(f"Invalid status transition from {order.status} to {target}")
    plan.new_status = target  # an explicit status wins over the one scheduling implies


def _plan(actor: StaffIdentity, order: Order, changes: OrderChanges, groups: list[str]) -> _Plan:
    plan = _Plan()
    if {"items", "details", "scheduling"} & set(groups) and order.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"Order details can only be changed while the order is PENDING or SCHEDULED, not {order.status}"
        )
    if changes.lines is not None:
        _plan_items(order, changes.lines, plan)
    if "details" in groups:
        _plan_details(order, changes, plan)
    if "scheduling" in groups:
        _plan_scheduling(changes, plan)
    if changes.status is not None:
        _plan_status(actor, order, changes.status, plan)
    if changes.post_notes is not None:
        plan.actions.append(Order.post_notes.set(changes.post_notes))
        plan.changes["Post Notes"] = "Updated"
    if plan.new_status and plan.new_status != order.status:
        plan.actions.append(Order.status.set(plan.new_status))
        plan.changes["Status"] = plan.new_status
    plan.actions.append(Order.updated_at.set(clock.epoch_now()))
    return plan


def _write(order: Order, plan: _Plan) -> None:
    """One conditional update: the version the change was planned on, and unpaid for item changes."""
    condition = (Order.payment_status != PaymentStatus.PAID) if plan.touches_items else None
    try:
        order.update(actions=plan.actions, condition=condition)
    except UpdateError as error:
        if not condition_failed(error):
            raise
        latest = selectors.order_get(order.order_id)
        if plan.touches_items and latest is not None and latest.payment_status == PaymentStatus.PAID:
            raise ValidationError("Cannot update items after payment is completed") from error
        raise Conflict("The order was changed by someone else; reload it and try again") from error


def _update_type(groups: list[str], previous_status: str, order: Order) -> str:
    if "scheduling" in groups:
        return "scheduling"
    if order.status != previous_status:
        return "status"
    return "general"


def order_update(*, actor: StaffIdentity, order_id: str, changes: OrderChanges) -> Order:
    """Apply a staff change; each field group is authorised separately; lost updates answer 409."""
    order = selectors.order_get(order_id)
    if order is None:
        raise NotFound("Order not found")
    groups = workflow.groups_touched(FIELD_GROUPS, changes.given)
    workflow.authorise(FIELD_GROUPS, actor, order, changes.given)
    # A stale version is a conflict before anything else: planned on a newer order (say, one cancelled
    # meanwhile) the change could fail validation and hide that it raced.
    if changes.version is not None and changes.version != order.version:
        raise Conflict("The order was changed by someone else; reload it and try again")
    plan = _plan(actor, order, changes, groups)
    previous_status, previous_car, before = order.status, _car_of(order), audit.snapshot(order)
    _write(order, plan)
    audit.record(actor, "order." + "+".join(sorted(groups)), "order", order_id, before, audit.snapshot(order))
    _publish_events(order, changes, previous_status)
    if order.vehicle_key and _car_of(order) != previous_car:
        domain_events.publish(_car_of(order))  # bookings keeps the vehicle (its page lists the order)
    if changes.sets("customer", "car"):
        searching.order_indexed(order)  # what the search finds it by
    notify_updated(order, _update_type(groups, previous_status, order), plan.changes, plan.names)
    return order


def _publish_events(order: Order, changes: OrderChanges, previous_status: str) -> None:
    """What other apps react to (billing: the order's invoice), once the change is stored."""
    if order.status == CANCELLED and previous_status != CANCELLED:
        domain_events.publish(domain_events.RecordCancelled(record_type="order", record_id=order.order_id))
    if changes.sets("scheduled_date") and order.scheduled_date:
        rescheduled = domain_events.RecordRescheduled(
            record_type="order",
            record_id=order.order_id,
            scheduled_date=order.scheduled_date,
            is_paid=order.payment_status == PaymentStatus.PAID,
        )
        domain_events.publish(rescheduled)
