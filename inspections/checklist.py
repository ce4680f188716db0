"""The seeded pre-purchase checklist: what a mobile inspector in WA checks on a used car, section by
section. Item ids are stable (``<section>-<nn>``), so re-seeding and later versions keep them."""

from __future__ import annotations

from inspections.types import ItemKind

R, M, T, P = ItemKind.RATING, ItemKind.MEASUREMENT, ItemKind.TEXT, ItemKind.PHOTO

TEMPLATE_ID = "pre-purchase"
TEMPLATE_NAME = "Pre-purchase inspection"
# The pre-purchase inspection plans of the seeded catalogue (bookings/seeds.py: service 1).
PLANS = ((1, 1), (1, 2), (1, 3))

# (section id, title, [(label, kind, unit)])
SECTIONS: list[tuple[str, str, list[tuple[str, ItemKind, str]]]] = [
    (
        "body",
        "Exterior, body and paint",
        [
            ("Front of the vehicle (photo)", P, ""),
            ("Rear of the vehicle (photo)", P, ""),
            ("Panel alignment and gaps", R, ""),
            ("Paint condition and colour match (respray signs)", R, ""),
            ("Dents, scratches and stone chips", R, ""),
            ("Rust: sills, wheel arches, door bottoms", R, ""),
            ("Windscreen and glass (chips, cracks)", R, ""),
            ("Lights and lenses (cracks, moisture)", R, ""),
            ("Body damage noted", T, ""),
        ],
    ),
    (
        "bonnet",
        "Under the bonnet",
        [
            ("Engine bay (photo)", P, ""),
            ("Engine oil level and condition", R, ""),
            ("Coolant level and condition", R, ""),
            ("Brake fluid level", R, ""),
            ("Power steering fluid", R, ""),
            ("Drive belts and hoses", R, ""),
            ("Radiator and cooling fans", R, ""),
            ("Fluid leaks (oil, coolant, fuel)", R, ""),
        ],
    ),
    (
        "engine",
        "Engine",
        [
            ("Cold start", R, ""),
            ("Idle quality", R, ""),
            ("Exhaust smoke on start and revving", R, ""),
            ("Engine noises (knocking, ticking)", R, ""),
            ("Timing belt or chain (due per service history)", R, ""),
            ("Exhaust system and mounts", R, ""),
            ("Engine notes", T, ""),
        ],
    ),
    (
        "transmission",
        "Transmission and driveline",
        [
            ("Transmission fluid level and condition", R, ""),
            ("Gear selection (park, reverse, drive / all gears)", R, ""),
            ("Clutch take-up and slip (manual)", R, ""),
            ("CV joints and boots", R, ""),
            ("Differential and transfer case leaks", R, ""),
            ("Driveshaft and universal joints", R, ""),
            ("Transmission notes", T, ""),
        ],
    ),
    (
        "brakes",
        "Brakes",
        [
            ("Front brake pad thickness", M, "mm"),
            ("Rear brake pad thickness", M, "mm"),
            ("Front discs (scoring, lip)", R, ""),
            ("Rear discs or drums", R, ""),
            ("Brake lines and hoses", R, ""),
            ("Handbrake operation", R, ""),
            ("ABS operation", R, ""),
        ],
    ),
    (
        "steering",
        "Steering and suspension",
        [
            ("Steering play and feel", R, ""),
            ("Tie rod ends and ball joints", R, ""),
            ("Front shock absorbers", R, ""),
            ("Rear shock absorbers", R, ""),
            ("Springs and bushes", R, ""),
            ("Wheel bearings", R, ""),
            ("Wheel alignment (pulling, uneven wear)", R, ""),
        ],
    ),
    (
        "tyres",
        "Tyres and wheels",
        [
            ("Front left tread depth", M, "mm"),
            ("Front right tread depth", M, "mm"),
            ("Rear left tread depth", M, "mm"),
            ("Rear right tread depth", M, "mm"),
            ("Front tyre pressure", M, "kPa"),
            ("Rear tyre pressure", M, "kPa"),
            ("Spare tyre and jack", R, ""),
            ("Rims (damage, kerb rash)", R, ""),
            ("Tyres (photo)", P, ""),
        ],
    ),
    (
        "electrics",
        "Electrics and OBD scan",
        [
            ("Battery voltage (engine off)", M, "V"),
            ("Charging voltage (engine running)", M, "V"),
            ("Battery condition and terminals", R, ""),
            ("Warning lights on the dashboard", R, ""),
            ("OBD fault codes found", T, ""),
            ("OBD scan result (photo)", P, ""),
            ("Headlights, indicators and brake lights", R, ""),
            ("Power windows, locks and mirrors", R, ""),
        ],
    ),
    (
        "interior",
        "Interior",
        [
            ("Dashboard and odometer (photo)", P, ""),
            ("Seats and upholstery", R, ""),
            ("Seat belts", R, ""),
            ("Air conditioning and heating", R, ""),
            ("Audio, screen and controls", R, ""),
            ("Airbag warning light", R, ""),
            ("Water leaks, damp or odours", R, ""),
        ],
    ),
    (
        "road-test",
        "Road test",
        [
            ("Acceleration and power", R, ""),
            ("Gear changes under load", R, ""),
            ("Braking (straight, no pulsing)", R, ""),
            ("Steering and handling", R, ""),
            ("Noises and vibrations", R, ""),
            ("Engine temperature after the drive", R, ""),
            ("Road test notes", T, ""),
        ],
    ),
    (
        "documents",
        "Documents",
        [
            ("Registration current (WA rego check)", R, ""),
            ("VIN on the body matches the papers", R, ""),
            ("Compliance and build plates (photo)", P, ""),
            ("Service history (logbook, receipts)", R, ""),
            ("Last service date and odometer", T, ""),
            ("Keys and remotes supplied", M, "keys"),
            ("Written-off or encumbrance check (PPSR)", R, ""),
        ],
    ),
]
