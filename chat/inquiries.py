"""Inquiries from the website's contact form (§1.16-1.17) and their status workflow."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab import audit, clock, dynamodb, events
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from chat import live, selectors
from chat.models import Inquiry, InquiryReply, StatusChange
from emails import mailbox
from emails.models import EmailMetadata

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
    live.badges_changed()
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
    audit.record(staff, "inquiry.status", "inquiry", inquiry_id, changes={"status": [current, str(status)]})
    live.badges_changed()
    return inquiry


@dataclass(frozen=True)
class Reply:
    """An answer written on the inquiry page. ``key`` is the form's idempotency key: the same key
    sent twice (a double submit, a retried POST) sends one email."""

    subject: str
    text: str
    key: str
    resolve: bool = True


@dataclass(frozen=True)
class Answered:
    inquiry: Inquiry
    email: EmailMetadata


REPLY_SUBJECT_LENGTH = 60


def reply_subject(inquiry: Inquiry) -> str:
    """The subject the next reply gets: its thread's (``Re: ...``), or for a first reply ``Re:``
    and the start of the customer's message."""
    if inquiry.replies:
        last = inquiry.replies[-1].subject
        return last if last.lower().startswith("re:") else f"Re: {last}"
    first_line = (inquiry.message or "").strip().splitlines()[0:1] or ["Your inquiry"]
    text = first_line[0].strip()
    if len(text) > REPLY_SUBJECT_LENGTH:
        text = text[: REPLY_SUBJECT_LENGTH - 1].rstrip() + "\u2026"
    return f"Re: {text}"


def inquiry_answer(*, inquiry_id: str, reply: Reply, staff: StaffIdentity) -> Answered:
    """Email the customer from the inquiry (the mailbox's own send, so suppression, threading and
    the outbox are the mailbox's), link the inquiry and the email thread both ways, and move the
    inquiry on: to IN_PROGRESS, or to RESOLVED with ``reply.resolve``."""
    inquiry = selectors.inquiry_get(inquiry_id)
    if inquiry is None:
        raise NotFound("Inquiry not found")
    if not reply.subject.strip() or not reply.text.strip():
        raise ValidationError("A reply needs a subject and a message")
    if not reply.key:
        raise ValidationError("The reply form is out of date; reload the page and send again")
    replies = inquiry.replies or []
    message = mailbox.StaffMessage(
        to=[inquiry.email],
        subject=reply.subject.strip(),
        text=_with_quote(reply.text.strip(), inquiry),
        to_name=inquiry.first_name,
        in_reply_to_message_id=replies[-1].message_id if replies else "",
        dedupe_key=f"inquiry-reply:{inquiry_id}:{reply.key}",
        inquiry_id=inquiry_id,
    )
    email = mailbox.email_send_staff_message(actor=staff, message=message)
    target = RESOLVED if reply.resolve else IN_PROGRESS
    spent = Conflict("The inquiry kept changing meanwhile; reload it to see its status")
    linked = dynamodb.retry_on_conflict(lambda: _link(inquiry_id, email, target, staff), attempts=5, or_raise=spent)
    reply_change: dict[str, list] = {"reply": [None, email.subject], "status": [inquiry.status or OPEN, linked.status]}
    audit.record(staff, "inquiry.reply", "inquiry", inquiry_id, changes=reply_change)
    live.badges_changed()
    return Answered(linked, email)


def _with_quote(text: str, inquiry: Inquiry) -> str:
    quoted = "\n".join(f"> {line}" for line in (inquiry.message or "").splitlines())
    return f"{text}\n\nYou wrote on {clock.to_local(clock.from_epoch(inquiry.created_at)):%d %b %Y}:\n{quoted}"


def _link(inquiry_id: str, email: EmailMetadata, target: str, staff: StaffIdentity) -> Inquiry:
    """Record the sent email on the inquiry and walk its status to ``target``, in one write
    conditioned on the status read and on this email not being recorded yet (a repeat is a no-op)."""
    inquiry = Inquiry.get(inquiry_id, consistent_read=True)
    if email.message_id in (inquiry.reply_message_ids or set()):
        return inquiry
    current = inquiry.status or OPEN
    now = clock.epoch_now()
    steps = [StatusChange(status=step, by=staff.user_id, by_name=staff.name, at=now) for step in _path(current, target)]
    sent = InquiryReply(
        message_id=email.message_id, subject=email.subject, by=staff.user_id, by_name=staff.name, at=now
    )
    actions: list[Action] = [
        Inquiry.email_thread_id.set(email.thread_id or email.message_id),
        Inquiry.replies.set((Inquiry.replies | []).append([sent])),
        Inquiry.reply_message_ids.add({email.message_id}),
        Inquiry.updated_at.set(now),
    ]
    if steps:
        actions += [
            Inquiry.status.set(steps[-1].status),
            Inquiry.status_updated_by.set(staff.user_id),
            Inquiry.status_updated_at.set(now),
            Inquiry.status_history.set((Inquiry.status_history | []).append(steps)),
        ]
    condition = Inquiry.status == current
    if current == OPEN:
        condition |= Inquiry.status.does_not_exist()
    condition &= Inquiry.reply_message_ids.does_not_exist() | ~Inquiry.reply_message_ids.contains(email.message_id)
    inquiry.update(actions=actions, condition=condition)
    return inquiry


def _path(current: str, target: str) -> list[str]:
    """The workflow's steps from ``current`` to ``target`` (none when it is there or cannot get there)."""
    routes: dict[str, list[str]] = {current: []}
    queue = [current]
    while queue:
        status = queue.pop(0)
        if status == target:
            return routes[status]
        for following in sorted(TRANSITIONS[status]):
            if following not in routes:
                routes[following] = [*routes[status], following]
                queue.append(following)
    return []
