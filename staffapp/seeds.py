"""Demo staff for local development only: one per role, password from DEMO_STAFF_PASSWORD."""

from __future__ import annotations

from collections.abc import Iterator

from staffapp.demo import DEMO_PASSWORD, DEMO_STAFF
from staffapp.selectors import staff_get
from staffapp.services import staff_save


def seed(*, demo_staff: bool = False) -> Iterator[str]:
    if not demo_staff:
        yield "demo staff: skipped (not a dev environment)"
        return
    created = 0
    for email, name, roles in DEMO_STAFF:
        if staff_get(email) is None:
            staff_save(email=email, name=name, phone="0451237048", roles=roles, password=DEMO_PASSWORD)
            created += 1
    yield f"demo staff: {created} created, {len(DEMO_STAFF) - created} already present (kept)"
