"""The staff list of appointments: sorted by date and searchable without a Scan.

Every appointment carries three list attributes (docs/data-model.md, bookings):
- ``listKey`` (always ``APPOINTMENTS``): the one partition of ``listKey-listDate-index``;
- ``listDate`` (``YYYY-MM-DD HH:MM``): the scheduled start, or, while unscheduled, the earliest of
  the customer's preferred slots: the day the job happens or is wanted. ``status-listDate-index``
  and ``assignedMechanicId-listDate-index`` sort one status's and one mechanic's jobs by it;
- ``searchText``: the customer's lower-case name, email and phone digits plus the appointment id,
  matched with ``contains`` on the list's Query.

A booking writes them (services.appointment_create), a staff update that moves the schedule or
changes the customer rewrites them (updates), and ``backfill`` gives them to items stored before
they existed (run by ``manage.py seed``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab.dynamodb import condition_failed
from autolab.pagination import Page, Partitions
from bookings.models import Appointment, AppointmentStatus

LIST_KEY = "APPOINTMENTS"
# Read more items per request when a filter drops most of them (search, payment, service).
FILTERED_PAGE_SIZE = 200


# --- The list attributes ---------------------------------------------------------------------


def list_date(appointment: Appointment, scheduled: tuple[str, str] | None) -> str:
    """``YYYY-MM-DD HH:MM`` of ``scheduled`` (date, start), else of the earliest preferred slot."""
    if scheduled is not None:
        return f"{scheduled[0]} {scheduled[1]}"
    preferred = sorted((slot.date, slot.start) for slot in appointment.selected_slots or [])
    if preferred:
        return f"{preferred[0][0]} {preferred[0][1]}"
    return f"{appointment.created_date} 00:00"


def _scheduled(appointment: Appointment) -> tuple[str, str] | None:
    slot = appointment.scheduled_time_slot
    return (slot.date, slot.start) if slot is not None and slot.date else None


def _phone_forms(phone: str) -> list[str]:
    """The digits of a phone number, also in the national form (+61 4.. is 04..)."""
    digits = re.sub(r"\D", "", phone or "")
    forms = [digits] if digits else []
    if digits.startswith("61") and len(digits) > 9:
        forms.append("0" + digits[2:])
    return forms


def search_text(appointment_id: str, people: Iterable[tuple[str | None, str | None, str | None]]) -> str:
    """What the list's search matches: the customer's name, email and phone digits (name, email,
    phone per person) and the id (whose first 8 characters are the reference staff read out)."""
    words = [appointment_id.lower()]
    for name, email, phone in people:
        words += [part.strip().lower() for part in (name, email) if part and part.strip()]
        words += _phone_forms(phone or "")
    return " ".join(words)


def customer_of(appointment: Appointment, is_buyer: bool | None = None) -> tuple[str | None, str | None, str | None]:
    """(name, email, phone) of the appointment's customer: the buyer or the seller it is booked for."""
    if appointment.is_buyer if is_buyer is None else is_buyer:
        return appointment.buyer_name, appointment.buyer_email, appointment.buyer_phone
    return appointment.seller_name, appointment.seller_email, appointment.seller_phone


def list_attributes(appointment: Appointment) -> dict[str, str]:
    """The list attributes of an appointment as it stands (a new booking sets them from this)."""
    return {
        "list_key": LIST_KEY,
        "list_date": list_date(appointment, _scheduled(appointment)),
        "search_text": search_text(appointment.appointment_id, [customer_of(appointment)]),
    }


def date_actions(appointment: Appointment, scheduled: tuple[str, str] | None) -> list[Action]:
    """The update actions that keep ``listDate`` right when the schedule becomes ``scheduled``."""
    return [Appointment.list_key.set(LIST_KEY), Appointment.list_date.set(list_date(appointment, scheduled))]


# --- Reads ------------------------------------------------------------------------------------

SORTS = {"upcoming", "earliest", "latest"}


