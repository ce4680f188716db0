"""Shop: the parts catalogue and parts orders."""

from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import BaseMeta, DecimalAttribute, DynamoModel, IntegerAttribute, table_name
from autolab.workflow import PaymentStatus

CATALOGUE_PARTITION = "ITEMS"
ORDER_LIST_PARTITION = "ORDERS"


class OrderStatus(StrEnum):
    """``status`` of a parts order, as stored and sent."""

    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class CatalogueIndex(GlobalSecondaryIndex):
    """Addition: every catalogue item under one constant key, so listing it is a Query, not a Scan."""

    class Meta:
        index_name = "catalogue-index"
        projection = AllProjection()

    catalogue = UnicodeAttribute(hash_key=True, attr_name="catalogue")


class ItemPrice(DynamoModel):
    """One item of one category, e.g. (1, 1) V8 Engine in Engines & Parts."""

    logical_name = "ItemPrices"

    class Meta(BaseMeta):
        table_name = table_name("ItemPrices")

    category_id = IntegerAttribute(hash_key=True, attr_name="categoryId")
    item_id = IntegerAttribute(range_key=True, attr_name="itemId")
    category_name = UnicodeAttribute(attr_name="categoryName")
    item_name = UnicodeAttribute(attr_name="itemName")
    price = DecimalAttribute(attr_name="price")
    active = BooleanAttribute(attr_name="active", default=True)
    # Addition: constant partition of catalogue-index (every save writes it).
    catalogue = UnicodeAttribute(attr_name="catalogue", default=CATALOGUE_PARTITION)

    catalogue_index = CatalogueIndex()


class OrderLine(MapAttribute):
    category_id = IntegerAttribute(attr_name="categoryId")
    item_id = IntegerAttribute(attr_name="itemId")
    quantity = IntegerAttribute(attr_name="quantity")
    unit_price = DecimalAttribute(attr_name="unitPrice")
    total_price = DecimalAttribute(attr_name="totalPrice")


class OrderMechanicIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "assignedMechanicId-index"
        projection = AllProjection()

    assigned_mechanic_id = UnicodeAttribute(hash_key=True, attr_name="assignedMechanicId")


class OrderCustomerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "createdUserId-index"
        projection = AllProjection()

    created_user_id = UnicodeAttribute(hash_key=True, attr_name="createdUserId")


class OrderListIndex(GlobalSecondaryIndex):
    """Addition: every order by creation time, for staff lists without a Scan."""

    class Meta:
        index_name = "orderList-createdAt-index"
        projection = AllProjection()

    order_list = UnicodeAttribute(hash_key=True, attr_name="orderList")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class OrderStatusIndex(GlobalSecondaryIndex):
    """Addition: orders of one status by creation time (the portal's main filter)."""

    class Meta:
        index_name = "status-createdAt-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True, attr_name="status")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class OrderVehicleIndex(GlobalSecondaryIndex):
    """Addition (#18.3), sparse: the orders of one car (``vehicleKey``, autolab.vehicle_ids), newest
    first, for the vehicle's page."""

    class Meta:
        index_name = "vehicleKey-createdAt-index"
        projection = AllProjection()

    vehicle_key = UnicodeAttribute(hash_key=True, attr_name="vehicleKey")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class Order(DynamoModel):
    logical_name = "Orders"

    class Meta(BaseMeta):
        table_name = table_name("Orders")

    order_id = UnicodeAttribute(hash_key=True, attr_name="orderId")
    items = ListAttribute(of=OrderLine, attr_name="items", default=list)
    customer_name = UnicodeAttribute(attr_name="customerName")
    customer_email = UnicodeAttribute(attr_name="customerEmail")
    customer_phone = UnicodeAttribute(attr_name="customerPhone")
    car_make = UnicodeAttribute(attr_name="carMake")
    car_model = UnicodeAttribute(attr_name="carModel")
    car_year = UnicodeAttribute(attr_name="carYear")
    # Additions (#18.3): the car's identity as staff recorded it; vehicleKey is the sparse index key.
    registration = UnicodeAttribute(attr_name="registration", null=True)
    vin = UnicodeAttribute(attr_name="vin", null=True)
    vehicle_key = UnicodeAttribute(attr_name="vehicleKey", null=True)
    notes = UnicodeAttribute(attr_name="notes", null=True)
    delivery_location = UnicodeAttribute(attr_name="deliveryLocation")
    scheduled_date = UnicodeAttribute(attr_name="scheduledDate", null=True)
    assigned_mechanic_id = UnicodeAttribute(attr_name="assignedMechanicId", null=True)
    created_user_id = UnicodeAttribute(attr_name="createdUserId")
    status = UnicodeAttribute(attr_name="status", default=OrderStatus.PENDING.value)
    total_price = DecimalAttribute(attr_name="totalPrice")
    payment_status = UnicodeAttribute(attr_name="paymentStatus", default=PaymentStatus.PENDING.value)
    payment_method = UnicodeAttribute(attr_name="paymentMethod", null=True)
    payment_confirmed_by = UnicodeAttribute(attr_name="paymentConfirmedBy", null=True)
    payment_confirmed_at = IntegerAttribute(attr_name="paymentConfirmedAt", null=True)
    payment_intent_id = UnicodeAttribute(attr_name="paymentIntentId", null=True)
    payment_amount = DecimalAttribute(attr_name="paymentAmount", null=True)
    paid_at = IntegerAttribute(attr_name="paidAt", null=True)
    post_notes = UnicodeAttribute(attr_name="postNotes", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    created_date = UnicodeAttribute(attr_name="createdDate")
    updated_at = IntegerAttribute(attr_name="updatedAt")
    # Billing-owned payment fields (billing writes them with conditional updates).
    payment_reverted_by = UnicodeAttribute(attr_name="paymentRevertedBy", null=True)
    payment_reverted_at = IntegerAttribute(attr_name="paymentRevertedAt", null=True)
    invoice_id = UnicodeAttribute(attr_name="invoiceId", null=True)
    invoice_url = UnicodeAttribute(attr_name="invoiceUrl", null=True)
    buyer_abn = UnicodeAttribute(attr_name="buyerAbn", null=True)  # printed on its tax invoice, when given
    # Addition: optimistic locking against lost updates.
    version = VersionAttribute(attr_name="version")
    # Addition: constant partition of orderList-createdAt-index.
    order_list = UnicodeAttribute(attr_name="orderList", default=ORDER_LIST_PARTITION)

    assigned_mechanic_index = OrderMechanicIndex()
    created_user_index = OrderCustomerIndex()
    order_list_index = OrderListIndex()
    status_index = OrderStatusIndex()
    vehicle_index = OrderVehicleIndex()


class OrderDailyCounter(DynamoModel):
    """Addition: orders a customer created on one business day; the daily limit's atomic guard."""

    logical_name = "OrderDailyCounters"

    class Meta(BaseMeta):
        table_name = table_name("OrderDailyCounters")

    counter_id = UnicodeAttribute(hash_key=True, attr_name="counterId")  # "<userId>#<YYYY-MM-DD>"
    # Stored as "count"; named day_total in Python (as bookings' counter) so it does not hide Model.count().
    day_total = IntegerAttribute(attr_name="count", default=0)
    ttl = TTLAttribute(attr_name="ttl", null=True)
