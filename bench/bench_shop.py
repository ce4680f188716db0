"""Shop: the catalogue, order creation, lists and detail with 10,000 orders in the table.

Every list is a Query on an index (no Scan on any path); detail is one GetItem (plus one Query of
the Staff index for the assigned mechanic). moto evaluates a Query by walking the whole table, so
absolute times here overstate what DynamoDB does; the call counts are what matters. Order creation
is one TransactWriteItems (daily counter + order), and moto deep-copies every table a transaction
touches for its rollback, so its time grows with the 10,000 orders; DynamoDB's does not. Creation
and PATCH also include the email outbox write and the (eager, in-process) send task.
"""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from typing import Any

from rest_framework.test import APIClient

from bench.harness import Measurement, answered, measure, staff_client

ORDERS = 10_000
CUSTOMERS = 500


def _order(rng: random.Random, now: int, customer_id: str, mechanics: list[str]) -> Any:
    from shop.models import Order, OrderLine

    status = rng.choices(["PENDING", "SCHEDULED", "DELIVERED", "CANCELLED"], weights=[60, 20, 15, 5])[0]
    created = now - rng.randrange(365 * 86400)
    line = OrderLine(category_id=1, item_id=1, quantity=2, unit_price=Decimal(150), total_price=Decimal(300))
    order = Order(
        order_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        items=[line],
        customer_name="Bench Customer",
        customer_email="bench@example.com",
        customer_phone="0412345678",
        car_make="Toyota",
        car_model="Corolla",
        car_year="2018",
        delivery_location="Perth",
        created_user_id=customer_id,
        status=status,
        total_price=Decimal(300),
        payment_status="paid" if rng.random() < 0.3 else "pending",
        post_notes="",
        created_at=created,
        created_date="2026-01-01",
        updated_at=created,
        version=1,
    )
    if status in ("SCHEDULED", "DELIVERED"):
        order.assigned_mechanic_id = rng.choice(mechanics)
        order.scheduled_date = "2026-02-01"
    return order


def _seed(customers: list[str], mechanics: list[str]) -> None:
    from autolab import clock
    from shop.models import Order

    rng = random.Random(4)
    now = clock.epoch_now()
    with Order.batch_write() as batch:
        for number in range(ORDERS):
            batch.save(_order(rng, now, customers[number % len(customers)], mechanics))


def _order_body(user_id: str) -> dict[str, Any]:
    return {
        "userId": user_id,
        "orderData": {
            "items": [{"categoryId": 1, "itemId": 1, "quantity": 2}, {"categoryId": 2, "itemId": 2, "quantity": 1}],
            "customerData": {"name": "Bench", "email": "bench@example.com", "phoneNumber": "0412345678"},
            "carData": {"make": "Toyota", "model": "Corolla", "year": 2018},
            "deliveryLocation": "Perth",
        },
    }


def run() -> list[Measurement]:
    from chat.services import customer_register
    from shop import seeds
    from shop.models import Order

    list(seeds.seed())
    office = staff_client("support@bench.test", ["CUSTOMER_SUPPORT"]).client
    mechanic_staff = [staff_client(f"mechanic{n}@bench.test", ["MECHANIC"]) for n in range(3)]
    mechanic_clients = [member.client for member in mechanic_staff]
    mechanics = [member.user_id for member in mechanic_staff]
    customers = [customer_register(user_name=f"Bench {n}").user_id for n in range(CUSTOMERS)]
    _seed(customers, mechanics)
    fresh = [customer_register(user_name=f"New {n}").user_id for n in range(20)]
    anon = APIClient()
    sample = [order.order_id for order in Order.created_user_index.query(customers[0])]
    next_cursor = office.get("/api/orders", {"limit": 25}).json()["nextCursor"]

    return [
        measure("GET /api/items (public)", lambda i: answered(anon.get("/api/items"))),
        measure(
            "POST /api/orders (customer)",
            lambda i: answered(anon.post("/api/orders", _order_body(fresh[i]), format="json")),
        ),
        measure("GET /api/orders staff, newest 25", lambda i: answered(office.get("/api/orders", {"limit": 25}))),
        measure(
            "GET /api/orders staff, page 2 (cursor)",
            lambda i: answered(office.get("/api/orders", {"limit": "25", "cursor": next_cursor})),
        ),
        measure(
            "GET /api/orders?status=SCHEDULED",
            lambda i: answered(office.get("/api/orders", {"status": "SCHEDULED", "limit": "25"})),
        ),
        measure(
            "GET /api/orders?paymentStatus=paid",
            lambda i: answered(office.get("/api/orders", {"paymentStatus": "paid", "limit": "25"})),
        ),
        measure(
            "GET /api/orders?dateFrom=last 30 days",
            lambda i: answered(office.get("/api/orders", {"dateFrom": _days_ago(30), "limit": "25"})),
        ),
        measure(
            "GET /api/orders (mechanic: assigned)",
            lambda i: answered(mechanic_clients[i % 3].get("/api/orders", {"limit": 25})),
        ),
        measure(
            "GET /api/orders?userId (customer)", lambda i: answered(anon.get("/api/orders", {"userId": customers[i]}))
        ),
        measure(
            "GET /api/orders/{id} (staff)", lambda i: answered(office.get(f"/api/orders/{sample[i % len(sample)]}"))
        ),
        measure(
            "GET /api/orders/{id}?userId (customer)",
            lambda i: answered(anon.get(f"/api/orders/{sample[i % len(sample)]}", {"userId": customers[0]})),
        ),
        measure(
            "PATCH /api/orders/{id} postNotes",
            lambda i: answered(
                office.patch(f"/api/orders/{sample[i % len(sample)]}", {"postNotes": f"bench {i}"}, format="json")
            ),
        ),
    ]


def _days_ago(days: int) -> str:
    import datetime as dt

    from autolab import clock

    return (clock.business_today() - dt.timedelta(days=days)).isoformat()
