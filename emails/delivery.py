"""Email delivery: the worker's side of the outbox, sending each queued message exactly once.

``email_deliver`` renders a queued message, checks suppression and sends it. A transactional email
queued with its record (``services.OutboxEmail``) reaches the worker with that record, which the
worker then need not read: the send is a suppression Query, the claim and the finish (with its
analytics count), three DynamoDB calls.

Exactly once: a send first moves the record queued -> sending with a fresh token (a conditional
write, so two workers never both send). A failure we *know* left nothing with the mail server moves
it back to queued for a retry; success moves it to sent. A record found still "sending" after the
lease means a worker died mid-send: we cannot know whether the server accepted it, so it becomes
"uncertain" for a person to look at, and is never re-sent automatically.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import smtplib
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from pynamodb.exceptions import TransactWriteError, UpdateError

from autolab import clock, dynamodb, storage
from autolab.exceptions import NotFound
from emails import selectors
from emails.models import EmailMetadata
from emails.records import (
    BODY_LIMIT,
    FAILED,
    FINAL_STATES,
    QUEUED,
    SENDING,
    SENT,
    SUPPRESSED,
    UNCERTAIN,
    now_ms,
)
from emails.rendering import STAFF_MESSAGE, render_email
from emails.selectors import email_get
from emails.suppression import analytics_record_send, analytics_send_add

logger = logging.getLogger(__name__)

MAX_COUNTED_IN_TRANSACTION = 90  # addresses whose send is counted with the record (100 items at most)


class TransientEmailError(Exception):
    """The mail server did not take the message this time; retrying later may work."""


def _sending_lease_seconds() -> int:
    """How long a claimed send may take before we stop assuming a worker is still on it."""
    configured = getattr(settings, "EMAIL_SENDING_LEASE_SECONDS", None)
    if configured is not None:
        return int(configured)
    return int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 120) or 120) + 60


def message_id_header(message_id: str) -> str:
    """Our ids are bare UUIDs (domain added); a received email keeps its own ``id@host``."""
    if "@" in message_id:
        return f"<{message_id}>"
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "autolab.local"
    return f"<{message_id}@{domain}>"


@dataclass(frozen=True)
class OutgoingEmail:
    subject: str
    text: str
    html: str
    recipients: list[str]


def email_deliver(*, message_id: str, queued: dict[str, Any] | None = None) -> str:
    """Send one outbox message at most once; returns the record's resulting status.

    ``queued`` is the record as it was queued (``tasks.email_send_enqueue``), in place of reading it: what a
    send is made of (type, context, recipients, attachments) never changes once queued, and the
    claim below is conditioned on the stored status, so a send that already happened is not
    repeated. Raises ``TransientEmailError`` when the mail server should be retried later.
    """
    record = _queued_record(message_id, queued) or email_get(message_id)
    if record is None:
        raise NotFound(f"Email {message_id} not found")
    if record.status in FINAL_STATES:
        return record.status
    if record.status == SENDING:
        return _check_stale_send(record)
    recipients = sorted(record.to_emails or [])
    if record.email_type != STAFF_MESSAGE and any(selectors.email_is_suppressed(to) for to in recipients):
        return _mark_suppressed(record)
    try:
        outgoing = _outgoing(record, recipients)
    except Exception as error:
        # A message that cannot be rendered never will be: fail it rather than retry forever.
        email_mark_failed(message_id=message_id, reason=f"Rendering failed: {type(error).__name__}: {error}")
        raise
    token = _claim(record, outgoing)
    if token is None:
        return _status_after_lost_claim(message_id)
    try:
        _send(record, outgoing)
    except TransientEmailError as error:
        _release(record, token, str(error))
        raise
    except Exception as error:
        _finish(record, token, FAILED, reason=f"{type(error).__name__}: {error}"[:500])
        raise
    _finish(record, token, SENT, counted=[*recipients, *(record.cc_emails or []), *(record.bcc_emails or [])])
    return SENT


def _queued_record(message_id: str, queued: dict[str, Any] | None) -> EmailMetadata | None:
    if not queued:
        return None
    record = EmailMetadata.from_raw_data(queued)
    return record if record.message_id == message_id and record.status == QUEUED else None


def _status_after_lost_claim(message_id: str) -> str:
    """Another worker claimed it first, or it was settled before this (late) task ran."""
    current = email_get(message_id)
    if current is None:
        raise NotFound(f"Email {message_id} not found")
    return _check_stale_send(current) if current.status == SENDING else current.status or SENDING


def _outgoing(record: EmailMetadata, recipients: list[str]) -> OutgoingEmail:
    if record.email_type == STAFF_MESSAGE:
        return OutgoingEmail(record.subject or "", record.body_text or "", record.body_html or "", recipients)
    context = json.loads(record.context or "{}")
    rendered = render_email(record.email_type or "", context)
    return OutgoingEmail(rendered.subject, rendered.text, rendered.html, recipients)


def _mark_suppressed(record: EmailMetadata) -> str:
    actions = [
        EmailMetadata.status.set(SUPPRESSED),
        EmailMetadata.outbox_state.remove(),
        EmailMetadata.failure_reason.set("Recipient address is on the suppression list"),
        EmailMetadata.updated_at.set(clock.iso_local()),
    ]
    counted = sorted(record.to_emails or [])
    if not _settle_counted(record, actions, EmailMetadata.status == QUEUED, counted, "suppressed_send"):
        return email_get(record.message_id).status  # type: ignore[union-attr]
    logger.info("Email %s to a suppressed address was not sent", record.message_id)
    return SUPPRESSED


def _claim(record: EmailMetadata, outgoing: OutgoingEmail) -> str | None:
    """queued -> sending, storing what is about to go out; None when another worker won."""
    token = uuid.uuid4().hex
    try:
        record.update(
            actions=[
                EmailMetadata.status.set(SENDING),
                EmailMetadata.outbox_state.set(SENDING),
                EmailMetadata.send_token.set(token),
                EmailMetadata.sending_since.set(clock.epoch_now()),
                EmailMetadata.attempts.add(1),
                EmailMetadata.subject.set(outgoing.subject),
                EmailMetadata.body_text.set(outgoing.text[:BODY_LIMIT]),
                EmailMetadata.body_html.set(outgoing.html[:BODY_LIMIT]),
                EmailMetadata.size_bytes.set(len(outgoing.text.encode()) + len(outgoing.html.encode())),
                EmailMetadata.received_date.set(clock.iso_local()),
                EmailMetadata.updated_at.set(clock.iso_local()),
            ],
            condition=EmailMetadata.status == QUEUED,
        )
    except UpdateError as error:
        if not dynamodb.condition_failed(error):
            raise
        return None
    return token


def _release(record: EmailMetadata, token: str, reason: str) -> None:
    """sending -> queued after a failure that certainly sent nothing."""
    record.update(
        actions=[
            EmailMetadata.status.set(QUEUED),
            EmailMetadata.outbox_state.set(QUEUED),
            EmailMetadata.send_token.remove(),
            EmailMetadata.failure_reason.set(reason[:500]),
            EmailMetadata.updated_at.set(clock.iso_local()),
        ],
        condition=EmailMetadata.send_token == token,
    )


def _finish(
    record: EmailMetadata, token: str, status: str, reason: str | None = None, counted: list[str] | None = None
) -> None:
    """sending -> ``status``; ``counted``: the addresses a send is counted for in analytics."""
    actions = [
        EmailMetadata.status.set(status),
        EmailMetadata.outbox_state.remove(),
        EmailMetadata.send_token.remove(),
        EmailMetadata.updated_at.set(clock.iso_local()),
    ]
    if status == SENT:
        actions += [EmailMetadata.sent_at.set(clock.epoch_now()), EmailMetadata.failure_reason.remove()]
    if reason:
        actions.append(EmailMetadata.failure_reason.set(reason))
    if not _settle_counted(record, actions, EmailMetadata.send_token == token, counted or [], "send"):
        raise RuntimeError(f"Email {record.message_id}: the send's lease was taken over before it finished")


def _settle_counted(
    record: EmailMetadata, actions: list[Any], condition: Any, counted: list[str], event_type: str
) -> bool:
    """Write ``actions`` under ``condition`` and count ``event_type`` in analytics for each address
    of ``counted``, in ONE transaction; False when ``condition`` failed."""
    if not counted or len(set(counted)) > MAX_COUNTED_IN_TRANSACTION:
        try:
            record.update(actions=actions, condition=condition)
        except UpdateError as error:
            if dynamodb.condition_failed(error):
                return False
            raise
        for to in counted:  # more than one transaction holds: counted one by one
            analytics_record_send(email=to, message_id=record.message_id, event_type=event_type)
        return True
    try:
        with dynamodb.transaction() as write:
            write.update(record, actions=actions, condition=condition)
            events = analytics_send_add(write, emails=counted, message_id=record.message_id, event_type=event_type)
    except TransactWriteError as error:
        failed = dynamodb.failed_conditions(error)
        if not failed:
            raise
        if events in failed:  # DynamoDB lists puts first: the events, then the record, then the counter
            return False
        return _settle_counted(record, actions, condition, [], event_type)  # counted before: a retry
    return True


def _check_stale_send(record: EmailMetadata) -> str:
    """A send claimed long ago never finished: its outcome is unknown, so never send it again."""
    started = record.sending_since or 0
    if clock.epoch_now() - started < _sending_lease_seconds():
        return SENDING
    try:
        record.update(
            actions=[
                EmailMetadata.status.set(UNCERTAIN),
                EmailMetadata.outbox_state.remove(),
                EmailMetadata.failure_reason.set("The worker stopped while sending; delivery is unknown"),
                EmailMetadata.updated_at.set(clock.iso_local()),
            ],
            condition=(EmailMetadata.status == SENDING) & (EmailMetadata.send_token == record.send_token),
        )
    except UpdateError as error:
        if not dynamodb.condition_failed(error):
            raise
        return email_get(record.message_id).status  # type: ignore[union-attr]
    logger.warning("Email %s was left mid-send; marked uncertain, not re-sent", record.message_id)
    return UNCERTAIN


def _attachment_parts(keys: list[str]) -> list[tuple[str, bytes, str]]:
    parts = []
    for key in keys:
        try:
            data = storage.read(key)
        except storage.StorageError as error:
            # The file may still be on its way (e.g. an invoice PDF being written): retry later.
            raise TransientEmailError(f"Attachment {key} is not readable yet: {error}") from error
        filename = key.rsplit("/", 1)[-1]
        parts.append((filename, data, mimetypes.guess_type(filename)[0] or "application/octet-stream"))
    return parts


def _build_message(record: EmailMetadata, outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id_header(record.message_id)}
    if record.in_reply_to_message_id:
        headers["In-Reply-To"] = message_id_header(record.in_reply_to_message_id)
        # The parent goes last, as RFC 5322 orders References oldest to newest.
        earlier = sorted(set(record.references or ()) - {record.in_reply_to_message_id})
        headers["References"] = " ".join(message_id_header(ref) for ref in [*earlier, record.in_reply_to_message_id])
    to_name = record.to_name or ""
    to = (
        [f'"{to_name}" <{outgoing.recipients[0]}>']
        if to_name and len(outgoing.recipients) == 1
        else outgoing.recipients
    )
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=sorted(record.cc_emails or []),
        bcc=sorted(record.bcc_emails or []),
        reply_to=[record.reply_to] if record.reply_to else None,
        headers=headers,
    )
    message.attach_alternative(outgoing.html, "text/html")
    for filename, data, content_type in _attachment_parts(list(record.attachments or [])):
        message.attach(filename, data, content_type)
    return message


_TRANSIENT = (
    smtplib.SMTPConnectError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPHeloError,
    socket.timeout,
    ConnectionError,
    TimeoutError,
)


def _send(record: EmailMetadata, outgoing: OutgoingEmail) -> None:
    message = _build_message(record, outgoing)
    try:
        get_connection(fail_silently=False).send_messages([message])
    except _TRANSIENT as error:
        raise TransientEmailError(f"{type(error).__name__}: {error}") from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise TransientEmailError(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
        raise
    except OSError as error:  # refused connection, unreachable host, DNS failure
        raise TransientEmailError(f"{type(error).__name__}: {error}") from error


def email_mark_failed(*, message_id: str, reason: str) -> None:
    """Give up on a queued message after its retries ran out (it stays visible in the mailbox)."""
    record = email_get(message_id)
    if record is None or record.status != QUEUED:
        return
    try:
        record.update(
            actions=[
                EmailMetadata.status.set(FAILED),
                EmailMetadata.outbox_state.remove(),
                EmailMetadata.failure_reason.set(reason[:500]),
                EmailMetadata.updated_at.set(clock.iso_local()),
            ],
            condition=EmailMetadata.status == QUEUED,
        )
    except UpdateError as error:
        if not dynamodb.condition_failed(error):
            raise


def outbox_reconcile(*, requeue: Callable[[str], None], older_than_seconds: int = 300) -> dict[str, int]:
    """Hand sends whose enqueue was lost to ``requeue`` (the worker's enqueue: delivery is what the
    worker runs, so it is handed the enqueue rather than importing it) and settle sends left
    mid-way by a dead worker."""
    cutoff_ms = now_ms() - older_than_seconds * 1000
    requeued = 0
    for record in selectors.outbox_pending(QUEUED, cutoff_ms):
        requeue(record.message_id)
        requeued += 1
    settled = sum(1 for record in selectors.outbox_pending(SENDING, cutoff_ms) if _check_stale_send(record) != SENDING)
    return {"requeued": requeued, "settled": settled}
