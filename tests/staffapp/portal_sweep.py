"""The portal sweep: realistic seeded data, every portal page's URL, axe-core and a tap-target check.

Used by test_accessibility.py (axe over every page, desktop and phone) and test_phone.py (tap
targets on phone layouts). Data goes in through the same services and APIs the website and staff
use; nothing of autolab is mocked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from rest_framework.test import APIClient

from autolab import clock
from billing.adjustments.refunds import RefundRequest, refund_create
from billing.services.manual_payments import manual_payment_confirm
from bookings import seeds as booking_seeds
from chat import inquiries, messaging
from chat import services as chat_services
from devtools import axe
from emails import selectors as email_selectors
from emails import suppression
from inspections import seeds as inspection_seeds
from inspections import services as inspection_services
from inspections.checklist import TEMPLATE_ID
from inspections.services import InspectionChanges, ItemAnswer
from inspections.types import Rating
from shop import seeds as shop_seeds
from shop.models import Order
from staffapp.sites import PortalPage, portal_site

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MIN_TARGET = 44  # px, both ways, on phone layouts


@dataclass
class Seeded:
    """Ids of the seeded records, by the URL parameter name the portal's routes use."""

    day: str
    appointment_id: str
    paid_order_id: str
    invoice_id: str
    note_id: str
    customer_id: str
    inquiry_id: str
    reply_id: str
    thread_id: str
    message_id: str
    staff_email: str
    suppressed: str
    vehicle_key: str
    vin: str = ""
    compare: tuple[str, str] = ("", "")
    mechanic_only: set[str] = field(default_factory=set)


