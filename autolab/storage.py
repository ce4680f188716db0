"""Files (inspection reports, invoice PDFs, email attachments): local disk under MEDIA_ROOT by default, S3 when
``FILE_STORAGE=s3``. Every link handed out is signed and expires; nothing is public.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import botocore.exceptions
from django.conf import settings
from django.core import signing

from autolab import aws, links

_DOWNLOAD_SALT = "autolab.storage.download"
_UPLOAD_SALT = "autolab.storage.upload"
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,500}$")


class StorageError(ValueError):
    """A bad key, an expired or forged link, or a file that is not what it should be."""


class UploadRefused(StorageError):
    """The link was already used, or the file it targets may no longer change (409)."""


def sanitize_filename(name: str, *, default: str = "file") -> str:
    """A safe single path segment: no directories, no control or shell characters."""
    base = PurePosixPath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")
    return base[:120] or default


def _check_key(key: str) -> str:
    if not _KEY_RE.match(key) or ".." in key.split("/"):
        raise StorageError(f"Invalid storage key {key!r}")
    return key


def _local_path(key: str) -> Path:
    return Path(settings.MEDIA_ROOT) / _check_key(key)


def s3_client() -> Any:
    return aws.client("s3", settings.AWS_DEFAULT_REGION, settings.AWS_S3_ENDPOINT_URL or None)


def _usess3_client() -> bool:
    return settings.FILE_STORAGE == "s3"


def save(key: str, data: bytes, content_type: str) -> None:
    if _usess3_client():
        s3_client().put_object(
            Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=_check_key(key), Body=data, ContentType=content_type
        )
        return
    path = _local_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per write: two writers of one key (racing workers) must not share the
    # partial file, or the second's rename finds it gone. The last rename wins, as on S3.
    partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.partial")
    partial.write_bytes(data)
    partial.replace(path)  # readers never see half a file


def read(key: str) -> bytes:
    if _usess3_client():
        client = s3_client()
        try:
            return client.get_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=_check_key(key))["Body"].read()
        except client.exceptions.NoSuchKey as exc:
            raise StorageError(f"No file at {key}") from exc
    try:
        return _local_path(key).read_bytes()
    except FileNotFoundError as exc:
        raise StorageError(f"No file at {key}") from exc


def exists(key: str) -> bool:
    if _usess3_client():
        try:
            s3_client().head_object(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Key=_check_key(key))
        except Exception:
            return False
        return True
    return _local_path(key).is_file()


def copy(source: str, target: str) -> None:
    """Store a copy of ``source`` at ``target``; raises StorageError when ``source`` does not exist."""
    _check_key(target)
    if _usess3_client():
        bucket = settings.AWS_STORAGE_BUCKET_NAME
        try:
            s3_client().copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": _check_key(source)})
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise StorageError(f"No file at {source}") from exc
            raise
        return
    save(target, read(source), "application/octet-stream")


def _max_age(max_age: int | None) -> int:
    return int(max_age or settings.SIGNED_URL_MAX_AGE_SECONDS)


def download_url(key: str, *, filename: str | None = None, max_age: int | None = None) -> str:
    """A link that serves the file until it expires (absolute on autolab, or an S3 presigned URL)."""
    _check_key(key)
    name = sanitize_filename(filename or PurePosixPath(key).name)
    if _usess3_client():
        return s3_client().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": settings.AWS_STORAGE_BUCKET_NAME,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{name}"',
            },
            ExpiresIn=_max_age(max_age),
        )
    token = signing.dumps({"k": key, "f": name, "e": int(time.time()) + _max_age(max_age)}, salt=_DOWNLOAD_SALT)
    return links.absolute(f"/api/files/{quote(token)}")


@dataclass(frozen=True)
class UploadTarget:
    """Where and how a client uploads one file: PUT the raw body to ``url`` with ``headers``."""

    url: str
    headers: dict[str, str]


def upload_target(
    key: str, *, content_type: str, max_bytes: int, size: int | None = None, max_age: int | None = None
) -> UploadTarget:
    """A signed, expiring, single-use upload of one file of ``content_type`` and at most ``max_bytes``.

    S3 gets a presigned PUT whose signature covers ``Content-Type``, ``Content-Length`` (the declared
    ``size``, required: a PUT cannot carry a range) and ``If-None-Match: *``, so S3 refuses another
    type or size (403) and a second upload to the key (412). Local storage answers a signed PUT on
    autolab, which checks type and size and lets the key's claimer refuse a second upload (409).
    """
    _check_key(key)
    if _usess3_client():
        if size is None or not 0 < size <= max_bytes:
            limit = max_bytes // (1024 * 1024)
            raise StorageError(
                f"The file's size in bytes (at most {limit} MB) is required: an S3 upload link is bound to it"
            )
        params = {"ContentType": content_type, "ContentLength": size, "IfNoneMatch": "*"}
        url = s3_client().generate_presigned_url(
            "put_object",
            Params={"Bucket": settings.AWS_STORAGE_BUCKET_NAME, "Key": key, **params},
            ExpiresIn=_max_age(max_age),
        )
        return UploadTarget(url, {"Content-Type": content_type, "If-None-Match": "*"})
    claims = {"k": key, "t": content_type, "m": max_bytes, "e": int(time.time()) + _max_age(max_age)}
    token = quote(signing.dumps(claims, salt=_UPLOAD_SALT))
    return UploadTarget(links.absolute(f"/api/files/upload/{token}"), {"Content-Type": content_type})


def keys(prefix: str = "") -> Iterator[str]:
    """Every stored key under ``prefix`` (for backups), in no particular order."""
    if _usess3_client():
        pages = (
            s3_client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=settings.AWS_STORAGE_BUCKET_NAME, Prefix=prefix)
        )
        for page in pages:
            for entry in page.get("Contents", []):
                yield entry["Key"]
        return
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        key = path.relative_to(root).as_posix()
        if path.is_file() and not path.name.endswith(".partial") and key.startswith(prefix) and _KEY_RE.match(key):
            yield key


def _claims(token: str, salt: str) -> dict[str, Any]:
    try:
        claims = signing.loads(token, salt=salt)
    except signing.BadSignature as exc:
        raise StorageError("Invalid link") from exc
    if int(claims.get("e", 0)) < time.time():
        raise StorageError("This link has expired")
    return claims


def download_claims(token: str) -> tuple[str, str]:
    """(key, filename) of a download link; raises StorageError when forged or expired."""
    claims = _claims(token, _DOWNLOAD_SALT)
    return _check_key(claims["k"]), claims["f"]


# Upload links are single-use: the app owning a key prefix claims the upload with a conditional
# write before the file is stored, and refuses a second one (bookings: "reports/").
_UPLOAD_CLAIMERS: dict[str, Callable[[str], None]] = {}


def register_upload_claimer(prefix: str, claim: Callable[[str], None]) -> None:
    """``claim(key)`` consumes the link for ``key`` or raises UploadRefused (used, or immutable)."""
    _UPLOAD_CLAIMERS[prefix] = claim


def _claim_upload(key: str) -> None:
    claim = next((c for prefix, c in _UPLOAD_CLAIMERS.items() if key.startswith(prefix)), None)
    if claim is None:
        raise UploadRefused("No upload is expected for this link")
    claim(key)


def accept_upload(token: str, content_type: str, data: bytes) -> str:
    """Store an upload sent to an ``upload_target`` after checking its type and size; returns the key."""
    claims = _claims(token, _UPLOAD_SALT)
    if content_type.split(";")[0].strip().lower() != claims["t"]:
        raise StorageError(f"Only {claims['t']} files are accepted")
    if len(data) > int(claims["m"]):
        raise StorageError(f"The file is larger than {int(claims['m']) // (1024 * 1024)} MB")
    if not data:
        raise StorageError("The file is empty")
    if claims["t"] == "application/pdf" and not data.startswith(b"%PDF-"):
        raise StorageError("The file is not a PDF")
    _claim_upload(claims["k"])
    save(claims["k"], data, claims["t"])
    return claims["k"]
