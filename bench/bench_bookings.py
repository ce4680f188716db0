"""Bookings: availability, blocked periods, appointment lists, reads, booking and scheduling with
10,000 appointments in the table.

Availability and unavailable-slots read blocked periods and slot load in one BatchGetItem per 50
days (one for 31 days); the plan and the active mechanics come from the shared cache, and the number
of appointments does not change them. Lists are Queries on the seed's GSIs (status, customer,
mechanic), reads GetItems. moto evaluates a Query by walking the table and deep-copies every table a
transaction touches, so absolute times of lists and of booking/scheduling overstate DynamoDB's; the
call counts are the point. Booking and scheduling count the eager in-process send of their email
too: the booking is one BatchGetItem and one transaction (appointment, day counter, email), the
schedule the staff member's GetItem, one BatchGetItem (appointment, day's blocks) and one
transaction; each email's send is a suppression Query, the claim and the finish (3 calls).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

from rest_framework.test import APIClient

from bench.harness import Measurement, answered, measure, staff_client

APPOINTMENTS = 10_000
CUSTOMERS = 500


def _appointment(rng: random.Random, today: dt.date, customer: str, mechanics: list[str], load: dict) -> Any:
    from bookings.models import Appointment, ScheduledTimeSlot, SelectedSlot

    status = rng.choices(["PENDING", "SCHEDULED", "ONGOING", "COMPLETED", "CANCELLED"], weights=[40, 25, 5, 25, 5])[0]
    day = (today + dt.timedelta(days=rng.randrange(-300, 60))).isoformat()
    start = 8 + rng.randrange(10)
    appointment = Appointment(
        appointment_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        service_id=1,
        plan_id=1,
        is_buyer=True,
        buyer_name="Bench Buyer",
        buyer_email="bench@example.com",
        buyer_phone="0412345678",
        seller_name="",
        seller_email="",
        seller_phone="",
        car_make="Toyota",
        car_model="Corolla",
        car_year="2018",
        car_location="Perth",
        notes="",
        selected_slots=[SelectedSlot(date=day, start=f"{start:02d}:00", end=f"{start + 2:02d}:00", priority=1)],
        created_user_id=customer,
        status=status,
        price=Decimal(220),
        payment_status=rng.choice(["pending", "paid"]),
        post_notes="",
        reports=[],
        created_at=1_700_000_000,
        created_date=day,
        updated_at=1_700_000_000,
        version=1,
    )
    if status in ("SCHEDULED", "ONGOING", "COMPLETED"):
        appointment.scheduled_time_slot = ScheduledTimeSlot(
            date=day, start=f"{start:02d}:00", end=f"{start + 2:02d}:00"
        )
        appointment.scheduled_date = day
        appointment.assigned_mechanic_id = rng.choice(mechanics)
        for half in range(4):
            load.setdefault(day, Counter())[f"b{start + half // 2:02d}{30 * (half % 2):02d}"] += 1
    return appointment


def _seed(today: dt.date, customers: list[str], mechanics: list[str]) -> list[str]:
    from autolab.dynamodb import botocore_client
    from bookings.models import Appointment, SlotLoad

    rng, ids = random.Random(7), []
    load: dict[str, Counter[str]] = {}
    with Appointment.batch_write() as batch:
        for i in range(APPOINTMENTS):
            appointment = _appointment(rng, today, customers[i % len(customers)], mechanics, load)
            ids.append(appointment.appointment_id)
            batch.save(appointment)
    client = botocore_client()
    for day, buckets in load.items():  # consistent slot load for the seeded schedule
        item = {"date": {"S": day}, **{name: {"N": str(count)} for name, count in buckets.items()}}
        client.put_item(TableName=SlotLoad.Meta.table_name, Item=item)
    return ids


def run() -> list[Measurement]:
    from django.conf import settings

    from autolab import clock
    from bookings.seeds import seed as seed_catalogue
    from chat.services import customer_register

    settings.BOOKING_CAPACITY = 50  # room for the scheduling measurements on a busy seeded day
    list(seed_catalogue())
    today = clock.business_today()
    support = staff_client("support@bench.test", ["CUSTOMER_SUPPORT"]).client
    admin = staff_client("admin@bench.test", ["ADMIN"]).client
    mechanics = [staff_client(f"mechanic{i}@bench.test", ["MECHANIC"]) for i in range(4)]
    mechanic, mechanic_id = mechanics[0].client, mechanics[0].user_id
    customers = [customer_register(user_email=f"c{i}@example.com").user_id for i in range(CUSTOMERS)]
    ids = _seed(today, customers, [m.user_id for m in mechanics])
    anon = APIClient()
    first, last = (today + dt.timedelta(days=1)).isoformat(), (today + dt.timedelta(days=31)).isoformat()
    day = (today + dt.timedelta(days=10)).isoformat()
    for offset in range(1, 32, 3):
        admin.post(
            "/api/unavailable-slots",
            {"date": (today + dt.timedelta(days=offset)).isoformat(), "operation": "add", "timeSlots": ["12:00-13:00"]},
            format="json",
        )
    anon.get(f"/api/availability?serviceId=1&planId=1&date={day}")  # warm the mechanics cache
    results = [
        measure(
            "GET /api/availability (31 days)",
            lambda i: answered(anon.get(f"/api/availability?serviceId=1&planId=2&startDate={first}&endDate={last}")),
        ),
        measure(
            "GET /api/availability (1 day)",
            lambda i: answered(anon.get(f"/api/availability?serviceId=1&planId=1&date={day}")),
        ),
        measure(
            "GET /api/unavailable-slots (31 days)",
            lambda i: answered(anon.get(f"/api/unavailable-slots?startDate={first}&endDate={last}")),
        ),
        measure(
            "GET /api/unavailable-slots?date&checkSlot",
            lambda i: answered(anon.get(f"/api/unavailable-slots?date={day}&checkSlot=10:00-12:00")),
        ),
        measure("GET /api/services", lambda i: answered(anon.get("/api/services"))),
        measure(
            "GET /api/appointments (staff, first page)", lambda i: answered(support.get("/api/appointments?limit=25"))
        ),
        measure(
            "GET /api/appointments?status=SCHEDULED",
            lambda i: answered(support.get("/api/appointments?status=SCHEDULED&limit=25")),
        ),
        measure("GET /api/appointments (mechanic)", lambda i: answered(mechanic.get("/api/appointments?limit=25"))),
        measure(
            "GET /api/appointments?userId (customer)",
            lambda i: answered(anon.get(f"/api/appointments?userId={customers[i]}")),
        ),
        measure(
            "GET /api/appointments/{id} (customer)",
            lambda i: answered(anon.get(f"/api/appointments/{ids[i]}?userId={customers[i % CUSTOMERS]}")),
        ),
        measure("GET /api/appointments/{id} (staff)", lambda i: answered(support.get(f"/api/appointments/{ids[i]}"))),
    ]
    new_ids: list[str] = []
    results.append(
        measure(
            "POST /api/appointments (customer)",
            lambda i: new_ids.append(_book(anon, customers[100 + i], today)),
            repeat=10,
        )
    )
    results.append(
        measure(
            "PATCH schedule + mechanic (transaction)",
            lambda i: answered(
                support.patch(
                    f"/api/appointments/{new_ids[i]}",
                    {
                        "scheduledTimeSlot": {
                            "date": (today + dt.timedelta(days=40 + i)).isoformat(),
                            "start": "14:00",
                            "end": "16:00",
                        },
                        "assignedMechanicId": mechanic_id,
                    },
                    format="json",
                )
            ),
            repeat=10,
        )
    )
    results.append(
        measure(
            "PATCH notes (basic info)",
            lambda i: answered(support.patch(f"/api/appointments/{new_ids[i]}", {"notes": f"n{i}"}, format="json")),
            repeat=10,
        )
    )
    return results


def _book(client: APIClient, customer: str, today: dt.date) -> str:
    day = (today + dt.timedelta(days=20)).isoformat()
    data = {
        "serviceId": 1,
        "planId": 1,
        "isBuyer": True,
        "buyerData": {"name": "B", "email": "b@example.com", "phoneNumber": "0412345678"},
        "carData": {"make": "Mazda", "model": "3", "year": 2019},
        "selectedSlots": [{"date": day, "start": "09:00", "end": "11:00", "priority": 1}],
    }
    response = client.post("/api/appointments", {"userId": customer, "appointmentData": data}, format="json")
    return answered(response).json()["appointmentId"]