def seed(admin: Any, mechanic: Any) -> Seeded:
    """Two appointments scheduled to the mechanic (one today), a paid order with its invoice and a refund's note,
    a chat customer with a message, an inquiry, a canned reply, emails, a suppression and a staff
    member."""
    list(booking_seeds.seed())
    list(shop_seeds.seed())
    list(inspection_seeds.seed())
    customer = chat_services.customer_register(user_email="cara@example.com", user_name="Cara Buyer")
    day = (clock.business_today() + dt.timedelta(days=2)).isoformat()
    anon = APIClient()
    booking = {
        "serviceId": 1,
        "planId": 2,
        "isBuyer": True,
        "buyerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "+61 412 345 678"},
        "carData": {
            "make": "Toyota",
            "model": "Corolla",
            "year": 2015,
            "location": "12 Hay St, Perth WA 6000",
            "registration": "1abc 234",
        },
        "notes": "Please call first",
        "selectedSlots": [{"date": day, "start": "09:00", "end": "12:00", "priority": 1}],
    }
    response = anon.post("/api/appointments", {"userId": customer.user_id, "appointmentData": booking}, format="json")
    assert response.status_code == 200, response.content
    appointment_id = response.json()["appointmentId"]
    scheduled = admin.api().patch(
        f"/api/appointments/{appointment_id}",
        {
            "scheduledTimeSlot": {"date": day, "start": "09:00", "end": "12:00"},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    assert scheduled.status_code == 200, scheduled.content
    # A second booking, scheduled today: the dashboard's timeline and "My day" show a job.
    booking_today = {**booking, "selectedSlots": [{"date": day, "start": "13:00", "end": "16:00", "priority": 1}]}
    response = anon.post(
        "/api/appointments", {"userId": customer.user_id, "appointmentData": booking_today}, format="json"
    )
    assert response.status_code == 200, response.content
    today = admin.api().patch(
        f"/api/appointments/{response.json()['appointmentId']}",
        {
            "scheduledTimeSlot": {"date": clock.business_today().isoformat(), "start": "13:00", "end": "16:00"},
            "assignedMechanicId": mechanic.user_id,
        },
        format="json",
    )
    assert today.status_code == 200, today.content
    # Both jobs inspected, of one car: the fill page has answers, the VIN page two rows to compare.
    compared = (appointment_id, response.json()["appointmentId"])
    for inspected in compared:
        _inspect(mechanic, inspected)
    order = {
        "items": [{"categoryId": 1, "itemId": 1, "quantity": 2}, {"categoryId": 2, "itemId": 2, "quantity": 1}],
        "customerData": {"name": "Cara Buyer", "email": "cara@example.com", "phoneNumber": "0412 345 678"},
        "carData": {"make": "Toyota", "model": "Corolla", "year": 2015},
        "deliveryLocation": "12 Hay St, Perth WA 6000",
        "notes": "Leave at the front desk",
    }
    placed = anon.post("/api/orders", {"userId": customer.user_id, "orderData": order}, format="json")
    assert placed.status_code == 200, placed.content
    order_id = placed.json()["orderId"]
    assigned = admin.api().patch(f"/api/orders/{order_id}", {"assignedMechanicId": mechanic.user_id}, format="json")
    assert assigned.status_code == 200, assigned.content
    manual_payment_confirm(
        actor=admin.identity, record_type="order", reference_number=order_id, payment_method="bank_transfer"
    )
    invoice_id = Order.get(order_id).invoice_id  # generated by the (eager) invoice task
    assert invoice_id, "the paid order has no invoice"
    refund = refund_create(
        RefundRequest(
            record_type="order",
            reference_number=order_id,
            amount_cents=500,
            method="bank_transfer",
            idempotency_key="sweep",
            refunded_by=admin.identity.user_id,
            reason="Goodwill",
        )
    )
    assert refund.adjustment_note_id, "the refund issued no adjustment note"
    messaging.message_send(client_id=customer.user_id, text="Can you do Saturday instead?", staff=None)
    inquiry = inquiries.inquiry_create(
        user_id=customer.user_id,
        inquiry=inquiries.InquiryRequest(
            first_name="Cara", last_name="Buyer", email="cara@example.com", message="Do you inspect utes?"
        ),
    )
    reply = chat_services.canned_reply_create(
        title="Opening hours", text="We are open 8 to 5, Monday to Saturday.", staff=admin.identity
    )
    suppression.suppression_add(email="bounced@example.com", notes="Mailbox full", actor=admin.identity)
    thread = email_selectors.thread_list(limit=1, cursor=None).items[0]
    return Seeded(
        day=day,
        appointment_id=appointment_id,
        paid_order_id=order_id,
        invoice_id=invoice_id,
        note_id=refund.adjustment_note_id,
        customer_id=customer.user_id,
        inquiry_id=inquiry.inquiry_id,
        reply_id=reply.reply_id,
        thread_id=thread.thread_id,
        message_id=thread.last.message_id,
        staff_email=mechanic.email,
        suppressed="bounced@example.com",
        vehicle_key="1ABC234",
        vin=SWEEP_VIN,
        compare=compared,
    )


SWEEP_VIN = "JTDBR32E720123456"


def _inspect(mechanic: Any, appointment_id: str) -> None:
    """Start the job's inspection with a VIN, one failed item with a note, one measurement."""
    inspection = inspection_services.inspection_start(actor=mechanic.identity, appointment_id=appointment_id).inspection
    inspection_services.inspection_update(
        actor=mechanic.identity,
        appointment_id=appointment_id,
        version=inspection.version,
        changes=InspectionChanges(given=frozenset({"vin", "odometer"}), vin=SWEEP_VIN, odometer=84_500),
    )
    for item_id, answer in (
        ("body-03", ItemAnswer(rating=Rating.FAIL, text="Rear door gap uneven")),
        ("brakes-01", ItemAnswer(value=Decimal("4.5"))),
    ):
        inspection_services.item_save(
            actor=mechanic.identity,
            appointment_id=appointment_id,
            item_id=item_id,
            template_version=inspection.template_version,
            version=0,
            answer=answer,
        )


def _kwargs(page: PortalPage, data: Seeded) -> dict[str, str]:
    by_parameter = {
        "appointment_id": data.appointment_id,
        "order_id": data.paid_order_id,
        "invoice_id": data.invoice_id,
        "note_id": data.note_id,
        "client_id": data.customer_id,
        "user_id": data.customer_id,
        "inquiry_id": data.inquiry_id,
        "reply_id": data.reply_id,
        "thread_id": data.thread_id,
        "message_id": data.message_id,
        "email": data.staff_email,
        "action": "cancel",
        "record_type": "order",
        "record_id": data.paid_order_id,
        "vehicle_key": data.vehicle_key,
        "vin": data.vin,
        "template_id": TEMPLATE_ID,
    }
    names = [part.split(">")[0].split(":")[-1] for part in page.route.split("<")[1:]]
    missing = [name for name in names if name not in by_parameter]
    assert not missing, f"the sweep has no seeded record for {page.name}'s {missing}: add one in portal_sweep.seed"
    return {name: by_parameter[name] for name in names}


QUERIES: dict[str, Callable[[Seeded], str]] = {
    "bookings-calendar": lambda data: f"?week={data.day}",
    "email-suppression-remove": lambda data: f"?email={data.suppressed}&type=manual",
    # Blocking the morning of the seeded job: the confirmation page lists the job it covers.
    "bookings-calendar-block": lambda data: f"?start_date={data.day}&end_date=&start=09:00&end=12:00&action=add",
    # Booking or ordering for a caller: the caller (customer) is chosen on the page before.
    "bookings-caller-book": lambda data: f"?customer={data.customer_id}",
    "shop-caller-order": lambda data: f"?customer={data.customer_id}",
    # The staff search with results of every kind: the seeded customer, job, order and invoice.
    "search": lambda data: "?q=cara",
    # Two inspections of the seeded car, side by side.
    "inspections-compare": lambda data: f"?a={data.compare[0]}&b={data.compare[1]}",
}


def page_urls(data: Seeded) -> dict[str, str]:
    """Every registered portal page (by route name) with the seeded records' ids filled in."""
    urls = {}
    for page in portal_site.pages():
        url = reverse(f"admin:{page.name}", kwargs=_kwargs(page, data))
        urls[page.name] = url + QUERIES.get(page.name, lambda _: "")(data)
    # An unpaid appointment shows the confirm form; the paid order (above) its revert page.
    urls["billing-payments"] = reverse(
        "admin:billing-payments", kwargs={"record_type": "appointment", "record_id": data.appointment_id}
    )
    return urls


# Sections of the sweep, split so that pytest-xdist can run them side by side.
SECTIONS = {
    "bookings": ("bookings-", "inspections-"),
    "money": ("billing-", "shop-"),
    "people": ("chat-", "email-", "staff-", "search"),
}


def section_of(name: str) -> str:
    return next((section for section, prefixes in SECTIONS.items() if name.startswith(prefixes)), "")


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

# Visible interactive elements and their boxes. A checkbox or radio counts with its label (the
# label is part of its tap target); a link inside a paragraph is inline text (WCAG 2.5.8 exception).
TARGETS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    const style = getComputedStyle(el);
    let box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (box.right <= 0 || box.bottom <= 0) continue;  // parked off screen until focused (skip link)
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) {
        const own = label.getBoundingClientRect();
        box = {width: Math.max(box.width, own.width), height: Math.max(box.height, own.height)};
      }
    }
    const inline = el.tagName === 'A' && style.display === 'inline' && el.closest('p') !== null;
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
    const where = el.id ? '#' + el.id : (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
    found.push({tag: el.tagName.toLowerCase() + where, text, width: Math.round(box.width),
                height: Math.round(box.height), inline});
  }
  return found;
}"""


@dataclass
class Visit:
    name: str
    url: str
    violations: list[dict[str, Any]]
    targets: list[dict[str, Any]] = field(default_factory=list)


class Tab:
    """The sweep's tab in ``context``; after a navigation that opened no page it is replaced, as
    the error page it is loading would interrupt the next navigation."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = self._new()

    def _new(self) -> Any:
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        return page

    def replace(self) -> None:
        self.page.close()
        self.page = self._new()


