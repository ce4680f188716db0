"""DynamoDB faults on the wire (#12.4): throttling, dropped connections and stalls are retried
with backoff, then answered 503 with a message; a stopped engine answers 503 until it is back."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from autolab import dynamodb
from autolab.exceptions import UNAVAILABLE_MESSAGE
from autolab.tables import ensure_tables
from chat import services
from devtools.services import free_port
from tests.faults.conftest import start_engine

UNAVAILABLE = {"success": False, "message": UNAVAILABLE_MESSAGE}
ATTEMPTS = 1 + dynamodb.BaseMeta.max_retry_attempts


def _check(user_id: str):
    return APIClient().get("/api/users/check", {"userId": user_id})


def _assert_unavailable(response) -> None:
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert response["Retry-After"] == "5"


def test_throttling_is_retried_and_the_request_succeeds(faulty_dynamodb):
    user_id = services.customer_register().user_id
    faulty_dynamodb.fail("ThrottlingException", times=2)

    response = _check(user_id)

    assert response.status_code == 200
    assert faulty_dynamodb.count("GetItem") == 3  # two throttled attempts, then the answer


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "RequestLimitExceeded"])
def test_throttling_that_outlasts_the_retries_is_a_503(faulty_dynamodb, code):
    faulty_dynamodb.fail(code)

    _assert_unavailable(_check(str(uuid.uuid4())))
    assert faulty_dynamodb.count("GetItem") == ATTEMPTS


@pytest.mark.parametrize("fault", ["drop", "stall"])
def test_dropped_connections_and_read_timeouts_are_a_503(faulty_dynamodb, fault):
    faulty_dynamodb.fail(fault)

    response = APIClient().post("/api/users/register", {"userName": "Ann"}, format="json")

    _assert_unavailable(response)
    # A named customer is written with their search postings in one transaction.
    assert faulty_dynamodb.count("TransactWriteItems") == ATTEMPTS


def test_a_throttled_transaction_is_a_503_and_nothing_is_stored(faulty_dynamodb):
    user_id = services.customer_register().user_id
    faulty_dynamodb.fail("ThrottlingException", operation="TransactWriteItems")

    response = APIClient().post("/api/messages", {"clientId": user_id, "message": "hello"}, format="json")

    _assert_unavailable(response)
    assert faulty_dynamodb.count("TransactWriteItems") == ATTEMPTS
    faulty_dynamodb.forward()
    history = APIClient().get("/api/messages", {"clientId": user_id, "userId": user_id})
    assert history.json()["messages"] == []


@pytest.mark.django_db
def test_a_portal_page_during_throttling_is_a_503_page(faulty_dynamodb, support):
    client = Client()
    assert client.login(username=support.email, password=support.password)
    faulty_dynamodb.fail("ThrottlingException")

    response = client.get("/admin/")

    assert response.status_code == 503
    assert response.content.decode() == UNAVAILABLE_MESSAGE


@pytest.mark.django_db
def test_a_portal_action_during_throttling_is_the_503_page_not_a_message(faulty_dynamodb, support):
    client = Client()
    assert client.login(username=support.email, password=support.password)
    faulty_dynamodb.fail("ThrottlingException", operation="PutItem")

    response = client.post("/admin/chat/canned-replies/", {"title": "Ready", "text": "Your car is ready."})

    assert response.status_code == 503
    assert response.content.decode() == UNAVAILABLE_MESSAGE
    faulty_dynamodb.forward()
    assert "Your car is ready." not in client.get("/admin/chat/canned-replies/").content.decode()


def test_a_stopped_engine_answers_503_and_works_again_once_started(tmp_path, settings):
    original = dynamodb.registered_models()[0].Meta.host
    port = free_port()
    engine = start_engine(port, tmp_path / "engine")
    dynamodb.configure(endpoint_url=engine.url)
    try:
        list(ensure_tables())
        registered = APIClient().post("/api/users/register", {}, format="json")
        assert registered.status_code == 201
        engine.stop()

        _assert_unavailable(_check(registered.json()["userId"]))
        _assert_unavailable(APIClient().post("/api/users/register", {}, format="json"))

        engine = start_engine(port, tmp_path / "engine")
        list(ensure_tables())  # an in-memory engine comes back empty; a no-op for one on disk
        assert APIClient().post("/api/users/register", {}, format="json").status_code == 201
    finally:
        engine.stop()
        dynamodb.configure(endpoint_url=original)
