"""``/api/attachments`` (original-backend-behaviour.md §1.36): files of emails, for staff who read mail."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import storage
from autolab.api import ok, validated_query
from autolab.exceptions import Conflict, NotFound
from autolab.permissions import Permission, staff_required, staff_with
from emails import attachments
from emails import serializers as s
from emails.attachment_selectors import attachment_get, attachments_of_message
from emails.models import EmailAttachment
from emails.selectors import email_get

VIEW = staff_with(Permission.EMAIL_VIEW)
URL_MAX_SECONDS = 3600


def attachment_out(row: EmailAttachment) -> dict[str, Any]:
    return {
        "attachmentId": row.attachment_id,
        "messageId": row.message_id,
        "filename": row.filename,
        "contentType": row.content_type,
        "sizeBytes": row.size_bytes,
        "contentHash": row.content_hash,
        "s3Bucket": row.s3_bucket,
        "s3Key": row.s3_key,
        "attachmentIndex": row.attachment_index,
        "uploadDate": row.upload_date,
        "createdAt": row.created_at,
        "direction": row.direction,
        "isDeleted": bool(row.is_deleted),
        "deletedAt": row.deleted_at,
        "deletedBy": row.deleted_by,
        "rejectedReason": row.rejected_reason,
        "downloadable": bool(row.s3_key) and not row.is_deleted,
    }


def _stats(rows: list[EmailAttachment]) -> dict[str, Any]:
    total = sum(row.size_bytes for row in rows)
    megabytes = (Decimal(total) / Decimal(1024 * 1024)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "count": len(rows),
        "totalSizeBytes": total,
        "totalSizeMB": float(megabytes),
        "types": dict(Counter(row.content_type for row in rows)),
    }


def _stored(attachment_id: str) -> EmailAttachment:
    """An attachment whose file can be handed out (not deleted, not rejected)."""
    row = attachment_get(attachment_id)
    if row is None:
        raise NotFound("Attachment not found")
    if row.is_deleted:
        raise NotFound("Attachment was deleted")
    if not row.s3_key:
        raise Conflict(f"This attachment was not stored: {row.rejected_reason}")
    return row


class AttachmentListApi(APIView):
    """The attachments of one email, with totals."""

    permission_classes = [VIEW]

    class QuerySerializer(serializers.Serializer):
        messageId = serializers.CharField(max_length=200)
        includeDeleted = serializers.BooleanField(required=False, default=False)

    @extend_schema(operation_id="attachments_list", parameters=[QuerySerializer], responses={200: s.AttachmentListOut})
    def get(self, request: Request) -> Response:
        query = validated_query(self.QuerySerializer, request)
        if email_get(query["messageId"]) is None:
            raise NotFound("Email not found")
        rows = attachments_of_message(query["messageId"], include_deleted=query["includeDeleted"])
        return ok({"attachments": [attachment_out(row) for row in rows], "stats": _stats(rows)})


class AttachmentDetailApi(APIView):
    """One attachment: its record, the file itself (``?download``) or a signed link (``?url``)."""

    permission_classes = [VIEW]

    class QuerySerializer(serializers.Serializer):
        expires = serializers.IntegerField(required=False, min_value=60, max_value=URL_MAX_SECONDS)

    @extend_schema(
        operation_id="attachments_retrieve",
        parameters=[
            QuerySerializer,
            OpenApiParameter("download", OpenApiTypes.STR, description="present: answer the file itself"),
            OpenApiParameter("url", OpenApiTypes.STR, description="present: answer {downloadUrl, expiresIn}"),
        ],
        responses={(200, "application/json"): s.AttachmentDetailOut, (200, "application/octet-stream"): bytes},
    )
    def get(self, request: Request, attachment_id: str) -> Response | HttpResponse:
        query = validated_query(self.QuerySerializer, request)
        if "download" in request.query_params:
            return self._file(_stored(attachment_id))
        if "url" in request.query_params:
            row = _stored(attachment_id)
            expires = query.get("expires") or URL_MAX_SECONDS
            url = storage.download_url(row.s3_key or "", filename=row.filename, max_age=expires)
            return ok(
                {"downloadUrl": request.build_absolute_uri(url) if url.startswith("/") else url, "expiresIn": expires}
            )
        found = attachment_get(attachment_id)
        if found is None:
            raise NotFound("Attachment not found")
        return ok({"attachment": attachment_out(found)})

    @staticmethod
    def _file(row: EmailAttachment) -> HttpResponse:
        try:
            data = storage.read(row.s3_key or "")
        except storage.StorageError as error:
            raise NotFound("The attachment's file is missing") from error
        response = HttpResponse(data, content_type=row.content_type)
        response["Content-Disposition"] = f'attachment; filename="{row.filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(operation_id="attachments_destroy", responses={200: s.AttachmentDeleteOut})
    def delete(self, request: Request, attachment_id: str) -> Response:
        row = attachments.attachment_delete(actor=staff_required(request), attachment_id=attachment_id)
        return ok(
            {
                "message": "Attachment deleted",
                "attachmentId": row.attachment_id,
                "deletedAt": row.deleted_at,
                "deletedBy": row.deleted_by,
            }
        )
