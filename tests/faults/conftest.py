"""Fault-injection fixtures: real servers that fail in the ways production ones do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from autolab import dynamodb
from devtools.dynamodb_local import start_dynamodb_local
from devtools.services import Service
from tests.faults.dynamodb_faults import FaultyDynamoDB

# Short enough that a stalled engine costs a test seconds, long enough for a loaded machine.
TEST_READ_TIMEOUT_SECONDS = 1.0


@pytest.fixture
def faulty_dynamodb() -> Iterator[FaultyDynamoDB]:
    """autolab (this process) talks to DynamoDB through a FaultyDynamoDB in front of the suite's engine."""
    meta = dynamodb.registered_models()[0].Meta
    original_host, original_timeout = meta.host, meta.read_timeout_seconds
    faulty = FaultyDynamoDB(settings.DYNAMODB_ENDPOINT_URL)
    dynamodb.configure(endpoint_url=faulty.url, read_timeout_seconds=TEST_READ_TIMEOUT_SECONDS)
    try:
        yield faulty
    finally:
        faulty.close()
        dynamodb.configure(endpoint_url=original_host, read_timeout_seconds=original_timeout)


def start_engine(port: int, data_dir: Path) -> Service:
    """The suite's DynamoDB engine, started the way the test plugin starts it, on a given port."""
    return start_dynamodb_local(port=port, db_path=data_dir)
