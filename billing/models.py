"""Billing: payment records, tax invoices, refunds and adjustment notes.

Money after payment (issue #17), for everything that reads it (analytics net of refunds, the portal):

``Refund`` (table ``Refunds``, key ``refundId``): money given back for one payment of one record.
  ``referenceType``/``referenceNumber`` the appointment or order; ``paymentIntentId`` the payment;
  ``amountCents`` (int, GST-inclusive AUD cents, > 0); ``method`` a RefundMethod (card | cash |
  bank_transfer); ``status`` a RefundStatus (pending: asked of Stripe and not yet confirmed;
  succeeded; failed: Stripe refused it, the money stayed); ``stripeRefundId`` (card only);
  ``idempotencyKey`` (what made it, so a retry finds it); ``refundedBy`` (staff user id, or
  ``stripe-dashboard`` for one made there); ``notes`` (how: bank reference, "cash at counter");
  ``reason``; ``createdAt``/``updatedAt`` epoch seconds; ``effectiveMonth``/``effectiveDay``
  (YYYY-MM / YYYY-MM-DD, Perth) of ``createdAt`` on ``effectiveMonth-index``; ``adjustmentNoteId``.
  Only ``succeeded`` refunds count as money returned.

``AdjustmentNote`` (table ``AdjustmentNotes``, key ``noteId``): the ATO's credit note, immutable once
  written except for its PDF fields. ``noteNumber`` gap-free from its own counter (BillingKeys
  counter/``adjustmentNoteNumber``); ``invoiceId``/``invoiceNumber`` the original tax invoice;
  ``referenceType``/``referenceNumber``/``paymentIntentId``; ``amountCents`` (GST-inclusive) and
  ``gstCents`` (one eleventh) adjusted; ``reason``; ``kind`` refund | cancellation; ``refundId``
  (None for a cancellation that returned nothing); ``issuedBy``; ``createdAt``; ``effectiveMonth``/
  ``effectiveDay``; ``s3Key``/``fileSize``/``emailedAt`` once rendered and sent.
"""

from enum import StrEnum
from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from autolab.dynamodb import BaseMeta, DecimalAttribute, DynamoModel, IntegerAttribute, table_name
from autolab.workflow import PaymentStatus


class InvoiceStatus(StrEnum):
    """``status`` of an invoice: issued (and active), or cancelled and kept."""

    GENERATED = "generated"
    CANCELLED = "cancelled"


class InvoicePaymentStatus(StrEnum):
    """``metadata.paymentStatus`` of an invoice, as the original wrote it (not a record's PaymentStatus)."""

    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PaymentUserIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "userId-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True, attr_name="userId")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class PaymentReferenceIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "referenceNumber-index"
        projection = AllProjection()

    reference_number = UnicodeAttribute(hash_key=True, attr_name="referenceNumber")


