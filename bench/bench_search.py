"""Search and vehicles (#18.3, #18.4): the staff search over 2,000 customers and their appointments
(each with a registration, so 2,000 vehicles too) in the index, and a vehicle's page.

A search is one Query of the SearchIndex table whatever it finds (the bucket of its longest token,
``begins_with`` on the sort key), plus the staff member's GetItem; the portal page adds the header's
two badge Queries. Indexing rides in the creating transaction; an update that changes what a
record is found by reads the record's index document and writes one transaction.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from bench.harness import Measurement, answered, measure, staff_client

CUSTOMERS = 2_000


def _regos(number: int) -> str:
    return f"1B{number:05d}"[:7]


def _seed() -> list[str]:
    """Customers and their appointments with a rego, indexed as the services index them."""
    from autolab import search
    from chat.models import Customer
    from chat.searching import customer_document

    ids = []
    for number in range(CUSTOMERS):
        customer = Customer(
            user_id=f"bench-customer-{number:05d}",
            user_name=f"Bench Person{number}",
            user_email=f"person{number}@example.com",
            contact_number=f"04{number:08d}",
        )
        search.write(customer_document(customer), created=True)
        vehicle = search.Document(
            kind="vehicle",
            record_id=_regos(number),
            label=_regos(number),
            texts=("Toyota", "Corolla"),
            codes=(_regos(number),),
        )
        search.write(vehicle, created=True)
        ids.append(customer.user_id)
    return ids


def _booking(user_id: str, registration: str) -> dict[str, Any]:
    import datetime as dt

    from autolab import clock

    day = (clock.business_today() + dt.timedelta(days=5)).isoformat()
    return {
        "userId": user_id,
        "appointmentData": {
            "serviceId": 1,
            "planId": 1,
            "isBuyer": True,
            "buyerData": {"name": "Vera Vehicle", "email": "vera@example.com", "phoneNumber": "0400 123 456"},
            "carData": {"make": "Mazda", "model": "3", "year": 2018, "registration": registration},
            "notes": "",
            "selectedSlots": [{"date": day, "start": "09:00", "end": "11:00", "priority": 1}],
        },
    }


def run() -> list[Measurement]:
    from bookings import seeds
    from chat.services import customer_register

    list(seeds.seed())
    _seed()
    office = staff_client("search@bench.test", ["ADMIN", "CUSTOMER_SUPPORT"])
    portal = Client()
    assert portal.login(username="search@bench.test", password="bench-pass-2030")
    anon_client = APIClient()
    customer = customer_register(user_name="Vera Vehicle").user_id
    bookings = []
    for _ in range(3):  # one car, three jobs: the vehicle page's history
        response = anon_client.post("/api/appointments", _booking(customer, "1VERA01"), format="json")
        bookings.append(answered(response).json()["appointmentId"])
    client = office.client

    def search(q: str) -> Any:
        return lambda i: answered(client.get("/api/search", {"q": q}))

    def patch_rego(i: int) -> Any:
        car = {"make": "Mazda", "model": "3", "year": 2018, "registration": f"1VERA{i % 2}"}
        return answered(client.patch(f"/api/appointments/{bookings[0]}", {"carData": car}, format="json"))

    return [
        measure("GET /api/search phone (0412 345 678 form)", search("04 0000 1234")),
        measure("GET /api/search partial rego", search("1B012")),
        measure("GET /api/search name, two words", search("bench person42")),
        measure("GET /api/search email", search("person4711@example.com")),
        measure("GET /api/search nothing found", search("zzqx")),
        measure(
            "GET /admin/search/ (portal page)",
            lambda i: answered(portal.get("/admin/search/", {"q": "1VERA"})),
            also_concurrent=False,
        ),
        measure(
            "GET /admin/bookings/vehicles/{rego}/ (portal, 3 jobs)",
            lambda i: answered(portal.get("/admin/bookings/vehicles/1VERA01/")),
            also_concurrent=False,
        ),
        measure("PATCH /api/appointments/{id} carData registration (re-indexed)", patch_rego),
    ]
