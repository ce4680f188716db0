"""The staff mailbox: messages written by staff (threaded replies), flags, re-sending."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pynamodb.exceptions import UpdateError

from autolab import audit, clock, storage
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from emails import attachments as email_attachments
from emails import selectors, tasks
from emails.attachments import AttachmentFile
from emails.models import EmailMetadata, EmailOutboxKey
from emails.records import (
    BODY_LIMIT,
    FAILED,
    QUEUED,
    UNCERTAIN,
    new_message_id,
    queued_message,
)
from emails.rendering import STAFF_MESSAGE, render_email
from emails.selectors import email_get, normalise_address
from emails.threads import message_create, message_flags_set


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
    to_name: str = ""  # how the email greets its first recipient (guessed from the address without it)
    # A repeat of the same send (a double-submitted form) finds the message the first one made.
    dedupe_key: str = ""
    inquiry_id: str = ""  # the customer inquiry this message answers (chat), shown on its thread


def email_send_staff_message(
    *, actor: StaffIdentity, message: StaffMessage, attachments: list[AttachmentFile] | None = None
) -> EmailMetadata:
    """Record and send a message written by staff; a reply joins the thread of the email it answers."""
    files = attachments or []
    email_attachments.check_outbound(files)
    to, cc, bcc = _valid_addresses(message.to), _valid_addresses(list(message.cc)), _valid_addresses(list(message.bcc))
    if not to:
        raise ValidationError("At least one recipient is required")
    if not (message.text.strip() or message.html.strip()):
        raise ValidationError("text or html is required")
    suppressed = [address for address in [*to, *cc, *bcc] if selectors.email_is_suppressed(address)]
    if suppressed:
        raise Conflict(f"Address on the suppression list: {', '.join(suppressed)}; remove it first to email it")
    reply_to = _valid_addresses([message.reply_to])[0] if message.reply_to else ""
    outbox_key = _outbox_key(message.dedupe_key)
    if outbox_key is not None and (earlier := _sent_before(outbox_key)) is not None:
        return earlier
    message_id = new_message_id()
    thread_id, references, subject = message_id, None, message.subject.strip()
    thread_subject = ""
    if message.in_reply_to_message_id:
        parent = email_get(message.in_reply_to_message_id)
        if parent is None:
            raise NotFound("The email to reply to was not found")
        thread_id = parent.thread_id or parent.message_id
        references = {*(parent.references or set()), parent.message_id}
        subject = _reply_subject(subject or parent.subject or "")
        thread_subject = parent.subject or ""
    first_name = (actor.name or "").split(" ")[0] or settings.BUSINESS_NAME
    context = {
        "subject": subject,
        "text": message.text,
        "html": message.html,
        "to_name": message.to_name or _guess_name(to[0]),
        "signature": f"{first_name} from {settings.BUSINESS_NAME}",
    }
    rendered = render_email(STAFF_MESSAGE, context)
    keys = _store_attachments(message_id, files)
    attachment_ids = email_attachments.attachments_store(
        message_id=message_id,
        files=files,
        direction=email_attachments.OUTBOUND,
        keys=keys,
    )
    record = queued_message(
        message_id=message_id,
        thread_id=thread_id,
        from_name=actor.name,
        attachments=keys,
        to_emails=set(to),
        cc_emails=set(cc) or None,
        bcc_emails=set(bcc) or None,
        subject=rendered.subject,
        body_text=rendered.text[:BODY_LIMIT],
        body_html=rendered.html[:BODY_LIMIT],
        email_type=STAFF_MESSAGE,
        attachment_ids=set(attachment_ids) or None,
        tags={"sent"},
        reply_to=reply_to or None,
        in_reply_to_message_id=message.in_reply_to_message_id or None,
        references=references,
        sent_by=actor.email,
        received_date=clock.iso_local(),
        inquiry_id=message.inquiry_id or None,
    )
    if outbox_key is not None:
        outbox_key.message_id, outbox_key.created_at = message_id, record.created_at
    # The message id is a fresh uuid4, never taken; only a dedupe key taken meanwhile refuses it.
    created = message_create(record, thread_subject=thread_subject, outbox_key=outbox_key)
    if not created and outbox_key is not None:
        return _sent_before(outbox_key) or record
    tasks.email_send_enqueue(message_id)
    return email_get(message_id) or record


def _outbox_key(dedupe_key: str) -> EmailOutboxKey | None:
    if not dedupe_key:
        return None
    digest = hashlib.sha256(f"staff-message:{dedupe_key}".encode()).hexdigest()
    return EmailOutboxKey(dedupe_key=digest, message_id="", created_at=0)


def _sent_before(key: EmailOutboxKey) -> EmailMetadata | None:
    """The message an earlier send under the same dedupe key made (a consistent read)."""
    found = EmailOutboxKey.get_or_none(key.dedupe_key, consistent_read=True)
    return email_get(found.message_id) if found is not None else None


def _store_attachments(message_id: str, attachments: list[AttachmentFile]) -> list[str]:
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
        updated["isRead"] = is_read
    if is_important is not None:
        updated["isImportant"] = is_important
    if tags is not None:
        actions.append(EmailMetadata.tags.set(set(tags)) if tags else EmailMetadata.tags.remove())
        updated["tags"] = sorted(set(tags))
    if not updated:
        raise ValidationError("Provide at least one of isImportant, isRead, tags")
    if not message_flags_set(message_id=message_id, is_read=is_read, is_important=is_important, actions=actions):
        raise NotFound("Email not found")
    return updated


def email_mark_read(*, message_id: str) -> None:
    """Opening an email marks it read (no-op for an unknown id)."""
    message_flags_set(message_id=message_id, is_read=True)


def email_resend(*, message_id: str, actor: StaffIdentity) -> None:
    """Staff decide to send again a message that failed or whose delivery is unknown."""
    record = email_get(message_id)
    if record is None:
        raise NotFound("Email not found")
    was = record.status  # the update below refreshes ``record``
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
        if condition_failed(error):
            raise Conflict("Only a failed or uncertain email can be sent again") from error
        raise
    audit.record(actor, "email.resend", "email", message_id, changes={"status": [was, QUEUED]})
    tasks.email_send_enqueue(message_id)
