"""The email API's wire format at the edge: attachments as the website posts them, the OpenAPI
shapes of the bodies the views answer through ``ok`` (documentation only; tests/emails/
test_api_schema.py holds them to the real bodies), and the mailbox's output shapes, which the
portal shares."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from rest_framework import serializers

from autolab import clock, storage
from autolab.api import SuccessMessageOut, SuccessOut
from autolab.exceptions import ValidationError
from emails import selectors
from emails.attachments import AttachmentFile
from emails.models import EmailMetadata

ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024


def decoded_attachments(entries: list[dict[str, Any]]) -> list[AttachmentFile]:
    """``[{filename, content|data|base64}]`` of POST /emails as files; 400 on bad base64 or size.

    ``entries`` are the body's own values (each already checked by ``EmailAttachmentSerializer``):
    the original decoded them untrimmed and named a bad one as it was sent.
    """
    files, total = [], 0
    for entry in entries:
        encoded = entry.get("content") or entry.get("data") or entry.get("base64") or ""
        try:
            content = base64.b64decode(str(encoded), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValidationError(f"Attachment {entry.get('filename')!r} is not valid base64") from error
        total += len(content)
        if total > ATTACHMENTS_MAX_BYTES:
            raise ValidationError("Attachments may total at most 10 MB")
        files.append(AttachmentFile(storage.sanitize_filename(str(entry.get("filename") or "")), content))
    return files


# --- Response bodies ----------------------------------------------------------------------------


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_null=True, **kwargs)


def _strings(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), **kwargs)


class EmailOut(serializers.Serializer):
    """``email_out``: the email object of §3.11 plus its delivery ``status``."""

    messageId = serializers.CharField()
    threadId = _text()
    fromEmail = serializers.CharField()
    fromName = _text()
    toEmails = _strings()
    ccEmails = _strings()
    bccEmails = _strings()
    subject = serializers.CharField()
    receivedDate = _text()
    sizeBytes = serializers.IntegerField(allow_null=True)
    hasAttachments = serializers.BooleanField()
    attachmentCount = serializers.IntegerField()
    bodyText = _text()
    bodyHtml = _text()
    contentType = _text()
    emailType = _text()
    isRead = serializers.BooleanField()
    isImportant = serializers.BooleanField()
    tags = _strings()
    createdAt = serializers.IntegerField()
    updatedAt = _text()
    inReplyToMessageId = _text()
    references = _strings()
    status = _text()
    failureReason = _text()
    sentBy = _text()


class ThreadOut(serializers.Serializer):
    """``thread_out``: one row of the mailbox's thread view."""

    threadId = serializers.CharField()
    originalSubject = serializers.CharField()
    normalizedSubject = serializers.CharField()
    participants = _strings()
    primaryCustomerEmail = _text()
    messageCount = serializers.IntegerField()
    unreadCount = serializers.IntegerField()
    isImportant = serializers.BooleanField()
    lastMessageId = serializers.CharField()
    lastActivityDate = _text()
    lastMessagePreview = serializers.CharField()
    isActive = serializers.BooleanField()
    createdAt = serializers.IntegerField()


class EmailListOut(SuccessOut):
    emails = EmailOut(many=True, required=False, help_text="The list view (the default)")
    threads = ThreadOut(many=True, required=False, help_text="With ?view=threads")
    total = serializers.IntegerField()
    limit = serializers.IntegerField()
    nextCursor = _text()


class EmailSendOut(SuccessMessageOut):
    messageId = serializers.CharField()
    threadId = serializers.CharField()
    recipients = _strings()
    status = _text()


class EmailThreadOut(SuccessOut):
    emails = EmailOut(many=True)
    total = serializers.IntegerField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    threadId = serializers.CharField()
    threadSubject = serializers.CharField()
    composeToEmail = _text()
    customerParticipants = _strings()
    email = EmailOut(required=False, help_text="When the id was a message's")


class EmailUpdatedFields(serializers.Serializer):
    isRead = serializers.BooleanField(required=False)
    isImportant = serializers.BooleanField(required=False)
    tags = _strings(required=False)


class EmailUpdateOut(SuccessMessageOut):
    emailId = serializers.CharField()
    updatedFields = EmailUpdatedFields()


class SuppressionOut(serializers.Serializer):
    """``suppression_out``: one entry of the suppression list."""

    email = serializers.CharField()
    suppression_type = serializers.CharField()
    created_at = serializers.CharField()
    reason = _text()
    expires_at = _text()
    created_by = _text()


class LocalSuppression(serializers.Serializer):
    type = serializers.CharField()
    created_at = serializers.CharField()
    reason = _text()


class SuppressionCheckOut(SuccessOut):
    email = serializers.CharField()
    is_suppressed = serializers.BooleanField()
    local_suppressions = LocalSuppression(many=True)
    ses_suppressed = serializers.BooleanField()
    ses_reason = _text()
    checked_at = serializers.CharField()


class SuppressionListOut(SuccessOut):
    items = SuppressionOut(many=True)
    count = serializers.IntegerField()
    lastEvaluatedKey = _text()
    nextCursor = _text()


