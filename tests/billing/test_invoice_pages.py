"""The invoice list (no date window, search by number, customer or reference, periods, sort) and
the invoice detail page (lines, GST, status, method, staff name, live state, cancel page)."""

from __future__ import annotations

import datetime as dt

import pytest

from autolab import clock
from billing.models import Invoice
from billing.periods import financial_year, preset_range
from bookings.models import Appointment


def _day(offset: int) -> str:
    return (clock.business_today() + dt.timedelta(days=offset)).isoformat()


@pytest.fixture
def paid(admin, customer, make_appointment):
    """Pay appointments (as the admin, by cash) and return their invoices."""
    client = admin.portal()

    def pay(*, day_offset: int = 0, **extra) -> Invoice:
        appointment = make_appointment(created_user_id=customer.user_id, scheduled_date=_day(day_offset), **extra)
        client.post(f"/admin/billing/payments/appointment/{appointment.appointment_id}/", {"payment_method": "cash"})
        return Invoice.get(Appointment.get(appointment.appointment_id).invoice_id)

    return pay


def _listed(response) -> list[str]:
    return [row.invoice_id for row in response.context["invoices"]]


def test_list_has_no_date_window_and_sorts_by_job_date(admin, paid):
    far_ahead = paid(day_offset=200)  # a job booked months ahead was hidden by the 30-day window
    today = paid(day_offset=0)
    long_ago = paid(day_offset=-400)
    client = admin.portal()
    listing = client.get("/admin/billing/invoices/")
    assert _listed(listing) == [far_ahead.invoice_id, today.invoice_id, long_ago.invoice_id]
    oldest = client.get("/admin/billing/invoices/", {"sort": "oldest"})
    assert _listed(oldest) == [long_ago.invoice_id, today.invoice_id, far_ahead.invoice_id]
    html = listing.content.decode()
    assert '<span class="badge status-generated">Generated</span>' in html
    assert '<td data-label="Method">Cash</td>' in html
    assert "generated<" not in html  # human labels only
    assert ">cash<" not in html


def test_presets_and_dates(admin, paid):
    today = clock.business_today()
    invoices = {offset: paid(day_offset=offset) for offset in (0, -40, 60)}
    client = admin.portal()
    for preset in ("today", "this_week", "this_month", "last_month", "this_fy"):
        start, end = preset_range(preset, today)
        expected = {i.invoice_id for o, i in invoices.items() if start <= today + dt.timedelta(days=o) <= end}
        listing = client.get("/admin/billing/invoices/", {"preset": preset})
        assert set(_listed(listing)) == expected, preset
        assert f'href="?preset={preset}" aria-current="true"' in listing.content.decode()
        assert f'name="start_date" value="{start.isoformat()}"' in listing.content.decode()  # the dates it chose
    only_today = client.get("/admin/billing/invoices/", {"preset": "today"})
    assert _listed(only_today) == [invoices[0].invoice_id]
    custom = client.get("/admin/billing/invoices/", {"start_date": _day(-41), "end_date": _day(-39)})
    assert _listed(custom) == [invoices[-40].invoice_id]
    from_only = client.get("/admin/billing/invoices/", {"start_date": _day(1)})
    assert _listed(from_only) == [invoices[60].invoice_id]


def test_financial_year_runs_july_to_june():
    assert financial_year(dt.date(2026, 12, 2)) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert financial_year(dt.date(2027, 6, 30)) == (dt.date(2026, 7, 1), dt.date(2027, 6, 30))
    assert financial_year(dt.date(2027, 7, 1)) == (dt.date(2027, 7, 1), dt.date(2028, 6, 30))
    assert preset_range("last_month", dt.date(2027, 1, 15)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert preset_range("this_week", dt.date(2026, 12, 2)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))


def test_search_by_number_customer_email_and_reference(admin, paid):
    jane = paid(day_offset=1)
    bob = paid(day_offset=2, buyer_name="Bob  Brown", buyer_email="Bob.Brown@Example.com")
    client = admin.portal()

    def search(text: str, **extra: str) -> list[str]:
        response = client.get("/admin/billing/invoices/", {"q": text, **extra})
        assert response.status_code == 200
        return _listed(response)

    assert search(str(bob.invoice_number)) == [bob.invoice_id]
    assert search("bob b") == [bob.invoice_id]  # name prefix, any case, spaces squeezed
    assert search("JANE") == [jane.invoice_id]
    assert search("bob.brown@") == [bob.invoice_id]
    assert search(bob.reference_number[:8].upper()) == [bob.invoice_id]  # the short id the portal shows
    assert search(bob.reference_number[:4]) == [bob.invoice_id]
    assert search(jane.invoice_id.lower()) == [jane.invoice_id]
    assert search("jane", preset="today") == []  # search within a period
    assert search("nobody") == []
    assert "No invoice matches “nobody”." in client.get("/admin/billing/invoices/", {"q": "nobody"}).content.decode()


