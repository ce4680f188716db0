"""Received email: a raw message from SES (through SNS) becomes a mailbox item on its thread.

Everything in a received message is chosen by its sender, Message-ID and In-Reply-To included. So a
received email is stored under its own ``id@host`` (never stripped into our bare-id namespace, and
never over an existing id), and joins a thread only by answering a message we sent to that same
address; anything else starts a new thread.
"""

from __future__ import annotations

import email as email_lib
import hashlib
import uuid
from email import policy
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.html import strip_tags

from autolab import clock
from autolab.events import publish_to_staff
from emails import attachments
from emails.models import EmailMetadata
from emails.records import BODY_LIMIT, SENT_CONTENT_TYPE, contact_address, now_ms
from emails.selectors import email_get, month_of, normalise_address
from emails.threads import message_create

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


def _stored_id(header: str | None, raw: bytes) -> str:
    """The sender's ``id@host`` as written (at most 200 characters), or one derived from the bytes.

    Our own ids are bare UUIDs, so an id with an ``@`` can never be one of ours, whatever it says.
    """
    value = (header or "").strip().strip("<>").strip()
    if "@" in value and len(value) <= 200 and value.isprintable() and " " not in value:
        return value
    return f"{hashlib.sha256(raw).hexdigest()[:32]}@no-message-id.invalid"


def _answers(parent: EmailMetadata, sender: str) -> bool:
    """Is ``parent`` a message we sent to ``sender``? Only then may a received email join its thread."""
    recipients = {*(parent.to_emails or ()), *(parent.cc_emails or ()), *(parent.bcc_emails or ())}
    return parent.content_type == SENT_CONTENT_TYPE and sender in recipients


def _inbound_thread(sender: str, in_reply_to: str, references: list[str]) -> tuple[str, EmailMetadata | None]:
    """The thread a received email joins and the message it answers (None: a new thread)."""
    for candidate in [in_reply_to, *reversed(references)]:
        parent = email_get(candidate) if candidate else None
        if parent is not None and _answers(parent, sender):
            return parent.thread_id or parent.message_id, parent
    return str(uuid.uuid4()), None


def _is_redelivery(existing: EmailMetadata | None, record: EmailMetadata) -> bool:
    """SNS delivered the same received email again (same id, sender and size)."""
    return (
        existing is not None
        and existing.content_type != SENT_CONTENT_TYPE
        and (existing.from_email, existing.size_bytes) == (record.from_email, record.size_bytes)
    )


def email_record_inbound(*, raw: bytes) -> EmailMetadata:
    """Store one received email (raw MIME) in the mailbox, threaded onto the message it answers."""
    parsed = email_lib.message_from_bytes(raw, policy=policy.default)
    message_id = _stored_id(parsed.get("Message-ID"), raw)
    in_reply_to = normalise_message_id(parsed.get("In-Reply-To"))
    references = [normalise_message_id(ref) for ref in str(parsed.get("References") or "").split() if ref.strip("<>")]
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    from_name, from_address = parseaddr(str(parsed.get("From") or ""))
    thread_id, parent = _inbound_thread(normalise_address(from_address), in_reply_to, references)
    subject = " ".join(str(parsed.get("Subject") or "").split())[:500]
    # Files are stored before the email row: a listed email always has its attachments.
    attachment_ids = attachments.attachments_store(
        message_id=message_id[:200], files=attachments.inbound_files(parsed), direction=attachments.INBOUND
    )
    attachment_count = len(attachment_ids)
    created_ms = now_ms()
    searchable = f"{subject} {text}".lower()
    record = EmailMetadata(
        message_id=message_id,
        thread_id=thread_id,
        from_email=normalise_address(from_address),
        from_name=from_name or None,
        to_emails={normalise_address(a) for _, a in getaddresses(parsed.get_all("To", [])) if a} or None,
        cc_emails={normalise_address(a) for _, a in getaddresses(parsed.get_all("Cc", [])) if a} or None,
        subject=subject,
        received_date=clock.iso_local(),
        size_bytes=len(raw),
        body_text=(text or strip_tags(html))[:BODY_LIMIT],
        body_html=html[:BODY_LIMIT] or None,
        content_type=parsed.get_content_type(),
        has_attachments=attachment_count > 0,
        attachment_count=attachment_count,
        attachment_ids=set(attachment_ids) or None,
        is_read=False,
        is_important=any(word in searchable for word in _IMPORTANT_WORDS),
        tags=_tags_for(subject, text) or None,
        in_reply_to_message_id=in_reply_to or None,
        references=set(references) or None,
        status="received",
        created_at=created_ms,
        mailbox_month=month_of(created_ms),
        updated_at=clock.iso_local(),
        contact_email=contact_address(received=True, from_email=from_address, to_emails=None),
    )
    if not _save_new(record, parent):
        return email_get(record.message_id) or record  # SNS delivered it twice
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


def _save_new(record: EmailMetadata, parent: EmailMetadata | None) -> bool:
    """Store ``record`` (and fold it into its thread's head) under a free id; False when it is a
    redelivery of one already stored.

    Another message already holding the id (someone reusing a Message-ID) never loses its row: the
    newcomer is stored under a fresh id of its own.
    """
    subject = parent.subject if parent else ""
    if message_create(record, thread_subject=subject, starts_thread=parent is None):
        return True
    if _is_redelivery(email_get(record.message_id), record):
        return False
    record.message_id = f"{uuid.uuid4()}@reused-message-id.invalid"
    return message_create(record, thread_subject=subject, starts_thread=parent is None)
