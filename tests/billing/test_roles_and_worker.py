from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from billing.checks import abn_is_valid
from billing.models import Invoice
from billing.tasks import invoice_generate_task
from bookings.models import Appointment
from emails.models import EmailAnalytics, EmailMetadata
from tests.waiting import wait_until

ROUTES = [
    ("get", "/api/payments/invoices", {"start_date": "2030-01-01", "end_date": "2030-01-31"}),
    ("post", "/api/payments/invoices", {}),
    ("patch", "/api/payments/invoices", {}),
    ("post", "/api/payments/confirm", {}),
    ("get", "/api/analytics", {"start_date": "2030-01-01", "end_date": "2030-01-31"}),
]
# Which roles get past the permission check (then 200 for reads, 400 for the empty bodies).
ALLOWED = {
    "ADMIN": {0, 1, 2, 3, 4},
    "CUSTOMER_SUPPORT": {0, 4},
    "CLERK": set(),
    "MECHANIC": set(),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_matrix(make_staff, role):
    persona = make_staff(role)
    for index, (method, path, data) in enumerate(ROUTES):
        client = persona.api()
        response = getattr(client, method)(path, data, **({} if method == "get" else {"format": "json"}))
        if index in ALLOWED[role]:
            assert response.status_code in (200, 400), (role, path, response.status_code)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert response.json() == {"success": False, "message": response.json()["message"]}


def test_anonymous_callers_are_refused_everywhere(anon):
    for method, path, data in ROUTES:
        response = getattr(anon, method)(path, data, **({} if method == "get" else {"format": "json"}))
        assert response.status_code in (401, 403)
        assert response.json()["success"] is False


@pytest.mark.parametrize(
    ("abn", "valid"),
    [("51 824 753 556", True), ("51824753556", True), ("12 345 678 901", False), ("5182475355", False), ("", False)],
)
def test_abn_checksum(abn, valid):
    assert abn_is_valid(abn) is valid


def test_a_bad_abn_stops_start_up(settings):
    settings.BUSINESS_ABN = "12 345 678 901"
    with pytest.raises(SystemCheckError, match=r"billing\.E001"):
        call_command("check")


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_produces_the_invoice(celery_worker, admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    response = admin.api().post(
        "/api/payments/confirm", {"referenceNumber": appointment.appointment_id, "type": "appointment"}, format="json"
    )
    assert response.status_code == 200
    wait_until(lambda: Appointment.get(appointment.appointment_id).invoice_id, "the worker to produce the invoice")
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id
    invoice = Invoice.get(invoice_id)
    assert invoice.status == "generated"
    assert invoice.s3_key == f"invoices/{invoice_id}.pdf"
    assert invoice.file_size > 1000


def _confirmations() -> list[EmailMetadata]:
    return [m for m in EmailMetadata.scan() if m.email_type == "payment_confirmed"]


@pytest.mark.django_db(transaction=True)
def test_the_invoice_task_run_again_by_a_real_worker_sends_one_email(celery_worker, admin, customer, make_appointment):
    appointment = make_appointment(created_user_id=customer.user_id)
    body = {"referenceNumber": appointment.appointment_id, "type": "appointment", "paymentMethod": "cash"}
    assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200
    wait_until(lambda: [m.status for m in _confirmations()] == ["sent"], "the worker to send the confirmation")
    invoice_id = Appointment.get(appointment.appointment_id).invoice_id

    # A redelivered message or the reconciler runs the task again for the same record.
    again = invoice_generate_task.delay("appointment", appointment.appointment_id)
    assert again.get(timeout=30) == invoice_id

    [email] = _confirmations()  # the re-run found the email's dedupe key: nothing new queued
    assert (email.status, email.attempts, email.attachments) == ("sent", 1, [f"invoices/{invoice_id}.pdf"])
    assert [e.event_type for e in EmailAnalytics.query(customer.user_email)] == ["send"]
    assert len(list(Invoice.reference_index.query(appointment.appointment_id))) == 1
