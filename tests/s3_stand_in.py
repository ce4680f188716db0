"""An S3 stand-in for tests: moto in server mode on a loopback port, so presigned URLs and POST
policies are exercised over real HTTP. autolab.storage is pointed at it through settings."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
import pytest
from moto.server import ThreadedMotoServer


@dataclass
class S3StandIn:
    url: str
    client: Any

    def bucket(self, name: str) -> str:
        self.client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"})
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", []))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def _s3_server() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(_s3_server: str, settings) -> Iterator[S3StandIn]:
    """autolab's file storage on S3 (the stand-in), with an empty ``autolab-files`` bucket."""
    import urllib.request

    client = botocore.session.get_session().create_client("s3", region_name="ap-southeast-2", endpoint_url=_s3_server)
    stand_in = S3StandIn(url=_s3_server, client=client)
    settings.AWS_S3_ENDPOINT_URL = _s3_server
    settings.FILE_STORAGE = "s3"
    settings.AWS_STORAGE_BUCKET_NAME = stand_in.bucket("autolab-files")
    yield stand_in
    urllib.request.urlopen(urllib.request.Request(f"{_s3_server}/moto-api/reset", method="POST"))  # noqa: S310
