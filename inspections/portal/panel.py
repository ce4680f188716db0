"""The inspection's section of the appointment page (a record panel of staffapp's site): its state,
verdict, summary and defects, every result, and the way to start or continue it. And the
inspections section of a vehicle's page: the car's inspections by VIN, with the way to compare."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from autolab.permissions import staff_required
from bookings.models import Appointment, Vehicle
from inspections import selectors, services
from inspections.portal.common import VERDICTS, appointment_url, fill_url, may_fill, results
from inspections.types import InspectionStatus
from staffapp.sites import portal_site


@portal_site.register_record_panel(
    record_type="appointment", name="inspection", template="inspections/_panel.html", order=10
)
def appointment_inspection(request: HttpRequest, appointment: Appointment) -> dict[str, Any] | None:
    """None (no section) when the plan has no checklist and nothing was started."""
    staff = staff_required(request)
    if not selectors.may_view(staff, appointment):
        return None
    fills = may_fill(staff, appointment)
    inspection = selectors.inspection_get(appointment.appointment_id, consistent_read=True)
    if inspection is None:
        template = selectors.template_for_plan(appointment.service_id, appointment.plan_id)
        if template is None:
            return None
        return {
            "inspection": None,
            "template": template,
            "can_start": fills and appointment.status in services.FILLABLE,
            "fill_url": fill_url(appointment.appointment_id),
        }
    template = selectors.template_version(inspection.template_id, inspection.template_version)
    if template is None:
        return None
    found = results(inspection, template, selectors.items_of(appointment.appointment_id, consistent_read=True))
    return {
        "inspection": inspection,
        "results": found,
        "in_progress": inspection.status == InspectionStatus.IN_PROGRESS,
        "can_fill": fills
        and inspection.status == InspectionStatus.IN_PROGRESS
        and appointment.status in services.FILLABLE,
        "fill_url": fill_url(appointment.appointment_id),
    }


VEHICLE_PANEL_ROWS = 5  # the newest; the car's inspections page lists them all


@portal_site.register_record_panel(
    record_type="vehicle", name="inspections", template="inspections/_vehicle_panel.html", order=10
)
def vehicle_inspections(request: HttpRequest, vehicle: Vehicle) -> dict[str, Any]:
    """Inspections are found by VIN (what the car carries for life); without one the section says so."""
    if not vehicle.vin:
        return {"vin": "", "rows": [], "more": False}
    found = selectors.inspections_for_vin_visible(staff_required(request), vehicle.vin)
    rows = [
        {
            "i": inspection,
            "verdict": VERDICTS.get(inspection.verdict or "", "—"),
            "appointment_url": appointment_url(inspection.appointment_id),
        }
        for inspection in found[:VEHICLE_PANEL_ROWS]
    ]
    return {"vin": vehicle.vin, "rows": rows, "more": len(found) > VEHICLE_PANEL_ROWS, "comparable": len(found) > 1}
