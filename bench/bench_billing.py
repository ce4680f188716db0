"""Billing: tax-invoice PDFs per second by one worker, and analytics over 20,000 invoices for a year
(read month by month through `effectiveMonth-index`: at most one Query chain per month, no Scan).

The invoice task's calls include the eager send of its email: record, lock and counter in one
BatchGetItem, who booked it (the seed's records name no customer: a GetItem, then the Staff index),
one transaction (counter, invoice, lock, record link, marker, email), then the send's 3 calls."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from decimal import Decimal

from bench.harness import Measurement, answered, measure, staff_client

INVOICES = 20_000
YEAR = 2029


def _analytics_data(day: dt.date, rng: random.Random) -> dict:
    service = rng.random() < 0.7
    amount = rng.choice([220, 280, 350]) if service else 150 * rng.randint(1, 3)
    return {
        "operation_type": "transaction",
        "operation_data": {
            "services": [{"service_name": "Comprehensive Pre Purchase Inspection", "price": str(amount)}]
            if service
            else [],
            "orders": []
            if service
            else [
                {
                    "item_name": "V8 Engine",
                    "unit_price": "150",
                    "quantity": str(amount // 150),
                    "total_price": str(amount),
                }
            ],
            "customerId": f"customer{rng.randint(1, 4000)}@example.com",
            "vehicleDetails": {
                "make": rng.choice(["Toyota", "Mazda", "Ford", "Holden"]),
                "model": "X",
                "year": str(rng.randint(2000, 2028)),
            },
            "paymentDetails": {
                "payment_method": rng.choice(["stripe", "cash", "card", "bank_transfer"]),
                "amount": str(amount),
                "date": day.strftime("%d/%m/%Y"),
                "paid_before_operation": 1,
            },
            "bookingDetails": {
                "bookedBy": rng.choice(["STAFF", "NONE", str(uuid.uuid4())]),
                "bookedDate": day.isoformat(),
                "bookedAt": "1",
            },
            "effectiveDate": day.strftime("%d/%m/%Y"),
        },
    }


def _seed_invoices() -> float:
    from billing.analytics.transactions import compact_of
    from billing.models import Invoice

    rng = random.Random(5)
    started = time.perf_counter()
    with Invoice.batch_write() as batch:
        for n in range(INVOICES):
            day = dt.date(YEAR, 1, 1) + dt.timedelta(days=n % 365)
            data = _analytics_data(day, rng)
            batch.save(
                Invoice(
                    invoice_id=f"INV-B{n:07d}",
                    invoice_number=n + 1,
                    payment_intent_id=f"cash_{n}",
                    reference_number=str(uuid.uuid4()),
                    reference_type="appointment",
                    status="cancelled" if n % 50 == 0 else "generated",
                    analytics_data=data,
                    analytics_txn=compact_of(data),  # as billing writes it (billing/invoices/numbering.py)
                    metadata={"totalAmount": "280"},
                    created_at=1_800_000_000 + n,
                    effective_month=day.strftime("%Y-%m"),
                    effective_day=day.isoformat(),
                )
            )
    return time.perf_counter() - started


def _paid_appointments(count: int) -> list[str]:
    from autolab import clock
    from bookings.models import Appointment, ServicePrice

    ServicePrice(
        service_id=1, plan_id=2, service_name="Pre Purchase Inspection", plan_name="Comprehensive", price=Decimal("280")
    ).save()
    ids = []
    for _ in range(count):
        now = clock.epoch_now()
        appointment = Appointment(
            appointment_id=str(uuid.uuid4()),
            service_id=1,
            plan_id=2,
            is_buyer=True,
            buyer_name="Bench Buyer",
            buyer_email="bench@example.com",
            buyer_phone="0400000000",
            car_make="Toyota",
            car_model="Camry",
            car_year="2020",
            car_location="Perth",
            created_user_id="nobody",
            status="PENDING",
            price=Decimal("280"),
            payment_status="paid",
            payment_method="cash",
            payment_confirmed_at=now,
            created_at=now,
            created_date=clock.business_date_str(),
            updated_at=now,
        )
        appointment.save()
        ids.append(appointment.appointment_id)
    return ids


def run() -> list[Measurement]:
    from billing.invoices.generation import invoice_generate_for_record

    ids = _paid_appointments(30)
    pdfs = measure(
        "invoice task: number + PDF + storage (one worker)",
        lambda i: invoice_generate_for_record(reference_type="appointment", reference_number=ids[i]),
        repeat=len(ids),
    )
    pdfs.notes = f"≈ {1000 / pdfs.ms_p50:.1f} invoices/s per worker (p50)"
    seconds = _seed_invoices()
    client = staff_client("bench-admin@example.com", ["ADMIN"]).client
    year = {"start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-12-31"}

    def analytics(_: int) -> None:
        response = answered(client.get("/api/analytics", year))
        assert response.json()["analytics"]["metadata"]["total_invoices_analyzed"] == INVOICES - INVOICES // 50

    yearly = measure(
        f"GET /api/analytics, 1 year, {INVOICES:,} invoices",
        analytics,
        repeat=2,
        notes="per month one Query chain of invoices and one Query of adjustment notes; time is moto walking the whole table per Query page",
        also_concurrent=False,  # a minute per request on moto; 20 of them would only measure the queue
    )
    compute = _compute_only()
    month = measure(
        "GET /api/analytics, 1 month",
        lambda i: client.get("/api/analytics", {"start_date": f"{YEAR}-03-01", "end_date": f"{YEAR}-03-31"}),
        repeat=5,
        also_concurrent=False,
    )
    listing = measure(
        "GET /api/payments/invoices (page of 100, 90 days)",
        lambda i: client.get(
            "/api/payments/invoices", {"start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-03-31", "limit": "100"}
        ),
        repeat=5,
    )
    listing.notes = f"{INVOICES:,} invoices seeded in {seconds:.0f}s"
    return [pdfs, yearly, compute, month, listing]


def _compute_only() -> Measurement:
    """The metrics themselves (Python, in memory) over the year's invoices, without DynamoDB."""
    from autolab import clock
    from billing.analytics import reports
    from billing.selectors import analytics_transactions

    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    txns, in_period = analytics_transactions(start, end)
    return measure(
        f"analytics computation only ({len(txns):,} invoices in memory)",
        lambda i: reports.comprehensive(
            txns, adjustments=[], start=start, end=end, in_period=in_period, today=clock.business_today()
        ),
        repeat=3,
    )