class Payment(DynamoModel):
    """A Stripe payment intent (or its UUID stand-in) for one appointment or order."""

    logical_name = "Payments"

    class Meta(BaseMeta):
        table_name = table_name("Payments")

    payment_intent_id = UnicodeAttribute(hash_key=True, attr_name="paymentIntentId")
    reference_number = UnicodeAttribute(attr_name="referenceNumber")
    type = UnicodeAttribute(attr_name="type")  # appointment | order
    user_id = UnicodeAttribute(attr_name="userId")
    amount = DecimalAttribute(attr_name="amount")
    currency = UnicodeAttribute(attr_name="currency", default="AUD")
    status = UnicodeAttribute(attr_name="status", default=PaymentStatus.PENDING.value)  # a PaymentStatus
    stripe_payment_method_id = UnicodeAttribute(attr_name="stripePaymentMethodId", null=True)
    metadata = UnicodeAttribute(attr_name="metadata", null=True)  # JSON string, as the seed says
    receipt_url = UnicodeAttribute(attr_name="receiptUrl", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    updated_at = IntegerAttribute(attr_name="updatedAt")

    user_index = PaymentUserIndex()
    reference_index = PaymentReferenceIndex()


class InvoiceCreatedAtIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "createdAt-index"
        projection = AllProjection()

    created_at = IntegerAttribute(hash_key=True, attr_name="createdAt")
    invoice_id = UnicodeAttribute(range_key=True, attr_name="invoiceId")


class InvoiceEffectiveMonthIndex(GlobalSecondaryIndex):
    """Invoices of one month by effective day: analytics and the invoice list without a Scan."""

    class Meta:
        index_name = "effectiveMonth-index"
        projection = AllProjection()

    effective_month = UnicodeAttribute(hash_key=True, attr_name="effectiveMonth")
    effective_day = UnicodeAttribute(range_key=True, attr_name="effectiveDay")


class InvoiceReferenceIndex(GlobalSecondaryIndex):
    """Invoices of one appointment or order (the original scanned for these)."""

    class Meta:
        index_name = "referenceNumber-index"
        projection = AllProjection()

    reference_number = UnicodeAttribute(hash_key=True, attr_name="referenceNumber")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class _ListIndex(GlobalSecondaryIndex):
    """Every invoice in one partition (``listKey``), ordered by one of its fields: the invoice list
    without a date window and its search by number, customer or reference, each one Query.

    One partition suits a workshop's invoice volume (thousands a year, far below a partition's
    throughput); the list is read a page at a time."""

    list_key = UnicodeAttribute(hash_key=True, attr_name="listKey")


class InvoiceListIndex(_ListIndex):
    class Meta:
        index_name = "listKey-effectiveDay-index"
        projection = AllProjection()

    effective_day = UnicodeAttribute(range_key=True, attr_name="effectiveDay")


class InvoiceNumberIndex(_ListIndex):
    class Meta:
        index_name = "listKey-invoiceNumber-index"
        projection = AllProjection()

    invoice_number = IntegerAttribute(range_key=True, attr_name="invoiceNumber")


class InvoiceNameIndex(_ListIndex):
    class Meta:
        index_name = "listKey-searchName-index"
        projection = AllProjection()

    search_name = UnicodeAttribute(range_key=True, attr_name="searchName")


class InvoiceEmailIndex(_ListIndex):
    class Meta:
        index_name = "listKey-searchEmail-index"
        projection = AllProjection()

    search_email = UnicodeAttribute(range_key=True, attr_name="searchEmail")


class InvoiceReferencePrefixIndex(_ListIndex):
    class Meta:
        index_name = "listKey-referenceNumber-index"
        projection = AllProjection()

    reference_number = UnicodeAttribute(range_key=True, attr_name="referenceNumber")


INVOICE_LIST_KEY = "invoice"  # the one listKey value: every invoice is in the list


def search_text(value: object) -> str | None:
    """A name or email as the invoice search matches it (lower case, single spaces); None when
    empty, as an index key cannot be the empty string ("N/A" is the walk-in's missing email)."""
    text = " ".join(str(value or "").split()).lower()
    return text if text and text != "n/a" else None


class Invoice(DynamoModel):
    logical_name = "Invoices"

    class Meta(BaseMeta):
        table_name = table_name("Invoices")

    invoice_id = UnicodeAttribute(hash_key=True, attr_name="invoiceId")
    payment_intent_id = UnicodeAttribute(attr_name="paymentIntentId")
    reference_number = UnicodeAttribute(attr_name="referenceNumber")
    reference_type = UnicodeAttribute(attr_name="referenceType")
    status = UnicodeAttribute(attr_name="status", default=InvoiceStatus.GENERATED.value)
    file_url = UnicodeAttribute(attr_name="fileUrl", null=True)
    format = UnicodeAttribute(attr_name="format", default="pdf")
    metadata = MapAttribute[str, Any](attr_name="metadata", null=True)
    analytics_data = MapAttribute[str, Any](attr_name="analyticsData", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    # Addition: the sequential, gap-free number printed on the tax invoice.
    invoice_number = IntegerAttribute(attr_name="invoiceNumber", null=True)
    # Additions (docs/data-model.md, billing): where the PDF lives, when it was cancelled, and the
    # keys of the two GSIs that replace the original's Scans.
    s3_key = UnicodeAttribute(attr_name="s3Key", null=True)
    file_size = IntegerAttribute(attr_name="fileSize", null=True)
    cancelled_at = IntegerAttribute(attr_name="cancelledAt", null=True)
    updated_at = IntegerAttribute(attr_name="updatedAt", null=True)
    effective_month = UnicodeAttribute(attr_name="effectiveMonth", null=True)  # YYYY-MM
    effective_day = UnicodeAttribute(attr_name="effectiveDay", null=True)  # YYYY-MM-DD
    # Addition: analyticsData as analytics reads it, without the day (effectiveDay has it), in one
    # short JSON string written with the invoice. A year of invoices is read with only this, the
    # status and the day: a nested map costs DynamoDB and its client many times more to send and parse.
    analytics_txn = UnicodeAttribute(attr_name="analyticsTxn", null=True)
    # Additions: the keys of the invoice list and its search (see _ListIndex); the customer's name
    # and email lower-cased, so a search is a begins_with on one index.
    list_key = UnicodeAttribute(attr_name="listKey", null=True)
    search_name = UnicodeAttribute(attr_name="searchName", null=True)
    search_email = UnicodeAttribute(attr_name="searchEmail", null=True)
    # Addition: GST-inclusive cents that adjustment notes have taken off this invoice, added in the
    # transaction that writes each note (billing.adjustments.numbering). Bookkeeping, not printed:
    # it tells analytics that a cancelled invoice was a sale its notes reversed, not a void.
    adjusted_cents = IntegerAttribute(attr_name="adjustedCents", null=True)

    created_at_index = InvoiceCreatedAtIndex()
    effective_month_index = InvoiceEffectiveMonthIndex()
    reference_index = InvoiceReferenceIndex()
    list_index = InvoiceListIndex()
    number_index = InvoiceNumberIndex()
    name_index = InvoiceNameIndex()
    email_index = InvoiceEmailIndex()
    reference_prefix_index = InvoiceReferencePrefixIndex()


class RefundMethod(StrEnum):
    CARD = "card"
    CASH = "cash"
    BANK_TRANSFER = "bank_transfer"


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class _MonthIndex(GlobalSecondaryIndex):
    """Items of one month by effective day: analytics per period without a Scan."""

    effective_month = UnicodeAttribute(hash_key=True, attr_name="effectiveMonth")
    effective_day = UnicodeAttribute(range_key=True, attr_name="effectiveDay")


class _ReferenceIndex(GlobalSecondaryIndex):
    """Items of one appointment or order, oldest first: a record's money history."""

    reference_number = UnicodeAttribute(hash_key=True, attr_name="referenceNumber")
    created_at = IntegerAttribute(range_key=True, attr_name="createdAt")


class RefundMonthIndex(_MonthIndex):
    class Meta:
        index_name = "effectiveMonth-index"
        projection = AllProjection()


class RefundReferenceIndex(_ReferenceIndex):
    class Meta:
        index_name = "referenceNumber-index"
        projection = AllProjection()


class Refund(DynamoModel):
    """Money given back for one payment (see the module docstring)."""

    logical_name = "Refunds"

    class Meta(BaseMeta):
        table_name = table_name("Refunds")

    refund_id = UnicodeAttribute(hash_key=True, attr_name="refundId")
    reference_type = UnicodeAttribute(attr_name="referenceType")
    reference_number = UnicodeAttribute(attr_name="referenceNumber")
    payment_intent_id = UnicodeAttribute(attr_name="paymentIntentId")
    amount_cents = IntegerAttribute(attr_name="amountCents")
    currency = UnicodeAttribute(attr_name="currency", default="AUD")
    method = UnicodeAttribute(attr_name="method")  # a RefundMethod
    status = UnicodeAttribute(attr_name="status")  # a RefundStatus
    stripe_refund_id = UnicodeAttribute(attr_name="stripeRefundId", null=True)
    idempotency_key = UnicodeAttribute(attr_name="idempotencyKey")
    refunded_by = UnicodeAttribute(attr_name="refundedBy")
    notes = UnicodeAttribute(attr_name="notes", null=True)
    reason = UnicodeAttribute(attr_name="reason", null=True)
    adjustment_note_id = UnicodeAttribute(attr_name="adjustmentNoteId", null=True)
    created_at = IntegerAttribute(attr_name="createdAt")
    updated_at = IntegerAttribute(attr_name="updatedAt")
    effective_month = UnicodeAttribute(attr_name="effectiveMonth")
    effective_day = UnicodeAttribute(attr_name="effectiveDay")

    month_index = RefundMonthIndex()
    reference_index = RefundReferenceIndex()


class AdjustmentNoteKind(StrEnum):
    REFUND = "refund"
    CANCELLATION = "cancellation"


class AdjustmentNoteMonthIndex(_MonthIndex):
    class Meta:
        index_name = "effectiveMonth-index"
        projection = AllProjection()


class AdjustmentNoteReferenceIndex(_ReferenceIndex):
    class Meta:
        index_name = "referenceNumber-index"
        projection = AllProjection()


class AdjustmentNote(DynamoModel):
    """The ATO's adjustment (credit) note: immutable, gap-free ``noteNumber`` (module docstring)."""

    logical_name = "AdjustmentNotes"

    class Meta(BaseMeta):
        table_name = table_name("AdjustmentNotes")

    note_id = UnicodeAttribute(hash_key=True, attr_name="noteId")
    note_number = IntegerAttribute(attr_name="noteNumber")
    kind = UnicodeAttribute(attr_name="kind")  # an AdjustmentNoteKind
    invoice_id = UnicodeAttribute(attr_name="invoiceId")
    invoice_number = IntegerAttribute(attr_name="invoiceNumber", null=True)
    reference_type = UnicodeAttribute(attr_name="referenceType")
    reference_number = UnicodeAttribute(attr_name="referenceNumber")
    payment_intent_id = UnicodeAttribute(attr_name="paymentIntentId")
    refund_id = UnicodeAttribute(attr_name="refundId", null=True)
    amount_cents = IntegerAttribute(attr_name="amountCents")
    gst_cents = IntegerAttribute(attr_name="gstCents")
    currency = UnicodeAttribute(attr_name="currency", default="AUD")
    reason = UnicodeAttribute(attr_name="reason")
    issued_by = UnicodeAttribute(attr_name="issuedBy")
    customer = MapAttribute[str, Any](attr_name="customer", null=True)  # name, email as on the invoice
    created_at = IntegerAttribute(attr_name="createdAt")
    effective_month = UnicodeAttribute(attr_name="effectiveMonth")
    effective_day = UnicodeAttribute(attr_name="effectiveDay")
    s3_key = UnicodeAttribute(attr_name="s3Key", null=True)
    file_size = IntegerAttribute(attr_name="fileSize", null=True)
    emailed_at = IntegerAttribute(attr_name="emailedAt", null=True)

    month_index = AdjustmentNoteMonthIndex()
    reference_index = AdjustmentNoteReferenceIndex()


class BillingKey(DynamoModel):
    """Small coordination items: the invoice counter, active-invoice locks, processed Stripe
    events and "paid but not yet invoiced" markers, each under its own ``kind`` partition."""

    logical_name = "BillingKeys"

    class Meta(BaseMeta):
        table_name = table_name("BillingKeys")

    kind = UnicodeAttribute(hash_key=True, attr_name="kind")
    key = UnicodeAttribute(range_key=True, attr_name="key")
    value = IntegerAttribute(attr_name="value", null=True)
    invoice_id = UnicodeAttribute(attr_name="invoiceId", null=True)
    created_at = IntegerAttribute(attr_name="createdAt", null=True)
