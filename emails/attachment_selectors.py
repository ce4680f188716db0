"""Reads of email attachments, by key or by the messageId index."""

from __future__ import annotations

from emails.models import EmailAttachment

# An email carries at most attachments.MAX_PER_EMAIL files; one query page holds them all.
_PAGE = 100


def attachment_get(attachment_id: str) -> EmailAttachment | None:
    return EmailAttachment.get_or_none(attachment_id, consistent_read=True)


def attachments_of_message(message_id: str, *, include_deleted: bool = False) -> list[EmailAttachment]:
    rows = EmailAttachment.message_index.query(message_id, limit=_PAGE)
    found = sorted(rows, key=lambda row: row.attachment_index)
    return found if include_deleted else [row for row in found if not row.is_deleted]
