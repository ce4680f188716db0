"""A car's inspections (by VIN, newest first) and two of them side by side, changed items marked."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from autolab.exceptions import ApplicationError, ValidationError
from autolab.permissions import staff_required
from autolab.vehicle_ids import clean_vin
from inspections import selectors
from inspections.portal.common import RATINGS, VERDICTS, VIEW, appointment_url, or_http, page
from staffapp.rendering import render_page


def _vin(raw: str) -> str:
    try:
        vin = clean_vin(raw)
    except ValidationError as error:
        raise Http404(error.message) from error
    if not vin:
        raise Http404("No VIN given")
    return vin


@page("inspections/vehicles/<str:vin>/", "inspections-vin", "Inspections of a car", VIEW, order=40, in_index=False)
def inspections_of_vin(request: HttpRequest, vin: str) -> HttpResponse:
    vin = _vin(vin)
    found = selectors.inspections_for_vin_visible(staff_required(request), vin)
    rows = [
        {
            "i": inspection,
            "verdict": VERDICTS.get(inspection.verdict or "", "—"),
            "appointment_url": appointment_url(inspection.appointment_id),
        }
        for inspection in found
    ]
    newest = [inspection.appointment_id for inspection in found[:2]]
    context = {"vin": vin, "rows": rows, "a": newest[-1] if newest else "", "b": newest[0] if newest else ""}
    return render_page(request, "inspections/vin.html", context, title=f"Inspections of {vin}")


def _shown(kind: str, answer: dict[str, Any] | None, unit: str = "") -> str:
    if answer is None:
        return "—"
    parts = []
    if answer.get("rating"):
        parts.append(RATINGS.get(answer["rating"], answer["rating"]))
    if answer.get("value") is not None:
        parts.append(f"{answer['value']} {unit}".strip())
    if answer.get("text"):
        parts.append(answer["text"])
    if answer.get("photos"):
        parts.append(f"{answer['photos']} photo{'s' if answer['photos'] != 1 else ''}")
    return " · ".join(parts) or "—"


@page("inspections/compare/", "inspections-compare", "Compare inspections", VIEW, order=41, in_index=False)
def inspections_compare(request: HttpRequest) -> HttpResponse:
    a, b = request.GET.get("a", "").strip(), request.GET.get("b", "").strip()
    if not a or not b:
        context: dict[str, Any] = {"comparison": None, "message": "Choose two inspections of the same car to compare."}
        return render_page(request, "inspections/compare.html", context, title="Compare inspections")
    try:
        comparison = selectors.inspections_compare(staff_required(request), a, b)
    except ApplicationError as error:
        raise or_http(error) from error
    rows = [
        {
            "section": row.section,
            "label": row.label,
            "a": _shown(row.kind, row.a),
            "b": _shown(row.kind, row.b),
            "changed": row.changed,
        }
        for row in comparison.rows
    ]
    sides = [
        {
            "i": inspection,
            "verdict": VERDICTS.get(inspection.verdict or "", "—"),
            "appointment_url": appointment_url(inspection.appointment_id),
        }
        for inspection in (comparison.a, comparison.b)
    ]
    context = {
        "comparison": comparison,
        "sides": sides,
        "rows": rows,
        "changed": sum(1 for row in rows if row["changed"]),
        "same_car": bool(comparison.a.vin) and comparison.a.vin == comparison.b.vin,
    }
    return render_page(request, "inspections/compare.html", context, title="Compare inspections")
