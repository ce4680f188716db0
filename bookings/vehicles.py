"""Vehicles (#18.3): the registration and VIN of an appointment's car, and each car's own record.

A vehicle is keyed by its registration when it has one, else by its VIN (docs/data-model.md,
"bookings"; the rules are autolab.vehicle_ids): a VIN alone (a car not yet registered) is a vehicle too.

Captured at booking (``carData.registration`` / ``carData.vin``, optional: the website sends
neither), by a staff edit of the car, or later on the appointment's page. Each capture updates the
vehicle (make, model and year as last seen) and the search index.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab import audit, clock, domain_events
from autolab.dynamodb import condition_failed, set_or_remove
from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from autolab.vehicle_ids import identity
from bookings import searching
from bookings.models import Appointment, Vehicle

NOTES_MAX = 2000
HISTORY_LIMIT = 100


def vehicle_seen(appointment: Appointment) -> Vehicle | None:
    """Create or refresh the vehicle ``appointment`` names (one UpdateItem), and index it."""
    car = domain_events.VehicleSeen(
        registration=appointment.registration or "",
        vin=appointment.vin or "",
        make=appointment.car_make,
        model=appointment.car_model,
        year=appointment.car_year,
    )
    return vehicle_upsert(car)


def vehicle_seen_elsewhere(event: domain_events.VehicleSeen) -> None:
    """Subscriber: another app's record (shop's order) named a car."""
    vehicle_upsert(event)


def vehicle_upsert(car: domain_events.VehicleSeen) -> Vehicle | None:
    """The vehicle a record names, created or refreshed (make, model and year as last seen), and
    indexed. Idempotent: a retry writes the same values."""
    key = identity(car.registration, car.vin).key
    if not key:
        return None
    actions: list[Action] = [
        Vehicle.make.set(car.make),
        Vehicle.model.set(car.model),
        Vehicle.year.set(car.year),
        Vehicle.created_at.set(Vehicle.created_at | clock.epoch_now()),
        Vehicle.updated_at.set(clock.epoch_now()),
    ]
    if car.registration:
        actions.append(Vehicle.registration.set(car.registration))
    if car.vin:
        actions.append(Vehicle.vin.set(car.vin))
    vehicle = Vehicle(vehicle_key=key)
    vehicle.update(actions=actions)  # PynamoDB reads the whole item back (ALL_NEW)
    searching.vehicle_indexed(vehicle)
    return vehicle


def may_set_vehicle(staff: StaffIdentity, appointment: Appointment) -> bool:
    """Support edits any appointment's car; the mechanic of the job records it on site."""
    if staff.has(Permission.APPOINTMENT_EDIT):
        return True
    return staff.has(Permission.APPOINTMENT_REPORT_WRITE) and (
        not staff.is_mechanic_only or appointment.assigned_mechanic_id == staff.user_id
    )


def appointment_vehicle_set(
    *, actor: StaffIdentity, appointment_id: str, registration: str | None, vin: str | None
) -> Appointment:
    """Record (or correct) the registration and VIN of an appointment's car; "" clears one."""
    appointment = Appointment.get_by_id(appointment_id)
    if appointment is None:
        raise NotFound("Appointment not found")
    if not may_set_vehicle(actor, appointment):
        raise PermissionDenied("Only customer support or the job's mechanic can record the vehicle")
    return appointment_vehicle_record(actor=actor, appointment=appointment, registration=registration, vin=vin)


def appointment_vehicle_record(
    *, actor: StaffIdentity, appointment: Appointment, registration: str | None, vin: str | None
) -> Appointment:
    """Write the car's registration and VIN for a caller that has authorised ``actor`` already (the
    vehicle page above, an inspection's filler recording them on site)."""
    appointment_id = appointment.appointment_id
    car = identity(registration, vin)
    before = {"registration": appointment.registration, "vin": appointment.vin}
    actions: list[Action] = [
        set_or_remove(Appointment.registration, car.registration),
        set_or_remove(Appointment.vin, car.vin),
        set_or_remove(Appointment.vehicle_key, car.key),
        Appointment.updated_at.set(clock.epoch_now()),
    ]
    try:
        appointment.update(actions=actions, condition=Appointment.appointment_id.exists(), add_version_condition=False)
    except UpdateError as error:
        if condition_failed(error):
            raise NotFound("Appointment not found") from error
        raise
    after = {"registration": appointment.registration, "vin": appointment.vin}
    audit.record(actor, "appointment.vehicle", "appointment", appointment_id, before, after)
    vehicle_seen(appointment)
    searching.appointment_indexed(appointment)
    return appointment


def vehicle_notes_save(*, actor: StaffIdentity, vehicle_key: str, notes: str) -> Vehicle:
    """The vehicle's own notes (what staff should know about the car, whoever owns it)."""
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise ValidationError(f"Notes must be at most {NOTES_MAX} characters")
    vehicle = Vehicle.get_by_id(vehicle_key, longest=17)
    if vehicle is None:
        raise NotFound("Vehicle not found")
    before = {"notes": vehicle.notes}
    vehicle.update(
        actions=[
            Vehicle.notes.set(notes),
            Vehicle.updated_at.set(clock.epoch_now()),
            Vehicle.updated_by.set(actor.user_id),
        ],
        condition=Vehicle.vehicle_key.exists(),
    )
    audit.record(actor, "vehicle.notes", "vehicle", vehicle_key, before, {"notes": notes})
    return vehicle


# --- Reads ---------------------------------------------------------------------------------------


def vehicle_get(vehicle_key: str) -> Vehicle | None:
    return Vehicle.get_by_id(vehicle_key, longest=17)


def vehicle_history(vehicle_key: str) -> list[Appointment]:
    """The vehicle's appointments, newest first, whoever booked them: one Query."""
    return list(Appointment.vehicle_index.query(vehicle_key, scan_index_forward=False, limit=HISTORY_LIMIT))
