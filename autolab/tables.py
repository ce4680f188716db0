"""Create missing tables, indexes and TTL settings for every registered model; never drop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from pynamodb.attributes import TTLAttribute

from autolab import dynamodb

if TYPE_CHECKING:
    from types_boto3_dynamodb.type_defs import AttributeDefinitionTypeDef, CreateGlobalSecondaryIndexActionTypeDef

# PynamoDB's schema types key and attribute types as plain strings; the casts below say they are
# DynamoDB's own letters ("S", "HASH"), which PynamoDB writes.


def _index_definition(model: type[dynamodb.DynamoModel], index_name: str) -> CreateGlobalSecondaryIndexActionTypeDef:
    schema = model._get_schema()
    index = next(i for i in schema["global_secondary_indexes"] if i["index_name"] == index_name)
    definition = {
        "IndexName": index_name,
        "KeySchema": index["key_schema"],
        "Projection": {"ProjectionType": index["projection"]["ProjectionType"]},
    }
    return cast("CreateGlobalSecondaryIndexActionTypeDef", definition)


def _attribute_definitions(model: type[dynamodb.DynamoModel]) -> list[AttributeDefinitionTypeDef]:
    return [cast("AttributeDefinitionTypeDef", item) for item in model._get_schema()["attribute_definitions"]]


def _has_ttl(model: type[dynamodb.DynamoModel]) -> bool:
    return any(isinstance(attr, TTLAttribute) for attr in model.get_attributes().values())


def _add_missing_indexes(model: type[dynamodb.DynamoModel]) -> Iterator[str]:
    client = dynamodb.botocore_client()
    existing = client.describe_table(TableName=model.Meta.table_name)["Table"]
    present = {index["IndexName"] for index in existing.get("GlobalSecondaryIndexes", [])}
    wanted = [i["index_name"] for i in model._get_schema()["global_secondary_indexes"]]
    for index_name in wanted:
        if index_name in present:
            continue
        client.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=_attribute_definitions(model),
            GlobalSecondaryIndexUpdates=[{"Create": _index_definition(model, index_name)}],
        )
        yield f"  added index {index_name} to {model.Meta.table_name}"


def ensure_tables() -> Iterator[str]:
    """Yield one line per table describing what was done."""
    for model in dynamodb.registered_models():
        name = model.Meta.table_name
        if model.exists():
            yield f"= {name} exists"
            yield from _add_missing_indexes(model)
            if _has_ttl(model):
                model.update_ttl(ignore_update_ttl_errors=True)
        else:
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
            yield f"+ created {name}"
