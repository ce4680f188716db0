"""Payment emails name the attached documents as the PDFs do: a tax invoice and an adjustment note
for a business registered for GST, an invoice and a credit note otherwise."""

import pytest

from emails.rendering import render_email

CONTEXT = {"customerName": "Cara Buyer", "referenceNumber": "A-1", "amount": "280.00", "kind": "booking"}


@pytest.mark.parametrize(
    ("registered", "invoice", "note"),
    [(True, "tax invoice", "adjustment note"), (False, "invoice", "credit note")],
)
def test_payment_emails_name_the_documents_by_gst_registration(settings, registered, invoice, note) -> None:
    settings.GST_REGISTERED = registered

    confirmed = render_email("payment_confirmed", CONTEXT)
    refunded = render_email("payment_refunded", CONTEXT)

    for body in (confirmed.text, confirmed.html):
        assert f"Your {invoice} is attached" in body
    for body in (refunded.text, refunded.html):
        assert f"The {note} for your {invoice} is attached." in body
    if not registered:
        assert "tax invoice" not in confirmed.text + refunded.text
