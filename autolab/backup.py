"""Backups: every table to ``<Table>.json`` (raw DynamoDB items) and every stored file (reports,
invoices, email attachments) under ``files/<key>``, and back, item for item and file for file.

A backup goes to a local folder, or to S3 when ``BACKUP_S3_BUCKET`` is set (ARCHITECTURE §2), and
only reads. A restore only writes: it never deletes, and by default it keeps items and files that
already exist, so restoring an old backup cannot roll back newer data.
"""

from __future__ import annotations

import json
import mimetypes
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError
from django.conf import settings
from tqdm import tqdm

from autolab import clock, dynamodb, storage

if TYPE_CHECKING:
    from types_boto3_dynamodb.type_defs import WriteRequestOutputTypeDef, WriteRequestTypeDef

    _WriteRequests = Mapping[str, Sequence[WriteRequestTypeDef | WriteRequestOutputTypeDef]]

FORMAT_VERSION = 1
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H-%M-%SZ"
MANIFEST = "backup-manifest.json"
FILES = "files/"


@dataclass(frozen=True)
class BackupResult:
    folder: str  # a local path or s3://bucket/prefix/
    table_count: int
    item_count: int
    file_count: int = 0


@dataclass(frozen=True)
class RestoreResult:
    written: int
    skipped: int
    files_written: int = 0
    files_skipped: int = 0


class _Target(Protocol):
    @property
    def label(self) -> str: ...

    def write(self, name: str, data: bytes) -> None: ...
    def read(self, name: str) -> bytes | None: ...
    def names(self, prefix: str) -> Iterator[str]: ...


