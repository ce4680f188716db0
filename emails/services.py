"""Email: the outbox every app uses to email a customer, and exactly-once delivery.

``email_customer`` records the message in EmailMetadata (the outbox) once per ``dedupe_key`` (an
EmailOutboxKeys item, written in the same transaction; the message id itself is random) and
enqueues the send; the worker (``email_deliver``) renders it, checks suppression and sends it once.
A transactional email written in another record's transaction (``OutboxEmail``) goes to the worker
with its record, which the worker then need not read: the send is a suppression Query, the claim
and the finish (with its analytics count), three DynamoDB calls.

Exactly once: a send first moves the record queued -> sending with a fresh token (a conditional
write, so two workers never both send). A failure we *know* left nothing with the mail server moves
it back to queued for a retry; success moves it to sent. A record found still "sending" after the
lease means a worker died mid-send: we cannot know whether the server accepted it, so it becomes
"uncertain" for a person to look at, and is never re-sent automatically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import smtplib
import socket
import uuid
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from kombu.exceptions import OperationalError as BrokerError
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from autolab import clock, dynamodb, storage
from autolab.exceptions import NotFound
from emails import selectors
from emails.models import EmailMetadata, EmailOutboxKey
from emails.rendering import STAFF_MESSAGE, TRANSACTIONAL_TYPES, render_email
from emails.selectors import email_get, month_of, normalise_address
from emails.suppression import analytics_record_send, analytics_send_add
from emails.threads import message_create, outbox_write, outbox_write_items

logger = logging.getLogger(__name__)

QUEUED, SENDING, SENT, SUPPRESSED, FAILED, UNCERTAIN = "queued", "sending", "sent", "suppressed", "failed", "uncertain"
FINAL_STATES = (SENT, SUPPRESSED, FAILED, UNCERTAIN)
SENT_CONTENT_TYPE = "application/sent-email"  # marks a message we sent (the original's value)
BODY_LIMIT = 100_000  # characters of each body kept on the record (DynamoDB items stop at 400 KB)
MAX_COUNTED_IN_TRANSACTION = 90  # addresses whose send is counted with the record (100 items at most)


class TransientEmailError(Exception):
    """The mail server did not take the message this time; retrying later may work."""


def _is_conditional_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def _sending_lease_seconds() -> int:
    """How long a claimed send may take before we stop assuming a worker is still on it."""
    configured = getattr(settings, "EMAIL_SENDING_LEASE_SECONDS", None)
    if configured is not None:
        return int(configured)
    return int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 120) or 120) + 60


def new_message_id() -> str:
    """A fresh, unguessable id for a message we send (Message-ID ``<id@our-domain>``).

    Never derived from anything about the message: a predictable id would let an outsider join a
    customer's thread or take the id of an email before we send it.
    """
    return str(uuid.uuid4())


def message_id_header(message_id: str) -> str:
    """Our ids are bare UUIDs (domain added); a received email keeps its own ``id@host``."""
    if "@" in message_id:
        return f"<{message_id}>"
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "autolab.local"
    return f"<{message_id}@{domain}>"


# --- The outbox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxEmail:
    """One customer email, not yet written: its message and its dedupe key.

    Written inside the transaction of the record it is about (``add_to`` or ``write_items``, with
    the thread head), then ``enqueue``d once committed: the email exists exactly when the change
    does, and a repeat of the change (the same dedupe key) can never queue a second one.
    """

    record: EmailMetadata
    key: EmailOutboxKey

    @property
    def message_id(self) -> str:
        return self.record.message_id

    def add_to(self, transaction: TransactWrite) -> None:
        outbox_write(transaction, self.record, self.key)

    def write_items(self) -> tuple[list[dict], list[dict]]:
        """The raw (puts, updates) for a low-level ``transact_write_items``."""
        return outbox_write_items(self.record, self.key)

    def enqueue(self) -> None:
        """Hand the committed message to the email worker (the reconciler covers a lost enqueue)."""
        _enqueue_send(self.message_id, queued=self.record)


def email_customer(
    *,
    email_type: str,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[str] | None = None,
) -> str:
    """Queue one customer email; the same ``dedupe_key`` never queues a second message.

    ``context`` must be JSON-serialisable: the template is rendered from it in the worker.
    Returns the EmailMetadata ``messageId``.
    """
    email = outbox_message(
        email_type=email_type,
        to_email=to_email,
        to_name=to_name,
        context=context,
        dedupe_key=dedupe_key,
        attachments=attachments,
    )
    if not message_create(email.record, outbox_key=email.key):
        return _queued_before(email.key.dedupe_key)
    email.enqueue()
    return email.message_id


def _queued_before(dedupe_key: str) -> str:
    """The message an earlier call queued under this key; handed to the worker again while it is
    still queued, as when a process died between writing it (e.g. in an invoice's transaction)
    and enqueueing it, and the caller's retry is what asks again."""
    message_id = EmailOutboxKey.get(dedupe_key, consistent_read=True).message_id
    record = email_get(message_id)
    if record is not None and record.status == QUEUED:
        _enqueue_send(message_id)
    return message_id


def outbox_message(
    *,
    email_type: str,
    to_email: str,
    to_name: str = "",
    context: dict[str, Any],
    dedupe_key: str,
    attachments: list[str] | None = None,
) -> OutboxEmail:
    """The outbox message of one customer email and its dedupe key (``email_customer``'s
    arguments), to be written in a transaction (see ``OutboxEmail``)."""
    if email_type not in TRANSACTIONAL_TYPES:
        raise ValueError(f"Unknown email type {email_type!r}")
    message_id = new_message_id()
    now_ms = _now_ms()
    record = EmailMetadata(
        message_id=message_id,
        thread_id=message_id,
        from_email=normalise_address(parseaddr(settings.DEFAULT_FROM_EMAIL)[1]),
        from_name=settings.BUSINESS_NAME,
        to_emails={normalise_address(to_email)},
        to_name=to_name or None,
        subject="",
        email_type=email_type,
        status=QUEUED,
        outbox_state=QUEUED,
        context=json.dumps({**context, "to_name": to_name}, default=str),
        attachments=attachments or None,
        has_attachments=bool(attachments),
        attachment_count=len(attachments or []),
        content_type=SENT_CONTENT_TYPE,
        tags={"sent", "transactional"},
        is_read=True,
        created_at=now_ms,
        mailbox_month=month_of(now_ms),
        updated_at=clock.iso_local(),
    )
    key = EmailOutboxKey(
        dedupe_key=hashlib.sha256(dedupe_key.encode()).hexdigest(), message_id=message_id, created_at=now_ms
    )
    return OutboxEmail(record, key)


def _enqueue_send(message_id: str, *, queued: EmailMetadata | None = None) -> None:
    """Hand the message to the email worker; a lost enqueue is picked up by the reconciler.

    ``queued``: the record exactly as just written, sent along so the worker need not read it (see
    ``email_deliver``); only for transactional emails, whose records are small."""
    from emails import tasks

    try:
        tasks.email_send_task.delay(message_id, queued.serialize() if queued is not None else None)
    except BrokerError:
        logger.exception("Could not enqueue email %s; the outbox reconciler will retry it", message_id)


# --- Delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingEmail:
    subject: str
    text: str
    html: str
    recipients: list[str]


def email_deliver(*, message_id: str, queued: dict[str, Any] | None = None) -> str:
    """Send one outbox message at most once; returns the record's resulting status.

    ``queued`` is the record as it was queued (``_enqueue_send``), in place of reading it: what a
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
        if not _is_conditional_failure(error):
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
            if _is_conditional_failure(error):
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
        reasons = error.cancellation_reasons or []
        failed = {at for at, reason in enumerate(reasons) if reason is not None and reason.code}
        if {reasons[at].code for at in failed} != {"ConditionalCheckFailed"}:
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
        if not _is_conditional_failure(error):
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
        if not _is_conditional_failure(error):
            raise


def outbox_reconcile(*, older_than_seconds: int = 300) -> dict[str, int]:
    """Re-enqueue sends whose enqueue was lost and settle sends left mid-way by a dead worker."""
    cutoff_ms = _now_ms() - older_than_seconds * 1000
    requeued = 0
    for record in selectors.outbox_pending(QUEUED, cutoff_ms):
        _enqueue_send(record.message_id)
        requeued += 1
    settled = sum(1 for record in selectors.outbox_pending(SENDING, cutoff_ms) if _check_stale_send(record) != SENDING)
    return {"requeued": requeued, "settled": settled}
