"""Transactional email: every type rendered and sent once, suppression first, retries, no double send."""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from autolab import dynamodb, storage
from autolab.celery import app as celery_app
from bench.harness import count_dynamodb_calls
from emails import delivery, records, selectors, services, suppression, tasks
from emails.models import EmailAnalytics, EmailMetadata, EmailThreadHead
from tests.emails.conftest import attachments, part

FRONTEND = "https://www.autolabsolutions.test"

APPOINTMENT = {
    "appointmentId": "APT-1001",
    "services": [{"serviceName": "Pre-purchase inspection", "planName": "Comprehensive"}],
    "selectedSlots": [{"date": "2030-01-02", "start": "09:00", "end": "10:30"}],
    "carData": {"make": "Toyota", "model": "Corolla", "year": "2015", "location": "12 Hay St, Perth"},
    "contactNumber": "0451 000 111",
    "status": "PENDING",
    "price": "280.00",
}
ORDER = {
    "orderId": "ORD-2002",
    "items": [
        {"categoryName": "Brakes", "itemName": "Front pads", "quantity": 2, "unitPrice": "45.50", "totalPrice": "91.00"}
    ],
    "carData": {"make": "Mazda", "model": "3", "year": "2018"},
    "deliveryLocation": "5 Murray St, Perth",
    "status": "PENDING",
    "totalPrice": "91.00",
}

# (email type, context, expected subject, texts the plain part must contain, link the HTML must hold)
CASES: list[tuple[str, dict[str, Any], str, list[str], str]] = [
    (
        "appointment_created",
        APPOINTMENT,
        "Your Appointment Request Has Been Received",
        [
            "APT-1001",
            "Pre-purchase inspection",
            "Comprehensive",
            "2030-01-02 09:00 - 10:30",
            "2015 Toyota Corolla",
            "AUD 280.00",
            "within an hour",
        ],
        f"{FRONTEND}/appointment/APT-1001",
    ),
    (
        "appointment_updated",
        {
            **APPOINTMENT,
            "status": "ONGOING",
            "update_type": "status",
            "changes": {"Status": {"old": "Scheduled", "new": "In Progress"}},
        },
        "Appointment Status Updated - In Progress",
        ["now In Progress", "Status: Scheduled -> In Progress"],
        f"{FRONTEND}/appointment/APT-1001",
    ),
    (
        "appointment_updated",
        {
            **APPOINTMENT,
            "status": "SCHEDULED",
            "update_type": "scheduling",
            "scheduledTimeSlot": {"date": "2030-01-03", "start": "13:00", "end": "14:30"},
            "assignedMechanicName": "Max Mechanic",
        },
        "Appointment Scheduling Update",
        ["Scheduled time: 2030-01-03 13:00 - 14:30", "Mechanic: Max Mechanic"],
        f"{FRONTEND}/appointment/APT-1001",
    ),
    (
        "appointment_updated",
        {**APPOINTMENT, "update_type": "general", "changes": {"Contact phone": {"new": "0451 222 333"}}},
        "Your Appointment Has Been Updated",
        ["have been updated", "Contact phone: 0451 222 333"],
        f"{FRONTEND}/appointment/APT-1001",
    ),
    (
        "report_ready",
        {
            **APPOINTMENT,
            "status": "COMPLETED",
            "report_url": "https://files.autolab.test/r/abc?sig=1",
            "report_file_name": "report.pdf",
        },
        "Your Inspection Report is Ready",
        [
            "inspection report for your appointment is ready",
            "View Report: https://files.autolab.test/r/abc?sig=1",
            "Report: report.pdf",
        ],
        f"{FRONTEND}/appointment/APT-1001",
    ),
    (
        "order_created",
        ORDER,
        "Your Service Order Has Been Created",
        ["ORD-2002", "Brakes - Front pads (Quantity 2, AUD 45.50 each, AUD 91.00)", "5 Murray St, Perth", "AUD 91.00"],
        f"{FRONTEND}/order/ORD-2002",
    ),
    (
        "order_updated",
        {**ORDER, "status": "DELIVERED", "update_type": "status", "paymentStatus": "paid"},
        "Order Status Updated - Delivered",
        ["now Delivered", "View Order"],
        f"{FRONTEND}/order/ORD-2002",
    ),
    (
        "order_updated",
        {**ORDER, "update_type": "scheduling", "scheduledDate": "2030-02-01"},
        "Order Scheduling Update",
        ["Scheduled time: 2030-02-01"],
        f"{FRONTEND}/order/ORD-2002",
    ),
    (
        "order_updated",
        {**ORDER, "update_type": "general"},
        "Your Service Order Has Been Updated",
        ["details of your order have been updated"],
        f"{FRONTEND}/order/ORD-2002",
    ),
    (
        "payment_cancelled",
        {
            "referenceNumber": "APT-1001",
            "referenceType": "appointment",
            "amount": "280",
            "paymentMethod": "cash",
            "cancellationReason": "Paid twice",
            "cancelledInvoiceId": "INV-7",
        },
        "Payment Cancelled - Notification",
        [
            "has been cancelled",
            "Amount: AUD 280.00",
            "Payment method: Cash",
            "Reason: Paid twice",
            "Cancelled invoice: INV-7",
        ],
        f"{FRONTEND}/appointment/APT-1001",
    ),
    (
        "payment_reactivated",
        {
            "orderId": "ORD-2002",
            "amount": "91",
            "paymentMethod": "bank_transfer",
            "reactivationReason": "Bank confirmed",
            "reactivatedInvoiceId": "INV-8",
        },
        "Payment Reactivated - Invoice Restored",
        ["reactivated", "Payment method: Bank Transfer", "Reactivated invoice: INV-8", "Visit Dashboard"],
        f"{FRONTEND}/order/ORD-2002",
    ),
]