def test_list_bad_input_is_a_message(admin, paid):
    paid()
    client = admin.portal()
    for query, message in (
        ({"start_date": "31/12/2030"}, "From: Enter a valid date."),
        ({"end_date": "2030-02-30"}, "To: Enter a valid date."),
        ({"start_date": "2030-02-01", "end_date": "2030-01-01"}, "The end date must not be before the start date."),
        ({"preset": "next_decade"}, "Period: Select a valid choice."),
        ({"sort": "sideways"}, "Sort by date: Select a valid choice."),
        ({"q": "x" * 101}, "Search: Ensure this value has at most 100 characters"),
    ):
        response = client.get("/admin/billing/invoices/", query)
        assert response.status_code == 200, query
        assert message in response.content.decode(), query
        assert _listed(response) == []


def test_detail_shows_lines_gst_method_and_staff_name(admin, paid):
    invoice = paid()
    client = admin.portal()
    html = client.get(f"/admin/billing/invoices/{invoice.invoice_id}/").content.decode()
    assert "Comprehensive Pre Purchase Inspection" in html
    assert '<td data-label="Unit price" class="num">$280.00</td>' in html
    assert 'id="invoice-net">$254.55<' in html
    assert 'id="invoice-gst">$25.45<' in html
    assert 'id="invoice-total"><strong>$280.00</strong>' in html
    assert '<span class="badge status-generated" id="invoice-status">Generated</span>' in html
    assert 'id="invoice-method">Cash<' in html
    assert 'confirmed by <span id="issued-by">Ada Admin</span>' in html
    assert f"/admin/billing/payments/appointment/{invoice.reference_number}/" in html
    assert 'id="invoice-pdf"' in html
    assert "invoice-live.js" not in html  # nothing to wait for


def test_detail_of_an_invoice_still_without_pdf_waits_for_it_live(admin, paid):
    invoice = paid()
    invoice.update(actions=[Invoice.file_url.remove()])
    client = admin.portal()
    html = client.get(f"/admin/billing/invoices/{invoice.invoice_id}/").content.decode()
    assert f'data-live-url="/admin/billing/invoices/{invoice.invoice_id}/state.json"' in html
    assert "billing/invoice-live.js" in html
    assert client.get(f"/admin/billing/invoices/{invoice.invoice_id}/state.json").json() == {"state": "generating"}


def test_unknown_invoice_is_404(admin):
    client = admin.portal()
    for url in (
        "/admin/billing/invoices/INV-NOSUCH/",
        "/admin/billing/invoices/INV-NOSUCH/state.json",
        "/admin/billing/invoices/INV-NOSUCH/cancel/",
        "/admin/billing/invoices/INV-NOSUCH/pdf/",
        "/admin/billing/invoices/" + "x" * 300 + "/",
    ):
        assert client.get(url).status_code == 404, url


def test_cancel_page_names_who_is_emailed_then_cancel_and_reactivate(admin, paid):
    invoice = paid()
    client = admin.portal()
    url = f"/admin/billing/invoices/{invoice.invoice_id}/"
    assert client.get(url + "delete/").status_code == 404
    page = client.get(url + "cancel/").content.decode()
    assert "Jane Buyer (jane@example.com) is emailed that the invoice was cancelled." in page
    assert "The appointment's payment status becomes cancelled; no money is refunded." in page
    assert Invoice.get(invoice.invoice_id).status == "generated"  # GET changes nothing
    done = client.post(url + "cancel/", follow=True).content.decode()
    assert f"Invoice {invoice.invoice_number} cancelled." in done
    assert '<span class="badge status-cancelled" id="invoice-status">Cancelled</span>' in done
    again = client.post(url + "cancel/", follow=True).content.decode()
    assert "already cancelled" in again
    reactivate = client.get(url + "reactivate/").content.decode()
    assert "is emailed that the invoice was reactivated." in reactivate
    client.post(url + "reactivate/")
    assert Invoice.get(invoice.invoice_id).status == "generated"
    pdf = client.get(url + "pdf/")
    assert pdf.status_code == 302
    assert client.get(pdf["Location"]).content.startswith(b"%PDF-")


def test_support_may_view_but_not_cancel(support, paid):
    invoice = paid()
    client = support.portal()
    page = client.get(f"/admin/billing/invoices/{invoice.invoice_id}/").content.decode()
    assert 'id="cancel-invoice"' not in page
    assert client.get(f"/admin/billing/invoices/{invoice.invoice_id}/cancel/").status_code == 403
    assert client.post(f"/admin/billing/invoices/{invoice.invoice_id}/cancel/").status_code == 403


def test_backfill_gives_restored_invoices_their_list_keys(admin, paid):
    from django.core.management import call_command

    invoice = paid()
    invoice.update(actions=[Invoice.list_key.remove(), Invoice.search_name.remove(), Invoice.search_email.remove()])
    client = admin.portal()
    assert _listed(client.get("/admin/billing/invoices/")) == []  # as a restored pre-list invoice was
    call_command("invoices_backfill")
    call_command("invoices_backfill")  # again: nothing left to do
    assert _listed(client.get("/admin/billing/invoices/")) == [invoice.invoice_id]
    assert _listed(client.get("/admin/billing/invoices/", {"q": "jane@"})) == [invoice.invoice_id]