@dataclass
class _Folder:
    root: Path

    @property
    def label(self) -> str:
        return str(self.root)

    def write(self, name: str, data: bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def read(self, name: str) -> bytes | None:
        path = self.root / name
        return path.read_bytes() if path.is_file() else None

    def names(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if base.is_dir():
            for path in base.rglob("*"):
                if path.is_file():
                    yield path.relative_to(self.root).as_posix()


@dataclass
class _S3Prefix:
    bucket: str
    prefix: str  # ends with "/"

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def write(self, name: str, data: bytes) -> None:
        storage.s3_client().put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def read(self, name: str) -> bytes | None:
        try:
            return storage.s3_client().get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise

    def names(self, prefix: str) -> Iterator[str]:
        for page in (
            storage.s3_client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        ):
            for entry in page.get("Contents", []):
                yield entry["Key"][len(self.prefix) :]


def source_for(location: str | Path) -> _Target:
    """``s3://bucket/prefix`` or a local folder, as given to ``restore --input``."""
    text = str(location)
    if text.startswith("s3://"):
        bucket, _, prefix = text.removeprefix("s3://").partition("/")
        return _S3Prefix(bucket=bucket, prefix=prefix.rstrip("/") + "/" if prefix else "")
    return _Folder(Path(location))


def _scan_raw(table_name: str) -> Iterator[dict[str, Any]]:
    for page in dynamodb.botocore_client().get_paginator("scan").paginate(TableName=table_name):
        yield from page["Items"]


def backup_tables(folder: Path | None = None, *, progress: bool = True) -> BackupResult:
    """Every registered table and every stored file, into ``folder``; without one, into S3 when
    ``BACKUP_S3_BUCKET`` is set, else ``backups/<UTC time>/``."""
    stamp = clock.now().strftime(_TIMESTAMP_FORMAT)
    if folder is None and settings.BACKUP_S3_BUCKET:
        target = _S3Prefix(bucket=settings.BACKUP_S3_BUCKET, prefix=f"{settings.BACKUP_S3_PREFIX}{stamp}/")
        return _write_backup(target, progress)  # the manifest, written last, marks it complete
    folder = folder or Path(settings.BACKUP_DIR) / stamp
    partial = folder.with_name(folder.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    result = _write_backup(_Folder(partial), progress)
    # Rename at the end so a half-written backup never looks like the latest one.
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)
    return BackupResult(str(folder), result.table_count, result.item_count, result.file_count)


def _write_backup(target: _Target, progress: bool) -> BackupResult:
    total = 0
    models = dynamodb.registered_models()
    counts: dict[str, int] = {}
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
        target.write(f"{model.logical_name}.json", json.dumps(document).encode())
        counts[model.logical_name] = len(items)
        total += len(items)
    files = 0
    for key in tqdm(sorted(storage.keys()), desc="files", unit="file", disable=not progress):
        target.write(FILES + key, storage.read(key))
        files += 1
    manifest = {"format": FORMAT_VERSION, "created": clock.iso_local(), "tables": counts, "files": files}
    target.write(MANIFEST, json.dumps(manifest).encode())
    return BackupResult(target.label, len(models), total, files)


def latest_backup(root: Path | None = None) -> Path | None:
    root = root or Path(settings.BACKUP_DIR)
    if not root.is_dir():
        return None
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.endswith(".partial"))
    return folders[-1] if folders else None


def _key_names(model: type[dynamodb.DynamoModel]) -> list[str]:
    return [key["AttributeName"] for key in model._get_schema()["key_schema"]]


def _table_is_empty(table_name: str) -> bool:
    return not dynamodb.botocore_client().scan(TableName=table_name, Limit=1).get("Items")


def _batch_write(table_name: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        requests: list[WriteRequestTypeDef] = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        pending: _WriteRequests = {table_name: requests}
        while pending:
            pending = dynamodb.botocore_client().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _put_if_absent(table_name: str, item: dict[str, Any], key_names: list[str], overwrite: bool) -> bool:
    kwargs: dict[str, Any] = {"TableName": table_name, "Item": item}
    if not overwrite:
        kwargs["ConditionExpression"] = " AND ".join(f"attribute_not_exists(#k{i})" for i in range(len(key_names)))
        kwargs["ExpressionAttributeNames"] = {f"#k{i}": name for i, name in enumerate(key_names)}
    try:
        dynamodb.botocore_client().put_item(**kwargs)
    except ClientError as error:
        if dynamodb.condition_failed(error):
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


def latest_s3_backup() -> str | None:
    """The newest complete (manifest written) backup under BACKUP_S3_BUCKET, as s3://…/."""
    root = _S3Prefix(bucket=settings.BACKUP_S3_BUCKET, prefix=settings.BACKUP_S3_PREFIX)
    complete = sorted(name.removesuffix(MANIFEST) for name in root.names("") if name.endswith("/" + MANIFEST))
    return f"{root.label}{complete[-1]}" if complete else None


def restore_tables(folder: str | Path, *, overwrite: bool = False, progress: bool = True) -> RestoreResult:
    """Put every item and file of the backup at ``folder`` (local or s3://) into this environment."""
    source = source_for(folder)
    documents = []
    for model in dynamodb.registered_models():
        raw = source.read(f"{model.logical_name}.json")
        if raw is not None:
            documents.append((model, json.loads(raw)["items"]))
    written = skipped = 0
    total = sum(len(items) for _, items in documents)
    with tqdm(total=total, desc="restore", unit="item", disable=not progress) as bar:
        for model, items in documents:
            table_written, table_skipped = _restore_table(model, items, overwrite, bar)
            written, skipped = written + table_written, skipped + table_skipped
    files_written, files_skipped = _restore_files(source, overwrite)
    return RestoreResult(written, skipped, files_written, files_skipped)


def _restore_files(source: _Target, overwrite: bool) -> tuple[int, int]:
    written = skipped = 0
    for name in sorted(source.names(FILES)):
        key = name.removeprefix(FILES)
        if not overwrite and storage.exists(key):
            skipped += 1
            continue
        data = source.read(name) or b""
        storage.save(key, data, mimetypes.guess_type(key)[0] or "application/octet-stream")
        written += 1
    return written, skipped


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
