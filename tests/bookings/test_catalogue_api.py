import json
from decimal import Decimal

from shop.models import ItemPrice


def test_public_services_lists_active_plans_with_price_duration_features(anon):
    response = anon.get("/api/services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert [s["serviceId"] for s in services] == [1]
    plans = services[0]["plans"]
    assert [(p["planId"], p["price"], p["durationMinutes"]) for p in plans] == [(1, 220, 120), (2, 280.5, 180)]
    assert plans[1]["features"] == ["Road test", "OBD scan"]


def test_prices_is_staff_only_and_lists_every_plan(anon, clerk):
    assert anon.get("/api/prices").status_code in (401, 403)
    body = clerk.api().get("/api/prices").json()
    assert body["success"] is True
    assert {(p["serviceId"], p["planId"], p["active"]) for p in body["servicePrices"]} == {
        (1, 1, True),
        (1, 2, True),
        (6, 1, False),
    }
    assert "itemPrices" in body
    assert "timestamp" in body


def test_catalogue_changes_show_after_save(anon, admin):
    from decimal import Decimal

    from bookings.catalogue import service_plan_save

    anon.get("/api/services")  # warm the cache
    service_plan_save(
        service_id=1,
        plan_id=1,
        service_name="Pre Purchase Inspection",
        plan_name="Standard",
        price=Decimal("230"),
        duration_minutes=150,
        features=["Road test"],
        active=True,
        actor=admin.identity,
    )
    plans = anon.get("/api/services").json()["services"][0]["plans"]
    assert (plans[0]["price"], plans[0]["durationMinutes"]) == (230, 150)


def test_seed_is_idempotent_and_indexes_plans_stored_without_the_catalogue_key():
    from autolab.dynamodb import connection
    from bookings import seeds
    from bookings.models import ServicePrice
    from bookings.selectors import service_price_list

    connection().client.put_item(
        TableName=ServicePrice.Meta.table_name,
        Item={
            "serviceId": {"N": "2"},
            "planId": {"N": "1"},
            "serviceName": {"S": "Battery"},
            "planName": {"S": "Old"},
            "price": {"N": "180"},
            "active": {"BOOL": True},
        },
    )
    [indexed] = [line for line in seeds.seed() if "catalogue index" in line]
    assert "1 added to the catalogue index" in indexed
    assert (2, 1) in {(p.service_id, p.plan_id) for p in service_price_list()}
    assert [line for line in seeds.seed() if "catalogue index" in line] == [indexed.replace("1 added", "0 added")]


def test_prices_include_the_parts_catalogue(clerk):
    from decimal import Decimal

    from shop.models import ItemPrice

    ItemPrice(
        category_id=1,
        item_id=1,
        category_name="Engines & Parts",
        item_name="V8 Engine",
        price=Decimal("150"),
        active=True,
    ).save()
    items = clerk.api().get("/api/prices").json()["itemPrices"]
    assert [(i["categoryId"], i["itemId"], i["price"]) for i in items] == [(1, 1, 150)]


def test_prices_answer_the_original_body_byte_for_byte(clerk):
    for category_id, category, item, price, active in (
        (2, "Tyres & Wheels", "Winter Tyres", "99.95", False),
        (1, "Engines & Parts", "V8 Engine", "150", True),
    ):
        ItemPrice(
            category_id=category_id,
            item_id=1,
            category_name=category,
            item_name=item,
            price=Decimal(price),
            active=active,
        ).save()
    response = clerk.api().get("/api/prices")
    assert response.status_code == 200
    service = "Pre Purchase Inspection"
    expected = {
        "success": True,
        "itemPrices": [
            {
                "categoryId": 1,
                "itemId": 1,
                "categoryName": "Engines & Parts",
                "itemName": "V8 Engine",
                "price": 150,
                "active": True,
            },
            {
                "categoryId": 2,
                "itemId": 1,
                "categoryName": "Tyres & Wheels",
                "itemName": "Winter Tyres",
                "price": 99.95,
                "active": False,
            },
        ],
        "servicePrices": [
            {"serviceId": 1, "planId": 1, "serviceName": service, "planName": "Standard", "price": 220, "active": True},
            {
                "serviceId": 1,
                "planId": 2,
                "serviceName": service,
                "planName": "Comprehensive",
                "price": 280.5,
                "active": True,
            },
            {
                "serviceId": 6,
                "planId": 1,
                "serviceName": "Accessories",
                "planName": "Fitting",
                "price": 150,
                "active": False,
            },
        ],
        "timestamp": response.json()["timestamp"],
    }
    assert response.content == json.dumps(expected, separators=(",", ":"), ensure_ascii=False).encode()
