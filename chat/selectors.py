"""Reads of customers, connections, messages, inquiries and canned replies: always by key or index."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from pynamodb.attributes import Attribute
from pynamodb.expressions.condition import Condition

from autolab import clock
from autolab.authentication import current_token
from autolab.pagination import Page, paginate
from autolab.permissions import StaffIdentity
from chat.models import CannedReply, Connection, Customer, Inquiry, Message
from staffapp.selectors import staff_identity_for_user

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

CUSTOMER_LIST_KEY = "CUSTOMER"
INBOX_KEY = "INBOX"
INQUIRY_LIST_KEY = "INQUIRY"
CANNED_LIST_KEY = "ALL"


def customer_get(user_id: str) -> Customer | None:
    """The customer with this server-issued id, or None (also for malformed ids)."""
    return Customer.get_by_id(user_id)


def customer_list(*, limit: int, cursor: str | None, search: str = "") -> Page[Customer]:
    """Customers newest first; ``search`` matches part of the name or email (case-insensitive)."""
    condition = Customer.search_text.contains(search.strip().lower()) if search.strip() else None
    return paginate(
        Customer.list_index,
        CUSTOMER_LIST_KEY,
        limit=limit,
        cursor=cursor,
        scan_index_forward=False,
        filter_condition=condition,
    )


def _live() -> Condition:
    # DynamoDB deletes expired items only eventually, so an expired row must never count as online.
    return Connection.ttl > clock.now()


def connections_online(kind: str | None = None) -> list[Connection]:
    """Initialised, unexpired connections ("staff", "customer" or both), newest first."""
    kinds = [kind] if kind else ["customer", "staff"]
    found: list[Connection] = []
    for each in kinds:
        found.extend(Connection.kind_index.query(each, filter_condition=_live(), scan_index_forward=False))
    return found


def online_customer_ids() -> set[str]:
    return {connection.user_id for connection in connections_online("customer") if connection.user_id}


def connections_of_user(user_id: str) -> list[Connection]:
    """Every recorded connection of one customer or staff member (expired ones included)."""
    return list(Connection.user_index.query(user_id))


def connection_is_live(user_id: str) -> bool:
    return any(Connection.user_index.query(user_id, filter_condition=_live(), limit=1))


def connections_expired(*, before: dt.datetime, limit: int = 500) -> list[Connection]:
    """Expired initialised connections (for the sweep), read through the kind index."""
    found: list[Connection] = []
    for kind in ("customer", "staff"):
        found.extend(Connection.kind_index.query(kind, filter_condition=Connection.ttl <= before, limit=limit))
    return found


def message_get(message_id: str) -> Message | None:
    return Message.get_by_id(message_id, longest=100)


def message_list_for_client(client_id: str, *, limit: int, cursor: str | None) -> Page[Message]:
    """One customer's conversation, newest first."""
    return paginate(Message.conversation_index, client_id, limit=limit, cursor=cursor, scan_index_forward=False)


def messages_unviewed_from_client(client_id: str) -> list[Message]:
    """The customer's messages staff have not viewed yet (to mark a conversation read)."""
    condition = (Message.sender_id == client_id) & (Message.viewed == False)  # noqa: E712 - a DynamoDB condition
    return list(Message.conversation_index.query(client_id, filter_condition=condition, scan_index_forward=False))


def message_latest_for_client(client_id: str) -> Message | None:
    return next(iter(Message.conversation_index.query(client_id, scan_index_forward=False, limit=1)), None)


def inbox_list(*, limit: int, cursor: str | None, only: str = "all", staff_user_id: str = "") -> Page[Customer]:
    """Conversations by last message, newest first; ``only`` is all, mine or unassigned."""
    condition: Condition | None = None
    if only == "mine":
        condition = Customer.assigned_to == staff_user_id
    elif only == "unassigned":
        condition = Customer.assigned_to.does_not_exist()
    return paginate(
        Customer.inbox_index,
        INBOX_KEY,
        limit=limit,
        cursor=cursor,
        scan_index_forward=False,
        filter_condition=condition,
    )


