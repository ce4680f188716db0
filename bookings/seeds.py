"""The service catalogue the website showed (original-frontends.md §2.1)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from pynamodb.exceptions import UpdateError

from autolab.dynamodb import condition_failed
from autolab.seeding import put_missing
from bookings import listing
from bookings.models import CATALOGUE_PARTITION, ServicePrice

INSPECTION_BASICS = ["Exterior and body panel check", "Interior and electrics check", "Road test", "Written report"]

# (serviceId, planId, service name, plan name, price AUD, duration minutes, features, active)
CATALOGUE = [
    (1, 1, "Pre Purchase Inspection", "Standard Pre Purchase Inspection", "220", 120, INSPECTION_BASICS, True),
    (
        1,
        2,
        "Pre Purchase Inspection",
        "Comprehensive Pre Purchase Inspection",
        "280",
        180,
        [*INSPECTION_BASICS, "Underbody and suspension check", "OBD scan"],
        True,
    ),
    (
        1,
        3,
        "Pre Purchase Inspection",
        "Advanced Diagnostic Pre Purchase Inspection",
        "350",
        240,
        [*INSPECTION_BASICS, "Underbody and suspension check", "Full computer diagnostics", "Compression test"],
        True,
    ),
    (
        2,
        1,
        "Mobile Battery Replacement",
        "Standard Battery Replacement",
        "180",
        60,
        ["Battery test", "New battery fitted on site", "Old battery recycled"],
        True,
    ),
    (
        3,
        1,
        "Logbook & Services",
        "Basic Service",
        "250",
        120,
        ["Oil and filter change", "Fluid top-up", "Logbook stamped"],
        True,
    ),
    (
        3,
        2,
        "Logbook & Services",
        "Major Service",
        "450",
        240,
        ["Oil and filter change", "Air and cabin filters", "Spark plugs", "Brake check", "Logbook stamped"],
        True,
    ),
    (
        4,
        1,
        "Engine Tuneup",
        "Basic Tuneup",
        "300",
        150,
        ["Ignition check", "Throttle body clean", "Idle adjustment"],
        True,
    ),
    (
        4,
        2,
        "Engine Tuneup",
        "Performance Tuneup",
        "500",
        210,
        ["Ignition check", "Fuel system clean", "ECU diagnostics", "Dyno-ready report"],
        True,
    ),
    (
        5,
        1,
        "Paint Correction",
        "Basic Paint Correction",
        "400",
        180,
        ["Wash and decontamination", "Single-stage polish"],
        True,
    ),
    (
        5,
        2,
        "Paint Correction",
        "Premium Paint Correction",
        "650",
        300,
        ["Wash and decontamination", "Two-stage polish", "Ceramic sealant"],
        True,
    ),
    (6, 1, "Accessories", "Accessory Fitting", "150", 60, ["Fitting of supplied accessories"], False),
]


def seed(*, demo_staff: bool = False) -> Iterator[str]:
    plans = (
        ServicePrice(
            service_id=service_id,
            plan_id=plan_id,
            service_name=service_name,
            plan_name=plan_name,
            price=Decimal(price),
            duration_minutes=minutes,
            features=features,
            active=active,
        )
        for service_id, plan_id, service_name, plan_name, price, minutes, features, active in CATALOGUE
    )
    yield put_missing(plans, "service plans")
    yield _index_existing_plans()
    yield f"Appointments: {listing.backfill()} given their list date and search text."


def _index_existing_plans() -> str:
    """Plans stored before the catalogue index existed get its key, so they are listed again.
    A missing attribute reads back as its default, so the index itself says which plans have it:
    re-seeding an indexed catalogue costs one Query, not one write per plan. A plan just put and
    not yet in the (eventually consistent) index only costs a write its condition refuses."""
    listed = {(plan.service_id, plan.plan_id) for plan in ServicePrice.catalogue_index.query(CATALOGUE_PARTITION)}
    indexed = 0
    for service_id, plan_id in {(service_id, plan_id) for service_id, plan_id, *_ in CATALOGUE} - listed:
        plan = ServicePrice(service_id=service_id, plan_id=plan_id)
        try:
            plan.update(
                actions=[ServicePrice.catalogue.set(CATALOGUE_PARTITION)],
                condition=ServicePrice.service_id.exists() & ServicePrice.catalogue.does_not_exist(),
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
        else:
            indexed += 1
    return f"service plans: {indexed} added to the catalogue index"
