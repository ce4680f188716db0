"""Inspections fixtures: the seeded catalogue and checklist, and jobs scheduled for a mechanic."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from autolab import clock
from bookings import seeds as booking_seeds
from chat.services import customer_register
from inspections import seeds as inspection_seeds
from inspections import selectors
from inspections.models import InspectionTemplate


@pytest.fixture(autouse=True)
def seeded(settings: Any) -> None:
    settings.BOOKING_CAPACITY = 5
    list(booking_seeds.seed())
    list(inspection_seeds.seed())


@pytest.fixture
def checklist() -> InspectionTemplate:
    template = selectors.template_for_plan(1, 2)
    assert template is not None
    return template


def future_day(days: int = 7) -> str:
    return (clock.business_today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def make_job(anon, support, mechanic) -> Callable[..., str]:
    """Book a pre-purchase inspection and schedule it for ``mechanic`` (or another); its id."""
    customer = customer_register(user_email="cara@example.com", user_name="Cara").user_id
    starts = iter(["08:00", "11:00", "14:00", "17:00"])

    def create(*, assigned: Any = None, plan_id: int = 2, service_id: int = 1, days: int = 7) -> str:
        start = next(starts)
        end = f"{int(start[:2]) + 3:02d}:00"
        slot = {"date": future_day(days), "start": start, "end": end, "priority": 1}
        booking = {
            "serviceId": service_id,
            "planId": plan_id,
            "isBuyer": True,
            "buyerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "+61 412 345 678"},
            "carData": {"make": "Toyota", "model": "Corolla", "year": 2015, "location": "Perth"},
            "selectedSlots": [slot],
        }
        booked = anon.post("/api/appointments", {"userId": customer, "appointmentData": booking}, format="json")
        assert booked.status_code == 200, booked.json()
        appointment_id = booked.json()["appointmentId"]
        body = {
            "scheduledTimeSlot": {"date": slot["date"], "start": start, "end": end},
            "assignedMechanicId": (assigned or mechanic).user_id,
        }
        scheduled = support.api().patch(f"/api/appointments/{appointment_id}", body, format="json")
        assert scheduled.status_code == 200, scheduled.json()
        return appointment_id

    return create


@pytest.fixture
def job(make_job) -> str:
    return make_job()


def jpeg(width: int = 3000, height: int = 2000, *, orientation: int | None = None, gps: bool = False) -> bytes:
    """A camera-like JPEG: optional EXIF orientation and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(0, width, 50):  # some detail, so it is not a flat colour
        image.paste((20, 20, 200), (x, 0, x + 10, height))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "S", 2: (31.0, 57.0, 1.2), 3: "E", 4: (115.0, 51.0, 33.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()
