"""Every table matches the seed (seed-database-tables.md) as DynamoDB itself describes it."""

from __future__ import annotations

import pytest

from autolab import dynamodb

# logical table -> (key schema, {GSI name: key schema}) exactly as the seed documents them.
SEED = {
    "Staff": ([("userEmail", "HASH")], {"userId-index": [("userId", "HASH")]}),
    "Users": ([("userId", "HASH")], {}),
    "Connections": ([("connectionId", "HASH")], {"userId-index": [("userId", "HASH")]}),
    "Messages": (
        [("messageId", "HASH")],
        {"senderId-index": [("senderId", "HASH")], "receiverId-index": [("receiverId", "HASH")]},
    ),
    "UnavailableSlots": ([("date", "HASH")], {}),
    "Appointments": (
        [("appointmentId", "HASH")],
        {
            "assignedMechanicId-index": [("assignedMechanicId", "HASH")],
            "createdUserId-index": [("createdUserId", "HASH")],
            "scheduledDate-index": [("scheduledDate", "HASH")],
            "status-index": [("status", "HASH")],
        },
    ),
    "ServicePrices": ([("serviceId", "HASH"), ("planId", "RANGE")], {}),
    "Orders": (
        [("orderId", "HASH")],
        {
            "assignedMechanicId-index": [("assignedMechanicId", "HASH")],
            "createdUserId-index": [("createdUserId", "HASH")],
        },
    ),
    "ItemPrices": ([("categoryId", "HASH"), ("itemId", "RANGE")], {}),
    "Inquiries": ([("inquiryId", "HASH")], {}),
    "Payments": (
        [("paymentIntentId", "HASH")],
        {
            "userId-index": [("userId", "HASH"), ("createdAt", "RANGE")],
            "referenceNumber-index": [("referenceNumber", "HASH")],
        },
    ),
    "Invoices": ([("invoiceId", "HASH")], {"createdAt-index": [("createdAt", "HASH"), ("invoiceId", "RANGE")]}),
    "EmailSuppression": (
        [("email", "HASH"), ("suppression_type", "RANGE")],
        {"SuppressionTypeIndex": [("suppression_type", "HASH"), ("created_at", "RANGE")]},
    ),
    "EmailAnalytics": (
        [("email", "HASH"), ("timestamp", "RANGE")],
        {
            "EventTypeIndex": [("event_type", "HASH"), ("timestamp", "RANGE")],
            "DatePartitionIndex": [("date_partition", "HASH"), ("timestamp", "RANGE")],
        },
    ),
    "EmailMetadata": ([("messageId", "HASH")], {"threadId-index": [("threadId", "HASH"), ("createdAt", "RANGE")]}),
}

SEED_ATTRIBUTE_TYPES = {
    "ServicePrices": {"serviceId": "N", "planId": "N"},
    "ItemPrices": {"categoryId": "N", "itemId": "N"},
    "Payments": {"createdAt": "N"},
    "Invoices": {"createdAt": "N"},
    "EmailMetadata": {"createdAt": "N"},
}


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in schema]


def test_registry_holds_every_seed_table() -> None:
    assert {model.logical_name for model in dynamodb.registered_models()} >= set(SEED)


@pytest.mark.parametrize("logical_name", sorted(SEED))
def test_table_matches_seed(logical_name: str) -> None:
    model = dynamodb.model_for(logical_name)
    table = dynamodb.connection().client.describe_table(TableName=model.Meta.table_name)["Table"]
    key_schema, seed_indexes = SEED[logical_name]

    assert table["TableName"] == f"{logical_name}-{model.Meta.table_name.rsplit('-', 1)[1]}"
    assert _keys(table["KeySchema"]) == key_schema
    described = {index["IndexName"]: _keys(index["KeySchema"]) for index in table.get("GlobalSecondaryIndexes", [])}
    for index_name, index_keys in seed_indexes.items():
        assert described[index_name] == index_keys
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    for attribute, attribute_type in SEED_ATTRIBUTE_TYPES.get(logical_name, {}).items():
        assert types[attribute] == attribute_type
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


@pytest.mark.parametrize("logical_name", ["Connections", "EmailSuppression", "EmailAnalytics"])
def test_ttl_is_enabled_where_the_seed_says(logical_name: str) -> None:
    model = dynamodb.model_for(logical_name)
    description = dynamodb.connection().client.describe_time_to_live(TableName=model.Meta.table_name)
    assert description["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    assert description["TimeToLiveDescription"]["AttributeName"] == "ttl"


def test_table_names_carry_the_environment_suffix(settings) -> None:
    for model in dynamodb.registered_models():
        assert model.Meta.table_name == f"{model.logical_name}-{settings.AUTOLAB_ENV}"
