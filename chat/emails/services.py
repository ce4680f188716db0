"""Email: the outbox every app uses to email a customer, exactly-once delivery, staff messages.

``email_customer`` records the message in EmailMetadata (the outbox) once per ``dedupe_key`` and
enqueues the send; the worker (``email_deliver``) renders it, checks suppression and sends it once.

Exactly once: a send first moves the record queued -> sending with a fresh token (a conditional
write, so two workers never both send). A failure we *know* left nothing with the mail server moves
it back to queued for a retry; success moves it to sent. A record found still "sending" after the
lease means a worker died mid-send: we cannot know whether the server accepted it, so it becomes
"uncertain" for a person to look at, and is never re-sent automatically.
"""

from __future__ import annotations

import base64
import binascii
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
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from kombu.exceptions import OperationalError as BrokerError
from pynamodb.exceptions import PutError, UpdateError

from autolab import clock, storage
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from chat.emails import selectors
from chat.emails.rendering import STAFF_MESSAGE, TRANSACTIONAL_TYPES, render_email
from chat.emails.selectors import email_get, month_of, normalise_address
from chat.models import EmailMetadata

logger = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6f1c8c52-3c1e-4b1a-9f6e-2f0b7d8f6a10")
QUEUED, SENDING, SENT, SUPPRESSED, FAILED, UNCERTAIN = "queued", "sending", "sent", "suppressed", "failed", "uncertain"
FINAL_STATES = (SENT, SUPPRESSED, FAILED, UNCERTAIN)
BODY_LIMIT = 100_000  # characters of each body kept on the record (DynamoDB items stop at 400 KB)
ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024


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


def message_id_header(message_id: str) -> str:
    """Our ids are bare UUIDs (domain added); a received email keeps its own ``id@host``."""
    if "@" in message_id:
        return f"<{message_id}>"
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "autolab.local"
    return f"<{message_id}@{domain}>"


# --- The outbox --------------------------------------------------------------------------------


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
    if email_type not in TRANSACTIONAL_TYPES:
        raise ValueError(f"Unknown email type {email_type!r}")
    message_id = str(uuid.uuid5(_NAMESPACE, dedupe_key))
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
        content_type="application/sent-email",
        tags={"sent", "transactional"},
        is_read=True,
        created_at=now_ms,
        mailbox_month=month_of(now_ms),
        updated_at=clock.iso_local(),
    )
    try:
        record.save(condition=EmailMetadata.message_id.does_not_exist())
    except PutError as error:
        if not _is_conditional_failure(error):
            raise
        return message_id
    _enqueue_send(message_id)
    return message_id


def _enqueue_send(message_id: str) -> None:
    """Hand the message to the email worker; a lost enqueue is picked up by the reconciler."""
    from chat.emails import tasks

    try:
        tasks.email_send_task.delay(message_id)
    except BrokerError:
        logger.exception("Could not enqueue email %s; the outbox reconciler will retry it", message_id)


# --- Delivery ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingEmail:
    subject: str
    text: str
    html: str
    recipients: list[str]


def email_deliver(*, message_id: str) -> str:
    """Send one outbox message at most once; returns the record's resulting status.

    Raises ``TransientEmailError`` when the mail server should be retried later.
    """
    record = email_get(message_id)
    if record is None:
        raise NotFound(f"Email {message_id} not found")
    if record.status in FINAL_STATES:
        return record.status
    if record.status == SENDING:
        return _check_stale_send(record)
    recipients = sorted(record.to_emails or [])
    if record.email_type != STAFF_MESSAGE and any(selectors.email_is_suppressed(to) for to in recipients):
        return _mark_suppressed(record)
    outgoing = _outgoing(record, recipients)
    token = _claim(record, outgoing)
    if token is None:
        return SENDING
    try:
        _send(record, outgoing)
    except TransientEmailError as error:
        _release(record, token, str(error))
        raise
    except Exception as error:
        _finish(record, token, FAILED, reason=f"{type(error).__name__}: {error}"[:500])
        raise
    _finish(record, token, SENT)
    from chat.emails.suppression import analytics_record_send

    for to in [*recipients, *(record.cc_emails or []), *(record.bcc_emails or [])]:
        analytics_record_send(email=to, message_id=record.message_id, event_type="send")
    return SENT