def unread_conversation_count(staff_user_id: str) -> int:
    """Conversations with customer messages not viewed yet that are this member's or unassigned."""
    mine_or_shared = (Customer.assigned_to == staff_user_id) | Customer.assigned_to.does_not_exist()
    return Customer.inbox_index.count(INBOX_KEY, filter_condition=(Customer.unread_count > 0) & mine_or_shared)


def inbox_waiting(staff_user_id: str) -> list[Customer]:
    """Conversations with unread customer messages that are this member's or unassigned, newest
    first: the inbox index's Query with the badge's filter, the items themselves (one Query)."""
    mine_or_shared = (Customer.assigned_to == staff_user_id) | Customer.assigned_to.does_not_exist()
    return list(
        Customer.inbox_index.query(
            INBOX_KEY, filter_condition=(Customer.unread_count > 0) & mine_or_shared, scan_index_forward=False
        )
    )


def inquiries_open() -> list[Inquiry]:
    """Every OPEN inquiry, newest first (one Query of the status index; taking one up moves it out)."""
    return list(Inquiry.status_index.query("OPEN", scan_index_forward=False))


def open_inquiry_count() -> int:
    """Inquiries nobody has taken up yet (status OPEN), counted by DynamoDB."""
    return Inquiry.status_index.count("OPEN")


def inquiry_get(inquiry_id: str) -> Inquiry | None:
    return Inquiry.get_by_id(inquiry_id)


def inquiry_list(
    *,
    limit: int,
    cursor: str | None,
    status: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    user_id: str | None = None,
) -> Page[Inquiry]:
    """Inquiries newest first, by status (or all), within business-day bounds, optionally one
    customer's; a cursor is good for the bounds it was issued for only."""
    return paginate(
        Inquiry.status_index if status else Inquiry.list_index,
        status or INQUIRY_LIST_KEY,
        limit=limit,
        cursor=cursor,
        scope=f"{start or ''}..{end or ''}",
        range_key_condition=_created_between(Inquiry.created_at, start, end),
        filter_condition=(Inquiry.user_id == user_id) if user_id else None,
        scan_index_forward=False,
    )


def inquiries_of_customer(user_id: str, *, limit: int | None = None) -> list[Inquiry]:
    """One customer's inquiries, newest first (one Query on their index)."""
    return list(Inquiry.user_index.query(user_id, scan_index_forward=False, limit=limit))


def messages_of_customer(client_id: str, *, limit: int | None = None) -> list[Message]:
    """One customer's conversation, newest first; every message when ``limit`` is None."""
    return list(Message.conversation_index.query(client_id, scan_index_forward=False, limit=limit))


def _created_between(attribute: Attribute[int], start: dt.date | None, end: dt.date | None) -> Condition | None:
    low = clock.epoch_of_local_day(start) if start else 0
    high = clock.epoch_of_local_day(end + dt.timedelta(days=1)) - 1 if end else 2**40
    if start is None and end is None:
        return None
    return attribute.between(low, high)


def canned_reply_list() -> list[CannedReply]:
    """Every canned reply, by title."""
    return list(CannedReply.list_index.query(CANNED_LIST_KEY))


def canned_reply_get(reply_id: str) -> CannedReply | None:
    return CannedReply.get_or_none(reply_id)


def staff_for_socket(user: AbstractBaseUser | AnonymousUser | None, token: str | None) -> StaffIdentity | None:
    """The active staff member of a socket: by API token when one is given, else the portal session."""
    if token:
        found = current_token(token)
        return staff_identity_for_user(found.user) if found is not None else None
    if user is None or not user.is_authenticated:
        return None
    # The socket's session user was loaded when it connected: re-read it, so a login
    # deactivated since then is seen (sockets re-check their member on every push).
    fresh = get_user_model().objects.filter(pk=user.pk).first()
    return staff_identity_for_user(fresh) if fresh is not None else None
