"""The invoice task's DynamoDB calls at the physical limit (#11.5), counted as the bench counts them
(``bench.harness.count_dynamodb_calls``: the task and the eager send of its email)."""

from __future__ import annotations

from collections import Counter

from bench.harness import count_dynamodb_calls
from billing import tasks
from billing.models import BillingKey, Invoice
from bookings.models import Appointment
from emails.models import EmailMetadata


def _paid(make_appointment, customer) -> str:
    appointment = make_appointment(created_user_id=customer.user_id)
    appointment.update(actions=[Appointment.payment_status.set("paid"), Appointment.payment_method.set("cash")])
    return appointment.appointment_id


def test_the_invoice_task_reads_once_writes_once_and_sends(customer, make_appointment):
    # A first invoice fills the shared plan cache, as any running system has it.
    tasks.invoice_generate_task.delay("appointment", _paid(make_appointment, customer))
    appointment_id = _paid(make_appointment, customer)

    with count_dynamodb_calls() as calls:
        tasks.invoice_generate_task.delay("appointment", appointment_id)

    stored = Appointment.get(appointment_id)
    invoice = Invoice.get(stored.invoice_id)
    assert (invoice.invoice_number, invoice.s3_key) == (2, f"invoices/{invoice.invoice_id}.pdf")
    assert invoice.file_size > 1000
    assert BillingKey.get("counter", "invoiceNumber").value == 2
    emails = [m for m in EmailMetadata.scan() if m.email_type == "payment_confirmed"]
    assert sorted(m.status for m in emails) == ["sent", "sent"]
    # Record, lock and counter in one strongly consistent BatchGetItem; the customer (bookedBy;
    # the plan is cached); counter, invoice, lock, record link, pending marker, email, its dedupe
    # key and thread head in one transaction; then the send (suppression, claim, finish).
    assert calls == Counter({"BatchGetItem": 1, "GetItem": 1, "TransactWriteItems": 2, "Query": 1, "UpdateItem": 1})
    assert sum(calls.values()) == 6