def _outgoing(record: EmailMetadata, recipients: list[str]) -> OutgoingEmail:
    if record.email_type == STAFF_MESSAGE:
        return OutgoingEmail(record.subject or "", record.body_text or "", record.body_html or "", recipients)
    context = json.loads(record.context or "{}")
    rendered = render_email(record.email_type or "", context)
    return OutgoingEmail(rendered.subject, rendered.text, rendered.html, recipients)


def _mark_suppressed(record: EmailMetadata) -> str:
    from chat.emails.suppression import analytics_record_send

    try:
        record.update(
            actions=[
                EmailMetadata.status.set(SUPPRESSED),
                EmailMetadata.outbox_state.remove(),
                EmailMetadata.failure_reason.set("Recipient address is on the suppression list"),
                EmailMetadata.updated_at.set(clock.iso_local()),
            ],
            condition=EmailMetadata.status == QUEUED,
        )
    except UpdateError as error:
        if not _is_conditional_failure(error):
            raise
        return email_get(record.message_id).status  # type: ignore[union-attr]
    for to in record.to_emails or []:
        analytics_record_send(email=to, message_id=record.message_id, event_type="suppressed_send")
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


def _finish(record: EmailMetadata, token: str, status: str, reason: str | None = None) -> None:
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
    record.update(actions=actions, condition=EmailMetadata.send_token == token)


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


# --- Staff messages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedAttachment:
    filename: str
    content: bytes


def _valid_addresses(addresses: list[str]) -> list[str]:
    cleaned = []
    for address in addresses:
        email = normalise_address(address)
        try:
            validate_email(email)
        except DjangoValidationError as error:
            raise ValidationError(f"Invalid email address: {address}") from error
        if email not in cleaned:
            cleaned.append(email)
    return cleaned


