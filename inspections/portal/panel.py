"""The inspection's section of the appointment page (a record panel of staffapp's site): its state,
verdict, summary and defects, every result, and the way to start or continue it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from autolab.permissions import staff_required
from bookings.models import Appointment
from inspections import selectors, services
from inspections.portal.common import fill_url, may_fill, results
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
