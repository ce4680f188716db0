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
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)

    user_id_index = StaffUserIdIndex()