@override_settings(FRONTEND_ROOT_URL=FRONTEND)
@pytest.mark.parametrize(("email_type", "context", "subject", "texts", "link"), CASES)
def test_each_type_renders_subject_recipient_and_content(file_mailbox, email_type, context, subject, texts, link):
    message_id = services.email_customer(
        email_type=email_type,
        to_email="Buyer@Example.com",
        to_name="Jane Buyer",
        context=context,
        dedupe_key=f"t-{email_type}-{subject}",
    )

    [message] = file_mailbox.messages()
    assert message["Subject"] == subject
    assert message["To"] == '"Jane Buyer" <buyer@example.com>'
    assert message["Message-ID"] == f"<{message_id}@autolabsolutions.com>"
    text, html = part(message, "text/plain"), part(message, "text/html")
    assert "Hi Jane Buyer," in text
    for expected in texts:
        assert expected in text
    assert f'href="{link}"' in html
    assert "Auto Lab Solutions" in html
    record = selectors.email_get(message_id)
    assert (record.status, record.subject, record.attempts) == ("sent", subject, 1)


@override_settings(FRONTEND_ROOT_URL=FRONTEND)
def test_payment_confirmed_attaches_the_invoice_pdf(file_mailbox):
    pdf = b"%PDF-1.4 invoice INV-9 %%EOF"
    storage.save("invoices/INV-9.pdf", pdf, "application/pdf")
    context = {
        "referenceNumber": "APT-1001",
        "referenceType": "appointment",
        "amount": "280",
        "paymentMethod": "stripe",
        "invoiceNumber": "INV-9",
    }

    services.email_customer(
        email_type="payment_confirmed",
        to_email="buyer@example.com",
        to_name="Jane",
        context=context,
        dedupe_key="paid-1",
        attachments=["invoices/INV-9.pdf"],
    )

    [message] = file_mailbox.messages()
    assert message["Subject"] == "Payment Confirmation - Invoice Generated"
    assert attachments(message) == [("INV-9.pdf", pdf)]
    text = part(message, "text/plain")
    assert "Amount: AUD 280.00" in text
    assert "Payment method: Stripe" in text
    assert "Invoice: INV-9" in text


def test_html_in_a_customer_name_and_notes_is_escaped(file_mailbox):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    context = {**APPOINTMENT, "carData": {"make": "<b>Evil</b>", "model": "X", "year": "2020"}}
    services.email_customer(
        email_type="appointment_created", to_email="a@example.com", to_name=hostile, context=context, dedupe_key="xss"
    )

    [message] = file_mailbox.messages()
    html = part(message, "text/html")
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "<b>Evil</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert hostile in part(message, "text/plain")  # plain text is not HTML: shown as typed


def test_a_missing_context_still_renders(file_mailbox):
    services.email_customer(email_type="order_updated", to_email="a@example.com", context={}, dedupe_key="empty")

    [message] = file_mailbox.messages()
    assert message["Subject"] == "Your Service Order Has Been Updated"
    assert "Hi there," in part(message, "text/plain")


def test_unknown_type_is_refused_before_anything_is_stored():
    with pytest.raises(ValueError, match="Unknown email type"):
        services.email_customer(email_type="welcome", to_email="a@example.com", context={}, dedupe_key="w")
    assert list(EmailMetadata.mailbox_index.query(selectors.month_of(records.now_ms()))) == []


def test_same_dedupe_key_sends_once():
    for _ in range(3):
        services.email_customer(
            email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="order-created-ORD-2002"
        )
    assert len(mail.outbox) == 1


