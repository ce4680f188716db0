"""put_missing, which every app's seed uses: new keys are created in one transaction per 100
items, existing keys are kept as they are, and two seeds racing on the same keys create each
item once between them."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from autolab.seeding import put_missing
from bench.harness import count_dynamodb_calls
from shop.models import ItemPrice


def _parts(count: int, *, category_id: int = 7) -> list[ItemPrice]:
    return [
        ItemPrice(
            category_id=category_id,
            item_id=item_id,
            category_name="Seeded",
            item_name=f"Part {item_id}",
            price=Decimal("10.00"),
        )
        for item_id in range(1, count + 1)
    ]


def test_a_fresh_table_is_seeded_in_one_transaction_per_hundred_items() -> None:
    with count_dynamodb_calls() as calls:
        line = put_missing(_parts(150), "parts")
    assert line == "parts: 150 created, 0 already present (kept)"
    assert dict(calls) == {"TransactWriteItems": 2}
    assert sorted(part.item_id for part in ItemPrice.query(7)) == list(range(1, 151))


def test_existing_keys_are_kept_and_the_rest_created() -> None:
    ItemPrice(category_id=7, item_id=3, category_name="Edited", item_name="Kept", price=Decimal("99")).save()
    ItemPrice(category_id=7, item_id=120, category_name="Edited", item_name="Kept", price=Decimal("99")).save()

    assert put_missing(_parts(150), "parts") == "parts: 148 created, 2 already present (kept)"

    stored = {part.item_id: part for part in ItemPrice.query(7)}
    assert len(stored) == 150
    assert [(stored[at].item_name, stored[at].price) for at in (3, 120)] == [("Kept", Decimal("99"))] * 2
    assert stored[4].item_name == "Part 4"
    assert put_missing(_parts(150), "parts") == "parts: 0 created, 150 already present (kept)"


def test_two_seeds_racing_on_the_same_keys_create_each_item_once() -> None:
    start = threading.Barrier(2)

    def seed() -> str:
        start.wait()
        return put_missing(_parts(40), "parts")

    with ThreadPoolExecutor(max_workers=2) as pool:
        lines = list(pool.map(lambda _: seed(), range(2)))  # a seed's error is raised here

    created = [int(line.split(": ")[1].split(" created")[0]) for line in lines]
    assert sum(created) == 40, lines
    assert len(list(ItemPrice.query(7))) == 40