class SuppressionAddOut(SuccessMessageOut, SuppressionOut):
    pass


class SuppressionRemoveOut(SuccessMessageOut):
    email = serializers.CharField()
    removed_types = _strings()


class SuppressionCounts(serializers.Serializer):
    sent = serializers.IntegerField()
    delivered = serializers.IntegerField()
    bounced = serializers.IntegerField()
    complained = serializers.IntegerField()
    suppressed = serializers.IntegerField()


class SuppressionDay(SuppressionCounts):
    date = serializers.CharField()


class SuppressionAnalyticsOut(SuccessOut):
    start_date = serializers.CharField()
    end_date = serializers.CharField()
    totals = SuppressionCounts()
    daily = SuppressionDay(many=True)


class SuppressionCleanupOut(SuccessMessageOut):
    expired = serializers.IntegerField()


class SesWebhookOut(SuccessMessageOut):
    """What one SNS message did: the counts of the SES event it carried, when it carried one."""

    ignored = serializers.IntegerField(required=False)
    bounced = serializers.IntegerField(required=False)
    complained = serializers.IntegerField(required=False)
    suppressed = serializers.IntegerField(required=False)
    delivered = serializers.IntegerField(required=False)
    received = serializers.IntegerField(required=False)
    textReply = serializers.CharField(
        required=False, help_text="An inbound text's effect: opted_out (STOP), opted_in (START) or ignored"
    )


class AttachmentOut(serializers.Serializer):
    """``attachment_out``: one file of an email."""

    attachmentId = serializers.CharField()
    messageId = serializers.CharField()
    filename = serializers.CharField()
    contentType = serializers.CharField()
    sizeBytes = serializers.IntegerField()
    contentHash = serializers.CharField()
    s3Bucket = serializers.CharField()
    s3Key = _text()
    attachmentIndex = serializers.IntegerField()
    uploadDate = serializers.CharField()
    createdAt = serializers.IntegerField()
    direction = serializers.CharField()
    isDeleted = serializers.BooleanField()
    deletedAt = _text()
    deletedBy = _text()
    rejectedReason = _text()
    downloadable = serializers.BooleanField()


class AttachmentStats(serializers.Serializer):
    count = serializers.IntegerField()
    totalSizeBytes = serializers.IntegerField()
    totalSizeMB = serializers.FloatField()
    types = serializers.DictField(child=serializers.IntegerField())


class AttachmentListOut(SuccessOut):
    attachments = AttachmentOut(many=True)
    stats = AttachmentStats()


class AttachmentDetailOut(SuccessOut):
    attachment = AttachmentOut(required=False, help_text="Without ?url")
    downloadUrl = serializers.CharField(required=False, help_text="With ?url: a signed link")
    expiresIn = serializers.IntegerField(required=False)


class AttachmentDeleteOut(SuccessMessageOut):
    attachmentId = serializers.CharField()
    deletedAt = _text()
    deletedBy = _text()


# --- The mailbox's output shapes, shared by the API and the portal (§3.11, camelCase) ----------------


def _iso_ms(created_at: int | None) -> str | None:
    return clock.iso_local(clock.from_epoch(created_at / 1000)) if created_at else None


def email_out(record: EmailMetadata) -> dict[str, Any]:
    """The email object of §3.11, camelCase, plus the delivery ``status``."""
    return {
        "messageId": record.message_id,
        "threadId": record.thread_id,
        "fromEmail": record.from_email,
        "fromName": record.from_name,
        "toEmails": sorted(record.to_emails or []),
        "ccEmails": sorted(record.cc_emails or []),
        "bccEmails": sorted(record.bcc_emails or []),
        "subject": record.subject,
        "receivedDate": record.received_date or _iso_ms(record.created_at),
        "sizeBytes": record.size_bytes,
        "hasAttachments": bool(record.has_attachments),
        "attachmentCount": record.attachment_count or 0,
        "bodyText": record.body_text,
        "bodyHtml": record.body_html,
        "contentType": record.content_type,
        "emailType": record.email_type,
        "isRead": bool(record.is_read),
        "isImportant": bool(record.is_important),
        "tags": sorted(record.tags or []),
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "inReplyToMessageId": record.in_reply_to_message_id,
        "references": sorted(record.references or []),
        "status": record.status,
        "failureReason": record.failure_reason,
        "sentBy": record.sent_by,
    }


def thread_out(summary: selectors.ThreadSummary) -> dict[str, Any]:
    customers = sorted(summary.participants - selectors.our_addresses())
    subject = summary.subject or ""
    return {
        "threadId": summary.thread_id,
        "originalSubject": subject,
        "normalizedSubject": " ".join(subject.lower().removeprefix("re:").split()),
        "participants": sorted(summary.participants),
        "primaryCustomerEmail": customers[0] if customers else None,
        "messageCount": summary.message_count,
        "unreadCount": summary.unread_count,
        "isImportant": summary.is_important,
        "lastMessageId": summary.last.message_id,
        "lastActivityDate": summary.last.received_date or _iso_ms(summary.last.created_at),
        "lastMessagePreview": (summary.last.body_text or "")[:200],
        "isActive": True,
        "createdAt": summary.last.created_at,
    }
