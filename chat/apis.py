"""Chat and customers REST API: thin DRF views over chat's services and selectors (§1.2-1.7, 1.16-1.17, 1.21-1.24)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab.api import PageQuerySerializer, ok, validated_body, validated_query
from autolab.dates import day_field, validate_range
from autolab.exceptions import NotFound
from autolab.permissions import Permission, staff_of, staff_required, staff_with
from autolab.throttling import PublicWriteThrottle
from chat import inquiries, live, messaging, selectors, services
from chat import serializers as s
from chat.models import Customer, Inquiry
from chat.validation import clean_profile
from staffapp.selectors import staff_list

PROFILE_FIELDS = ("userEmail", "userName", "userDevice", "userLocation", "contactNumber")


def _text(max_length: int, required: bool = False) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, required=required, allow_blank=not required, allow_null=not required
    )


class ProfileSerializer(serializers.Serializer):
    userEmail = _text(254)
    userName = _text(200)
    userDevice = _text(400)
    userLocation = _text(400)
    contactNumber = _text(40)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Once the fields are strings, the first invalid one answers (an ApplicationError, so
        # without the ``errors`` detail), as when the service checked them.
        return {"profile": clean_profile(attrs, strict=True)}


def _doc(operation_id: str, *, response: Any, request: Any = None, query: Any = None, status: int = 200) -> Any:
    """OpenAPI: the operation id, the input serializer (body or query) and the body answered."""
    return extend_schema(
        operation_id=operation_id,
        request=request,
        parameters=[query] if query else None,
        responses={status: response},
    )


def customer_out(customer: Customer, online: set[str] | None = None) -> dict[str, Any]:
    data = {**live.customer_profile(customer), "lastSeen": customer.last_seen, "createdAt": customer.created_at}
    if online is not None:
        data["online"] = customer.user_id in online
    return data


class CustomerRegisterApi(APIView):
    """Issue a new anonymous customer id (UUID4), with optional profile fields."""

    throttle_classes = [PublicWriteThrottle]

    @_doc("users_register", request=ProfileSerializer, status=201, response=s.CustomerRegisterOut)
    def post(self, request: Request) -> Response:
        profile = validated_body(ProfileSerializer, request)["profile"]
        customer = services.customer_register(**profile.given())
        return ok({"userId": customer.user_id, "user": customer_out(customer)}, status=201)


class CustomerCheckApi(APIView):
    """Is this customer id known? 404 when not (ids are never created here)."""

    class CustomerCheckQuerySerializer(serializers.Serializer):
        userId = serializers.CharField(max_length=64)

    @_doc("users_check", query=CustomerCheckQuerySerializer, response=s.CustomerCheckOut)
    def get(self, request: Request) -> Response:
        user_id = validated_query(self.CustomerCheckQuerySerializer, request)["userId"]
        if selectors.customer_get(user_id) is None:
            raise NotFound("User ID not found", {"valid": False, "userId": user_id})
        return ok({"valid": True, "message": "User ID is valid", "userId": user_id})


class UsersApi(APIView):
    """GET: customers (cursor paging, search) and, on the first page, staff. POST: edit a customer's profile."""

    class UsersQuerySerializer(PageQuerySerializer):
        search = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    class UsersUpdateSerializer(ProfileSerializer):
        userId = serializers.CharField(max_length=64)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            return {"userId": attrs["userId"], **super().validate(attrs)}

    def get_permissions(self) -> list[Any]:
        needed = Permission.USERS_VIEW if self.request.method == "GET" else Permission.CUSTOMER_EDIT
        return [staff_with(needed)()]

    @_doc("users_list", query=UsersQuerySerializer, response=s.UsersListOut)
    def get(self, request: Request) -> Response:
        query = validated_query(self.UsersQuerySerializer, request)
        page = selectors.customer_list(limit=query["limit"], cursor=query["cursor"], search=query["search"])
        staff = _staff_rows(query["search"]) if not query["cursor"] else []
        customers = [customer_out(customer) for customer in page.items]
        return ok({"customerUsers": customers, "staffUsers": staff, "nextCursor": page.next_cursor})

    @_doc("users_update_profile", request=UsersUpdateSerializer, response=s.UsersUpdateOut)
    def post(self, request: Request) -> Response:
        data = validated_body(self.UsersUpdateSerializer, request)
        customer = services.customer_update_profile(user_id=data["userId"], profile=data["profile"])
        return ok(
            {
                "message": "User information updated successfully",
                "userId": customer.user_id,
                "updatedFields": data["profile"].given_names(),
                "updatedUser": customer_out(customer),
            }
        )


def _staff_rows(search: str) -> list[dict[str, Any]]:
    members, _ = staff_list(page=1, per_page=100)
    needle = search.strip().lower()
    rows = [
        {
            "userId": member.user_id,
            "userEmail": member.user_email,
            "userName": member.user_name,
            "contactNumber": member.contact_number,
            "roles": list(member.roles),
            "isActive": member.is_active,
        }
        for member in members
    ]
    return [row for row in rows if needle in f"{row['userName']} {row['userEmail']}".lower()]