def decode_attachments(raw: list[dict[str, Any]]) -> list[UploadedAttachment]:
    """``[{filename, content|data|base64}]`` (base64) of POST /emails; 400 on bad data or size."""
    attachments, total = [], 0
    for entry in raw:
        encoded = entry.get("content") or entry.get("data") or entry.get("base64") or ""
        try:
            content = base64.b64decode(str(encoded), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(f"Attachment {entry.get('filename')!r} is not valid base64") from error
        total += len(content)
        if total > ATTACHMENTS_MAX_BYTES:
            raise ValidationError("Attachments may total at most 10 MB")
        attachments.append(UploadedAttachment(storage.sanitize_filename(str(entry.get("filename") or "")), content))
    return attachments


def _guess_name(address: str) -> str:
    local = address.partition("@")[0]
    first = local.replace("_", ".").replace("-", ".").split(".")[0]
    return first.title() if first.isalpha() else "there"


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


@dataclass(frozen=True)
class StaffMessage:
    to: list[str]
    subject: str
    text: str = ""
    html: str = ""
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    reply_to: str = ""
    in_reply_to_message_id: str = ""


def email_send_staff_message(
    *, actor: StaffIdentity, message: StaffMessage, attachments: list[UploadedAttachment] | None = None
) -> EmailMetadata:
    """Record and send a message written by staff; a reply joins the thread of the email it answers."""
    to, cc, bcc = _valid_addresses(message.to), _valid_addresses(list(message.cc)), _valid_addresses(list(message.bcc))
    if not to:
        raise ValidationError("At least one recipient is required")
    if not (message.text.strip() or message.html.strip()):
        raise ValidationError("text or html is required")
    suppressed = [address for address in [*to, *cc, *bcc] if selectors.email_is_suppressed(address)]
    if suppressed:
        raise Conflict(f"Address on the suppression list: {', '.join(suppressed)}; remove it first to email it")
    reply_to = _valid_addresses([message.reply_to])[0] if message.reply_to else ""
    message_id = str(uuid.uuid4())
    thread_id, references, subject = message_id, None, message.subject.strip()
    if message.in_reply_to_message_id:
        parent = email_get(message.in_reply_to_message_id)
        if parent is None:
            raise NotFound("The email to reply to was not found")
        thread_id = parent.thread_id or parent.message_id
        references = {*(parent.references or set()), parent.message_id}
        subject = _reply_subject(subject or parent.subject or "")
    first_name = (actor.name or "").split(" ")[0] or settings.BUSINESS_NAME
    context = {
        "subject": subject,
        "text": message.text,
        "html": message.html,
        "to_name": _guess_name(to[0]),
        "signature": f"{first_name} from {settings.BUSINESS_NAME}",
    }
    rendered = render_email(STAFF_MESSAGE, context)
    keys = _store_attachments(message_id, attachments or [])
    now_ms = _now_ms()
    record = EmailMetadata(
        message_id=message_id,
        thread_id=thread_id,
        from_email=normalise_address(parseaddr(settings.DEFAULT_FROM_EMAIL)[1]),
        from_name=actor.name,
        to_emails=set(to),
        cc_emails=set(cc) or None,
        bcc_emails=set(bcc) or None,
        subject=rendered.subject,
        body_text=rendered.text[:BODY_LIMIT],
        body_html=rendered.html[:BODY_LIMIT],
        email_type=STAFF_MESSAGE,
        content_type="application/sent-email",
        status=QUEUED,
        outbox_state=QUEUED,
        attachments=keys or None,
        has_attachments=bool(keys),
        attachment_count=len(keys),
        tags={"sent"},
        is_read=True,
        reply_to=reply_to or None,
        in_reply_to_message_id=message.in_reply_to_message_id or None,
        references=references,
        sent_by=actor.email,
        created_at=now_ms,
        mailbox_month=month_of(now_ms),
        received_date=clock.iso_local(),
        updated_at=clock.iso_local(),
    )
    record.save(condition=EmailMetadata.message_id.does_not_exist())
    _enqueue_send(message_id)
    return email_get(message_id) or record


def _store_attachments(message_id: str, attachments: list[UploadedAttachment]) -> list[str]:
    keys = []
    for index, attachment in enumerate(attachments):
        key = f"email-attachments/{message_id}/{index}-{attachment.filename}"
        content_type = mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
        storage.save(key, attachment.content, content_type)
        keys.append(key)
    return keys


def email_update_flags(
    *, message_id: str, is_read: bool | None = None, is_important: bool | None = None, tags: list[str] | None = None
) -> dict[str, Any]:
    """Set the read/important flags or the tags of one email; returns the fields changed."""
    updated: dict[str, Any] = {}
    actions = []
    if is_read is not None:
        actions.append(EmailMetadata.is_read.set(is_read))
        updated["isRead"] = is_read
    if is_important is not None:
        actions.append(EmailMetadata.is_important.set(is_important))
        updated["isImportant"] = is_important
    if tags is not None:
        actions.append(EmailMetadata.tags.set(set(tags)) if tags else EmailMetadata.tags.remove())
        updated["tags"] = sorted(set(tags))
    if not actions:
        raise ValidationError("Provide at least one of isImportant, isRead, tags")
    actions.append(EmailMetadata.updated_at.set(clock.iso_local()))
    record = EmailMetadata(message_id=message_id)
    try:
        record.update(actions=actions, condition=EmailMetadata.message_id.exists())
    except UpdateError as error:
        if _is_conditional_failure(error):
            raise NotFound("Email not found") from error
        raise
    return updated


def email_mark_read(*, message_id: str) -> None:
    """Opening an email marks it read (no-op for an unknown id)."""
    try:
        EmailMetadata(message_id=message_id).update(
            actions=[EmailMetadata.is_read.set(True)], condition=EmailMetadata.message_id.exists()
        )
    except UpdateError as error:
        if not _is_conditional_failure(error):
            raise


def email_resend(*, message_id: str, actor: StaffIdentity) -> None:
    """Staff decide to send again a message that failed or whose delivery is unknown."""
    record = email_get(message_id)
    if record is None:
        raise NotFound("Email not found")
    try:
        record.update(
            actions=[
                EmailMetadata.status.set(QUEUED),
                EmailMetadata.outbox_state.set(QUEUED),
                EmailMetadata.failure_reason.set(f"Re-sent by {actor.email}"),
                EmailMetadata.updated_at.set(clock.iso_local()),
            ],
            condition=EmailMetadata.status.is_in(FAILED, UNCERTAIN),
        )
    except UpdateError as error:
        if _is_conditional_failure(error):
            raise Conflict("Only a failed or uncertain email can be sent again") from error
        raise
    _enqueue_send(message_id)


# --- Inbound mail ------------------------------------------------------------------------------

_SUBJECT_TAGS = {
    "appointment": ("appointment", "booking", "schedule"),
    "order": ("order", "purchase", "buy"),
    "payment": ("payment", "invoice", "bill", "receipt"),
    "urgent": ("urgent", "asap", "emergency"),
    "inquiry": ("inquiry", "question", "help", "support"),
}
_BODY_TAGS = {"lab-result": ("lab result", "test result", "report"), "complaint": ("complaint", "problem", "issue")}
_IMPORTANT_WORDS = (
    "urgent",
    "asap",
    "emergency",
    "important",
    "critical",
    "complaint",
    "problem",
    "issue",
    "error",
    "failed",
)


def normalise_message_id(header: str | None) -> str:
    """``<id@host>`` -> our stored id: brackets off; our own domain and SES's suffix stripped."""
    value = (header or "").strip().strip("<>").strip()
    local, _, domain = value.rpartition("@")
    ours = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2].lower()
    if local and domain.lower() in (ours, "email.amazonses.com"):
        return local
    return value


