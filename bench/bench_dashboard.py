"""Dashboard: the portal index as each role opens it, and one panel alone as the live refresh
fetches it. Data set: 300 bookings through the API (300 customers), 40 of them paid and 24
scheduled today and tomorrow across 4 mechanics; in a full `make bench` the tables also hold the
suites before it (billing's, bookings' 10,000 appointments, chat's 1,000 customers with unread
messages and 60 open inquiries).

Each panel reads by key or index: the jobs timeline is two BatchGetItems (the two days' load and
mechanic days, then their appointments), "to schedule" one Query of status-listDate-index,
reports one Query per open status, chats one Query of the inbox index, inquiries one of the
status index, unpaid orders one per open order status, takings one of the invoices' month index.
The page itself adds the signed-in member (GetItem), the header's two badges and the recent
actions box (Queries). A mechanic sees the timeline (their row) and the inquiries only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from bench.harness import Measurement, answered, measure, staff_client

if TYPE_CHECKING:
    from autolab.permissions import StaffIdentity

BOOKINGS = 300
PAID = 40
SCHEDULED = 24  # today and tomorrow, 09:00-17:00 in 2-hour jobs, spread over the mechanics


def _portal(email: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=email))
    return client


def _book(anon: APIClient, customer: str, day: str, number: int) -> str:
    data = {
        "serviceId": 1,
        "planId": 1,
        "isBuyer": True,
        "buyerData": {"name": f"Dash Buyer {number}", "email": "dash@example.com", "phoneNumber": "0412345678"},
        "carData": {"make": "Mazda", "model": "3", "year": 2019, "location": "Perth"},
        "selectedSlots": [{"date": day, "start": "09:00", "end": "11:00", "priority": 1}],
    }
    response = anon.post("/api/appointments", {"userId": customer, "appointmentData": data}, format="json")
    return answered(response).json()["appointmentId"]


def _seed(support: APIClient, admin_identity: StaffIdentity, mechanics: list[str]) -> None:
    from autolab import clock
    from billing.services.manual_payments import manual_payment_confirm
    from bookings.seeds import seed as seed_catalogue
    from chat.services import customer_register

    list(seed_catalogue())
    today = clock.business_today()
    anon = APIClient()
    ids = []
    for number in range(BOOKINGS):
        customer = customer_register(user_email=f"dash{number}@example.com").user_id
        ids.append(_book(anon, customer, (today + dt.timedelta(days=2 + number % 30)).isoformat(), number))
    for number, appointment_id in enumerate(ids[:SCHEDULED]):
        day = (today + dt.timedelta(days=number % 2)).isoformat()
        start = 9 + 2 * ((number // 2) // len(mechanics) % 4)
        mechanic = mechanics[(number // 2) % len(mechanics)]
        slot = {"date": day, "start": f"{start:02d}:00", "end": f"{start + 2:02d}:00"}
        answered(
            support.patch(
                f"/api/appointments/{appointment_id}",
                {"scheduledTimeSlot": slot, "assignedMechanicId": mechanic},
                format="json",
            )
        )
    for appointment_id in ids[SCHEDULED : SCHEDULED + PAID]:
        manual_payment_confirm(
            actor=admin_identity, record_type="appointment", reference_number=appointment_id, payment_method="cash"
        )


def run() -> list[Measurement]:
    from staffapp.selectors import staff_get, staff_identity

    admin = staff_client("dash-admin@bench.test", ["ADMIN", "CUSTOMER_SUPPORT"])
    mechanics = [staff_client(f"dash-mechanic{i}@bench.test", ["MECHANIC"]) for i in range(4)]
    member = staff_get("dash-admin@bench.test")
    assert member is not None
    _seed(admin.client, staff_identity(member), [m.user_id for m in mechanics])
    owner, mechanic = _portal("dash-admin@bench.test"), _portal("dash-mechanic0@bench.test")
    answered(owner.get("/admin/"))  # warm the caches a page load fills (active mechanics)
    return [
        measure("GET /admin/ (dashboard, admin + support: 7 panels)", lambda i: answered(owner.get("/admin/"))),
        measure("GET /admin/ (dashboard, mechanic: 2 panels)", lambda i: answered(mechanic.get("/admin/"))),
        measure(
            "GET /admin/dashboard/to-schedule/ (live refresh of one panel)",
            lambda i: answered(owner.get("/admin/dashboard/to-schedule/")),
        ),
        measure(
            "GET /admin/dashboard/jobs/ (live refresh of the timeline)",
            lambda i: answered(owner.get("/admin/dashboard/jobs/")),
        ),
    ]
