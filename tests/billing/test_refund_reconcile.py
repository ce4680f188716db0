"""A refund whose money went back while its process stopped before the adjustment note (the two
are separate writes) still gets exactly one note: from a retried request, or from the reconciler."""

from __future__ import annotations

from autolab import clock
from billing import records
from billing.adjustments.refunds import (
    RefundRequest,
    _new_refund,
    _reserve,
    paid_cents,
    refund_id_of,
)
from billing.models import AdjustmentNote, Refund, RefundStatus
from billing.tasks import refund_reconcile_task
from bookings.models import Appointment


def _paid_in_cash(admin, customer, make_appointment) -> str:
    ref = make_appointment(created_user_id=customer.user_id).appointment_id
    body = {"referenceNumber": ref, "type": "appointment", "paymentMethod": "cash"}
    assert admin.api().post("/api/payments/confirm", body, format="json").status_code == 200
    return ref


def _stopped_before_its_note(admin, ref: str, key: str, *, age_seconds: int = 0) -> Refund:
    """The first half of a cash refund: the refund and the record's refunded total are written,
    then the process stops (no note)."""
    request = RefundRequest(
        record_type="appointment",
        reference_number=ref,
        amount_cents=11_000,
        method="cash",
        idempotency_key=key,
        refunded_by=admin.identity.user_id,
    )
    refund = _new_refund(request, refund_id_of("appointment", ref, key), "", RefundStatus.SUCCEEDED, 11_000)
    refund.updated_at = clock.epoch_now() - age_seconds
    written, wrote = _reserve(refund, paid_cents(records.record_get("appointment", ref)))
    assert wrote
    assert written.adjustment_note_id is None
    return written


def _notes(ref: str) -> list[AdjustmentNote]:
    return list(AdjustmentNote.reference_index.query(ref))


def test_a_retried_request_issues_the_note_its_first_try_did_not(admin, customer, make_appointment):
    ref = _paid_in_cash(admin, customer, make_appointment)
    refund = _stopped_before_its_note(admin, ref, "retry-1")
    body = {"referenceNumber": ref, "type": "appointment", "method": "cash", "amount": 110}

    for _ in range(2):  # the retry, then a double click of it
        response = admin.api().post("/api/payments/refunds", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
        assert response.status_code == 201, response.json()
        assert response.json()["refundId"] == refund.refund_id

    notes = _notes(ref)
    assert [(n.amount_cents, n.refund_id) for n in notes] == [(11_000, refund.refund_id)]
    assert Refund.get(refund.refund_id).adjustment_note_id == notes[0].note_id
    assert len(list(Refund.reference_index.query(ref))) == 1


def test_the_reconciler_issues_a_missing_note_once_after_a_grace_period(admin, customer, make_appointment):
    ref = _paid_in_cash(admin, customer, make_appointment)
    stale = _stopped_before_its_note(admin, ref, "stale", age_seconds=600)
    fresh = _stopped_before_its_note(admin, ref, "fresh")  # may still be finishing: left alone

    assert refund_reconcile_task() == 1
    assert refund_reconcile_task() == 0

    assert [n.refund_id for n in _notes(ref)] == [stale.refund_id]
    assert Refund.get(stale.refund_id).adjustment_note_id
    assert Refund.get(fresh.refund_id).adjustment_note_id is None
    assert Appointment.get(ref).payment_status == "paid"  # 220 of 280 refunded: still paid