def _tags_for(subject: str, body: str) -> set[str]:
    subject, body = subject.lower(), body.lower()
    tags = {tag for tag, words in _SUBJECT_TAGS.items() if any(word in subject for word in words)}
    return tags | {tag for tag, words in _BODY_TAGS.items() if any(word in body for word in words)}


def _inbound_thread(in_reply_to: str, references: list[str]) -> tuple[str, EmailMetadata | None]:
    for candidate in [in_reply_to, *reversed(references)]:
        parent = email_get(candidate) if candidate else None
        if parent is not None:
            return parent.thread_id or parent.message_id, parent
    return str(uuid.uuid4()), None


def email_record_inbound(*, raw: bytes) -> EmailMetadata:
    """Store one received email (raw MIME) in the mailbox, threaded onto the message it answers."""
    import email as email_lib
    from email import policy

    parsed = email_lib.message_from_bytes(raw, policy=policy.default)
    message_id = normalise_message_id(parsed.get("Message-ID")) or str(uuid.uuid4())
    in_reply_to = normalise_message_id(parsed.get("In-Reply-To"))
    references = [normalise_message_id(ref) for ref in str(parsed.get("References") or "").split() if ref.strip("<>")]
    thread_id, _ = _inbound_thread(in_reply_to, references)
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    from_name, from_address = parseaddr(str(parsed.get("From") or ""))
    subject = " ".join(str(parsed.get("Subject") or "").split())[:500]
    attachment_count = sum(1 for _ in parsed.iter_attachments())
    now_ms = _now_ms()
    searchable = f"{subject} {text}".lower()
    record = EmailMetadata(
        message_id=message_id[:200],
        thread_id=thread_id,
        from_email=normalise_address(from_address),
        from_name=from_name or None,
        to_emails={normalise_address(a) for _, a in email_lib.utils.getaddresses(parsed.get_all("To", [])) if a}
        or None,
        cc_emails={normalise_address(a) for _, a in email_lib.utils.getaddresses(parsed.get_all("Cc", [])) if a}
        or None,
        subject=subject,
        received_date=clock.iso_local(),
        size_bytes=len(raw),
        body_text=(text or strip_tags_text(html))[:BODY_LIMIT],
        body_html=html[:BODY_LIMIT] or None,
        content_type=parsed.get_content_type(),
        has_attachments=attachment_count > 0,
        attachment_count=attachment_count,
        is_read=False,
        is_important=any(word in searchable for word in _IMPORTANT_WORDS),
        tags=_tags_for(subject, text) or None,
        in_reply_to_message_id=in_reply_to or None,
        references=set(references) or None,
        status="received",
        created_at=now_ms,
        mailbox_month=month_of(now_ms),
        updated_at=clock.iso_local(),
    )
    try:
        record.save(condition=EmailMetadata.message_id.does_not_exist())
    except PutError as error:
        if not _is_conditional_failure(error):
            raise
        return email_get(record.message_id) or record  # SNS delivered it twice
    from autolab.events import publish_to_staff

    publish_to_staff(
        "email_received",
        {
            "messageId": record.message_id,
            "threadId": thread_id,
            "fromEmail": record.from_email,
            "subject": subject,
            "isImportant": record.is_important,
        },
    )
    return record


def strip_tags_text(html: str) -> str:
    from django.utils.html import strip_tags

    return strip_tags(html)
