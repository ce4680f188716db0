"""Email records: the outbox and mailbox (EmailMetadata, its thread heads and dedupe keys),
attachments, suppression and the analytics event log with its daily counters.

The logical table names are the stored data's (docs/data-model.md): they stayed as they were
when these models lived in chat/models.py.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import BaseMeta, DynamoModel, IntegerAttribute, StringListAttribute, table_name


class SuppressionTypeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "SuppressionTypeIndex"
        projection = AllProjection()

    suppression_type = UnicodeAttribute(hash_key=True, attr_name="suppression_type")
    created_at = UnicodeAttribute(range_key=True, attr_name="created_at")


class ActiveSuppressionIndex(GlobalSecondaryIndex):
    """Sparse: only active entries carry ``list_partition``, so the staff list never scans."""

    class Meta:
        index_name = "ActiveSuppressionIndex"
        projection = AllProjection()

    list_partition = UnicodeAttribute(hash_key=True, attr_name="list_partition")
    created_at = UnicodeAttribute(range_key=True, attr_name="created_at")


class EmailSuppression(DynamoModel):
    """An address we must not send to (bounce, complaint or a manual entry)."""

    logical_name = "EmailSuppression"

    class Meta(BaseMeta):
        table_name = table_name("EmailSuppression")

    email = UnicodeAttribute(hash_key=True, attr_name="email")
    suppression_type = UnicodeAttribute(range_key=True, attr_name="suppression_type")
    created_at = UnicodeAttribute(attr_name="created_at")
    status = UnicodeAttribute(attr_name="status", default="active")
    reason = UnicodeAttribute(attr_name="reason", null=True)
    bounce_type = UnicodeAttribute(attr_name="bounce_type", null=True)
    bounce_subtype = UnicodeAttribute(attr_name="bounce_subtype", null=True)
    complaint_feedback_type = UnicodeAttribute(attr_name="complaint_feedback_type", null=True)
    complaint_subtype = UnicodeAttribute(attr_name="complaint_subtype", null=True)
    message_id = UnicodeAttribute(attr_name="message_id", null=True)
    source = UnicodeAttribute(attr_name="source", null=True)
    feedback_id = UnicodeAttribute(attr_name="feedback_id", null=True)
    user_agent = UnicodeAttribute(attr_name="user_agent", null=True)
    arrival_date = UnicodeAttribute(attr_name="arrival_date", null=True)
    environment = UnicodeAttribute(attr_name="environment", null=True)
    ttl = TTLAttribute(attr_name="ttl", null=True)
    # Additions (docs/data-model.md, email): the active list, and who added or removed an entry.
    list_partition = UnicodeAttribute(attr_name="list_partition", null=True)
    created_by = UnicodeAttribute(attr_name="created_by", null=True)
    removed_at = UnicodeAttribute(attr_name="removed_at", null=True)
    removed_by = UnicodeAttribute(attr_name="removed_by", null=True)

    suppression_type_index = SuppressionTypeIndex()
    active_index = ActiveSuppressionIndex()


class EventTypeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "EventTypeIndex"
        projection = AllProjection()

    event_type = UnicodeAttribute(hash_key=True, attr_name="event_type")
    timestamp = UnicodeAttribute(range_key=True, attr_name="timestamp")


class DatePartitionIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "DatePartitionIndex"
        projection = AllProjection()

    date_partition = UnicodeAttribute(hash_key=True, attr_name="date_partition")
    timestamp = UnicodeAttribute(range_key=True, attr_name="timestamp")


class EmailAnalytics(DynamoModel):
    """One delivery, bounce or complaint event for one address."""

    logical_name = "EmailAnalytics"

    class Meta(BaseMeta):
        table_name = table_name("EmailAnalytics")

    email = UnicodeAttribute(hash_key=True, attr_name="email")
    timestamp = UnicodeAttribute(range_key=True, attr_name="timestamp")
    event_type = UnicodeAttribute(attr_name="event_type")
    date_partition = UnicodeAttribute(attr_name="date_partition")
    suppressed = BooleanAttribute(attr_name="suppressed", null=True)
    bounce_type = UnicodeAttribute(attr_name="bounce_type", null=True)
    bounce_subtype = UnicodeAttribute(attr_name="bounce_subtype", null=True)
    complaint_feedback_type = UnicodeAttribute(attr_name="complaint_feedback_type", null=True)
    complaint_subtype = UnicodeAttribute(attr_name="complaint_subtype", null=True)
    message_id = UnicodeAttribute(attr_name="message_id", null=True)
    source = UnicodeAttribute(attr_name="source", null=True)
    destination = StringListAttribute(attr_name="destination", null=True)
    feedback_id = UnicodeAttribute(attr_name="feedback_id", null=True)
    user_agent = UnicodeAttribute(attr_name="user_agent", null=True)
    arrival_date = UnicodeAttribute(attr_name="arrival_date", null=True)
    processing_time_millis = NumberAttribute(attr_name="processing_time_millis", null=True)
    smtp_response = UnicodeAttribute(attr_name="smtp_response", null=True)
    reporting_mta = UnicodeAttribute(attr_name="reporting_mta", null=True)
    remote_mta_ip = UnicodeAttribute(attr_name="remote_mta_ip", null=True)
    environment = UnicodeAttribute(attr_name="environment", null=True)
    ttl = TTLAttribute(attr_name="ttl", null=True)

    event_type_index = EventTypeIndex()
    date_partition_index = DatePartitionIndex()


class EmailAnalyticsDaily(DynamoModel):
    """Counts of one business day's analytics events by series (docs/data-model.md, email): written
    in the transaction that records each event, so a date range is one BatchGetItem."""

    logical_name = "EmailAnalyticsDaily"

    class Meta(BaseMeta):
        table_name = table_name("EmailAnalyticsDaily")

    date = UnicodeAttribute(hash_key=True, attr_name="date")
    sent = IntegerAttribute(attr_name="sent", default=0)
    delivered = IntegerAttribute(attr_name="delivered", default=0)
    bounced = IntegerAttribute(attr_name="bounced", default=0)
    complained = IntegerAttribute(attr_name="complained", default=0)
    suppressed = IntegerAttribute(attr_name="suppressed", default=0)


class EmailThreadHead(DynamoModel):
    """What the thread list shows of one email thread (docs/data-model.md, email), kept in the
    transaction that writes each of its messages: a page of threads is one BatchGetItem."""

    logical_name = "EmailThreads"

    class Meta(BaseMeta):
        table_name = table_name("EmailThreads")

    thread_id = UnicodeAttribute(hash_key=True, attr_name="threadId")
    subject = UnicodeAttribute(attr_name="subject", null=True)
    participants = UnicodeSetAttribute(attr_name="participants", null=True)
    message_count = IntegerAttribute(attr_name="messageCount", default=0)
    unread_count = IntegerAttribute(attr_name="unreadCount", default=0)
    important_count = IntegerAttribute(attr_name="importantCount", default=0)
    last_message_id = UnicodeAttribute(attr_name="lastMessageId", null=True)
    last_created_at = IntegerAttribute(attr_name="lastCreatedAt", null=True)


class EmailThreadIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "threadId-index"
        projection = AllProjection()

    thread_id = UnicodeAttribute(hash_key=True, attr_name="threadId")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class EmailMailboxIndex(GlobalSecondaryIndex):
    """Every email by business month (``YYYY-MM``), newest first: the mailbox without a Scan."""

    class Meta:
        index_name = "mailboxMonth-index"
        projection = AllProjection()

    mailbox_month = UnicodeAttribute(hash_key=True, attr_name="mailboxMonth")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class EmailOutboxIndex(GlobalSecondaryIndex):
    """Sparse: only unfinished sends carry ``outboxState``, for the reconciler."""

    class Meta:
        index_name = "outboxState-index"
        projection = AllProjection()

    outbox_state = UnicodeAttribute(hash_key=True, attr_name="outboxState")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class EmailContactIndex(GlobalSecondaryIndex):
    """Sparse: the emails exchanged with one outside address, newest first (the customer record)."""

    class Meta:
        index_name = "contactEmail-createdAt-index"
        projection = AllProjection()

    contact_email = UnicodeAttribute(hash_key=True, attr_name="contactEmail")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class EmailMetadata(DynamoModel):
    """One sent or received email; ``createdAt`` is epoch milliseconds, as in the original."""

    logical_name = "EmailMetadata"

    class Meta(BaseMeta):
        table_name = table_name("EmailMetadata")

    message_id = UnicodeAttribute(hash_key=True, attr_name="messageId")
    thread_id = UnicodeAttribute(attr_name="threadId", null=True)
    from_email = UnicodeAttribute(attr_name="fromEmail")
    from_name = UnicodeAttribute(attr_name="fromName", null=True)
    to_emails = UnicodeSetAttribute(attr_name="toEmails", null=True)
    cc_emails = UnicodeSetAttribute(attr_name="ccEmails", null=True)
    bcc_emails = UnicodeSetAttribute(attr_name="bccEmails", null=True)
    subject = UnicodeAttribute(attr_name="subject", default="")
    received_date = UnicodeAttribute(attr_name="receivedDate", null=True)
    size_bytes = IntegerAttribute(attr_name="sizeBytes", null=True)
    s3_bucket = UnicodeAttribute(attr_name="s3Bucket", null=True)
    s3_key = UnicodeAttribute(attr_name="s3Key", null=True)
    has_attachments = BooleanAttribute(attr_name="hasAttachments", default=False)
    attachment_count = IntegerAttribute(attr_name="attachmentCount", default=0)
    attachment_ids = UnicodeSetAttribute(attr_name="attachmentIds", null=True)
    body_text = UnicodeAttribute(attr_name="bodyText", null=True)
    body_html = UnicodeAttribute(attr_name="bodyHtml", null=True)
    content_type = UnicodeAttribute(attr_name="contentType", null=True)
    email_type = UnicodeAttribute(attr_name="emailType", null=True)
    is_read = BooleanAttribute(attr_name="isRead", default=False)
    is_important = BooleanAttribute(attr_name="isImportant", default=False)
    tags = UnicodeSetAttribute(attr_name="tags", null=True)
    ttl = IntegerAttribute(attr_name="ttl", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt", null=True)
    in_reply_to_message_id = UnicodeAttribute(attr_name="inReplyToMessageId", null=True)
    references = UnicodeSetAttribute(attr_name="references", null=True)
    # Additions for the outbox: delivery state of a transactional send and what to render it from.
    status = UnicodeAttribute(attr_name="status", null=True)  # queued|sending|sent|suppressed|failed|uncertain
    context = UnicodeAttribute(attr_name="context", null=True)  # JSON
    attachments = StringListAttribute(attr_name="attachments", null=True)  # storage keys
    # Additions (docs/data-model.md, email): mailbox listing, exactly-once sending, staff authorship.
    mailbox_month = UnicodeAttribute(attr_name="mailboxMonth", null=True)
    outbox_state = UnicodeAttribute(attr_name="outboxState", null=True)
    send_token = UnicodeAttribute(attr_name="sendToken", null=True)
    sending_since = IntegerAttribute(attr_name="sendingSince", null=True)
    sent_at = IntegerAttribute(attr_name="sentAt", null=True)
    attempts = IntegerAttribute(attr_name="attempts", null=True)
    failure_reason = UnicodeAttribute(attr_name="failureReason", null=True)
    reply_to = UnicodeAttribute(attr_name="replyTo", null=True)
    to_name = UnicodeAttribute(attr_name="toName", null=True)
    sent_by = UnicodeAttribute(attr_name="sentBy", null=True)
    inquiry_id = UnicodeAttribute(attr_name="inquiryId", null=True)  # the inquiry a staff reply answers
    # Addition: the outside party's address (a send's one recipient, a received mail's sender).
    contact_email = UnicodeAttribute(attr_name="contactEmail", null=True)

    thread_index = EmailThreadIndex()
    mailbox_index = EmailMailboxIndex()
    outbox_index = EmailOutboxIndex()
    contact_index = EmailContactIndex()


class EmailOutboxKey(DynamoModel):
    """One item per transactional email ever queued: the caller's dedupe key -> the message it made.

    Idempotency lives here, not in the Message-ID: message ids are random (unguessable to anyone
    reading our mail), so the same notification asked for twice finds its message through this key.
    """

    logical_name = "EmailOutboxKeys"

    class Meta(BaseMeta):
        table_name = table_name("EmailOutboxKeys")

    dedupe_key = UnicodeAttribute(hash_key=True, attr_name="dedupeKey")  # sha256 of the caller's key
    message_id = UnicodeAttribute(attr_name="messageId")
    created_at = IntegerAttribute(attr_name="createdAt")


class EmailAttachmentMessageIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "messageId-index"
        projection = AllProjection()

    message_id = UnicodeAttribute(hash_key=True, attr_name="messageId")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class EmailAttachment(DynamoModel):
    """One file of a received or staff-sent email (original-backend-behaviour.md §3.11).

    Deleting is soft: ``isDeleted`` with who and when; the stored file is kept (docs/data-model.md).
    """

    logical_name = "EmailAttachments"

    class Meta(BaseMeta):
        table_name = table_name("EmailAttachments")

    attachment_id = UnicodeAttribute(hash_key=True, attr_name="attachmentId")
    message_id = UnicodeAttribute(attr_name="messageId")
    created_at = IntegerAttribute(attr_name="createdAt")  # epoch milliseconds, as the original
    filename = UnicodeAttribute(attr_name="filename")
    content_type = UnicodeAttribute(attr_name="contentType")
    size_bytes = IntegerAttribute(attr_name="sizeBytes")
    content_hash = UnicodeAttribute(attr_name="contentHash")
    s3_bucket = UnicodeAttribute(attr_name="s3Bucket", default="")
    s3_key = UnicodeAttribute(attr_name="s3Key", null=True)  # no file when rejected
    attachment_index = IntegerAttribute(attr_name="attachmentIndex")
    upload_date = UnicodeAttribute(attr_name="uploadDate")
    email_s3_bucket = UnicodeAttribute(attr_name="emailS3Bucket", null=True)
    email_s3_key = UnicodeAttribute(attr_name="emailS3Key", null=True)
    is_deleted = BooleanAttribute(attr_name="isDeleted", default=False)
    deleted_at = UnicodeAttribute(attr_name="deletedAt", null=True)
    # Additions (docs/data-model.md, email attachments).
    deleted_by = UnicodeAttribute(attr_name="deletedBy", null=True)
    direction = UnicodeAttribute(attr_name="direction")  # inbound | outbound
    rejected_reason = UnicodeAttribute(attr_name="rejectedReason", null=True)

    message_index = EmailAttachmentMessageIndex()


class SmsMessage(DynamoModel):
    """Addition (#16.2): one text message ever asked for, keyed by the sha256 of its caller's
    idempotency key, so the same notification asked for twice is sent (and recorded) once."""

    logical_name = "SmsMessages"

    class Meta(BaseMeta):
        table_name = table_name("SmsMessages")

    sms_id = UnicodeAttribute(hash_key=True, attr_name="smsId")
    to_number = UnicodeAttribute(attr_name="toNumber")
    body = UnicodeAttribute(attr_name="body")
    status = UnicodeAttribute(attr_name="status")  # sending, sent, opted_out, failed
    provider_id = UnicodeAttribute(attr_name="providerId", null=True)
    failure_reason = UnicodeAttribute(attr_name="failureReason", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    sent_at = IntegerAttribute(attr_name="sentAt", null=True)


class SmsOptOut(DynamoModel):
    """Addition (#16.2): a number that replied STOP; no text goes to it until it replies START."""

    logical_name = "SmsOptOuts"

    class Meta(BaseMeta):
        table_name = table_name("SmsOptOuts")

    phone_number = UnicodeAttribute(hash_key=True, attr_name="phoneNumber")  # E.164
    keyword = UnicodeAttribute(attr_name="keyword")
    created_at = IntegerAttribute(attr_name="createdAt")
