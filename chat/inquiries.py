"""Inquiries from the website's contact form (§1.16-1.17) and their status workflow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from autolab import clock, events
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from chat import selectors
from chat.models import Inquiry, StatusChange

OPEN, IN_PROGRESS, RESOLVED, CLOSED = "OPEN", "IN_PROGRESS", "RESOLVED", "CLOSED"
STATUSES = (OPEN, IN_PROGRESS, RESOLVED, CLOSED)
# Forward one step at a time; a resolved inquiry can be reopened if the customer comes back.
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_PROGRESS}),
    IN_PROGRESS: frozenset({RESOLVED}),
    RESOLVED: frozenset({CLOSED, IN_PROGRESS}),
    CLOSED: frozenset(),
}


@dataclass(frozen=True)
class InquiryRequest:
    """A contact-form message, well-formed (the API's serializer checks the website's JSON)."""

    first_name: str
    last_name: str
    email: str
    message: str


def inquiry_create(*, user_id: str, inquiry: InquiryRequest) -> Inquiry:
    """Store a contact-form inquiry as OPEN (the customer must exist) and tell staff live."""
    if selectors.customer_get(user_id) is None:
        raise NotFound(f"No user record found for userId: {user_id}")
    now = clock.epoch_now()
    stored = Inquiry(
        inquiry_id=str(uuid.uuid4()),
        first_name=inquiry.first_name,
        last_name=inquiry.last_name,
        email=inquiry.email,
        message=inquiry.message,
        user_id=user_id,
        status=OPEN,
        created_at=now,
        created_date=clock.business_date_str(),
        list_key=selectors.INQUIRY_LIST_KEY,
        updated_at=now,
        status_history=[StatusChange(status=OPEN, by=user_id, at=now)],
    )
    stored.save(condition=Inquiry.inquiry_id.does_not_exist())
    name = f"{stored.first_name} {stored.last_name}"
    events.publish_to_staff(
        "inquiry.created",
        {
            "inquiryId": stored.inquiry_id,
            "title": "New Customer Inquiry",
            "message": f"New inquiry #{stored.inquiry_id[:8]} has been submitted by {name}",
            "url": f"/admin/chat/inquiries/{stored.inquiry_id}/",
        },
    )
    return stored


def inquiry_set_status(*, inquiry_id: str, status: object, staff: StaffIdentity) -> Inquiry:
    """Move an inquiry along OPEN → IN_PROGRESS → RESOLVED → CLOSED, recording who and when."""
    if status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}")
    inquiry = selectors.inquiry_get(inquiry_id)
    if inquiry is None:
        raise NotFound("Inquiry not found")
    current = inquiry.status or OPEN
    if status not in TRANSITIONS[current]:
        raise Conflict(f"An inquiry cannot move from {current} to {status}")
    now = clock.epoch_now()
    # Two staff moving the same inquiry at once: only the first one's move applies.
    condition = Inquiry.status == current
    if current == OPEN:
        condition |= Inquiry.status.does_not_exist()  # inquiries stored before statuses existed
    change = StatusChange(status=str(status), by=staff.user_id, by_name=staff.name, at=now)
    try:
        inquiry.update(
            actions=[
                Inquiry.status.set(str(status)),
                Inquiry.status_updated_by.set(staff.user_id),
                Inquiry.status_updated_at.set(now),
                Inquiry.updated_at.set(now),
                Inquiry.status_history.set((Inquiry.status_history | []).append([change])),
            ],
            condition=condition,
        )
    except UpdateError as error:
        if condition_failed(error):
            raise Conflict("The inquiry was changed meanwhile; reload and retry") from error
        raise
    return inquiry
