"""Received email: a raw message from SES (through SNS) becomes a mailbox item on its thread."""

from __future__ import annotations

import email as email_lib
import uuid
from email import policy
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.utils.html import strip_tags

from autolab import clock
from autolab.events import publish_to_staff
from chat.emails.selectors import email_get, month_of, normalise_address
from chat.emails.services import BODY_LIMIT, _now_ms
from chat.emails.threads import message_create
from chat.models import EmailMetadata

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
    parsed = email_lib.message_from_bytes(raw, policy=policy.default)
    message_id = normalise_message_id(parsed.get("Message-ID")) or str(uuid.uuid4())
    in_reply_to = normalise_message_id(parsed.get("In-Reply-To"))
    references = [normalise_message_id(ref) for ref in str(parsed.get("References") or "").split() if ref.strip("<>")]
    thread_id, parent = _inbound_thread(in_reply_to, references)
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
    if not message_create(record, thread_subject=parent.subject if parent else ""):
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
