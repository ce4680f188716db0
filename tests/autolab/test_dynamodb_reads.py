"""autolab.dynamodb's one-item reads on real DynamoDB Local: by key, and by an id a request named."""

from __future__ import annotations

import pytest

from bench.harness import count_dynamodb_calls
from billing.models import BillingKey
from chat.models import Customer

KIND = "test-reads"


def test_an_item_by_key_or_none() -> None:
    BillingKey(kind=KIND, key="a", value=1).save()

    assert BillingKey.get_or_none(KIND, "a", consistent_read=True).value == 1
    assert BillingKey.get_or_none(KIND, "missing") is None


def test_an_id_is_read_only_when_it_could_be_one() -> None:
    Customer(user_id="c" * 64).save()

    with count_dynamodb_calls() as calls:
        assert Customer.get_by_id("c" * 64) is not None
        assert Customer.get_by_id("unknown") is None
    assert calls["GetItem"] == 2


@pytest.mark.parametrize("item_id", ["", None, 42, ["c"], "c" * 65])
def test_a_value_that_cannot_be_an_id_is_none_without_a_read(item_id) -> None:
    with count_dynamodb_calls() as calls:
        assert Customer.get_by_id(item_id) is None
    assert not calls


def test_a_table_with_longer_ids_says_so() -> None:
    Customer(user_id="d" * 100).save()

    assert Customer.get_by_id("d" * 100) is None
    assert Customer.get_by_id("d" * 100, longest=100) is not None
