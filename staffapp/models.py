"""Staff: who works here and which roles they hold. The only source of roles."""

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import BaseMeta, DynamoModel, IntegerAttribute, StringListAttribute, table_name


class StaffUserIdIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "userId-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")


class Staff(DynamoModel):
    logical_name = "Staff"

    class Meta(BaseMeta):
        table_name = table_name("Staff")

    user_email = UnicodeAttribute(hash_key=True, attr_name="userEmail")
    user_id = UnicodeAttribute(attr_name="userId")
    user_name = UnicodeAttribute(attr_name="userName")
    contact_number = UnicodeAttribute(attr_name="contactNumber", default="")
    roles = StringListAttribute(attr_name="roles", default=list)
    # Addition: deactivated staff keep their item (history points at them) but lose access.
    is_active = BooleanAttribute(attr_name="isActive", default=True)
    # Addition: the version a mechanic's calendar feed link is signed with; bumping it revokes the link.
    calendar_feed_version = IntegerAttribute(attr_name="calendarFeedVersion", null=True)
    # Addition: the Web Push kinds the member chose (staffapp.push.Kind); absent = every kind their roles allow.
    push_kinds = StringListAttribute(attr_name="pushKinds", null=True)
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)

    user_id_index = StaffUserIdIndex()


class PushSubscription(DynamoModel):
    """Addition (#16.5): one browser (device) a staff member subscribed to Web Push from the portal.
    Keyed by member, so their devices are one Query; the range key is the sha256 of the endpoint,
    so subscribing the same device again replaces its keys rather than adding a second item."""

    logical_name = "PushSubscriptions"

    class Meta(BaseMeta):
        table_name = table_name("PushSubscriptions")

    staff_user_id = UnicodeAttribute(hash_key=True, attr_name="staffUserId")
    subscription_id = UnicodeAttribute(range_key=True, attr_name="subscriptionId")
    endpoint = UnicodeAttribute(attr_name="endpoint")
    p256dh = UnicodeAttribute(attr_name="p256dh")
    auth = UnicodeAttribute(attr_name="auth")
    user_agent = UnicodeAttribute(attr_name="userAgent", default="")
    created_at = IntegerAttribute(attr_name="createdAt")
    last_sent_at = IntegerAttribute(attr_name="lastSentAt", null=True)


class PushDelivery(DynamoModel):
    """Addition (#16.5): one push of one event to one subscription, keyed by the sha256 of
    ``<event key>#<subscription id>`` and written before the send with a condition, so the same
    event is pushed to a device once however often it is published or its task retried."""

    logical_name = "PushDeliveries"

    class Meta(BaseMeta):
        table_name = table_name("PushDeliveries")

    delivery_id = UnicodeAttribute(hash_key=True, attr_name="deliveryId")
    event_key = UnicodeAttribute(attr_name="eventKey")
    kind = UnicodeAttribute(attr_name="kind")
    staff_user_id = UnicodeAttribute(attr_name="staffUserId")
    subscription_id = UnicodeAttribute(attr_name="subscriptionId")
    status = UnicodeAttribute(attr_name="status")  # sending, sent, retry, failed, gone
    attempts = IntegerAttribute(attr_name="attempts", default=1)
    status_code = IntegerAttribute(attr_name="statusCode", null=True)
    failure_reason = UnicodeAttribute(attr_name="failureReason", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    sent_at = IntegerAttribute(attr_name="sentAt", null=True)
