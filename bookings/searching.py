"""How the staff search finds appointments and vehicles (autolab.search).

An appointment is found by its reference (the first 8 characters of its id), the buyer's and the
seller's name, email and phone, and its car's registration and VIN; a vehicle by its registration,
VIN, make and model.
"""

from __future__ import annotations

from collections.abc import Iterator

from pynamodb.transactions import TransactWrite

from autolab import search
from autolab.permissions import Permission
from bookings.models import Appointment, Vehicle

APPOINTMENT, VEHICLE = "appointment", "vehicle"
VIEW = (Permission.APPOINTMENT_VIEW_ALL,)


def _car(make: str | None, model: str | None, year: str | None) -> str:
    return " ".join(part for part in (year, make, model) if part)


def appointment_document(appointment: Appointment) -> search.Document:
    name = (appointment.buyer_name if appointment.is_buyer else appointment.seller_name) or ""
    reference = appointment.appointment_id[:8]
    car = _car(appointment.car_make, appointment.car_model, appointment.car_year)
    return search.Document(
        kind=APPOINTMENT,
        record_id=appointment.appointment_id,
        label=f"Appointment {reference}" + (f" · {name}" if name else ""),
        subtitle=" · ".join(part for part in (car, appointment.registration, appointment.created_date) if part),
        texts=(appointment.buyer_name, appointment.buyer_email, appointment.seller_name, appointment.seller_email),
        phones=(appointment.buyer_phone, appointment.seller_phone),
        codes=(reference, appointment.registration, appointment.vin),
    )


def vehicle_document(vehicle: Vehicle) -> search.Document:
    car = _car(vehicle.make, vehicle.model, vehicle.year)
    return search.Document(
        kind=VEHICLE,
        record_id=vehicle.vehicle_key,
        label=vehicle.registration or vehicle.vin or vehicle.vehicle_key,
        subtitle=" · ".join(part for part in (car, f"VIN {vehicle.vin}" if vehicle.vin else "") if part),
        texts=(vehicle.make, vehicle.model),
        codes=(vehicle.registration, vehicle.vin),
    )


def appointment_add_to(writer: TransactWrite, appointment: Appointment) -> None:
    """A new appointment's index entries, in the transaction that books it."""
    search.add_to(writer, appointment_document(appointment))


def appointment_indexed(appointment: Appointment) -> None:
    search.index(appointment_document(appointment))


def vehicle_indexed(vehicle: Vehicle) -> None:
    search.index(vehicle_document(vehicle))


def _load_appointment(appointment_id: str) -> search.Document | None:
    appointment = Appointment.get_by_id(appointment_id)
    return appointment_document(appointment) if appointment is not None else None


def _load_vehicle(key: str) -> search.Document | None:
    vehicle = Vehicle.get_by_id(key, longest=17)
    return vehicle_document(vehicle) if vehicle is not None else None


def _all_appointments() -> Iterator[search.Document]:
    for appointment in Appointment.scan():  # search_reindex only, offline
        yield appointment_document(appointment)


def _all_vehicles() -> Iterator[search.Document]:
    for vehicle in Vehicle.scan():  # search_reindex only, offline
        yield vehicle_document(vehicle)


def register() -> None:
    search.register(
        search.Kind(
            name=APPOINTMENT,
            title="Appointment",
            permissions=VIEW,
            url_name="admin:bookings-appointment",
            url_kwarg="appointment_id",
            load=_load_appointment,
            everything=_all_appointments,
        )
    )
    search.register(
        search.Kind(
            name=VEHICLE,
            title="Vehicle",
            permissions=(Permission.APPOINTMENT_VIEW_ALL, Permission.APPOINTMENT_VIEW_ASSIGNED),
            url_name="admin:bookings-vehicle",
            url_kwarg="vehicle_key",
            load=_load_vehicle,
            everything=_all_vehicles,
        )
    )
