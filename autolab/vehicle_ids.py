"""A car's identity, the one rule for every app that records it (bookings' appointments and vehicles,
inspections, shop's orders): its registration and its VIN, as stored.

Registrations are 1 to 7 letters and digits (WA plates), upper case without spaces; a VIN is 17
letters and digits without I, O or Q (the check digit is not used in Australia, so only the format is
checked). A vehicle is keyed by its registration when it has one, else by its VIN: in WA the plate
stays with the car when it is sold, and it is what staff read off the car.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autolab.exceptions import ValidationError

REGISTRATION = re.compile(r"[A-Z0-9]{1,7}")
VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


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
