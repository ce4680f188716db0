"""Vehicles (#18.3): the registration and VIN of an appointment's car, and each car's own record.

A vehicle is keyed by its registration when it has one, else by its VIN (docs/data-model.md,
"bookings"): in WA the plate stays with the car when it is sold, and it is what staff read off the
car; a VIN alone (a car not yet registered) is a vehicle too. Registrations are 1 to 7 letters and
digits (WA plates), upper case without spaces; a VIN is 17 letters and digits without I, O or Q (the
check digit is not used in Australia, so only the format is checked).

Captured at booking (``carData.registration`` / ``carData.vin``, optional: the website sends
neither), by a staff edit of the car, or later on the appointment's page. Each capture updates the
vehicle (make, model and year as last seen) and the search index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from autolab import audit, clock
from autolab.dynamodb import condition_failed
from autolab.exceptions import NotFound, PermissionDenied, ValidationError
from autolab.permissions import Permission, StaffIdentity
from bookings import searching
from bookings.models import Appointment, Vehicle

REGISTRATION = re.compile(r"[A-Z0-9]{1,7}")
VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
NOTES_MAX = 2000
HISTORY_LIMIT = 100


def clean_registration(raw: str | None) -> str:
    """The registration as stored ("1abc 234" is "1ABC234"); "" when none. ValidationError otherwise."""
    value = re.sub(r"[\s\-.]", "", raw or "").upper()
    if value and not REGISTRATION.fullmatch(value):
        raise ValidationError("Registration must be 1 to 7 letters and digits")
    return value


def clean_vin(raw: str | None) -> str:
    """The VIN as stored (upper case, no spaces); "" when none. ValidationError otherwise."""
    value = re.sub(r"[\s\-]", "", raw or "").upper()
    if value and not VIN.fullmatch(value):
        raise ValidationError("VIN must be 17 letters and digits, without I, O or Q")
    return value


def vehicle_key(registration: str, vin: str) -> str:
    return registration or vin


@dataclass(frozen=True)
class Identity:
    """A car's registration and VIN as captured (either may be "")."""

    registration: str = ""
    vin: str = ""

    @property
    def key(self) -> str:
        return vehicle_key(self.registration, self.vin)


def identity(registration: str | None, vin: str | None) -> Identity:
    return Identity(clean_registration(registration), clean_vin(vin))


def vehicle_seen(appointment: Appointment) -> Vehicle | None:
    """Create or refresh the vehicle ``appointment`` names (one UpdateItem), and index it."""
    key = appointment.vehicle_key
    if not key:
        return None
    actions: list[Action] = [
        Vehicle.make.set(appointment.car_make),
        Vehicle.model.set(appointment.car_model),
        Vehicle.year.set(appointment.car_year),
        Vehicle.created_at.set(Vehicle.created_at | clock.epoch_now()),
        Vehicle.updated_at.set(clock.epoch_now()),
    ]
    if appointment.registration:
        actions.append(Vehicle.registration.set(appointment.registration))
    if appointment.vin:
        actions.append(Vehicle.vin.set(appointment.vin))
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


def set_or_remove(attribute: UnicodeAttribute, value: str) -> Action:
    """Set ``value``, or remove the attribute when it is "" (sparse GSI keys are never blank)."""
    return attribute.set(value) if value else attribute.remove()


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
