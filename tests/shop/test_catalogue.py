from __future__ import annotations

from decimal import Decimal

import pytest

from autolab.exceptions import Conflict, NotFound, ValidationError
from shop import seeds, services
from shop.models import ItemPrice
from shop.selectors import item_price_list


def test_public_catalogue_lists_active_items_with_prices(catalogue, anon) -> None:
    ItemPrice.get(1, 2).update(actions=[ItemPrice.active.set(False)])

    response = anon.get("/api/items")

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["categories"] == [
        {
            "categoryId": 1,
            "categoryName": "Engines & Parts",
            "items": [{"itemId": 1, "itemName": "V8 Engine", "price": 150, "active": True}],
        },
        {
            "categoryId": 2,
            "categoryName": "Tyres & Wheels",
            "items": [
                {"itemId": 1, "itemName": "Alloy Wheels", "price": 200, "active": True},
                {"itemId": 2, "itemName": "Winter Tyres", "price": 100, "active": True},
            ],
        },
    ]
    assert {(item["categoryId"], item["itemId"]) for item in body["items"]} == {(1, 1), (2, 1), (2, 2)}


def test_public_catalogue_ignores_a_bad_staff_token(catalogue, anon) -> None:
    anon.credentials(HTTP_AUTHORIZATION="Bearer nonsense")

    assert anon.get("/api/items").status_code == 200


def test_empty_catalogue(anon) -> None:
    assert anon.get("/api/items").json() == {"success": True, "categories": [], "items": []}


def test_cents_are_kept(catalogue, anon, admin) -> None:
    services.item_price_change(
        category_id=1, item_id=1, item_name="V8 Engine", price="149.95", active=True, actor=admin.identity
    )

    items = anon.get("/api/items").json()["items"]

    assert next(item for item in items if item["itemId"] == 1 and item["categoryId"] == 1)["price"] == 149.95
    assert ItemPrice.get(1, 1).price == Decimal("149.95")


def test_add_keeps_the_existing_category_name(catalogue, admin) -> None:
    row = services.item_price_add(
        category_id=2, item_id=3, category_name="Other", item_name="Rims", price="80", actor=admin.identity
    )

    assert row.category_name == "Tyres & Wheels"
    assert ItemPrice.get(2, 3).catalogue == "ITEMS"


def test_add_refuses_an_existing_item(catalogue, admin) -> None:
    with pytest.raises(Conflict):
        services.item_price_add(
            category_id=1, item_id=1, category_name="", item_name="Copy", price="1", actor=admin.identity
        )
    assert ItemPrice.get(1, 1).item_name == "V8 Engine"


@pytest.mark.parametrize("price", ["0", "-1", "abc", "1e9", None, "NaN"])
def test_prices_must_be_positive_amounts(catalogue, price, admin) -> None:
    with pytest.raises(ValidationError):
        services.item_price_change(
            category_id=1, item_id=1, item_name="V8", price=price, active=True, actor=admin.identity
        )
    assert ItemPrice.get(1, 1).price == Decimal("150")


def test_change_and_rename_unknown_are_not_found(catalogue, admin) -> None:
    with pytest.raises(NotFound):
        services.item_price_change(
            category_id=9, item_id=9, item_name="X", price="1", active=True, actor=admin.identity
        )
    with pytest.raises(NotFound):
        services.category_rename(category_id=9, category_name="X", actor=admin.identity)


def test_repricing_does_not_touch_existing_orders(new_order, admin) -> None:
    order = new_order()

    services.item_price_change(
        category_id=1, item_id=1, item_name="V8 Engine", price="999", active=True, actor=admin.identity
    )

    assert type(order).get(order.order_id).total_price == Decimal("400")


def test_staff_price_list_includes_inactive_items(catalogue) -> None:
    ItemPrice.get(2, 2).update(actions=[ItemPrice.active.set(False)])

    rows = item_price_list()

    assert [(row.category_id, row.item_id, row.active) for row in rows] == [
        (1, 1, True),
        (1, 2, True),
        (2, 1, True),
        (2, 2, False),
    ]


def test_seed_is_idempotent_and_backfills_the_catalogue_key(anon) -> None:
    from autolab import dynamodb

    # A row as an older seed wrote it: no catalogue attribute, so catalogue-index misses it.
    dynamodb.connection().client.put_item(
        TableName=ItemPrice.Meta.table_name,
        Item={
            "categoryId": {"N": "1"},
            "itemId": {"N": "1"},
            "categoryName": {"S": "Engines & Parts"},
            "itemName": {"S": "V8 Engine"},
            "price": {"N": "150"},
            "active": {"BOOL": True},
        },
    )
    assert len(anon.get("/api/items").json()["items"]) == 0

    first, second = list(seeds.seed()), list(seeds.seed())

    assert first[-1] == "parts: catalogue key added to 1 rows"
    assert second == ["parts: 0 created, 4 already present (kept)", "parts: catalogue key added to 0 rows"]
    assert len(anon.get("/api/items").json()["items"]) == 4
