"""The portal sweep: axe-core over every portal page, on a desktop and a 390x844 phone viewport, finds
no critical or serious violation, and every tap target of the phone layout is at least 44x44 px. The
pages are those staffapp.sites.portal_site registers, with the seeded records' ids; an admin (who also
does customer support) opens them, a mechanic the mechanic's pages."""

from __future__ import annotations

from typing import Any

import pytest

from staffapp.sites import portal_site
from tests.staffapp import portal_sweep as sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages a mechanic sees differently (their own jobs, the job page's controls).
MECHANIC_VIEWS = ("bookings-my-day", "bookings-appointment", "bookings-calendar", "inspections-fill")


@pytest.fixture
def people(make_staff: Any) -> tuple[Any, Any, sweep.Seeded]:
    """The staff and the seeded records; requested before ``chromium``, whose event loop would
    keep the services' sync-to-async calls (live events) from running in this thread."""
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    mechanic = make_staff("MECHANIC", name="Max Mechanic")
    return admin, mechanic, sweep.seed(admin, mechanic)


def _sweep(section: str, chromium: Any, live_server: Any, people: tuple[Any, Any, sweep.Seeded]) -> list[sweep.Visit]:
    admin, mechanic, data = people
    urls = sweep.page_urls(data)
    pages = [page for page in portal_site.pages() if sweep.section_of(page.name) == section]
    visits: list[sweep.Visit] = []
    for persona, names in (
        (admin, [p.name for p in pages if p.allowed_for(admin.identity)]),
        (mechanic, [p.name for p in pages if not p.allowed_for(admin.identity) or p.name in MECHANIC_VIEWS]),
    ):
        if not names:
            continue
        context = sweep.browser_context(chromium)
        tab = sweep.sign_in(context, live_server.url, persona)
        for name in names:
            url = live_server.url + urls[name]
            visits += sweep.audit(tab, f"{name} as {persona.identity.name}", url, base_url=live_server.url)
        context.close()
    return visits


@pytest.mark.parametrize("section", sorted(sweep.SECTIONS))
def test_every_page_passes_axe_and_has_phone_sized_tap_targets(
    section: str, people: Any, chromium: Any, live_server: Any
) -> None:
    visits = _sweep(section, chromium, live_server, people)
    assert len(visits) >= 2 * 8, f"only {len(visits) // 2} pages swept in {section}"
    problems = sweep.report(visits)
    assert not problems, f"{sweep.target_share(visits, sweep.MIN_TARGET)}; the sweep found:\n{problems}"


def test_login_page_and_the_dashboard(people: Any, chromium: Any, live_server: Any) -> None:
    """The index is the dashboard: swept with data in its panels, as an admin and as a mechanic."""
    admin, mechanic, _ = people
    context = sweep.browser_context(chromium)
    visits = sweep.audit(sweep.Tab(context), "login", f"{live_server.url}/admin/login/")
    visits += sweep.audit(sweep.sign_in(context, live_server.url, admin), "index", f"{live_server.url}/admin/")
    context.close()
    context = sweep.browser_context(chromium)
    visits += sweep.audit(
        sweep.sign_in(context, live_server.url, mechanic), "index as mechanic", f"{live_server.url}/admin/"
    )
    context.close()
    problems = sweep.report(visits)
    assert not problems, f"{sweep.target_share(visits, sweep.MIN_TARGET)}; the sweep found:\n{problems}"


def test_every_portal_page_is_in_a_section_of_the_sweep() -> None:
    names = {page.name for page in portal_site.pages()}
    assert {name for name in names if sweep.section_of(name)} == names