class OnlineUsersApi(APIView):
    """Live, unexpired WebSocket connections of customers and staff (read from an index)."""

    permission_classes = [staff_with(Permission.CHAT_INBOX)]

    @_doc("users_online", response=s.OnlineUsersOut)
    def get(self, request: Request) -> Response:
        connections = [
            {"connectionId": c.connection_id, "userId": c.user_id, "staff": bool(c.staff), "createdAt": c.created_at}
            for c in selectors.connections_online()
        ]
        return ok({"connections": connections, "count": len(connections)})


class ClientIdSerializer(serializers.Serializer):
    clientId = serializers.CharField(max_length=64)


class CustomerTakeApi(APIView):
    """Claim a customer's chat (atomic: of two staff racing, one gets 409)."""

    permission_classes = [staff_with(Permission.CUSTOMER_TAKE)]

    @_doc("users_take", request=ClientIdSerializer, response=s.MessageEnvelopeOut)
    def post(self, request: Request) -> Response:
        client_id = validated_body(ClientIdSerializer, request)["clientId"]
        staff = staff_required(request)
        services.customer_take(client_id=client_id, staff=staff)
        return ok({"message": f"User {client_id} has been successfully assigned to staff user {staff.user_id}."})


class CustomerReleaseApi(APIView):
    """Hand a taken customer back to the shared queue."""

    permission_classes = [staff_with(Permission.CUSTOMER_TAKE)]

    @_doc("users_release", request=ClientIdSerializer, response=s.MessageEnvelopeOut)
    def post(self, request: Request) -> Response:
        client_id = validated_body(ClientIdSerializer, request)["clientId"]
        services.customer_release(client_id=client_id, staff=staff_required(request))
        return ok({"message": f"User {client_id} has been released to the shared queue."})


class MessagesApi(APIView):
    """GET: one conversation, newest first (the customer themselves or chat staff). POST: send a message."""

    class MessagesQuerySerializer(PageQuerySerializer):
        # The website loads a conversation in one call: a bigger first page than other lists.
        limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=100)
        clientId = serializers.CharField(max_length=64)
        userId = serializers.CharField(max_length=64, required=False)

    class MessagesSendSerializer(serializers.Serializer):
        clientId = serializers.CharField(max_length=64)
        message = serializers.CharField(max_length=10_000, trim_whitespace=False)
        messageId = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)
        userId = serializers.CharField(max_length=64, required=False)

    def get_throttles(self) -> list[Any]:
        # Customers' sends share the public write limit; staff replies are not throttled.
        if self.request.method == "POST" and staff_of(self.request) is None:
            return [PublicWriteThrottle()]
        return []

    @_doc("messages_list", query=MessagesQuerySerializer, response=s.MessageListOut)
    def get(self, request: Request) -> Response:
        query = validated_query(self.MessagesQuerySerializer, request)
        _check_conversation_access(request, query["clientId"], query.get("userId"))
        page = selectors.message_list_for_client(query["clientId"], limit=query["limit"], cursor=query["cursor"])
        return ok({"messages": [live.message_dict(m) for m in page.items], "nextCursor": page.next_cursor})

    @_doc("messages_send", request=MessagesSendSerializer, response=s.MessageSentOut)
    def post(self, request: Request) -> Response:
        data = validated_body(self.MessagesSendSerializer, request)
        staff = staff_of(request)
        if staff is None and data.get("userId") not in (None, data["clientId"]):
            raise NotFound(f"User not found: {data['clientId']}")  # a customer writing as someone else
        sent = messaging.message_send(
            client_id=data["clientId"], text=data["message"], staff=staff, message_id=data.get("messageId")
        )
        return ok(live.message_with_sender(sent.message, sent.sender_name))


def _check_conversation_access(request: Request, client_id: str, caller_id: str | None) -> None:
    staff = staff_of(request)
    if staff is not None:
        messaging.actor_for(staff=staff, user_id=None)  # 403 for staff without chat
    elif caller_id not in (None, client_id):
        raise NotFound(f"User not found: {client_id}")  # another customer's conversation
    if selectors.customer_get(client_id) is None:
        raise NotFound(f"User not found: {client_id}")


class MessageNotifyApi(APIView):
    """Typing, receipts, edits and deletes (§4.5), pushed live."""

    class MessageNotifyInputSerializer(serializers.Serializer):
        status = serializers.CharField(max_length=40)
        userId = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
        clientId = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
        messageId = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)
        newMessage = serializers.CharField(
            max_length=10_000, required=False, allow_blank=True, allow_null=True, trim_whitespace=False
        )

    @_doc("messages_notify", request=MessageNotifyInputSerializer, response=s.MessageEnvelopeOut)
    def post(self, request: Request) -> Response:
        data = validated_body(self.MessageNotifyInputSerializer, request)
        actor = messaging.actor_for(staff=staff_of(request), user_id=data.get("userId"))
        signal = messaging.message_notify(
            status=data["status"],
            actor=actor,
            client_id=data.get("clientId"),
            message_id=data.get("messageId"),
            new_message=data.get("newMessage"),
        )
        return ok({"message": f"Notification queued successfully for {signal}."})


