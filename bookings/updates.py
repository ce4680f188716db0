"""Staff updates of an appointment (PATCH): every field group authorised separately, then one
atomic write (with the reservations of its slot and mechanic when the schedule or status moves)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action

from autolab import audit, clock, domain_events, vehicle_ids, workflow
from autolab.dynamodb import condition_failed, conflicted, set_or_remove, transaction
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, Role, StaffIdentity
from autolab.workflow import PaymentStatus
from bookings import (
    listing,
    notifications,
    reminders,
    report_changes,
    reservations,
    searching,
    selectors,
    seller_confirmation,
    vehicles,
)
from bookings.models import Appointment, AppointmentStatus, ScheduledTimeSlot
from bookings.services import plan_for
from bookings.slots import Interval
from bookings.types import AppointmentChanges

if TYPE_CHECKING:
    from emails.services import OutboxEmail

# Who made a change from the customer's manage page, where a staff member's id would be.
logger = logging.getLogger(__name__)

CUSTOMER_ACTOR = "customer"
STALE = "The appointment was changed by someone else; reload it and try again"

# --- Updates (PATCH): every field group authorised separately ----------------------------------

# Field groups, by AppointmentChanges attribute.
BASIC_FIELDS = {"service_id", "plan_id", "is_buyer", "notes", "buyer", "car", "seller"}
SCHEDULING_FIELDS = {"schedule", "mechanic_id"}
REPORT_FIELDS = {"reports", "post_notes"}

PENDING, SCHEDULED, ONGOING, COMPLETED, CANCELLED = AppointmentStatus
TRANSITIONS = workflow.Transitions(
    (
        workflow.TransitionTable(
            Permission.APPOINTMENT_STATUS_SUPPORT,
            {
                PENDING: frozenset({CANCELLED}),
                SCHEDULED: frozenset({PENDING, CANCELLED}),
                ONGOING: frozenset({SCHEDULED, CANCELLED}),
                CANCELLED: frozenset({PENDING}),
            },
        ),
        workflow.TransitionTable(
            Permission.APPOINTMENT_STATUS_ASSIGNED,
            {
                SCHEDULED: frozenset({ONGOING, COMPLETED}),
                ONGOING: frozenset({COMPLETED, SCHEDULED}),
                COMPLETED: frozenset({ONGOING, SCHEDULED}),
            },
            assigned_only=True,
        ),
    )
)
allowed_transitions = TRANSITIONS.allowed


def _mechanics_on_own_jobs(actor: StaffIdentity, appointment: Appointment) -> bool:
    # Any mechanic role limits report edits to the mechanic's own jobs, whatever other roles they hold.
    return Role.MECHANIC not in actor.roles or workflow.is_assigned(actor, appointment)


FIELD_GROUPS = (
    workflow.FieldGroup(
        "details",
        frozenset(BASIC_FIELDS | SCHEDULING_FIELDS),
        workflow.holding(Permission.APPOINTMENT_EDIT),
        "Only customer support can change appointment details or scheduling",
    ),
    workflow.FieldGroup(
        "status", frozenset({"status"}), TRANSITIONS.may_change, "You may not change the status of this appointment"
    ),
    workflow.FieldGroup(
        "reportApproval",
        frozenset({"report_review"}),
        workflow.holding(Permission.APPOINTMENT_REPORT_APPROVE),
        "Only an admin can approve or reject reports",
    ),
    workflow.FieldGroup(
        "reports",
        frozenset(REPORT_FIELDS),
        workflow.holding(Permission.APPOINTMENT_REPORT_WRITE),
        "You may not change reports or post-inspection notes",
    ),
    workflow.FieldGroup(
        "reports",
        frozenset(REPORT_FIELDS),
        _mechanics_on_own_jobs,
        "Only the assigned mechanic can change reports of this appointment",
    ),
)
UNSCHEDULED_STATUSES = {PENDING, CANCELLED}  # these hold no slot: going there frees it
REPORT_STATUSES: set[str] = {COMPLETED}  # the API's rule for reports and notes (original §1.10)
# The portal's mechanic writes notes while working on the job too ("notes, then complete").
NOTES_WHILE_WORKING_STATUSES: set[str] = {SCHEDULED, ONGOING, COMPLETED}


@dataclass
class Change:
    """What one PATCH does, gathered before anything is written."""

    actions: list[Action]
    labels: list[str]
    new_status: str | None = None
    placement: reservations.Placement | None = None
    placement_changed: bool = False
    block: reservations.BlockRead | None = None
    unpaid_only: bool = False
    approved_report: dict | None = None
    schedule_actions: list[Action] = field(default_factory=list)
    schedule_requested: bool = False


def _require_status(appointment: Appointment, allowed: set[str], what: str) -> None:
    if appointment.status not in allowed:
        raise ValidationError(f"Cannot update {what} when the appointment is {appointment.status}")


def appointment_update(
    *, actor: StaffIdentity, appointment_id: str, changes: AppointmentChanges, notes_while_working: bool = False
) -> Appointment:
    """Apply one staff change atomically: all field groups authorised, checked, then one write.

    ``notes_while_working``: post-inspection notes alone may also be saved while the job is
    SCHEDULED or ONGOING (the portal; the API keeps the original's COMPLETED-only rule)."""
    day = changes.schedule[0] if changes.schedule else None  # read along with the appointment
    appointment, blocks = selectors.appointment_and_blocks(appointment_id, day)
    if appointment is None:
        raise NotFound("Appointment not found")
    workflow.authorise(FIELD_GROUPS, actor, appointment, changes.given)
    return appointment_change(actor, appointment, blocks, changes, notes_while_working=notes_while_working)


def appointment_change(
    actor: StaffIdentity | None,
    appointment: Appointment,
    blocks: selectors.DayState | None,
    changes: AppointmentChanges,
    *,
    notes_while_working: bool = False,
) -> Appointment:
    """The write of an authorised change, read with the blocks of its scheduled day: the staff's
    PATCH, or (``actor`` None) the customer's own change from the manage page (bookings.self_service
    authorises it by the signed link and its own rules)."""
    appointment_id = appointment.appointment_id
    if changes.version is not None and changes.version != appointment.version:
        raise Conflict(STALE)
    old_placement = reservations.placement_of(appointment)
    assigned_before = appointment.assigned_mechanic_id
    starts_at = scheduled_start(appointment)  # read before a cancel frees the slot (the fee depends on it)
    invited_to = reminders.Slot.of(appointment)  # likewise: a reminder may have invited people to it
    before = audit.snapshot(appointment)
    change = _plan_change(actor, appointment, changes, old_placement, blocks, notes_while_working)
    stored = _as_stored(appointment, change)
    email = _email_of(stored, changes, change, old_placement) if stored is not None else None
    # The audit entry rides in the change's transaction when there is one and the outcome is known.
    in_transaction = stored is not None and (change.placement_changed or email is not None)
    entry = audit.entry(actor, audit_action(changes), "appointment", appointment_id, before, audit.snapshot(stored))
    current = _write(appointment, change, old_placement, email, entry if in_transaction else None)
    fresh = appointment if current else (selectors.appointment_get(appointment_id) or appointment)
    if not in_transaction:
        audit.record(actor, audit_action(changes), "appointment", appointment_id, before, audit.snapshot(fresh))
    if email is not None:
        email.enqueue()
    elif stored is None and (notice := _notice(fresh, changes, change, old_placement)) is not None:
        notifications.notify(fresh, notice)  # the new state was only known after the write
    _after_update(fresh, changes, change, actor, starts_at)
    if invited_to is not None and fresh.status == CANCELLED and change.new_status == CANCELLED:
        _withdraw_invites(fresh, invited_to)
    if changes.sets("schedule"):
        seller_confirmation.ask_quietly(fresh)  # scheduled or moved: the seller is asked (again)
    if fresh.assigned_mechanic_id and fresh.assigned_mechanic_id != assigned_before:
        notifications.publish_assigned(fresh, actor.user_id if actor else "")
    return fresh


def _withdraw_invites(appointment: Appointment, slot: reminders.Slot) -> None:
    """The reminders' calendar invites to the cancelled slot are withdrawn; a failure is logged,
    the cancel stays."""
    try:
        reminders.withdraw(appointment, slot)
    except Exception:
        logger.exception("Could not withdraw the reminders of appointment %s", appointment.appointment_id)


# What the audit trail calls a change, by the fields it sets (several: joined with "+").
AUDIT_ACTIONS = (
    ("schedule", "schedule"),
    ("mechanic_id", "assign"),
    ("status", "status"),
    ("report_review", "report_review"),
    ("reports", "reports"),
    ("post_notes", "notes"),
    ("notes", "notes"),
)


def audit_action(changes: AppointmentChanges) -> str:
    names = [name for field_name, name in AUDIT_ACTIONS if changes.sets(field_name)]
    if changes.sets(*(BASIC_FIELDS - {"notes"})):
        names.append("details")
    return "appointment." + "+".join(dict.fromkeys(names) or ["update"])


def appointment_notes_save(
    *, actor: StaffIdentity, appointment_id: str, post_notes: str, version: int | None
) -> Appointment:
    """The mechanic's post-inspection notes from the job page, at any point of the job (SCHEDULED,
    ONGOING or COMPLETED): the same authorisation (assigned mechanic, report writers) and write as
    a PATCH of ``postNotes``."""
    changes = AppointmentChanges(given=frozenset({"post_notes"}), post_notes=post_notes, version=version)
    return appointment_update(actor=actor, appointment_id=appointment_id, changes=changes, notes_while_working=True)


def _as_stored(appointment: Appointment, change: Change) -> Appointment | None:
    """The appointment as the write will store it, version included, so its email can be written
    in the same transaction; None when an action's result is known only to DynamoDB."""
    stored = Appointment.from_raw_data(appointment.serialize())
    if not reservations.apply_locally(stored, change.actions + change.schedule_actions):
        return None
    stored.version = (appointment.version or 0) + 1
    return stored


def _plan_change(
    actor: StaffIdentity | None,
    appointment: Appointment,
    changes: AppointmentChanges,
    old: reservations.Placement | None,
    blocks: selectors.DayState | None,
    notes_while_working: bool = False,
) -> Change:
    change = Change(actions=[Appointment.updated_at.set(clock.epoch_now())], labels=[], placement=old)
    if changes.sets(*BASIC_FIELDS):
        _require_status(appointment, {PENDING, SCHEDULED, ONGOING}, "appointment details")
        _plan_basic(appointment, changes, change)
    if changes.sets(*SCHEDULING_FIELDS):
        _require_status(appointment, {PENDING, SCHEDULED}, "scheduling")
        _plan_scheduling(appointment, changes, change, blocks)
    if changes.status is not None:
        _plan_status(actor, appointment, changes.status, change)
    if changes.report_review is not None:
        if actor is None:  # the customer's manage page never reviews reports
            raise PermissionDenied("Only an admin can approve or reject reports")
        _require_status(appointment, {COMPLETED}, "report approval")
        _apply(change, report_changes.review(actor, appointment, changes.report_review))
    if changes.sets(*REPORT_FIELDS):
        only_notes = not changes.sets("reports")
        allowed = NOTES_WHILE_WORKING_STATUSES if notes_while_working and only_notes else REPORT_STATUSES
        _require_status(appointment, allowed, "post-inspection notes" if notes_while_working else "reports")
        _apply(change, report_changes.edits(appointment, changes))
    _settle_status(appointment, change)
    return change


def _apply(change: Change, reports: report_changes.ReportChange) -> None:
    change.actions += reports.actions
    change.labels += reports.labels
    if reports.approved is not None:
        change.approved_report = reports.approved


def _plan_basic(appointment: Appointment, changes: AppointmentChanges, change: Change) -> None:
    service_id = appointment.service_id if changes.service_id is None else changes.service_id
    plan_id = appointment.plan_id if changes.plan_id is None else changes.plan_id
    if (service_id, plan_id) != (appointment.service_id, appointment.plan_id):
        if appointment.payment_status == PaymentStatus.PAID:
            field = "serviceId" if service_id != appointment.service_id else "planId"
            raise ValidationError(f"Cannot update {field} after payment is completed")
        plan = plan_for(service_id, plan_id)
        change.actions += [
            Appointment.service_id.set(service_id),
            Appointment.plan_id.set(plan_id),
            Appointment.price.set(plan.price),
        ]
        change.unpaid_only = True  # re-pricing only while unpaid, also against a payment racing this edit
        change.labels.append("Service/plan")
    _plan_people(appointment, changes, change)
    if (car := changes.car) is not None:
        change.actions += [
            Appointment.car_make.set(car.make),
            Appointment.car_model.set(car.model),
            Appointment.car_year.set(car.year),
            Appointment.car_location.set(car.location),
        ]
        if car.registration is not None or car.vin is not None:
            given = vehicle_ids.Identity(
                appointment.registration or "" if car.registration is None else car.registration,
                appointment.vin or "" if car.vin is None else car.vin,
            )
            change.actions += [
                set_or_remove(Appointment.registration, given.registration),
                set_or_remove(Appointment.vin, given.vin),
                set_or_remove(Appointment.vehicle_key, given.key),
            ]
        change.labels.append("Vehicle")
    if changes.notes is not None:
        change.actions.append(Appointment.notes.set(changes.notes))
        change.labels.append("Notes")


def _plan_people(appointment: Appointment, changes: AppointmentChanges, change: Change) -> None:
    is_buyer = appointment.is_buyer if changes.is_buyer is None else changes.is_buyer
    for person, attribute_prefix in ((changes.buyer, "buyer"), (changes.seller, "seller")):
        if person is not None:
            change.actions += [
                getattr(Appointment, f"{attribute_prefix}_name").set(person.name),
                getattr(Appointment, f"{attribute_prefix}_email").set(person.email),
                getattr(Appointment, f"{attribute_prefix}_phone").set(person.phone),
            ]
            change.labels.append("Buyer" if attribute_prefix == "buyer" else "Seller")
    needed = "buyerData" if is_buyer else "sellerData"
    given = changes.buyer if is_buyer else changes.seller
    has_contact = given is not None or bool(appointment.buyer_email if is_buyer else appointment.seller_email)
    if not has_contact:
        raise ValidationError(f"{needed} is required")
    if is_buyer != appointment.is_buyer:
        change.actions.append(Appointment.is_buyer.set(is_buyer))
        change.labels.append("Customer type")
    if changes.buyer is not None or changes.seller is not None or is_buyer != appointment.is_buyer:
        given = changes.buyer if is_buyer else changes.seller
        customer = (given.name, given.email, given.phone) if given else listing.customer_of(appointment, is_buyer)
        text = listing.search_text(appointment.appointment_id, [customer])
        change.actions += [Appointment.list_key.set(listing.LIST_KEY), Appointment.search_text.set(text)]


def _plan_scheduling(
    appointment: Appointment, changes: AppointmentChanges, change: Change, blocks: selectors.DayState | None
) -> None:
    scheduled = changes.schedule if changes.sets("schedule") else _date_slot(change.placement)
    mechanic_id: str | None = appointment.assigned_mechanic_id
    if changes.sets("mechanic_id"):
        mechanic_id = _check_mechanic(changes.mechanic_id)
    if scheduled is None:
        if mechanic_id and changes.sets("mechanic_id"):
            raise ValidationError("Schedule a time slot before assigning a mechanic")
        change.placement, mechanic_id = None, None
    else:
        change.placement = reservations.Placement(*scheduled, mechanic_id, SCHEDULED)
    change.new_status = SCHEDULED if scheduled is not None else PENDING
    change.placement_changed = True
    change.schedule_requested = changes.sets("schedule") and scheduled is not None
    if scheduled is not None and scheduled != _date_slot(reservations.placement_of(appointment)):
        date, slot = scheduled
        state = blocks if blocks is not None and blocks.date == date else selectors.block_read(date)
        if state.blocked(slot):
            raise Conflict(f"{date} {slot.label} is blocked")  # §5.8: a blocked slot is a conflict
        change.block = reservations.BlockRead(date, state.block_version)
    _schedule_actions(appointment, change, scheduled, mechanic_id)


def _date_slot(placement: reservations.Placement | None) -> tuple[str, Interval] | None:
    """(date, slot) of a placement; None when unscheduled."""
    return (placement.date, placement.interval) if placement else None


def _schedule_actions(
    appointment: Appointment, change: Change, scheduled: tuple[str, Interval] | None, mechanic_id: str | None
) -> None:
    actions: list[Action]
    if scheduled is None:
        actions = [Appointment.scheduled_time_slot.remove(), Appointment.scheduled_date.remove()]
        actions += listing.date_actions(appointment, None)  # back to the preferred slots' date
    else:
        date, slot = scheduled
        start, end = slot.label.split("-")
        actions = [
            Appointment.scheduled_time_slot.set(ScheduledTimeSlot(date=date, start=start, end=end)),
            Appointment.scheduled_date.set(date),
            *listing.date_actions(appointment, (date, start)),
        ]
    actions.append(
        Appointment.assigned_mechanic_id.set(mechanic_id) if mechanic_id else Appointment.assigned_mechanic_id.remove()
    )
    change.schedule_actions = actions  # replaces any earlier plan for these attributes
    if "Scheduling" not in change.labels:
        change.labels.append("Scheduling")


def _check_mechanic(mechanic_id: str | None) -> str | None:
    """``mechanic_id`` if it names an active mechanic (None unassigns)."""
    if mechanic_id is not None and selectors.mechanic_get(mechanic_id) is None:
        raise ValidationError("Invalid mechanic ID")
    return mechanic_id


# What a customer may do to the status themselves (the manage page): only cancel an open booking.
CUSTOMER_TRANSITIONS: dict[str, frozenset[str]] = {PENDING: frozenset({CANCELLED}), SCHEDULED: frozenset({CANCELLED})}


def _plan_status(actor: StaffIdentity | None, appointment: Appointment, status: str, change: Change) -> None:
    allowed = (
        CUSTOMER_TRANSITIONS.get(appointment.status, frozenset[str]())
        if actor is None
        else allowed_transitions(actor, appointment)
    )
    if status not in allowed:
        raise ValidationError("Invalid status transition")
    change.new_status = status
    change.labels.append("Status")


def _settle_status(appointment: Appointment, change: Change) -> None:
    """Apply the resulting status; PENDING and CANCELLED hold no slot, so their schedule is freed."""
    status = change.new_status
    if status is None:
        return
    if status in UNSCHEDULED_STATUSES and change.schedule_requested:
        raise ValidationError("A scheduled appointment cannot be PENDING or CANCELLED")
    change.actions.append(Appointment.status.set(status))
    if status in UNSCHEDULED_STATUSES and change.placement is not None:
        _schedule_actions(appointment, change, None, None)
        change.placement, change.placement_changed = None, True
    elif change.placement is not None:
        change.placement, change.placement_changed = replace(change.placement, status=status), True
    if status == CANCELLED and appointment.held_slot is not None:
        change.placement_changed = True  # frees the first choice it held (reservations.commit)


def _write(
    appointment: Appointment,
    change: Change,
    old: reservations.Placement | None,
    email: OutboxEmail | None,
    entry: audit.AuditEntry | None,
) -> bool:
    """One atomic write, with ``email`` and the audit ``entry`` in it (when it is a transaction);
    True when ``appointment`` in memory is now what was stored."""
    condition = (Appointment.payment_status != PaymentStatus.PAID) if change.unpaid_only else None
    actions = change.actions + change.schedule_actions
    if change.placement_changed:
        return reservations.commit(
            appointment,
            actions,
            old=old,
            new=change.placement,
            capacity=selectors.booking_capacity(),
            block=change.block,
            condition=condition,
            release_hold=change.new_status == CANCELLED,
            email=email,
            audit_entry=entry,
        )
    if email is not None:
        return _update_with_email(appointment, actions, condition, email, entry)
    try:
        appointment.update(actions=actions, condition=condition)  # refreshes it from ALL_NEW
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict(STALE) from error
        raise
    return True


def _update_with_email(
    appointment: Appointment, actions: list, condition: Any, email: OutboxEmail, entry: audit.AuditEntry | None
) -> bool:
    try:
        with transaction() as write:
            write.update(appointment, actions=actions, condition=condition)
            email.add_to(write)
            if entry is not None:
                write.save(entry)
    except TransactWriteError as error:
        if conflicted(error):
            raise Conflict(STALE) from error
        raise
    return reservations.apply_locally(appointment, actions)


def _notice(
    appointment: Appointment, changes: AppointmentChanges, change: Change, old: reservations.Placement | None
) -> notifications.Notice | None:
    """The customer email of this change, if any (``appointment`` as stored after it)."""
    update = f"appointment_updated:{appointment.appointment_id}:{appointment.version}"
    if changes.sets("schedule"):
        verb = "rescheduled" if old else "scheduled"
        summary = [f"Scheduling Update: Appointment {verb}"]
        return notifications.Notice("appointment_updated", update, update_type="scheduling", changes=summary)
    if change.approved_report:
        report = change.approved_report
        dedupe = f"report_ready:{appointment.appointment_id}:{report['s3Key']}"
        return notifications.Notice("report_ready", dedupe, report=report)
    if changes.status is not None:
        return notifications.Notice("appointment_updated", update, update_type="status", changes=change.labels)
    if changes.sets(*BASIC_FIELDS):
        return notifications.Notice("appointment_updated", update, update_type="general", changes=change.labels)
    return None


def _email_of(
    stored: Appointment, changes: AppointmentChanges, change: Change, old: reservations.Placement | None
) -> OutboxEmail | None:
    notice = _notice(stored, changes, change, old)
    return notifications.outbox_for(stored, notice) if notice is not None else None


def scheduled_start(appointment: Appointment) -> dt.datetime | None:
    """The job's start: its slot, else the start of its scheduled day (the earliest it could begin),
    else None (unscheduled)."""
    slot = appointment.scheduled_time_slot
    if slot is not None and slot.date and slot.start:
        return clock.local_datetime(dt.date.fromisoformat(slot.date), slot.start)
    if appointment.scheduled_date:
        return clock.local_datetime(dt.date.fromisoformat(appointment.scheduled_date), "00:00")
    return None


def _after_update(
    appointment: Appointment,
    changes: AppointmentChanges,
    change: Change,
    actor: StaffIdentity | None,
    starts_at: dt.datetime | None,
) -> None:
    """What other apps react to (billing: the appointment's invoice) and the staff's live event."""
    if appointment.status == CANCELLED and change.new_status == CANCELLED:
        cancelled = domain_events.RecordCancelled(
            record_type="appointment",
            record_id=appointment.appointment_id,
            cancelled_by=actor.user_id if actor else CUSTOMER_ACTOR,
            starts_at=starts_at.isoformat() if starts_at else "",
        )
        domain_events.publish(cancelled)
    if changes.sets("schedule") and appointment.scheduled_date:
        rescheduled = domain_events.RecordRescheduled(
            record_type="appointment",
            record_id=appointment.appointment_id,
            scheduled_date=appointment.scheduled_date,
            is_paid=appointment.payment_status == PaymentStatus.PAID,
        )
        domain_events.publish(rescheduled)
    if changes.sets("buyer", "seller", "is_buyer", "car"):  # what the search finds it by
        searching.appointment_indexed(appointment)
        if changes.sets("car"):
            vehicles.vehicle_seen(appointment)
    notifications.publish("appointment.updated", appointment)
