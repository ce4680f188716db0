"""Email attachments: files of received and staff-sent emails, kept in autolab.storage.

One rule for what may be stored (type by file extension, at most 10 MB each). A received file that
breaks it is still listed, with ``rejectedReason`` and no stored copy, so staff see that the
sender attached something. Deleting is soft: the row records who deleted it and when, the file is
kept (nothing disappears behind anyone's back; an undo is a data fix, not a lost file).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from django.conf import settings
from pynamodb.exceptions import PutError, UpdateError

from autolab import audit, clock, storage
from autolab.dynamodb import condition_failed
from autolab.exceptions import Conflict, NotFound, ValidationError
from autolab.permissions import StaffIdentity
from emails.attachment_selectors import attachment_get
from emails.models import EmailAttachment
from emails.records import now_ms

MAX_BYTES = 10 * 1024 * 1024
MAX_PER_EMAIL = 20
# The original's attachment types (original-backend-behaviour.md §1.18), by extension. The stored
# content type comes from this table, never from the sender, so a file is served as what it is named.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}
INBOUND, OUTBOUND = "inbound", "outbound"
_ID_NAMESPACE = uuid.UUID("4f7d7c55-1f0b-4d2e-9a57-8f3b1c2d9e10")


@dataclass(frozen=True)
class AttachmentFile:
    filename: str  # sanitised
    content: bytes


def content_type_for(filename: str) -> str | None:
    """The content type of an allowed file name, or None when its type is not accepted."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    return ALLOWED_TYPES.get(extension)


def rejection_reason(filename: str, size: int) -> str | None:
    if content_type_for(filename) is None:
        return f"Files of this type are not accepted ({', '.join(sorted(ALLOWED_TYPES))} only)"
    if size > MAX_BYTES:
        return "The file is larger than 10 MB"
    if size == 0:
        return "The file is empty"
    return None


def check_outbound(files: list[AttachmentFile]) -> None:
    """Staff-sent files follow the same rule; a broken one is a 400 naming the file."""
    if len(files) > MAX_PER_EMAIL:
        raise ValidationError(f"At most {MAX_PER_EMAIL} attachments per email")
    for file in files:
        reason = rejection_reason(file.filename, len(file.content))
        if reason:
            raise ValidationError(f"Attachment {file.filename!r}: {reason}")


def inbound_files(parsed: EmailMessage) -> list[AttachmentFile]:
    """The attached files of a received message, names sanitised (at most MAX_PER_EMAIL)."""
    files = []
    for index, part in enumerate(parsed.iter_attachments()):
        if index >= MAX_PER_EMAIL:
            break
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        files.append(
            AttachmentFile(storage.sanitize_filename(part.get_filename() or "", default="attachment"), content)
        )
    return files


def _attachment_id(message_id: str, index: int) -> str:
    # Derived from the message and position: SNS redelivering an email stores nothing twice.
    return str(uuid.uuid5(_ID_NAMESPACE, f"{message_id}\n{index}"))


def _bucket() -> str:
    return settings.AWS_STORAGE_BUCKET_NAME if settings.FILE_STORAGE == "s3" else ""


def attachments_store(
    *, message_id: str, files: list[AttachmentFile], direction: str, keys: list[str] | None = None
) -> list[str]:
    """Store the files of one email and their rows; returns the attachment ids.

    ``keys`` are storage keys already written (staff-sent files); otherwise accepted files are
    written here. Files are written before rows, so a listed attachment always has its file.
    """
    ids, created_ms = [], now_ms()
    for index, file in enumerate(files):
        attachment_id = _attachment_id(message_id, index)
        reason = rejection_reason(file.filename, len(file.content))
        key = keys[index] if keys else None
        if reason is None and key is None:
            key = f"email-attachments/{direction}/{attachment_id}/{file.filename}"
            storage.save(key, file.content, content_type_for(file.filename) or "application/octet-stream")
        row = EmailAttachment(
            attachment_id=attachment_id,
            message_id=message_id,
            created_at=created_ms,
            filename=file.filename,
            content_type=content_type_for(file.filename) or "application/octet-stream",
            size_bytes=len(file.content),
            content_hash=hashlib.sha256(file.content).hexdigest(),
            s3_bucket=_bucket(),
            s3_key=None if reason else key,
            attachment_index=index,
            upload_date=clock.iso_local(),
            direction=direction,
            rejected_reason=reason,
        )
        try:
            row.save(condition=EmailAttachment.attachment_id.does_not_exist())
        except PutError as error:
            if not condition_failed(error):
                raise
        ids.append(attachment_id)
    return ids


def attachment_delete(*, actor: StaffIdentity, attachment_id: str) -> EmailAttachment:
    """Soft-delete: hidden from lists and downloads, file kept, who and when recorded."""
    row = EmailAttachment(attachment_id=attachment_id)
    try:
        row.update(
            actions=[
                EmailAttachment.is_deleted.set(True),
                EmailAttachment.deleted_at.set(clock.iso_local()),
                EmailAttachment.deleted_by.set(actor.email),
            ],
            condition=EmailAttachment.attachment_id.exists() & (EmailAttachment.is_deleted == False),  # noqa: E712
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        current = attachment_get(attachment_id)
        if current is None:
            raise NotFound("Attachment not found") from error
        raise Conflict(f"Attachment already deleted by {current.deleted_by} at {current.deleted_at}") from error
    audit.record(actor, "attachment.delete", "attachment", attachment_id, changes={"isDeleted": [False, True]})
    return row
