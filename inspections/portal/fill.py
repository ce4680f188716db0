"""The fill page: a mechanic on site, on a phone, one hand. Every item is a card; fill.js saves each
answer on its own through the JSON API (docs/inspections.md) with the checklist and item versions,
queues what the connection drops, and shows another device's answer beside the mechanic's own."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from autolab.permissions import staff_required
from inspections import selectors, services
from inspections.models import Inspection
from inspections.portal.common import FILL, RATINGS, VERDICTS, appointment_url, fill_url, may_fill, page, results
from inspections.types import MAX_PHOTOS_PER_ITEM, InspectionStatus
from staffapp.actions import post_action
from staffapp.rendering import render_page


def _job(request: HttpRequest, appointment_id: str) -> Any:
    """The appointment and its inspection; 404 for an unknown job or another mechanic's."""
    staff = staff_required(request)
    job = selectors.job_get(appointment_id)
    if job.appointment is None or not may_fill(staff, job.appointment):
        raise Http404("Appointment not found")
    return job


@page(
    "inspections/<str:appointment_id>/start/", "inspections-start", "Start inspection", FILL, order=51, in_index=False
)
@require_POST
def inspection_start(request: HttpRequest, appointment_id: str) -> HttpResponse:
    _job(request, appointment_id)
    return post_action(
        request,
        lambda: services.inspection_start(actor=staff_required(request), appointment_id=appointment_id),
        success=lambda started: "Inspection started." if started.created else "",
        redirect_to=fill_url(appointment_id),
    )


@page("inspections/<str:appointment_id>/", "inspections-fill", "Inspection", FILL, order=50, in_index=False)
def inspection_fill(request: HttpRequest, appointment_id: str) -> HttpResponse:
    job = _job(request, appointment_id)
    appointment, inspection = job.appointment, job.inspection
    title = f"Inspection {appointment_id[:8].upper()}"
    context: dict[str, Any] = {
        "appointment": appointment,
        "appointment_url": appointment_url(appointment_id),
        "fillable": appointment.status in services.FILLABLE,
    }
    if inspection is None:
        template = selectors.template_for_plan(appointment.service_id, appointment.plan_id)
        context.update({"inspection": None, "template": template})
        return render_page(request, "inspections/fill.html", context, title=title)
    template = selectors.template_version(inspection.template_id, inspection.template_version)
    if template is None:
        raise Http404("This inspection's checklist version is missing")
    items = selectors.items_of(appointment_id, consistent_read=True)
    found = results(inspection, template, items)
    editing = inspection.status == InspectionStatus.IN_PROGRESS and context["fillable"]
    state = {
        "inspection": _header(inspection),
        "items": {row.item_id: _item(row) for section in found.sections for row in section.items},
    }
    context.update(
        {
            "inspection": inspection,
            "template": template,
            "results": found,
            "editing": editing,
            "state": state,
            "ratings": list(RATINGS.items()),
            "verdicts": list(VERDICTS.items()),
            "max_photos": MAX_PHOTOS_PER_ITEM,
            "api_url": f"/api/appointments/{appointment_id}/inspection",
        }
    )
    return render_page(request, "inspections/fill.html", context, title=title)


def _header(inspection: Inspection) -> dict[str, Any]:
    """What fill.js starts from: the header's fields and version, and the checklist version."""
    return {
        "templateVersion": inspection.template_version,
        "version": inspection.version,
        "odometer": inspection.odometer,
        "vin": inspection.vin,
        "registration": inspection.registration,
        "verdict": inspection.verdict,
        "summary": inspection.summary,
    }


def _item(row: Any) -> dict[str, Any]:
    stored = row.stored
    return {
        "kind": row.kind,
        "version": (stored.version or 0) if stored is not None else 0,
        "rating": stored.rating if stored is not None else None,
        "value": str(stored.value) if stored is not None and stored.value is not None else None,
        "text": stored.text if stored is not None else None,
        "photos": row.thumbs,
    }
