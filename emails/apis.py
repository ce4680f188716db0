"""Email API: the staff mailbox, staff messages, the suppression list and the SES webhook."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import clock, parsers
from autolab.api import ok, validated_body, validated_query
from autolab.dates import date_range
from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, staff_required, staff_with
from emails import mailbox, selectors, sms, sns, suppression
from emails import serializers as s
from emails.models import EmailSuppression

VIEW = staff_with(Permission.EMAIL_VIEW)
SEND = staff_with(Permission.EMAIL_SEND)
MANAGE = staff_with(Permission.EMAIL_SUPPRESSION_MANAGE)
ANALYTICS_MAX_DAYS = 92


def _day_bounds_ms(value: str | None, *, end: bool) -> int | None:
    if not value:
        return None
    try:
        day = clock.parse_date(value)
    except ValueError as error:
        raise ValidationError(f"Invalid date {value!r}: expected YYYY-MM-DD") from error
    if end:
        day += dt.timedelta(days=1)
    return clock.epoch_of_local_day(day) * 1000 - (1 if end else 0)


class EmailListApi(APIView):
    """GET: the mailbox (or ``?view=threads``). POST: staff send an email (CUSTOMER_SUPPORT, ADMIN)."""

    def get_permissions(self) -> list[Any]:
        return [SEND() if self.request.method == "POST" else VIEW()]

    class EmailFilterSerializer(serializers.Serializer):
        limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)
        cursor = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
        view = serializers.ChoiceField(choices=["list", "threads"], required=False, default="list")
        customer_email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
        to_email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
        from_email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
        start_date = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
        end_date = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
        is_read = serializers.BooleanField(required=False, allow_null=True, default=None)
        has_attachments = serializers.BooleanField(required=False, allow_null=True, default=None)
        email_type = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")

    class EmailAttachmentSerializer(serializers.Serializer):
        filename = serializers.CharField(max_length=200)
        content = serializers.CharField(required=False, allow_blank=True)
        # DRF's metaclass takes declared fields off the class, so this does not replace Serializer.data.
        data = serializers.CharField(required=False, allow_blank=True)  # type: ignore[assignment]
        base64 = serializers.CharField(required=False, allow_blank=True)

    class EmailSendInputSerializer(serializers.Serializer):
        to = serializers.JSONField()
        subject = serializers.CharField(max_length=200)
        text = serializers.CharField(required=False, allow_blank=True, max_length=50_000, default="")
        html = serializers.CharField(required=False, allow_blank=True, max_length=100_000, default="")
        cc = serializers.ListField(
            child=serializers.CharField(max_length=254), required=False, max_length=20, default=list
        )
        bcc = serializers.ListField(
            child=serializers.CharField(max_length=254), required=False, max_length=20, default=list
        )
        reply_to = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
        attachments = serializers.ListField(required=False, max_length=10, default=list)
        thread_id = serializers.CharField(
            required=False, allow_blank=True, allow_null=True
        )  # ignored, as in the original
        in_reply_to_message_id = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

        def validate_to(self, value: Any) -> list[str]:
            addresses = [value] if isinstance(value, str) else value
            if not isinstance(addresses, list) or not addresses or not all(isinstance(a, str) for a in addresses):
                raise serializers.ValidationError("to must be an email address or a list of them")
            if len(addresses) > 20:
                raise serializers.ValidationError("at most 20 recipients")
            return addresses

        def validate_attachments(self, value: list[Any]) -> list[dict[str, Any]]:
            if not all(isinstance(item, dict) for item in value):
                raise serializers.ValidationError("each attachment must be {filename, content}")
            return value

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            # Once every field is valid, as the original: each attachment's fields (their DRF error),
            # then its content (an ApplicationError, answered without the ``errors`` detail).
            for entry in attrs["attachments"]:
                EmailListApi.EmailAttachmentSerializer(data=entry).is_valid(raise_exception=True)
            return {**attrs, "files": s.decoded_attachments(attrs["attachments"])}

    @extend_schema(operation_id="emails_list", parameters=[EmailFilterSerializer], responses={200: s.EmailListOut})
    def get(self, request: Request) -> Response:
        query = validated_query(self.EmailFilterSerializer, request)
        if query["view"] == "threads":
            thread_page = selectors.thread_list(
                limit=query["limit"], cursor=query["cursor"], customer_email=query["customer_email"]
            )
            threads = [s.thread_out(summary) for summary in thread_page.items]
            return ok(
                {
                    "threads": threads,
                    "total": len(threads),
                    "limit": query["limit"],
                    "nextCursor": thread_page.next_cursor,
                }
            )
        filters = selectors.MailboxFilters(
            to_email=query["to_email"] or None,
            from_email=query["from_email"] or None,
            is_read=query["is_read"],
            has_attachments=query["has_attachments"],
            email_type=query["email_type"] or None,
            start_ms=_day_bounds_ms(query["start_date"], end=False),
            end_ms=_day_bounds_ms(query["end_date"], end=True),
        )
        page = selectors.mailbox_list(limit=query["limit"], cursor=query["cursor"], filters=filters)
        emails = [s.email_out(record) for record in page.items]
        return ok({"emails": emails, "total": len(emails), "limit": query["limit"], "nextCursor": page.next_cursor})

    @extend_schema(request=EmailSendInputSerializer, responses={200: s.EmailSendOut})
    def post(self, request: Request) -> Response:
        body = validated_body(self.EmailSendInputSerializer, request)
        message = mailbox.StaffMessage(
            to=body["to"],
            subject=body["subject"],
            text=body["text"],
            html=body["html"],
            cc=tuple(body["cc"]),
            bcc=tuple(body["bcc"]),
            reply_to=body["reply_to"],
            in_reply_to_message_id=body["in_reply_to_message_id"],
        )
        record = mailbox.email_send_staff_message(
            actor=staff_required(request), message=message, attachments=body["files"]
        )
        return ok(
            {
                "message": "Email sent successfully",
                "messageId": record.message_id,
                "threadId": record.thread_id,
                "recipients": sorted(record.to_emails or []),
                "status": record.status,
            }
        )


class EmailDetailApi(APIView):
    """GET: a thread (by thread id, or the thread of a message id; the message is marked read).
    PATCH: flags and tags of one email."""

    def get_permissions(self) -> list[Any]:
        return [SEND() if self.request.method == "PATCH" else VIEW()]

    class EmailThreadPageSerializer(serializers.Serializer):
        limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=50)
        offset = serializers.IntegerField(required=False, min_value=0, default=0)

    class EmailPatchSerializer(serializers.Serializer):
        isImportant = serializers.BooleanField(required=False)
        isRead = serializers.BooleanField(required=False)
        tags = serializers.ListField(
            child=serializers.CharField(max_length=50, allow_blank=False), required=False, max_length=20
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            # After the fields, as the original; an ApplicationError, so without the ``errors`` detail.
            if any(not tag.strip() for tag in attrs.get("tags") or []):
                raise ValidationError("tags must be non-empty strings")
            return attrs

    @extend_schema(
        parameters=[EmailThreadPageSerializer, OpenApiParameter("email_id", str, OpenApiParameter.PATH)],
        responses={200: s.EmailThreadOut},
    )
    def get(self, request: Request, email_id: str) -> Response:
        query = validated_query(self.EmailThreadPageSerializer, request)
        message = selectors.email_get(email_id)
        thread_id = (message.thread_id or message.message_id) if message else email_id
        emails = selectors.thread_messages(thread_id)
        if message is None and not emails:
            raise NotFound("Email or thread not found")
        if message is not None and not message.is_read:
            mailbox.email_mark_read(message_id=message.message_id)
            message.is_read = True
        customers = sorted(selectors.participants_of(emails))
        window = emails[query["offset"] : query["offset"] + query["limit"]]
        body = {
            "emails": [s.email_out(record) for record in window],
            "total": len(emails),
            "offset": query["offset"],
            "limit": query["limit"],
            "threadId": thread_id,
            "threadSubject": next((record.subject for record in emails if record.subject), ""),
            "composeToEmail": customers[0] if customers else None,
            "customerParticipants": customers,
        }
        if message is not None:
            body["email"] = s.email_out(message)
        return ok(body)

    @extend_schema(
        request=EmailPatchSerializer,
        parameters=[OpenApiParameter("email_id", str, OpenApiParameter.PATH)],
        responses={200: s.EmailUpdateOut},
    )
    def patch(self, request: Request, email_id: str) -> Response:
        fields = validated_body(self.EmailPatchSerializer, request)
        updated = mailbox.email_update_flags(
            message_id=email_id,
            is_read=fields.get("isRead"),
            is_important=fields.get("isImportant"),
            tags=fields.get("tags"),
        )
        return ok({"message": "Email updated successfully", "emailId": email_id, "updatedFields": updated})


# --- Suppression -------------------------------------------------------------------------------


def suppression_out(entry: EmailSuppression) -> dict[str, Any]:
    return {
        "email": entry.email,
        "suppression_type": entry.suppression_type,
        "created_at": entry.created_at,
        "reason": entry.reason,
        "expires_at": clock.iso_local(entry.ttl) if entry.ttl else None,
        "created_by": entry.created_by,
    }


class _EmailQuery(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class SuppressionCheckApi(APIView):
    permission_classes = [VIEW]

    @extend_schema(parameters=[_EmailQuery], responses={200: s.SuppressionCheckOut})
    def get(self, request: Request) -> Response:
        email = validated_query(_EmailQuery, request)["email"]
        entries = selectors.suppression_list_for(email)
        local = [{"type": e.suppression_type, "created_at": e.created_at, "reason": e.reason} for e in entries]
        return ok(
            {
                "email": selectors.normalise_address(email),
                "is_suppressed": bool(entries),
                "local_suppressions": local,
                "ses_suppressed": False,  # only our own list is consulted; SES's account list mirrors it
                "ses_reason": None,
                "checked_at": clock.iso_local(),
            }
        )


class SuppressionListApi(APIView):
    permission_classes = [VIEW]

    class SuppressionFilterSerializer(serializers.Serializer):
        limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)
        type = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
        lastKey = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
        cursor = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    @extend_schema(parameters=[SuppressionFilterSerializer], responses={200: s.SuppressionListOut})
    def get(self, request: Request) -> Response:
        query = validated_query(self.SuppressionFilterSerializer, request)
        page = selectors.suppression_list(
            limit=query["limit"], cursor=query["cursor"] or query["lastKey"], suppression_type=query["type"] or None
        )
        items = [suppression_out(entry) for entry in page.items]
        return ok(
            {"items": items, "count": len(items), "lastEvaluatedKey": page.next_cursor, "nextCursor": page.next_cursor}
        )


class SuppressionAddApi(APIView):
    permission_classes = [MANAGE]

    class SuppressionAddInputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        reason = serializers.CharField(required=False, max_length=50, default="manual")
        notes = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    @extend_schema(request=SuppressionAddInputSerializer, responses={200: s.SuppressionAddOut})
    def post(self, request: Request) -> Response:
        body = validated_body(self.SuppressionAddInputSerializer, request)
        entry = suppression.suppression_add(
            email=body["email"], suppression_type=body["reason"], notes=body["notes"], actor=staff_required(request)
        )
        return ok({"message": "Email added to suppression list", **suppression_out(entry)})


class SuppressionRemoveApi(APIView):
    permission_classes = [MANAGE]

    class SuppressionRemoveQuerySerializer(_EmailQuery):
        type = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")

    @extend_schema(parameters=[SuppressionRemoveQuerySerializer], responses={200: s.SuppressionRemoveOut})
    def delete(self, request: Request) -> Response:
        query = validated_query(self.SuppressionRemoveQuerySerializer, request)
        removed = suppression.suppression_remove(
            email=query["email"], suppression_type=query["type"] or None, actor=staff_required(request)
        )
        email = selectors.normalise_address(query["email"])
        return ok({"message": "Email removed from suppression list", "email": email, "removed_types": removed})


class SuppressionAnalyticsApi(APIView):
    permission_classes = [VIEW]

    class SuppressionAnalyticsQuerySerializer(serializers.Serializer):
        start_date = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")
        end_date = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")

    @extend_schema(parameters=[SuppressionAnalyticsQuerySerializer], responses={200: s.SuppressionAnalyticsOut})
    def get(self, request: Request) -> Response:
        query = validated_query(self.SuppressionAnalyticsQuerySerializer, request)
        start, end = analytics_range(query["start_date"], query["end_date"])
        daily = selectors.analytics_daily(start, end)
        totals = {series: sum(day[series] for day in daily) for series in selectors.ANALYTICS_SERIES}
        return ok({"start_date": start.isoformat(), "end_date": end.isoformat(), "totals": totals, "daily": daily})


def analytics_range(start_text: str, end_text: str) -> tuple[dt.date, dt.date]:
    """[start, end] in business days; default the last 30 days; at most 92 days; 400 otherwise."""
    try:
        end = clock.parse_date(end_text) if end_text else clock.business_today()
        start = clock.parse_date(start_text) if start_text else end - dt.timedelta(days=29)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    span = date_range(
        start,
        end,
        max_days=ANALYTICS_MAX_DAYS,
        order_message="start_date must not be after end_date",
        span_message=f"At most {ANALYTICS_MAX_DAYS} days at a time",
    )
    return span.start, span.end


class SuppressionCleanupApi(APIView):
    permission_classes = [MANAGE]

    @extend_schema(request=None, responses={200: s.SuppressionCleanupOut})
    def post(self, request: Request) -> Response:
        return ok({"message": "Expired suppressions cleaned up", "expired": suppression.suppression_cleanup()})


# --- SES through SNS ---------------------------------------------------------------------------


class SesWebhookApi(APIView):
    """SES bounce/complaint/delivery notifications via SNS, and customers' replies to our texts
    (two-way SMS, published to the same kind of topic); the SNS signature is the authentication."""

    authentication_classes: list = []
    permission_classes: list = []
    parser_classes: list = []  # SNS posts JSON as text/plain: the raw body is read and verified

    @extend_schema(request={"text/plain": OpenApiTypes.STR}, responses={200: s.SesWebhookOut})
    def post(self, request: Request) -> Response:
        message = _sns_body(request.body)
        try:
            sns.check_source(message)  # before the signature: no certificate fetched for strangers
        except sns.SnsSourceError as error:
            raise PermissionDenied(str(error)) from error
        try:
            sns.verify(message)
        except sns.SnsSignatureError as error:
            raise PermissionDenied(f"Invalid SNS signature: {error}") from error
        kind = message.get("Type")
        if kind == "SubscriptionConfirmation":
            try:
                sns.confirm_subscription(message)
            except sns.SnsSignatureError as error:
                raise PermissionDenied(str(error)) from error
            return ok({"message": "Subscription confirmed"})
        if kind != "Notification":
            return ok({"message": f"Ignored {kind}"})
        try:
            notification = parsers.loads(message.get("Message") or "")
        except (TypeError, ValueError) as error:
            raise ValidationError("Message is not JSON") from error
        if not isinstance(notification, dict):
            raise ValidationError("Message is not a JSON object")
        if "originationNumber" in notification:  # a customer's reply to a text (SNS two-way SMS)
            reply = sms.sms_inbound(str(notification["originationNumber"]), str(notification.get("messageBody") or ""))
            return ok({"message": "Inbound text processed", "textReply": reply or "ignored"})
        counts = suppression.ses_notification_process(notification, sns_message_id=str(message.get("MessageId")))
        return ok({"message": "Notification processed", **counts})


def _sns_body(raw: bytes) -> dict[str, Any]:
    if len(raw) > 256 * 1024:
        raise ValidationError("Body too large")
    try:
        message = parsers.loads(raw.decode("utf-8"))
    except ValueError as error:  # not UTF-8, not JSON, or nested too deep
        raise ValidationError(f"Body is not JSON: {error}") from error
    if not isinstance(message, dict) or not isinstance(message.get("Type"), str):
        raise ValidationError("Not an SNS message")
    return message
