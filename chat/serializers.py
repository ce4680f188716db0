"""The OpenAPI shapes of the bodies chat's views answer through ``ok`` (documentation only;
tests/chat/test_api_schema.py holds them to the real bodies), and the contact form's input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from autolab.api import SuccessMessageOut, SuccessOut
from autolab.exceptions import ValidationError
from autolab.wire import WireField, WireSerializer
from chat import inquiries


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(allow_null=True, **kwargs)


class CustomerOut(serializers.Serializer):
    """``customer_out``: a customer's profile (§4.2), when they were last seen and created."""

    userId = serializers.CharField()
    userEmail = _text()
    userName = _text()
    userDevice = _text()
    userLocation = _text()
    contactNumber = _text()
    assignedTo = _text()
    lastSeen = serializers.IntegerField(allow_null=True)
    createdAt = serializers.IntegerField(allow_null=True)
    online = serializers.BooleanField(required=False, help_text="In the inbox: has a live socket")


class CustomerRegisterOut(SuccessOut):
    userId = serializers.CharField()
    user = CustomerOut()


class CustomerCheckOut(SuccessMessageOut):
    valid = serializers.BooleanField()
    userId = serializers.CharField()


class StaffRowOut(serializers.Serializer):
    userId = serializers.CharField()
    userEmail = serializers.CharField()
    userName = serializers.CharField()
    contactNumber = _text()
    roles = serializers.ListField(child=serializers.CharField())
    isActive = serializers.BooleanField()


class UsersListOut(SuccessOut):
    customerUsers = CustomerOut(many=True)
    staffUsers = StaffRowOut(many=True, help_text="On the first page only")
    nextCursor = _text()


class UsersUpdateOut(SuccessMessageOut):
    userId = serializers.CharField()
    updatedFields = serializers.ListField(child=serializers.CharField())
    updatedUser = CustomerOut()


class ConnectionOut(serializers.Serializer):
    connectionId = serializers.CharField()
    userId = _text()
    staff = serializers.BooleanField()
    createdAt = serializers.IntegerField(allow_null=True)


class OnlineUsersOut(SuccessOut):
    connections = ConnectionOut(many=True)
    count = serializers.IntegerField()


class MessageOut(serializers.Serializer):
    """``live.message_dict``: a stored message as the REST API and the pushes show it."""

    messageId = serializers.CharField()
    message = serializers.CharField()
    senderId = serializers.CharField()
    receiverId = serializers.CharField()
    clientId = _text()
    sent = serializers.BooleanField()
    received = serializers.BooleanField()
    viewed = serializers.BooleanField()
    createdAt = serializers.IntegerField()
    timestamp = serializers.IntegerField()
    editedAt = serializers.IntegerField(allow_null=True)


class MessageListOut(SuccessOut):
    messages = MessageOut(many=True)
    nextCursor = _text()


class MessageSentOut(SuccessOut, MessageOut):
    senderName = serializers.CharField()


class InboxRowOut(serializers.Serializer):
    """``inbox_row``: one conversation of the staff inbox, with its last message."""

    messageId = _text()
    message = _text()
    senderId = _text()
    receiverId = serializers.CharField()
    createdAt = serializers.IntegerField(allow_null=True)
    clientId = serializers.CharField()
    unreadCount = serializers.IntegerField()
    user = CustomerOut()
    assignedTo = _text()
    online = serializers.BooleanField()


class InboxOut(SuccessOut):
    messages = InboxRowOut(many=True)
    nextCursor = _text()


class StatusChangeOut(serializers.Serializer):
    status = serializers.CharField()
    by = serializers.CharField()
    byName = _text()
    at = serializers.IntegerField()


class InquiryOut(serializers.Serializer):
    """``inquiry_out``: a contact-form inquiry and its status history."""

    inquiryId = serializers.CharField()
    firstName = serializers.CharField()
    lastName = serializers.CharField()
    email = serializers.CharField()
    message = serializers.CharField()
    userId = serializers.CharField()
    status = serializers.CharField()
    createdAt = serializers.IntegerField()
    createdDate = serializers.CharField()
    statusUpdatedBy = _text()
    statusUpdatedAt = serializers.IntegerField(allow_null=True)
    statusHistory = StatusChangeOut(many=True)


class InquiryListOut(SuccessOut):
    inquiries = InquiryOut(many=True)
    count = serializers.IntegerField()
    nextCursor = _text()


class InquiryCreateOut(SuccessMessageOut):
    inquiryId = serializers.CharField()


class InquiryDetailOut(SuccessOut):
    inquiry = InquiryOut()


class InquiryStatusOut(SuccessMessageOut):
    inquiry = InquiryOut()


class MessageEnvelopeOut(SuccessMessageOut):
    """``{"success": true, "message"}``: what an action that only confirms answers."""


# --- The contact form (POST /inquiries): the original's messages, the first broken rule answers ---


INQUIRY_REQUIRED = "inquiryData and userId are required"


class InquiryText(WireField, serializers.CharField):
    """A contact-form field: trimmed, required, at most ``limit`` characters (a non-string counts
    as empty)."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(max_length=limit, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        value = data.strip() if isinstance(data, str) else ""
        if not value:
            self.fail_with("{path} is required")
        if len(value) > self.limit:
            self.fail_with("{path} must be at most {limit} characters", limit=self.limit)
        return value


class InquiryDataInput(WireSerializer):
    """``inquiryData``: every field's presence and length first, then the email and the message's length."""

    path_root = True
    not_an_object = INQUIRY_REQUIRED
    firstName = InquiryText(limit=50)
    lastName = InquiryText(limit=50)
    email = InquiryText(limit=100)
    message = InquiryText(limit=1000, min_length=10)

    def validate(self, attrs: dict[str, Any]) -> inquiries.InquiryRequest:
        if "@" not in attrs["email"] or "." not in attrs["email"]:
            raise ValidationError("email must be a valid email address")
        if len(attrs["message"]) < 10:
            raise ValidationError("message must be at least 10 characters")
        return inquiries.InquiryRequest(attrs["firstName"], attrs["lastName"], attrs["email"], attrs["message"])


class InquiryUserId(WireField, serializers.CharField):
    """``userId``: DRF's string rules (its own answer), then present."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=64, required=False, allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data: Any = empty) -> str:
        try:
            value = super().run_validation(data)
        except SkipField:
            value = None
        if not value:
            raise ValidationError(INQUIRY_REQUIRED)
        return value


class InquiryCreateInput(WireSerializer):
    """``POST /inquiries``: ``{userId, inquiryData}``; a body that is not an object is DRF's 400."""

    userId = InquiryUserId()
    inquiryData = InquiryDataInput()

    def run_validation(self, data: Any = empty) -> Any:
        return serializers.Serializer.run_validation(self, data)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            return serializers.Serializer.to_internal_value(self, data)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"user_id": attrs["userId"], "inquiry": attrs["inquiryData"]}
