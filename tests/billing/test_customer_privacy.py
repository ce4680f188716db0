"""Privacy requests (APP 11-13): the export holds every kind of record about the customer, and
anonymising replaces their personal data everywhere while the tax invoices, their PDFs and the
adjustment notes stay byte for byte; it can be repeated, and finishes an interrupted run. The
customer's data goes in through the same services and APIs the website and staff use
(tests/staffapp/portal_sweep.seed)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from autolab import audit, storage
from autolab.privacy import ANONYMISED_EMAIL, ANONYMISED_NAME, REMOVED
from billing import privacy
from billing.customers import customer_record
from billing.models import AdjustmentNote, Invoice
from bookings import privacy as booking_privacy
from bookings.models import Appointment
from chat import inquiries
from chat.models import Customer, Inquiry
from chat.selectors import messages_of_customer
from emails import privacy as email_privacy
from emails.selectors import emails_with
from shop.models import Order
from tests.staffapp import portal_sweep

pytestmark = pytest.mark.django_db

EVERY_KIND = (
    "appointments",
    "orders",
    "invoices",
    "refunds",
    "adjustmentNotes",
    "chatMessages",
    "inquiries",
    "emails",
    "auditEntries",
)


@pytest.fixture
def seeded(make_staff: Any) -> tuple[Any, portal_sweep.Seeded]:
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    mechanic = make_staff("MECHANIC", name="Max Mechanic")
    return admin, portal_sweep.seed(admin, mechanic)


def _tax_records(data: portal_sweep.Seeded) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    invoice = Invoice.get(data.invoice_id)
    assert invoice.s3_key, "the seeded invoice has no PDF"
    return audit.snapshot(invoice), storage.read(invoice.s3_key), audit.snapshot(AdjustmentNote.get(data.note_id))


def _personal_text(data: portal_sweep.Seeded) -> str:
    """Every customer-owned item of the seeded customer, as one text (to search for their details)."""
    items: list[Any] = [
        Customer.get(data.customer_id),
        Appointment.get(data.appointment_id),
        Order.get(data.paid_order_id),
        Inquiry.get(data.inquiry_id),
        *messages_of_customer(data.customer_id),
    ]
    return json.dumps([audit.snapshot(item) for item in items]).lower()


def test_an_admin_exports_everything_then_anonymises_and_the_invoices_are_kept(
    seeded: Any, make_staff: Any, anon: Any
) -> None:
    admin, data = seeded
    support = make_staff("CUSTOMER_SUPPORT", name="Sam Support")
    url = f"/api/customers/{data.customer_id}"
    assert anon.get(f"{url}/export").status_code == 401
    assert support.api().get(f"{url}/export").status_code == 403
    assert admin.api().get("/api/customers/no-such-customer/export").status_code == 404

    response = admin.api().get(f"{url}/export")
    assert response.status_code == 200
    exported = response.json()["export"]  # plain JSON all the way down (money as text, sets as lists)
    empty = [kind for kind in EVERY_KIND if not exported[kind]]
    assert not empty, f"the export has no {empty}"
    assert exported["customer"]["userEmail"] == "cara@example.com"
    assert {i["invoiceId"] for i in exported["invoices"]} == {data.invoice_id}
    assert exported["orders"][0]["paymentMethod"] == "bank_transfer"  # a manual payment lives on its record
    assert exported["chatMessages"][0]["message"] == "Can you do Saturday instead?"
    assert "cara@example.com" in exported["emailAddresses"]
    entry = audit.history("customer", data.customer_id).entries[0]
    assert (entry.action, entry.actor_id) == ("customer.export", admin.user_id)
    assert entry.changed["exported"][1]["invoices"] == 1

    before = _tax_records(data)
    assert "hay st" in _personal_text(data)
    assert support.api().post(f"{url}/anonymise", {"confirm": "ANONYMISE"}, format="json").status_code == 403
    assert admin.api().post(f"{url}/anonymise", {"confirm": "yes"}, format="json").status_code == 400
    assert (
        admin.api().post("/api/customers/nobody/anonymise", {"confirm": "ANONYMISE"}, format="json").status_code == 404
    )
    assert Customer.get(data.customer_id).anonymised_at is None

    response = admin.api().post(f"{url}/anonymise", {"confirm": "ANONYMISE"}, format="json")

    assert response.status_code == 200
    changed = response.json()["changed"]
    # The sweep's customer booked twice (one job in two days, one today).
    assert (changed["appointments"], changed["orders"], changed["inquiries"], changed["customer"]) == (2, 1, 1, 1)
    assert changed["chat_messages"] >= 1
    assert changed["emails"] >= 1
    text = _personal_text(data)
    for detail in ("cara", "hay st", "412 345 678", "please call first", "front desk", "saturday", "utes"):
        assert detail not in text, f"{detail!r} is still held"
    customer = Customer.get(data.customer_id)
    assert (customer.user_name, customer.user_email) == (ANONYMISED_NAME, ANONYMISED_EMAIL)
    assert customer.anonymised_at is not None
    assert Appointment.get(data.appointment_id).notes == REMOVED
    assert emails_with("cara@example.com") == []
    assert _tax_records(data) == before  # invoice item, its PDF bytes and the adjustment note unchanged
    assert Invoice.get(data.invoice_id).metadata["userEmail"] == "cara@example.com"  # a tax record keeps whom
    entry = audit.history("customer", data.customer_id).entries[0]
    assert entry.action == "customer.anonymise"
    assert entry.changed["anonymised"][1]["appointments"] == 2
    assert "cara" not in entry.changes.lower()


def test_anonymising_again_changes_nothing_and_an_interrupted_run_is_finished(seeded: Any) -> None:
    admin, data = seeded
    subject = inquiries.reply_subject(Inquiry.get(data.inquiry_id))  # "Re: Do you inspect utes?"
    reply = inquiries.Reply(subject=subject, text="We do, Cara: any ute.", key="privacy-reply")
    inquiries.inquiry_answer(inquiry_id=data.inquiry_id, reply=reply, staff=admin.identity)
    assert "utes" in Inquiry.get(data.inquiry_id).replies[0].subject.lower()
    # A run that stopped after the emails and the bookings (the first steps), before the rest:
    email_privacy.emails_anonymise({"cara@example.com"})
    assert booking_privacy.appointments_anonymise(data.customer_id) == 2  # both of the sweep's bookings
    assert Customer.get(data.customer_id).anonymised_at is None

    finished = privacy.customer_anonymise(user_id=data.customer_id, actor=admin.identity)
    assert (finished.appointments, finished.emails, finished.orders, finished.customer) == (0, 0, 1, True)
    assert Order.get(data.paid_order_id).customer_email == ANONYMISED_EMAIL
    assert [r.subject for r in Inquiry.get(data.inquiry_id).replies] == [REMOVED]

    again = privacy.customer_anonymise(user_id=data.customer_id, actor=admin.identity)
    assert set(again.counts().values()) == {0}
    assert again.anonymised_at == finished.anonymised_at
    found = customer_record(data.customer_id)
    assert found is not None
    assert [i.invoice_id for i in found.invoices] == [data.invoice_id]


def test_two_admins_anonymising_at_once_both_finish_and_agree(seeded: Any, make_staff: Any) -> None:
    """Both runs race over the same items (a version conflict on a booking or order is read again
    and redone); neither fails, and the customer ends anonymised once."""
    admin, data = seeded
    other = make_staff("ADMIN", name="Ada Admin")
    start = threading.Barrier(2)

    def run(actor: Any) -> privacy.Anonymised:
        start.wait()
        return privacy.customer_anonymise(user_id=data.customer_id, actor=actor.identity)

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(run, (admin, other)))

    assert sum(d.appointments for d in done) >= 1
    assert {d.anonymised_at for d in done} == {done[0].anonymised_at}
    assert Order.get(data.paid_order_id).customer_name == ANONYMISED_NAME
    assert Appointment.get(data.appointment_id).buyer_email == ANONYMISED_EMAIL
    entries = [e for e in audit.history("customer", data.customer_id).entries if e.action == "customer.anonymise"]
    assert len(entries) == 2


def test_anonymising_removes_the_personal_values_from_the_staff_audit_trail(seeded: Any, make_staff: Any) -> None:
    admin, data = seeded
    support = make_staff("CUSTOMER_SUPPORT", name="Sam Support")
    seller = {"name": "Selma Seller", "email": "selma@example.com", "phoneNumber": "0499 111 222"}
    edit = {"isBuyer": False, "sellerData": seller}
    changed = support.api().patch(f"/api/appointments/{data.appointment_id}", edit, format="json")
    assert changed.status_code == 200, changed.content
    trail = audit.history("appointment", data.appointment_id).entries[0]
    assert "selma@example.com" in trail.changes

    response = admin.api().post(f"/api/customers/{data.customer_id}/anonymise", {"confirm": "ANONYMISE"}, format="json")

    assert response.status_code == 200
    assert response.json()["changed"]["audit_entries"] >= 1
    kept = audit.history("appointment", data.appointment_id).entries
    assert not any(word in entry.changes.lower() for entry in kept for word in ("selma", "499 111 222", "cara"))
    redacted = next(entry for entry in kept if entry.at == trail.at)
    assert (redacted.actor_id, redacted.action) == (support.user_id, trail.action)  # who did what stays
    assert redacted.changed["sellerEmail"] == [None if v is None else REMOVED for v in trail.changed["sellerEmail"]]
    again = admin.api().post(f"/api/customers/{data.customer_id}/anonymise", {"confirm": "ANONYMISE"}, format="json")
    assert again.json()["changed"]["audit_entries"] == 0