def test_suppressed_address_receives_nothing_and_the_send_is_recorded(support):
    suppression.suppression_add(email="Blocked@Example.com", notes="asked us to stop", actor=support.identity)

    message_id = services.email_customer(
        email_type="order_created", to_email="BLOCKED@example.COM", context=ORDER, dedupe_key="to-suppressed"
    )

    assert mail.outbox == []
    record = selectors.email_get(message_id)
    assert record.status == "suppressed"
    assert record.outbox_state is None
    events = list(EmailAnalytics.query("blocked@example.com"))
    assert [event.event_type for event in events] == ["suppressed_send"]


def test_an_email_written_in_a_records_transaction_is_deduplicated_and_sent_once_in_three_calls():
    email = services.outbox_message(
        email_type="order_created", to_email="A@Example.com", context=ORDER, dedupe_key="in-a-transaction"
    )
    with dynamodb.transaction() as write:  # as an order's or appointment's own transaction writes it
        email.add_to(write)
    assert EmailThreadHead.get(email.message_id).message_count == 1

    with count_dynamodb_calls() as calls:
        email.enqueue()  # the record goes with the task: suppression, claim, finish with analytics
    assert calls == Counter({"Query": 1, "UpdateItem": 1, "TransactWriteItems": 1})
    assert len(mail.outbox) == 1

    # A late duplicate of the task carrying the record, and the same email asked for again.
    assert tasks.email_send_task.delay(email.message_id, email.record.serialize()).get() == "sent"
    again = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="in-a-transaction"
    )
    assert again == email.message_id
    assert len(mail.outbox) == 1
    record = selectors.email_get(email.message_id)
    assert (record.status, record.attempts) == ("sent", 1)
    assert [event.event_type for event in EmailAnalytics.query("a@example.com")] == ["send"]


def test_the_queued_record_handed_to_the_worker_still_meets_the_suppression_list(support):
    suppression.suppression_add(email="stop@example.com", notes="asked us to stop", actor=support.identity)
    email = services.outbox_message(
        email_type="order_created", to_email="stop@example.com", context=ORDER, dedupe_key="suppressed-in-one"
    )
    with dynamodb.transaction() as write:
        email.add_to(write)
    email.enqueue()
    assert mail.outbox == []
    assert selectors.email_get(email.message_id).status == "suppressed"
    assert [event.event_type for event in EmailAnalytics.query("stop@example.com")] == ["suppressed_send"]


@pytest.fixture
def eager_retries():
    """Eager tasks replay Celery's retries in-process only when errors are not propagated."""
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def test_retries_on_a_failing_smtp_server_send_exactly_once(flaky_smtp, eager_retries):
    server = flaky_smtp(2)  # the first two connections are refused with 421

    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="flaky"
    )

    assert server.connections == 3
    assert len(server.messages) == 1
    assert b"Subject: Your Service Order Has Been Created" in server.messages[0]
    record = selectors.email_get(message_id)
    assert (record.status, record.attempts) == ("sent", 3)
    tasks.email_send_task.delay(message_id)  # a late duplicate of the task
    assert len(server.messages) == 1


def test_a_server_that_never_recovers_marks_the_email_failed(flaky_smtp, eager_retries):
    server = flaky_smtp(100)

    services.email_customer(email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="down")

    assert server.messages == []
    assert server.connections == tasks.MAX_RETRIES + 1
    [record] = EmailMetadata.mailbox_index.query(selectors.month_of(records.now_ms()))
    assert record.status == "failed"
    assert "Gave up" in record.failure_reason