def sign_in(context: Any, base_url: str, persona: Any) -> Tab:
    tab = Tab(context)
    tab.page.goto(f"{base_url}/admin/login/")
    tab.page.fill("#id_username", persona.email)
    tab.page.fill("#id_password", persona.password)
    tab.page.click("input[type=submit]")
    tab.page.wait_for_selector("#site-name")
    return tab


def check_no_page(context: Any, name: str, url: str) -> None:
    """``url`` opened no page: that is right only for a POST-only action (405) and a file (the CSV,
    the invoice PDF's redirect to its file link). Anything else fails the sweep."""
    answer = context.request.get(url, max_redirects=0)
    if answer.status == 405:
        return
    if answer.status == 302:
        location = answer.headers.get("location", "")
        assert "/admin/" not in location, f"{name} {url} redirects to {location}: seed what it needs"
        return
    assert answer.status == 200, f"{name} {url}: HTTP {answer.status}"
    assert "text/html" not in answer.headers.get("content-type", ""), f"{name} {url} did not open"


def browser_context(chromium: Any) -> Any:
    """A context whose every page has axe: an init script, run as each page is created and outside
    its CSP, where a script tag sent and injected after each load took ~140 ms a page."""
    context = chromium.new_context(viewport=DESKTOP)
    context.add_init_script(path=str(axe.script()))
    return context


