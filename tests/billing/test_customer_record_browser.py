"""Browser tests of the customer record page, on a desktop and a phone: one list shows the
customer's records of every kind (bookings, orders, payments, invoices, chat, emails, inquiries),
newest first; an admin downloads the export and anonymises the customer after typing the
confirmation, and the invoice is still on the record afterwards."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chat.models import Customer
from tests.staffapp import portal_sweep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
KINDS = {"Booking", "Order", "Payment", "Invoice", "Chat", "Email", "Inquiry"}


@pytest.fixture
def people(make_staff: Any) -> tuple[Any, portal_sweep.Seeded]:
    """Seeded before ``chromium`` (its event loop would keep live events from running here)."""
    admin = make_staff("ADMIN", "CUSTOMER_SUPPORT", name="Alex Admin")
    mechanic = make_staff("MECHANIC", name="Max Mechanic")
    return admin, portal_sweep.seed(admin, mechanic)


def test_the_customer_record_shows_every_kind_then_export_and_anonymise_keep_the_invoice(
    people: Any, portal_login: Any, live_server: Any
) -> None:
    admin, data = people
    page = portal_login(admin)
    record = f"{live_server.url}/admin/customers/{data.customer_id}/record/"
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(record)
        rows = page.locator("#customer-record tr.record-row")
        kinds = set(rows.evaluate_all("rows => rows.map(row => row.dataset.kind)"))
        assert kinds == KINDS
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        times = rows.evaluate_all("rows => rows.map(row => row.dataset.at)")
        assert [int(t) for t in times] == sorted((int(t) for t in times), reverse=True)

    page.set_viewport_size(DESKTOP)
    page.click("#action-export")
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.click("#confirm-export")
    exported = json.loads(download.value.path().read_text())
    assert exported["customer"]["userEmail"] == "cara@example.com"
    assert [i["invoiceId"] for i in exported["invoices"]] == [data.invoice_id]

    page.goto(record)
    page.click("#action-anonymise")
    page.wait_for_load_state()
    assert "ATO" in page.inner_text("#anonymise-kept")
    page.fill("#id_confirm", "yes")
    page.click("#confirm-anonymise")
    page.wait_for_load_state()
    assert "Type ANONYMISE to confirm" in page.inner_text("#anonymise-form")
    assert Customer.get(data.customer_id).anonymised_at is None
    page.fill("#id_confirm", "ANONYMISE")
    page.click("#confirm-anonymise")
    page.wait_for_load_state()
    assert "Invoices were kept" in page.inner_text(".messagelist")
    assert page.is_visible("#anonymised-note")
    assert "Cara" not in page.inner_text("#content")
    invoice = page.locator("#customer-record tr.record-row[data-kind=Invoice] a").first
    assert invoice.get_attribute("href") == f"/admin/billing/invoices/{data.invoice_id}/"