class LastMessagesApi(APIView):
    """The staff inbox: one row per customer with the last message and the unread count."""

    permission_classes = [staff_with(Permission.CHAT_INBOX)]

    class LastMessagesQuerySerializer(PageQuerySerializer):
        filter = serializers.ChoiceField(choices=["all", "mine", "unassigned"], required=False, default="all")

    @_doc("messages_last", query=LastMessagesQuerySerializer, response=s.InboxOut)
    def get(self, request: Request) -> Response:
        query = validated_query(self.LastMessagesQuerySerializer, request)
        staff = staff_required(request)
        page = selectors.inbox_list(
            limit=query["limit"], cursor=query["cursor"], only=query["filter"], staff_user_id=staff.user_id
        )
        online = selectors.online_customer_ids()
        return ok({"messages": [inbox_row(c, online) for c in page.items], "nextCursor": page.next_cursor})


def inbox_row(customer: Customer, online: set[str]) -> dict[str, Any]:
    from_customer = customer.last_sender_id == customer.user_id
    return {
        "messageId": customer.last_message_id,
        "message": customer.last_message,
        "senderId": customer.last_sender_id,
        "receiverId": messaging.ALL if from_customer else customer.user_id,
        "createdAt": customer.last_message_at,
        "clientId": customer.user_id,
        "unreadCount": customer.unread_count or 0,
        "user": customer_out(customer, online),
        "assignedTo": customer.assigned_to,
        "online": customer.user_id in online,
    }


def inquiry_out(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "inquiryId": inquiry.inquiry_id,
        "firstName": inquiry.first_name,
        "lastName": inquiry.last_name,
        "email": inquiry.email,
        "message": inquiry.message,
        "userId": inquiry.user_id,
        "status": inquiry.status,
        "createdAt": inquiry.created_at,
        "createdDate": inquiry.created_date,
        "statusUpdatedBy": inquiry.status_updated_by,
        "statusUpdatedAt": inquiry.status_updated_at,
        "statusHistory": [
            {"status": c.status, "by": c.by, "byName": c.by_name, "at": c.at} for c in inquiry.status_history or []
        ],
    }


class InquiriesApi(APIView):
    """GET: staff list (status, date range, userId, cursor paging). POST: the public contact form."""

    class InquiriesQuerySerializer(PageQuerySerializer):
        status = serializers.ChoiceField(choices=inquiries.STATUSES, required=False)
        startDate = day_field(required=False)
        endDate = day_field(required=False)
        userId = serializers.CharField(max_length=64, required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            validate_range(attrs, ("startDate", "endDate"), order_message="startDate must not be after endDate")
            return attrs

    def get_permissions(self) -> list[Any]:
        return [staff_with(Permission.INQUIRY_VIEW)()] if self.request.method == "GET" else []

    def get_throttles(self) -> list[Any]:
        return [PublicWriteThrottle()] if self.request.method == "POST" else []

    @_doc("inquiries_list", query=InquiriesQuerySerializer, response=s.InquiryListOut)
    def get(self, request: Request) -> Response:
        query = validated_query(self.InquiriesQuerySerializer, request)
        page = selectors.inquiry_list(
            limit=query["limit"],
            cursor=query["cursor"],
            status=query.get("status"),
            start=query.get("startDate"),
            end=query.get("endDate"),
            user_id=query.get("userId"),
        )
        items = [inquiry_out(i) for i in page.items]
        return ok({"inquiries": items, "count": len(items), "nextCursor": page.next_cursor})

    @_doc("inquiries_create", request=s.InquiryCreateInput, response=s.InquiryCreateOut)
    def post(self, request: Request) -> Response:
        inquiry = inquiries.inquiry_create(**s.InquiryCreateInput.parse(request.data))
        return ok({"message": "Inquiry submitted successfully", "inquiryId": inquiry.inquiry_id})


class InquiryDetailApi(APIView):
    """GET one inquiry (staff); PATCH ``{"status"}`` moves it along the workflow (ADMIN, CUSTOMER_SUPPORT)."""

    class InquiryDetailStatusSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=inquiries.STATUSES)

    def get_permissions(self) -> list[Any]:
        needed = Permission.INQUIRY_VIEW if self.request.method == "GET" else Permission.INQUIRY_MANAGE
        return [staff_with(needed)()]

    @_doc("inquiries_get", response=s.InquiryDetailOut)
    def get(self, request: Request, inquiry_id: str) -> Response:
        inquiry = selectors.inquiry_get(inquiry_id)
        if inquiry is None:
            raise NotFound("Inquiry not found")
        return ok({"inquiry": inquiry_out(inquiry)})

    @_doc("inquiries_set_status", request=InquiryDetailStatusSerializer, response=s.InquiryStatusOut)
    def patch(self, request: Request, inquiry_id: str) -> Response:
        status = validated_body(self.InquiryDetailStatusSerializer, request)["status"]
        inquiry = inquiries.inquiry_set_status(inquiry_id=inquiry_id, status=status, staff=staff_required(request))
        return ok({"message": f"Inquiry moved to {status}", "inquiry": inquiry_out(inquiry)})
