"""Backups: every table to ``<Table>.json`` (raw DynamoDB items) and back, item for item.

A backup only reads. A restore only writes items: it never deletes, and by default it keeps items
that already exist, so restoring an old backup cannot roll back newer data.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from django.conf import settings
from tqdm import tqdm

from autolab import clock, dynamodb

FORMAT_VERSION = 1
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H-%M-%SZ"


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    table_count: int
    item_count: int


@dataclass(frozen=True)
class RestoreResult:
    written: int
    skipped: int


def _client() -> Any:
    return dynamodb.connection().client


def _scan_raw(table_name: str) -> Iterator[dict[str, Any]]:
    for page in _client().get_paginator("scan").paginate(TableName=table_name):
        yield from page["Items"]


def backup_tables(folder: Path | None = None, *, progress: bool = True) -> BackupResult:
    """Write one JSON file per registered table into ``folder`` (default backups/<UTC time>/)."""
    folder = folder or Path(settings.BACKUP_DIR) / clock.now().strftime(_TIMESTAMP_FORMAT)
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    total = 0
    models = dynamodb.registered_models()
    for model in tqdm(models, desc="backup", unit="table", disable=not progress):
        items = list(_scan_raw(model.Meta.table_name))
        document = {
            "format": FORMAT_VERSION,
            "table": model.logical_name,
            "table_name": model.Meta.table_name,
            "backup_timestamp": clock.iso_local(),
            "item_count": len(items),
            "items": items,
        }
        (partial / f"{model.logical_name}.json").write_text(json.dumps(document))
        total += len(items)
    # Rename at the end so a half-written backup never looks like the latest one.
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)
    return BackupResult(folder=folder, table_count=len(models), item_count=total)


def latest_backup(root: Path | None = None) -> Path | None:
    root = root or Path(settings.BACKUP_DIR)
    if not root.is_dir():
        return None
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    return folders[-1] if folders else None


def _key_names(model: type[dynamodb.DynamoModel]) -> list[str]:
    return [key["AttributeName"] for key in model._get_schema()["key_schema"]]


def _table_is_empty(table_name: str) -> bool:
    return not _client().scan(TableName=table_name, Limit=1).get("Items")


def _batch_write(table_name: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending = {table_name: requests}
        while pending:
            pending = _client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _put_if_absent(table_name: str, item: dict[str, Any], key_names: list[str], overwrite: bool) -> bool:
    kwargs: dict[str, Any] = {"TableName": table_name, "Item": item}
    if not overwrite:
        kwargs["ConditionExpression"] = " AND ".join(f"attribute_not_exists(#k{i})" for i in range(len(key_names)))
        kwargs["ExpressionAttributeNames"] = {f"#k{i}": name for i, name in enumerate(key_names)}
    try:
        _client().put_item(**kwargs)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _restore_table(
    model: type[dynamodb.DynamoModel], items: list[dict[str, Any]], overwrite: bool, bar: Any
) -> tuple[int, int]:
    table_name = model.Meta.table_name
    if _table_is_empty(table_name):
        _batch_write(table_name, items)
        bar.update(len(items))
        return len(items), 0
    written = skipped = 0
    key_names = _key_names(model)
    for item in items:
        if _put_if_absent(table_name, item, key_names, overwrite):
            written += 1
        else:
            skipped += 1
        bar.update(1)
    return written, skipped


def restore_tables(folder: Path, *, overwrite: bool = False, progress: bool = True) -> RestoreResult:
    """Put every item of the backup in ``folder`` into the current environment's tables."""
    documents = []
    for model in dynamodb.registered_models():
        path = folder / f"{model.logical_name}.json"
        if path.exists():
            documents.append((model, json.loads(path.read_text())["items"]))
    written = skipped = 0
    total = sum(len(items) for _, items in documents)
    with tqdm(total=total, desc="restore", unit="item", disable=not progress) as bar:
        for model, items in documents:
            table_written, table_skipped = _restore_table(model, items, overwrite, bar)
            written, skipped = written + table_written, skipped + table_skipped
    return RestoreResult(written=written, skipped=skipped)


def prune_backups(retention_days: int, root: Path | None = None) -> list[Path]:
    """Delete backup folders older than ``retention_days``; never touches live tables."""
    root = root or Path(settings.BACKUP_DIR)
    if not root.is_dir():
        return []
    cutoff = clock.now().timestamp() - retention_days * 86400
    removed = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.stat().st_mtime < cutoff and folder != latest_backup(root):
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
