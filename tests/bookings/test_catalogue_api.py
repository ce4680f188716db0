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


def test_catalogue_changes_show_after_save(anon):
    from decimal import Decimal

    from bookings.services import service_plan_save

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
    )
    plans = anon.get("/api/services").json()["services"][0]["plans"]
    assert (plans[0]["price"], plans[0]["durationMinutes"]) == (230, 150)
