"""autolab.dynamodb's error rules on real DynamoDB Local: which failure is a refused condition,
which is a lost race, and how an optimistic read-modify-write is re-run."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError
from pynamodb.connection.base import VerboseClientError
from pynamodb.exceptions import CancellationReason, DeleteError, PutError, TransactWriteError, UpdateError

from autolab import dynamodb
from autolab.dynamodb import condition_failed, conflicted, failed_conditions, retry_on_conflict
from autolab.exceptions import Conflict, NotFound
from billing.models import BillingKey

KIND = "test-errors"


def _key(name: str, value: int | None = None) -> BillingKey:
    return BillingKey(kind=KIND, key=name, value=value)


def test_a_refused_put_update_or_delete_is_a_failed_condition() -> None:
    _key("a", 1).save()
    with pytest.raises(PutError) as put:
        _key("a", 2).save(condition=BillingKey.key.does_not_exist())
    with pytest.raises(UpdateError) as update:
        _key("a").update(actions=[BillingKey.value.set(3)], condition=BillingKey.value == 9)
    with pytest.raises(DeleteError) as delete:
        _key("missing").delete(condition=BillingKey.key.exists())
    for error in (put.value, update.value, delete.value):
        assert condition_failed(error)
        assert conflicted(error)
        assert failed_conditions(error) == set()  # positions belong to transactions
    assert BillingKey.get(KIND, "a").value == 1


def test_a_transaction_cancelled_by_a_condition_names_the_item() -> None:
    _key("taken", 1).save()

    def create_both() -> None:
        with dynamodb.transaction() as transaction:
            transaction.save(_key("new", 1), condition=BillingKey.key.does_not_exist())
            transaction.save(_key("taken", 2), condition=BillingKey.key.does_not_exist())

    with pytest.raises(TransactWriteError) as caught:
        create_both()
    error = caught.value
    assert condition_failed(error)
    assert conflicted(error)
    assert failed_conditions(error) == {1}
    assert dynamodb.cancellation_codes(error) == [None, "ConditionalCheckFailed"]
    assert BillingKey.count(KIND) == 1  # nothing of the cancelled transaction was stored


def test_a_raw_boto3_conditional_put_is_read_the_same_way() -> None:
    _key("raw", 1).save()
    with pytest.raises(ClientError) as caught:
        dynamodb.connection().client.put_item(
            TableName=BillingKey.Meta.table_name,
            Item={"kind": {"S": KIND}, "key": {"S": "raw"}},
            ConditionExpression="attribute_not_exists(#k)",
            ExpressionAttributeNames={"#k": "key"},
        )
    assert condition_failed(caught.value)


def test_other_errors_are_neither() -> None:
    with pytest.raises(PutError) as caught:
        BillingKey(kind=KIND, key="x" * 2000).save()  # a range key over 1024 bytes
    too_big = caught.value
    assert dynamodb.error_code(too_big) == "ValidationException"
    for error in (too_big, ValueError("no"), NotFound("gone")):
        assert not condition_failed(error)
        assert not conflicted(error)
        assert dynamodb.cancellation_codes(error) == []


def _cancelled(*codes: str) -> TransactWriteError:
    """A cancellation as botocore hands it over (for reasons DynamoDB Local never gives)."""
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
        "TransactWriteItems",
        {},
        cancellation_reasons=[None if code == "None" else CancellationReason(code=code) for code in codes],
    )
    return TransactWriteError("Failed to write transaction items", cause=cause)


def test_a_transaction_that_collided_with_another_is_a_conflict_not_a_failed_condition() -> None:
    collided = _cancelled("None", "TransactionConflict")
    assert conflicted(collided)
    assert not condition_failed(collided)
    assert not dynamodb.is_unavailable(collided)


def test_a_transaction_throttled_item_by_item_is_an_outage_not_a_conflict() -> None:
    throttled = _cancelled("ThrottlingError", "None")
    assert dynamodb.is_unavailable(throttled)
    assert not conflicted(throttled)


def _bump_version_of(name: str, racer: threading.Event | None = None) -> int:
    """One optimistic increment: read, (let a racer write), write conditioned on what was read."""
    item = BillingKey.get(KIND, name, consistent_read=True)
    seen = item.value
    if racer is not None and not racer.is_set():
        racer.set()
        _key(name, seen + 100).save()  # another writer moves the value after our read
    item.update(actions=[BillingKey.value.set(seen + 1)], condition=BillingKey.value == seen)
    return seen + 1


def test_a_lost_race_is_read_again_and_written() -> None:
    _key("counter", 0).save()
    calls = []
    raced = threading.Event()

    def attempt() -> int:
        calls.append(1)
        return _bump_version_of("counter", raced)

    assert retry_on_conflict(attempt, attempts=3, or_raise=Conflict("busy")) == 101
    assert len(calls) == 2
    assert BillingKey.get(KIND, "counter").value == 101


def test_a_spent_budget_raises_the_call_sites_error_from_the_last_conflict() -> None:
    _key("hot", 0).save()
    calls = []

    def always_loses() -> int:
        calls.append(1)
        return _bump_version_of("hot", threading.Event())  # a fresh racer each time: it always wins

    with pytest.raises(Conflict, match=r"^The item kept changing$") as caught:
        retry_on_conflict(always_loses, attempts=4, or_raise=Conflict("The item kept changing"))
    assert len(calls) == 4
    assert condition_failed(caught.value.__cause__)


def test_anything_but_a_conflict_passes_through_at_once() -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        BillingKey(kind=KIND, key="x" * 2000).save()

    with pytest.raises(PutError):
        retry_on_conflict(attempt, attempts=5, or_raise=Conflict("busy"))
    assert len(calls) == 1

    def refused() -> None:
        calls.append(1)
        raise NotFound("gone")

    with pytest.raises(NotFound):
        retry_on_conflict(refused, attempts=5, or_raise=Conflict("busy"))
    assert len(calls) == 2


def test_racing_transactions_each_land_exactly_once() -> None:
    """Eight writers bump one counter in a transaction with an item of their own: every lost race
    (a failed version condition or a collision between transactions) is re-run until it lands."""
    _key("shared", 0).save()
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def writer(n: int) -> None:
        def attempt() -> None:
            seen = BillingKey.get(KIND, "shared", consistent_read=True).value
            with dynamodb.transaction() as transaction:
                transaction.update(
                    _key("shared"), actions=[BillingKey.value.set(seen + 1)], condition=BillingKey.value == seen
                )
                transaction.save(_key(f"writer-{n}", seen), condition=BillingKey.key.does_not_exist())

        start.wait()
        try:
            retry_on_conflict(attempt, attempts=40, or_raise=Conflict("busy"))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert BillingKey.get(KIND, "shared").value == 8
    assert sorted(item.value for item in BillingKey.query(KIND, BillingKey.key.startswith("writer-"))) == list(range(8))
