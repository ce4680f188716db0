"""AWS clients (S3, SES), one per process and configuration: creating one loads botocore's service
model, about half a second of CPU, and a client is thread-safe, so it is made once and shared."""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.config import Config


@functools.cache
def client(service: str, region: str, endpoint_url: str | None = None) -> Any:
    # S3 signs with Signature V4, which covers a presigned request's headers (V2 would leave
    # If-None-Match and Content-Length out, so a client could drop or change them).
    config = Config(signature_version="s3v4") if service == "s3" else None
    return botocore.session.get_session().create_client(
        service, region_name=region, endpoint_url=endpoint_url, config=config
    )
