"""One BatchGetItem across tables: every key a request needs, in as few calls as DynamoDB allows.

DynamoDB takes up to 100 keys per BatchGetItem, from any number of tables; unprocessed keys are
asked for again. Items come back raw (attribute-value maps), keyed by table name, so models with
dynamic attributes (SlotLoad) can be read as well as ordinary models (``Model.from_raw_data``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import GetError

from autolab.dynamodb import DynamoModel, botocore_client

MAX_KEYS = 100


def key_of(model: type[DynamoModel], hash_key: Any, range_key: Any = None) -> dict[str, Any]:
    """The raw DynamoDB key of ``model`` for these key values."""
    hash_attribute = model._hash_key_attribute()
    key = {hash_attribute.attr_name: {hash_attribute.attr_type: hash_attribute.serialize(hash_key)}}
    range_attribute = model._range_key_attribute()
    if range_attribute is not None:
        key[range_attribute.attr_name] = {range_attribute.attr_type: range_attribute.serialize(range_key)}
    return key


@dataclass
class BatchRead:
    """Keys to read, per table; ``consistent`` tables are read with strongly consistent reads."""

    keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    consistent: set[str] = field(default_factory=set)

    def add(self, model: type[DynamoModel], hash_key: Any, range_key: Any = None, *, consistent: bool = False) -> None:
        table = model.Meta.table_name
        key = key_of(model, hash_key, range_key)
        entries = self.keys.setdefault(table, [])
        if key not in entries:
            entries.append(key)
        if consistent:
            self.consistent.add(table)

    def run(self) -> dict[str, list[dict[str, Any]]]:
        """Every item found, by table name (missing keys are simply absent)."""
        found: dict[str, list[dict[str, Any]]] = {table: [] for table in self.keys}
        pending = [(table, key) for table, keys in self.keys.items() for key in keys]
        client = botocore_client()
        for start in range(0, len(pending), MAX_KEYS):
            request: dict[str, Any] = {}
            for table, key in pending[start : start + MAX_KEYS]:
                entry = request.setdefault(table, {"Keys": [], "ConsistentRead": table in self.consistent})
                entry["Keys"].append(key)
            while request:
                try:
                    response = client.batch_get_item(RequestItems=request)
                except (BotoCoreError, ClientError) as error:  # as PynamoDB wraps them (outages → 503)
                    raise GetError("Failed to batch get items", error) from error
                for table, items in response.get("Responses", {}).items():
                    found[table].extend(items)
                request = response.get("UnprocessedKeys") or {}
        return found


def first(items: list[dict[str, Any]], model: type[DynamoModel]) -> Any:
    """The one item of ``model`` among ``items`` as a model instance, or None."""
    return model.from_raw_data(items[0]) if items else None
