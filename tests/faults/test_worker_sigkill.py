"""The Celery worker is SIGKILLed in the middle of an invoice task (#12.4): after a restart there
is exactly one invoice (number 1, PDF recorded) and one email. The worker talks to DynamoDB
through a FaultyDynamoDB that stalls it right after the invoice transaction, where it is killed."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from django.conf import settings

from autolab.celery import app
from billing.keys import counter_value
from billing.models import Invoice
from billing.selectors import invoices_for_reference
from bookings.models import Appointment
from emails.models import EmailMetadata
from tests.faults.conftest import start_worker
from tests.faults.dynamodb_faults import FaultyDynamoDB
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

VISIBILITY_SECONDS = 2


def test_a_worker_killed_mid_invoice_leaves_one_invoice_and_one_email(
    tmp_path: Path, admin, customer, make_appointment
):
    mail_dir = tmp_path / "mail"
    faulty = FaultyDynamoDB(settings.DYNAMODB_ENDPOINT_URL)
    worker_env = {
        "DYNAMODB_ENDPOINT_URL": faulty.url,
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_SECONDS),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    appointment = make_appointment(created_user_id=customer.user_id)
    faulty.stall_after("TransactWriteItems")  # the invoice and its number are written, nothing after
    worker = start_worker(tmp_path / "worker.log", **worker_env)
    app.conf.task_always_eager = False
    try:
        confirm = {"referenceNumber": appointment.appointment_id, "type": "appointment"}
        assert admin.api().post("/api/payments/confirm", confirm, format="json").status_code == 200
        wait_until(
            lambda: (
                faulty.operations[-1:] != ["TransactWriteItems"]
                and faulty.count("TransactWriteItems") == 1
                and faulty.operations.index("TransactWriteItems") < len(faulty.operations) - 1
            ),
            "the stall",
            interval=0.1,
        )

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert not mail_dir.is_dir() or not list(mail_dir.iterdir())  # killed before the email went out
        # The invoice's transaction queued its email; the restarted task hands it to the worker.
        assert [m.status for m in EmailMetadata.scan() if m.email_type == "payment_confirmed"] == ["queued"]
        faulty.forward()
        time.sleep(VISIBILITY_SECONDS)  # the unacknowledged message becomes visible again
        worker = start_worker(tmp_path / "worker.log", **worker_env)

        wait_until(lambda: Appointment.get(appointment.appointment_id).invoice_id is not None, "the invoice link")
        wait_until(lambda: mail_dir.is_dir() and len(list(mail_dir.iterdir())) >= 1, "the email")
        time.sleep(1)  # a duplicate would be on its way by now
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=20)
        faulty.close()

    invoices = invoices_for_reference(appointment.appointment_id)
    assert len(invoices) == 1
    invoice = Invoice.get(invoices[0].invoice_id)
    assert (invoice.invoice_number, counter_value()) == (1, 1)
    assert invoice.s3_key == f"invoices/{invoice.invoice_id}.pdf"
    assert invoice.file_size > 1000
    assert Appointment.get(appointment.appointment_id).invoice_id == invoice.invoice_id
    assert len(list(mail_dir.iterdir())) == 1