@dataclass(frozen=True)
class ListQuery:
    """What the portal list asks for. ``sort``: ``upcoming`` (from ``today``, earliest first),
    ``earliest`` or ``latest`` (all dates). Dates are ``YYYY-MM-DD``, both ends inclusive."""

    sort: str = "upcoming"
    today: str = ""
    status: str | None = None
    payment_status: str | None = None
    service_id: int | None = None
    mechanic_id: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    search: str = ""

    @property
    def lower_bound(self) -> str | None:
        bounds = [d for d in (self.date_from, self.today if self.sort == "upcoming" else None) if d]
        return max(bounds) if bounds else None


def search_term(text: str) -> str:
    """The search as ``searchText`` spells it: lower case; a phone number as its digits."""
    term = " ".join(text.split()).lower()
    if re.fullmatch(r"[\d\s()+\-.]+", term) and sum(ch.isdigit() for ch in term) >= 3:
        digits = re.sub(r"\D", "", term)
        return "0" + digits[2:] if digits.startswith("61") and len(digits) > 9 else digits
    return term


def appointment_list(query: ListQuery, *, limit: int, cursor: str | None) -> Page[Appointment]:
    """One page of the list by ``listDate``: a mechanic's jobs, one status's, or all (one Query chain
    on a list index; the other filters and the search are filter expressions on it)."""
    index: Any
    if query.mechanic_id:
        index, partition = Appointment.mechanic_list_index, query.mechanic_id
    elif query.status:
        index, partition = Appointment.status_list_index, query.status
    else:
        index, partition = Appointment.list_index, LIST_KEY
    filters = _filters(query, status=bool(query.mechanic_id and query.status))
    low, high = query.lower_bound, query.date_to
    range_condition: Any = None
    if low and high:
        range_condition = Appointment.list_date.between(low, f"{high} ~")
    elif low:
        range_condition = Appointment.list_date >= low
    elif high:
        range_condition = Appointment.list_date <= f"{high} ~"
    scope = f"{query.sort}|{low or ''}|{high or ''}"
    return Partitions(index, [partition], scope=scope).page(
        limit=limit,
        cursor=cursor,
        page_size=FILTERED_PAGE_SIZE if filters is not None else limit,
        range_key_condition=range_condition,
        filter_condition=filters,
        scan_index_forward=query.sort != "latest",
    )


def _filters(query: ListQuery, *, status: bool) -> Any:
    parts: list[Any] = []
    if status:
        parts.append(Appointment.status == query.status)
    if query.payment_status:
        parts.append(Appointment.payment_status == query.payment_status)
    if query.service_id is not None:
        parts.append(Appointment.service_id == query.service_id)
    if term := search_term(query.search):
        parts.append(Appointment.search_text.contains(term))
    condition = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


# --- Backfill ---------------------------------------------------------------------------------


def _unlisted() -> Iterator[Appointment]:
    """Appointments without the list attributes: a Query per status (status-index), never a Scan."""
    for status in AppointmentStatus:
        yield from Appointment.status_index.query(
            status, filter_condition=Appointment.list_key.does_not_exist() | Appointment.search_text.does_not_exist()
        )


def backfill() -> int:
    """Give the list attributes to appointments stored before they existed; returns how many.
    Each write is conditioned on the item being unchanged since it was read (``updatedAt``); an
    appointment edited meanwhile is read again."""
    done = 0
    for appointment in _unlisted():
        for _ in range(3):
            fields = list_attributes(appointment)
            try:
                appointment.update(
                    actions=[getattr(Appointment, name).set(value) for name, value in fields.items()],
                    condition=Appointment.updated_at == appointment.updated_at,
                    add_version_condition=False,
                )
                done += 1
                break
            except UpdateError as error:
                if not condition_failed(error):
                    raise
                fresh = Appointment.get_or_none(appointment.appointment_id)
                if fresh is None or (fresh.list_key is not None and fresh.search_text is not None):
                    break
                appointment = fresh
    return done
