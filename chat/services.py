"""Customers, live connections, taking a customer and canned replies: every write and rule.

Messages live in ``chat.messaging`` and inquiries in ``chat.inquiries``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.update import Action

from autolab import audit, clock
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, Role, StaffIdentity
from chat import live, searching, selectors
from chat.models import CannedReply, Connection, Customer
from chat.validation import MESSAGE_MAX_LENGTH, Profile, clean_text

# A socket's row lives this long without a ping refresh; pings every 25 s refresh it every few minutes.
CONNECTION_TTL = dt.timedelta(minutes=15)
CONNECTION_REFRESH_AFTER = dt.timedelta(minutes=5)

_PROFILE_ATTRIBUTES = {
    "user_email": Customer.user_email,
    "user_name": Customer.user_name,
    "contact_number": Customer.contact_number,
    "user_device": Customer.user_device,
    "user_location": Customer.user_location,
}


def _search_text(name: str | None, email: str | None) -> str | None:
    text = " ".join(part for part in (name, email) if part).lower()
    return text or None


def customer_register(
    *,
    user_email: str | None = None,
    user_name: str | None = None,
    contact_number: str | None = None,
    user_device: str | None = None,
    user_location: str | None = None,
) -> Customer:
    """Issue a new customer id (UUID4). Only the server ever creates customer ids."""
    customer = Customer(
        user_id=str(uuid.uuid4()),
        user_email=user_email or None,
        user_name=user_name or None,
        contact_number=contact_number or None,
        user_device=user_device or None,
        user_location=user_location or None,
        created_at=clock.epoch_now(),
        list_key=selectors.CUSTOMER_LIST_KEY,
        search_text=_search_text(user_name, user_email),
    )
    searching.customer_save_new(customer)
    return customer


def customer_update_profile(*, user_id: str, profile: Profile) -> Customer:
    """Staff edit of a profile: only the given fields change, nothing else is overwritten."""
    given = profile.given()
    if not given:
        raise ValidationError(
            "At least one valid field must be provided for update (userEmail, userName, userDevice, userLocation, contactNumber)"
        )
    customer = selectors.customer_get(user_id)
    if customer is None:
        raise NotFound(f"User not found: {user_id}")
    actions: list[Action] = [_PROFILE_ATTRIBUTES[name].set(value) for name, value in given.items()]
    name = profile.user_name or customer.user_name
    email = profile.user_email or customer.user_email
    actions.append(Customer.search_text.set(_search_text(name, email) or ""))
    try:
        customer.update(actions=actions, condition=Customer.user_id.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise NotFound(f"User not found: {user_id}") from error
        raise
    searching.customer_indexed(customer)
    return customer


@dataclass
class CustomerConnected:
    customer: Customer
    replaced_connection_ids: list[str] = field(default_factory=list)


def customer_connect(*, connection_id: str, user_id: str | None, profile: Profile) -> CustomerConnected:
    """WebSocket ``init``: a new customer when no id, else the known one (unknown: NotFound).

    Email, name and phone are kept once stored; device and location follow the newest socket
    (§3.13). The customer's older sockets are dropped: one live socket per customer, newest wins.
    """
    if user_id:
        customer = selectors.customer_get(user_id)
        if customer is None:
            raise NotFound("INVALID_USER_ID")
        customer = _merge_init_profile(customer, profile)
    else:
        customer = customer_register(**profile.given())
    replaced = _drop_other_connections(customer.user_id, keep=connection_id)
    _record_connection(connection_id, customer.user_id, kind="customer")
    live.to_customer_staff(customer, "notification", {"subtype": "user-connected", **live.customer_profile(customer)})
    return CustomerConnected(customer=customer, replaced_connection_ids=replaced)


def _merge_init_profile(customer: Customer, profile: Profile) -> Customer:
    given = profile.given()
    actions: list[Action] = []
    for name in ("user_email", "user_name", "contact_number"):
        if name in given:
            # if_not_exists: a later init never overwrites what the customer (or staff) stored.
            attribute = _PROFILE_ATTRIBUTES[name]
            actions.append(attribute.set(attribute | given[name]))
    actions += [
        _PROFILE_ATTRIBUTES[name].set(given[name]) for name in ("user_device", "user_location") if name in given
    ]
    if not actions:
        return customer
    customer.update(actions=actions, condition=Customer.user_id.exists())
    search_text = _search_text(customer.user_name, customer.user_email)
    if search_text != customer.search_text:
        customer.update(actions=[Customer.search_text.set(search_text or "")])
    if any(name in given for name in ("user_email", "user_name", "contact_number")):
        searching.customer_indexed(customer)
    return customer


def _drop_other_connections(user_id: str, *, keep: str) -> list[str]:
    dropped = []
    for connection in selectors.connections_of_user(user_id):
        if connection.connection_id == keep:
            continue
        try:
            connection.delete(condition=Connection.connection_id.exists())
        except DeleteError as error:
            if not condition_failed(error):
                raise
            continue  # its own disconnect removed it first
        dropped.append(connection.connection_id)
    return dropped


def _record_connection(connection_id: str, user_id: str, *, kind: str) -> Connection:
    connection = Connection(
        connection_id=connection_id,
        user_id=user_id,
        staff=kind == "staff",
        kind=kind,
        created_at=clock.epoch_now(),
        ttl=CONNECTION_TTL,
    )
    connection.save()
    return connection


def staff_connect(*, connection_id: str, staff: StaffIdentity) -> bool:
    """Staff ``staff-init``: chat staff (CHAT_INBOX) are recorded as online; returns whether they may chat."""
    may_chat = staff.has(Permission.CHAT_INBOX)
    if may_chat:
        # Unlike customers, staff keep several sockets: one per open portal tab.
        _record_connection(connection_id, staff.user_id, kind="staff")
    return may_chat


def connection_refresh(*, connection_id: str) -> bool:
    """Push a live socket's expiry forward (on ping); False when its row is gone."""
    try:
        Connection(connection_id=connection_id).update(
            actions=[Connection.ttl.set(clock.now() + CONNECTION_TTL)], condition=Connection.connection_id.exists()
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def connection_close(*, connection_id: str) -> None:
    """A socket closed: forget it; a customer's ``lastSeen`` is stamped and their staff told."""
    connection = Connection.get_or_none(connection_id)
    if connection is None:
        return  # never initialised, or replaced by a newer socket of the same customer
    try:
        connection.delete(condition=Connection.connection_id.exists())
    except DeleteError as error:
        if condition_failed(error):
            return
        raise
    if connection.kind == "customer" and connection.user_id:
        _customer_went_offline(connection.user_id)


def _customer_went_offline(user_id: str) -> None:
    now = clock.epoch_now()
    customer = Customer(user_id=user_id)
    try:
        customer.update(actions=[Customer.last_seen.set(now)], condition=Customer.user_id.exists())
    except UpdateError as error:
        if condition_failed(error):
            return
        raise
    payload = {"subtype": "user-disconnected", "success": True, "userId": user_id, "lastSeen": str(now)}
    live.to_customer_staff(customer, "notification", payload)


def connections_sweep() -> int:
    """Delete connection rows whose ``ttl`` passed (their process died without a disconnect)."""
    removed = 0
    for connection in selectors.connections_expired(before=clock.now()):
        try:
            connection.delete(condition=Connection.ttl <= clock.now())
        except DeleteError as error:
            if not condition_failed(error):
                raise
            continue  # refreshed by a ping meanwhile
        removed += 1
    return removed


def customer_take(*, client_id: str, staff: StaffIdentity) -> Customer:
    """Assign a customer to ``staff``; atomic, so of two staff racing exactly one wins (409 for the other)."""
    customer = Customer(user_id=client_id)
    now = clock.epoch_now()
    try:
        customer.update(
            actions=[Customer.assigned_to.set(staff.user_id), Customer.assigned_at.set(now)],
            condition=Customer.user_id.exists() & Customer.assigned_to.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise _take_conflict(client_id, staff) from error
    audit.record(staff, "chat.take", "customer", client_id, changes={"assignedTo": [None, staff.user_id]})
    _announce_assignment(customer, staff, taken=True)
    return customer


def _take_conflict(client_id: str, staff: StaffIdentity) -> Exception:
    current = selectors.customer_get(client_id)
    if current is None:
        return NotFound(f"User not found: {client_id}")
    if current.assigned_to == staff.user_id:
        return Conflict(f"You have already taken the user with clientId: {client_id}")
    return Conflict(f"User {client_id} is already assigned to a different staff user: {current.assigned_to}")


def customer_release(*, client_id: str, staff: StaffIdentity) -> Customer:
    """Hand a customer back to the shared queue: their assignee may, and an ADMIN may for anyone."""
    current = selectors.customer_get(client_id)
    if current is None:
        raise NotFound(f"User not found: {client_id}")
    if not current.assigned_to:
        raise Conflict(f"User {client_id} is not assigned to anyone")
    if current.assigned_to != staff.user_id and Role.ADMIN not in staff.roles:
        raise PermissionDenied(f"User {client_id} is assigned to another staff user")
    was_assigned = current.assigned_to
    try:
        current.update(
            actions=[Customer.assigned_to.remove(), Customer.assigned_at.remove()],
            condition=Customer.assigned_to == current.assigned_to,
        )
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict(f"The assignment of user {client_id} changed meanwhile; reload and retry") from error
        raise
    audit.record(staff, "chat.release", "customer", client_id, changes={"assignedTo": [was_assigned, None]})
    _announce_assignment(current, staff, taken=False)
    return current


def _announce_assignment(customer: Customer, staff: StaffIdentity, *, taken: bool) -> None:
    fresh = selectors.customer_get(customer.user_id) or customer
    verb = "has been assigned to" if taken else "was released back to the queue by"
    live.to_inbox(
        "notification",
        {
            "subtype": "user-assigned" if taken else "user-released",
            "userId": fresh.user_id,
            "assignedTo": fresh.assigned_to,
            "staffId": staff.user_id,
            "staffName": staff.name,
            "title": "User Assignment Update",
            "message": f"User {fresh.user_name or fresh.user_id} {verb} {staff.name}",
        },
    )
    live.inbox_update(fresh, "assignment")


def canned_reply_create(*, title: str, text: str, staff: StaffIdentity) -> CannedReply:
    """A new canned reply (title 1-100 characters, text 1-2000)."""
    title, text = clean_text(title), clean_text(text)
    if not 1 <= len(title) <= 100:
        raise ValidationError("title must be 1-100 characters")
    if not 1 <= len(text) <= MESSAGE_MAX_LENGTH:
        raise ValidationError(f"text must be 1-{MESSAGE_MAX_LENGTH} characters")
    reply = CannedReply(
        reply_id=str(uuid.uuid4()),
        list_key=selectors.CANNED_LIST_KEY,
        title=title,
        text=text,
        created_by=staff.user_id,
        created_at=clock.epoch_now(),
    )
    reply.save(condition=CannedReply.reply_id.does_not_exist())
    audit.record(staff, "canned_reply.create", "canned_reply", reply.reply_id, {}, _reply_fields(reply))
    return reply


def _reply_fields(reply: CannedReply | None) -> dict[str, str]:
    return {"title": reply.title, "text": reply.text} if reply is not None else {}


def canned_reply_delete(*, reply_id: str, staff: StaffIdentity) -> None:
    """Delete a canned reply (404 when it is already gone); the audit entry keeps what it said."""
    before = selectors.canned_reply_get(reply_id)
    try:
        CannedReply(reply_id=reply_id).delete(condition=CannedReply.reply_id.exists())
    except DeleteError as error:
        if condition_failed(error):
            raise NotFound("Canned reply not found") from error
        raise
    audit.record(staff, "canned_reply.delete", "canned_reply", reply_id, _reply_fields(before), {})