def _manual_invoice_step_one(tab: Any, base_url: str) -> None:
    """The items page of the manual invoice is step 2: step 1 is filled in first."""
    tab.goto(base_url + reverse("admin:billing-invoice-new"))
    tab.fill("input[name=name]", "Walk In Customer")
    tab.fill("input[name=make]", "Mazda")
    tab.fill("input[name=model]", "3")
    with tab.expect_navigation():
        tab.locator("#content form[method=post] [type=submit]").first.click()


# Pages reached through the page before them, not by their URL alone.
REACHED_BY: dict[str, Callable[[Any, str], None]] = {"billing-invoice-new-items": _manual_invoice_step_one}


def audit(tab: Tab, name: str, url: str, *, base_url: str = "") -> list[Visit]:
    """Open ``url`` once; axe on the desktop layout, then on the phone layout (the same document
    at 390x844: the layouts are CSS media queries), with the phone's tap targets. [] when ``url``
    is no page."""
    page = tab.page
    page.set_viewport_size(DESKTOP)
    if not _open(page, name, url, base_url):
        tab.replace()
        return []
    desktop = Visit(f"{name} (desktop)", url, page.evaluate(AXE_RUN))
    page.set_viewport_size(PHONE)
    return [desktop, Visit(f"{name} (phone)", url, page.evaluate(AXE_RUN), page.evaluate(TARGETS))]


def _open(tab: Any, name: str, url: str, base_url: str) -> bool:
    page_name = name.split(" as ")[0]
    if page_name in REACHED_BY:
        REACHED_BY[page_name](tab, base_url)
        assert tab.url.split("?")[0] == url, f"{name}: the step before it led to {tab.url}"
        return True
    try:
        response = tab.goto(url)
    except PlaywrightError:  # a download, an empty error answer or a file elsewhere: no page
        check_no_page(tab.context, name, url)
        return False
    assert response is not None, f"{name} {url}: no answer"
    assert response.status == 200, f"{name} {url}: HTTP {response.status}"
    if "text/html" not in response.headers.get("content-type", ""):
        check_no_page(tab.context, name, url)
        return False
    assert tab.url == url, f"{name} {url} redirects to {tab.url}: seed what it needs"
    return True


def small(targets: list[dict[str, Any]], limit: int = MIN_TARGET) -> list[dict[str, Any]]:
    return [t for t in targets if not t["inline"] and (t["width"] < limit or t["height"] < limit)]


# Beside every critical and serious violation, these rules of lesser impact fail the sweep too:
# the issue found them on the portal (#19) and they are cheap to keep fixed.
ALSO_BLOCKING = {"empty-table-header", "heading-order", "page-has-heading-one"}


def blocking(violation: dict[str, Any]) -> bool:
    return violation["impact"] in {"critical", "serious"} or violation["rule"] in ALSO_BLOCKING


def report(visits: list[Visit]) -> str:
    """Each blocking violation (page, rule, where) and each phone tap target under 44x44 px."""
    lines = []
    for visit in visits:
        for violation in filter(blocking, visit.violations):
            lines.append(
                f"{visit.name} {visit.url}: {violation['impact']} {violation['rule']} ({violation['help']}) "
                f"at {', '.join(violation['nodes'])}"
            )
        lines += [
            f"{visit.name} {visit.url}: tap target {t['tag']} '{t['text']}' is {t['width']}x{t['height']} px"
            for t in small(visit.targets)
        ]
    return "\n".join(lines)


def target_share(visits: list[Visit], limit: int) -> str:
    """How many of the phone layouts' tap targets are under ``limit`` px (inline text links aside)."""
    targets = [t for visit in visits for t in visit.targets]
    under = len(small(targets, limit))
    return f"{under} of {len(targets)} phone tap targets ({under / max(len(targets), 1):.0%}) are under {limit} px"
