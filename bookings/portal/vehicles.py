"""Vehicle pages of the staff portal (#18.3): a car's registration and VIN on its appointment, and
each vehicle's page with its history across customers and its own notes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from autolab.permissions import Permission, staff_required
from bookings import forms, selectors, vehicles
from bookings.portal.common import VIEW, detail_url, page
from staffapp.actions import post_action, refused
from staffapp.rendering import or_404, render_page


@page(
    "bookings/appointments/<str:appointment_id>/vehicle/",
    "bookings-appointment-vehicle",
    "Vehicle",
    VIEW,
    order=16,
    in_index=False,
)
@require_POST
def appointment_vehicle(request: HttpRequest, appointment_id: str) -> HttpResponse:
    form = forms.VehicleForm(request.POST)
    if not form.is_valid():
        return refused(request, "Registration and VIN are at most 12 and 24 characters.", detail_url(appointment_id))
    data = form.cleaned_data
    return post_action(
        request,
        lambda: vehicles.appointment_vehicle_set(
            actor=staff_required(request),
            appointment_id=appointment_id,
            registration=data["registration"],
            vin=data["vin"],
        ),
        success="Vehicle saved.",
        redirect_to=detail_url(appointment_id),
    )


@page("bookings/vehicles/<str:vehicle_key>/", "bookings-vehicle", "Vehicle", VIEW, order=17, in_index=False)
@require_http_methods(["GET", "POST"])
def vehicle_detail(request: HttpRequest, vehicle_key: str) -> HttpResponse:
    vehicle = or_404(vehicles.vehicle_get(vehicle_key), "Vehicle not found")
    staff = staff_required(request)
    here = reverse("admin:bookings-vehicle", kwargs={"vehicle_key": vehicle_key})
    can_edit = staff.has(Permission.APPOINTMENT_EDIT) or staff.has(Permission.APPOINTMENT_REPORT_WRITE)
    form = forms.VehicleNotesForm(request.POST or None, initial={"notes": vehicle.notes})
    if request.method == "POST":
        if not can_edit or not form.is_valid():
            return refused(request, "You may not change this vehicle's notes.", here)
        notes = form.cleaned_data["notes"]
        return post_action(
            request,
            lambda: vehicles.vehicle_notes_save(actor=staff, vehicle_key=vehicle_key, notes=notes),
            success="Vehicle notes saved.",
            redirect_to=here,
        )
    history = vehicles.vehicle_history(vehicle_key)
    if staff.is_mechanic_only:  # a mechanic sees the car's history on their own jobs only
        history = [a for a in history if a.assigned_mechanic_id == staff.user_id]
    services = {
        (plan["serviceId"], plan["planId"]): f"{plan['serviceName']} - {plan['planName']}"
        for service in selectors.service_catalogue()
        for plan in service["plans"]
    }
    rows = [
        {
            "a": appointment,
            "customer": (appointment.buyer_name if appointment.is_buyer else appointment.seller_name) or "—",
            "service": services.get((appointment.service_id, appointment.plan_id), "—"),
        }
        for appointment in history
    ]
    context = {"vehicle": vehicle, "rows": rows, "form": form, "can_edit": can_edit}
    return render_page(
        request, "bookings/vehicle_detail.html", context, title=f"Vehicle {vehicle.registration or vehicle.vin}"
    )
