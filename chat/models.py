"""Customer communications: customers, live connections, chat, inquiries and canned replies."""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import BaseMeta, DynamoModel, IntegerAttribute, table_name


class CustomerListIndex(GlobalSecondaryIndex):
    """Every customer, newest first (staff customer list)."""

    class Meta:
        index_name = "listKey-createdAt-index"
        projection = AllProjection()

    list_key = UnicodeAttribute(hash_key=True, attr_name="listKey")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class CustomerInboxIndex(GlobalSecondaryIndex):
    """Customers who have chatted, by their last message (the staff inbox); sparse."""

    class Meta:
        index_name = "inboxKey-lastMessageAtMs-index"
        projection = AllProjection()

    inbox_key = UnicodeAttribute(hash_key=True, attr_name="inboxKey")
    last_message_at_ms = IntegerAttribute(range_key=True, attr_name="lastMessageAtMs")


class CustomerOfflineIndex(GlobalSecondaryIndex):
    """Conversations with a staff reply the customer may not have seen, by when to check (sparse):
    the due-queue of the offline email (chat.offline)."""

    class Meta:
        index_name = "offlineKey-offlineDueAtMs-index"
        projection = AllProjection()

    offline_key = UnicodeAttribute(hash_key=True, attr_name="offlineKey")
    offline_due_at_ms = IntegerAttribute(range_key=True, attr_name="offlineDueAtMs")


class Customer(DynamoModel):
    """A website visitor, identified only by the server-issued ``userId`` (the Users table)."""

    logical_name = "Users"

    class Meta(BaseMeta):
        table_name = table_name("Users")

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")
    user_email = UnicodeAttribute(attr_name="userEmail", null=True)
    contact_number = UnicodeAttribute(attr_name="contactNumber", null=True)
    user_name = UnicodeAttribute(attr_name="userName", null=True)
    user_device = UnicodeAttribute(attr_name="userDevice", null=True)
    user_location = UnicodeAttribute(attr_name="userLocation", null=True)
    assigned_to = UnicodeAttribute(attr_name="assignedTo", null=True)
    last_seen = IntegerAttribute(attr_name="lastSeen", null=True)
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
    # Additions (docs/data-model.md, chat): listing, search and the inbox summary.
    list_key = UnicodeAttribute(attr_name="listKey", null=True)
    search_text = UnicodeAttribute(attr_name="searchText", null=True)
    inbox_key = UnicodeAttribute(attr_name="inboxKey", null=True)
    last_message_at = IntegerAttribute(attr_name="lastMessageAt", null=True)
    last_message_at_ms = IntegerAttribute(attr_name="lastMessageAtMs", null=True)
    last_message_id = UnicodeAttribute(attr_name="lastMessageId", null=True)
    last_message = UnicodeAttribute(attr_name="lastMessage", null=True)
    last_sender_id = UnicodeAttribute(attr_name="lastSenderId", null=True)
    unread_count = IntegerAttribute(attr_name="unreadCount", null=True)
    assigned_at = IntegerAttribute(attr_name="assignedAt", null=True)
    # Addition: when the customer was anonymised on request (billing.privacy); set last, once done.
    anonymised_at = IntegerAttribute(attr_name="anonymisedAt", null=True)
    # Addition: the offline email's due-queue (chat.offline, docs/data-model.md).
    offline_key = UnicodeAttribute(attr_name="offlineKey", null=True)
    offline_due_at_ms = IntegerAttribute(attr_name="offlineDueAtMs", null=True)
    offline_last_ms = IntegerAttribute(attr_name="offlineLastMs", null=True)
    offline_through_ms = IntegerAttribute(attr_name="offlineThroughMs", null=True)

    list_index = CustomerListIndex()
    inbox_index = CustomerInboxIndex()
    offline_index = CustomerOfflineIndex()


class ConnectionUserIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "userId-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")


class ConnectionKindIndex(GlobalSecondaryIndex):
    """Initialised connections by kind ("staff" or "customer"): who is online, without a Scan."""

    class Meta:
        index_name = "kind-createdAt-index"
        projection = AllProjection()

    kind = UnicodeAttribute(hash_key=True, attr_name="kind")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class Connection(DynamoModel):
    """One live WebSocket. ``ttl`` lets DynamoDB drop connections whose process died."""

    logical_name = "Connections"

    class Meta(BaseMeta):
        table_name = table_name("Connections")

    connection_id = UnicodeAttribute(hash_key=True, attr_name="connectionId")
    user_id = UnicodeAttribute(attr_name="userId", null=True)
    staff = BooleanAttribute(attr_name="staff", default=False)
    ttl = TTLAttribute(attr_name="ttl", null=True)
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
    kind = UnicodeAttribute(attr_name="kind", null=True)  # addition: "staff" | "customer"

    user_index = ConnectionUserIndex()
    kind_index = ConnectionKindIndex()


class MessageSenderIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "senderId-index"
        projection = AllProjection()

    sender_id = UnicodeAttribute(hash_key=True, attr_name="senderId")


class MessageReceiverIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "receiverId-index"
        projection = AllProjection()

    receiver_id = UnicodeAttribute(hash_key=True, attr_name="receiverId")


class MessageConversationIndex(GlobalSecondaryIndex):
    """One customer's conversation in time order (history pages); milliseconds keep same-second order."""

    class Meta:
        index_name = "clientId-sentAtMs-index"
        projection = AllProjection()

    client_id = UnicodeAttribute(hash_key=True, attr_name="clientId")
    sent_at_ms = IntegerAttribute(range_key=True, attr_name="sentAtMs")


class Message(DynamoModel):
    logical_name = "Messages"

    class Meta(BaseMeta):
        table_name = table_name("Messages")

    message_id = UnicodeAttribute(hash_key=True, attr_name="messageId")
    message = UnicodeAttribute(attr_name="message")
    sender_id = UnicodeAttribute(attr_name="senderId")
    receiver_id = UnicodeAttribute(attr_name="receiverId")
    sent = BooleanAttribute(attr_name="sent", default=True)
    received = BooleanAttribute(attr_name="received", default=False)
    viewed = BooleanAttribute(attr_name="viewed", default=False)
    created_at = IntegerAttribute(attr_name="createdAt")
    # Additions: the conversation (customer userId) a message belongs to, and its edit time.
    client_id = UnicodeAttribute(attr_name="clientId", null=True)
    sent_at_ms = IntegerAttribute(attr_name="sentAtMs", null=True)
    edited_at = IntegerAttribute(attr_name="editedAt", null=True)

    sender_index = MessageSenderIndex()
    receiver_index = MessageReceiverIndex()
    conversation_index = MessageConversationIndex()


class InquiryStatusIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-createdAt-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True, attr_name="status")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class InquiryListIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listKey-createdAt-index"
        projection = AllProjection()

    list_key = UnicodeAttribute(hash_key=True, attr_name="listKey")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class InquiryUserIndex(GlobalSecondaryIndex):
    """Addition: one customer's inquiries, newest first (the customer record, the privacy export)."""

    class Meta:
        index_name = "userId-createdAt-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class StatusChange(MapAttribute):
    status = UnicodeAttribute()
    by = UnicodeAttribute()
    by_name = UnicodeAttribute(attr_name="byName", null=True)
    at = IntegerAttribute()


class InquiryReply(MapAttribute):
    """One email staff sent from the inquiry page (the message itself is the emails app's)."""

    message_id = UnicodeAttribute(attr_name="messageId")
    subject = UnicodeAttribute()
    by = UnicodeAttribute()
    by_name = UnicodeAttribute(attr_name="byName", null=True)
    at = IntegerAttribute()


class Inquiry(DynamoModel):
    logical_name = "Inquiries"

    class Meta(BaseMeta):
        table_name = table_name("Inquiries")

    inquiry_id = UnicodeAttribute(hash_key=True, attr_name="inquiryId")
    first_name = UnicodeAttribute(attr_name="firstName")
    last_name = UnicodeAttribute(attr_name="lastName")
    email = UnicodeAttribute(attr_name="email")
    message = UnicodeAttribute(attr_name="message")
    user_id = UnicodeAttribute(attr_name="userId")
    status = UnicodeAttribute(attr_name="status", default="OPEN")
    created_at = IntegerAttribute(attr_name="createdAt")
    created_date = UnicodeAttribute(attr_name="createdDate")
    # Additions: list partition, and who moved the status when.
    list_key = UnicodeAttribute(attr_name="listKey", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)
    status_updated_by = UnicodeAttribute(attr_name="statusUpdatedBy", null=True)
    status_updated_at = IntegerAttribute(attr_name="statusUpdatedAt", null=True)
    status_history = ListAttribute(of=StatusChange, attr_name="statusHistory", null=True)
    # Answered in place: the email thread of the replies, each reply, and their ids (idempotency).
    email_thread_id = UnicodeAttribute(attr_name="emailThreadId", null=True)
    replies = ListAttribute(of=InquiryReply, attr_name="replies", null=True)
    reply_message_ids = UnicodeSetAttribute(attr_name="replyMessageIds", null=True)

    status_index = InquiryStatusIndex()
    list_index = InquiryListIndex()
    user_index = InquiryUserIndex()


class CannedReplyListIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listKey-title-index"
        projection = AllProjection()

    list_key = UnicodeAttribute(hash_key=True, attr_name="listKey")
    title = UnicodeAttribute(range_key=True, attr_name="title")


class CannedReply(DynamoModel):
    """A reply text support staff insert into a chat with one click (a small table of chat's own)."""

    logical_name = "CannedReplies"

    class Meta(BaseMeta):
        table_name = table_name("CannedReplies")

    reply_id = UnicodeAttribute(hash_key=True, attr_name="replyId")
    list_key = UnicodeAttribute(attr_name="listKey", default="ALL")
    title = UnicodeAttribute(attr_name="title")
    text = UnicodeAttribute(attr_name="text")
    created_by = UnicodeAttribute(attr_name="createdBy", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")

    list_index = CannedReplyListIndex()