@pytest.fixture
def queued_only():
    """Tasks go to the broker (no worker running), so a message stays queued."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_two_workers_racing_on_one_message_send_it_once(queued_only):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="race"
    )
    assert selectors.email_get(message_id).status == "queued"
    barrier = threading.Barrier(4)
    results: list[str] = []

    def worker() -> None:
        barrier.wait()
        results.append(delivery.email_deliver(message_id=message_id))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(mail.outbox) == 1
    # A loser sees "sending" (claimed by another) or, when slower, the final "sent".
    assert sorted(set(results)) in (["sending", "sent"], ["sent"])
    assert len(results) == 4
    record = selectors.email_get(message_id)
    assert (record.status, record.attempts) == ("sent", 1)


def test_a_send_interrupted_by_a_crash_is_never_sent_twice(queued_only):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="crash"
    )
    record = selectors.email_get(message_id)
    # A worker claims the message and dies before recording the outcome.
    assert delivery._claim(record, delivery._outgoing(record, ["a@example.com"])) is not None

    assert delivery.email_deliver(message_id=message_id) == "sending"  # still within its lease
    with override_settings(EMAIL_SENDING_LEASE_SECONDS=0):
        assert delivery.email_deliver(message_id=message_id) == "uncertain"
        assert delivery.email_deliver(message_id=message_id) == "uncertain"

    assert mail.outbox == []
    assert selectors.email_get(message_id).failure_reason.startswith("The worker stopped")


def test_reconciler_sends_what_a_lost_enqueue_left_behind(queued_only):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="lost"
    )
    celery_app.conf.task_always_eager = True

    assert tasks.outbox_reconcile_task(older_than_seconds=3600) == {"requeued": 0, "settled": 0}
    assert tasks.outbox_reconcile_task(older_than_seconds=0) == {"requeued": 1, "settled": 0}

    assert len(mail.outbox) == 1
    assert selectors.email_get(message_id).status == "sent"
    assert tasks.outbox_reconcile_task(older_than_seconds=0) == {"requeued": 0, "settled": 0}


def test_sent_mail_is_counted_in_analytics():
    services.email_customer(email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="count")
    [event] = EmailAnalytics.query("a@example.com")
    assert event.event_type == "send"
    day = selectors.clock.business_today()
    [row] = selectors.analytics_daily(day, day)
    assert (row["sent"], row["suppressed"]) == (1, 0)


# The shapes the bookings and billing services actually send.
BOOKINGS_CONTEXT = {
    "appointmentId": "APT-77",
    "serviceName": "Pre-purchase inspection",
    "planName": "Standard",
    "customerName": "Ray",
    "status": "SCHEDULED",
    "paymentStatus": "pending",
    "price": "199.00",
    "selectedSlots": [{"date": "2030-01-02", "start": "09:00", "end": "10:00"}],
    "scheduledTimeSlot": {"date": "2030-01-02", "start": "09:00", "end": "10:00"},
    "mechanicName": "Max Mechanic",
    "carMake": "Ford",
    "carModel": "Ranger",
    "carYear": "2019",
    "carLocation": "1 King St, Perth",
    "update_type": "scheduling",
    "changes": ["Scheduling Update: Appointment rescheduled", "Plan"],
}


@override_settings(FRONTEND_ROOT_URL=FRONTEND)
def test_the_bookings_context_shape_renders_every_detail(file_mailbox):
    services.email_customer(
        email_type="appointment_updated",
        to_email="ray@example.com",
        to_name="Ray",
        context=BOOKINGS_CONTEXT,
        dedupe_key="bk",
    )

    [message] = file_mailbox.messages()
    text = part(message, "text/plain")
    assert message["Subject"] == "Appointment Scheduling Update"
    for expected in (
        "Service: Pre-purchase inspection",
        "Plan: Standard",
        "Scheduled time: 2030-01-02 09:00 - 10:00",
        "Mechanic: Max Mechanic",
        "Vehicle: 2019 Ford Ranger",
        "Location: 1 King St, Perth",
        "Total: AUD 199.00",
        "- Scheduling Update: Appointment rescheduled",
        "- Plan: Updated",
        f"Complete Payment: {FRONTEND}/appointment/APT-77",
    ):
        assert expected in text
    assert "Services:" not in text  # one service is shown as rows, not a table


def test_the_billing_cancel_context_shape_renders(file_mailbox):
    context = {
        "referenceNumber": "ORD-5",
        "referenceType": "order",
        "amount": "91.00",
        "paymentMethod": "Cash",
        "invoiceId": "inv-1",
        "date": "25/11/2026",
        "reason": "Refunded",
    }
    services.email_customer(email_type="payment_cancelled", to_email="o@example.com", context=context, dedupe_key="bc")

    text = part(file_mailbox.messages()[0], "text/plain")
    for expected in (
        "Order ID: ORD-5",
        "Amount: AUD 91.00",
        "Payment method: Cash",
        "Cancelled on: 25/11/2026",
        "Reason: Refunded",
        "Invoice: inv-1",
    ):
        assert expected in text


def test_a_message_that_cannot_be_rendered_fails_instead_of_retrying_forever(queued_only):
    message_id = services.email_customer(
        email_type="order_created", to_email="a@example.com", context=ORDER, dedupe_key="broken"
    )
    EmailMetadata(message_id=message_id).update(actions=[EmailMetadata.context.set("{not json")])

    with pytest.raises(json.JSONDecodeError):
        delivery.email_deliver(message_id=message_id)

    record = selectors.email_get(message_id)
    assert record.status == "failed"
    assert record.failure_reason.startswith("Rendering failed: JSONDecodeError")
    assert record.outbox_state is None  # the reconciler leaves it alone
    assert mail.outbox == []
