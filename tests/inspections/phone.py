"""What the phone browser tests share: the 375x812 viewport, an item card's state, and a job whose
plan has a small checklist with every item kind."""

from __future__ import annotations

from typing import Any

import pytest

from chat.services import customer_register
from inspections.templates import ItemSpec, PlanSpec, SectionSpec, template_create
from inspections.types import ItemKind
from tests.inspections.conftest import future_day

PHONE = {"width": 375, "height": 812}
SERVICE, PLAN = 2, 1  # a plan of the seeded catalogue without the pre-purchase checklist


@pytest.fixture
def phone_job(admin, support, mechanic, anon) -> dict[str, Any]:
    """A small checklist with every item kind for the plan, and a job of that plan scheduled for the
    mechanic; made before ``chromium`` opens (its event loop runs in this thread)."""
    template = template_create(
        actor=admin.identity,
        name="Phone checklist",
        plans=(PlanSpec(service_id=SERVICE, plan_id=PLAN),),
        sections=(
            SectionSpec(
                title="Checks",
                items=(
                    ItemSpec(label="Brake fluid", kind=ItemKind.RATING),
                    ItemSpec(label="Front pads", kind=ItemKind.MEASUREMENT, unit="mm"),
                ),
            ),
            SectionSpec(
                title="Evidence",
                items=(
                    ItemSpec(label="Road test notes", kind=ItemKind.TEXT),
                    ItemSpec(label="Dashboard (photo)", kind=ItemKind.PHOTO),
                ),
            ),
        ),
    )
    ids = [item.item_id for section in template.sections for item in section.items]
    customer = customer_register(user_email="cara@example.com", user_name="Cara Buyer").user_id
    slot = {"date": future_day(3), "start": "09:00", "end": "12:00", "priority": 1}
    booking = {
        "serviceId": SERVICE,
        "planId": PLAN,
        "isBuyer": True,
        "buyerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015, "location": "Perth"},
        "selectedSlots": [slot],
    }
    booked = anon.post("/api/appointments", {"userId": customer, "appointmentData": booking}, format="json")
    assert booked.status_code == 200, booked.json()
    appointment_id = booked.json()["appointmentId"]
    scheduled = support.api().patch(
        f"/api/appointments/{appointment_id}",
        {
            "scheduledTimeSlot": {"date": slot["date"], "start": "09:00", "end": "12:00"},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    assert scheduled.status_code == 200, scheduled.json()
    return {"appointment_id": appointment_id, "customer": customer, "items": ids}


def item_state(page: Any, item_id: str) -> Any:
    return page.locator(f"#item-{item_id} .insp-state")
