"""Input validation and output shapes of the billing API (the original's field names)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from autolab.api import SuccessMessageOut, SuccessOut
from autolab.dates import day_field, validate_range
from autolab.exceptions import ValidationError
from autolab.money import json_number, to_money
from billing.invoices.dates import parse_any_date
from billing.invoices.documents import invoice_staff_url
from billing.invoices.manual import ManualItem
from billing.invoices.snapshot import Vehicle
from billing.models import Invoice
from billing.records import RECORD_TYPES, Contact
from billing.services.payments import METHOD_NAMES

MAX_AMOUNT = Decimal("1000000")
RANGE_FIELDS = ("start_date", "end_date")


@extend_schema_field(OpenApiTypes.NUMBER)
class StrictNumberField(serializers.Field):
    """A JSON number (not a string or bool), positive, read as Decimal cents."""

    default_error_messages = {"invalid": "must be a JSON number", "range": "must be more than 0 and at most 1000000"}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if not 0 < data <= MAX_AMOUNT:  # before rounding: a huge number overflows Decimal's precision
            self.fail("range")
        amount = to_money(data)
        if amount <= 0 or amount > MAX_AMOUNT:
            self.fail("range")
        return amount

    def to_representation(self, value: Decimal) -> int | float:
        return json_number(value)


class IntentInput(serializers.Serializer):
    userId = serializers.CharField(max_length=64)
    referenceNumber = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(
        choices=RECORD_TYPES, error_messages={"invalid_choice": "type must be 'appointment' or 'order'"}
    )
    amount = serializers.IntegerField(
        required=False, min_value=1, error_messages={"min_value": "amount must be a positive number"}
    )
    currency = serializers.CharField(required=False, default="aud", max_length=3)
    metadata = serializers.DictField(child=serializers.CharField(max_length=200, allow_blank=True), required=False)


class ConfirmInput(serializers.Serializer):
    paymentIntentId = serializers.CharField(max_length=255)


class ManualConfirmInput(serializers.Serializer):
    referenceNumber = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(
        choices=RECORD_TYPES, error_messages={"invalid_choice": "type must be 'appointment' or 'order'"}
    )
    paymentMethod = serializers.ChoiceField(
        choices=("cash", "bank_transfer", "card"),
        default="cash",
        error_messages={"invalid_choice": "paymentMethod must be 'cash', 'bank_transfer' or 'card'"},
    )
    revert = serializers.BooleanField(default=False)


class InvoiceListQuery(serializers.Serializer):
    start_date = day_field()
    end_date = day_field()
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The original compares end - start with 90, so 91 calendar days pass.
        validate_range(attrs, RANGE_FIELDS, max_days=91, span_message="The date range must be at most 90 days")
        return attrs


class CustomerData(serializers.Serializer):
    name = serializers.CharField(max_length=100, error_messages={"required": "customer_data.name is required"})
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")

    def validate(self, attrs: dict[str, Any]) -> Contact:
        return Contact(attrs["name"], attrs.get("email") or "", attrs.get("phone") or "")


class TransactionData(serializers.Serializer):
    currency = serializers.ChoiceField(choices=("AUD", "aud"), required=False, default="AUD")
    payment_date = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")


class VehicleData(serializers.Serializer):
    make = serializers.CharField(max_length=50)
    model = serializers.CharField(max_length=50)
    year = serializers.CharField(required=False, allow_blank=True, max_length=4, default="")

    def validate(self, attrs: dict[str, Any]) -> Vehicle:
        return Vehicle(attrs["make"], attrs["model"], attrs.get("year", ""))


class ManualItemInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    totalAmount = StrictNumberField(required=False)
    unitPrice = StrictNumberField(required=False)
    quantity = serializers.IntegerField(required=False, min_value=1, max_value=1000)

    def validate(self, attrs: dict[str, Any]) -> ManualItem:
        has_unit = "unitPrice" in attrs and "quantity" in attrs
        if not has_unit and "totalAmount" not in attrs:
            raise serializers.ValidationError("each item must have either totalAmount or both unitPrice and quantity")
        if has_unit:
            total = attrs.get("totalAmount") or to_money(attrs["unitPrice"] * attrs["quantity"])
            return ManualItem(attrs["name"], attrs["description"], False, attrs["unitPrice"], attrs["quantity"], total)
        total = attrs["totalAmount"]
        return ManualItem(attrs["name"], attrs["description"], True, total, 1, total)


class ManualInvoiceInput(serializers.Serializer):
    payment_method = serializers.ChoiceField(
        choices=("cash", "bank_transfer", "card"),
        error_messages={"invalid_choice": "payment_method must be 'cash', 'bank_transfer', or 'card'"},
    )
    reference_number = serializers.RegexField(
        r"^[A-Za-z0-9-]{1,40}$", required=False, allow_blank=True, max_length=40, default=""
    )
    customer_data = CustomerData()
    transaction_data = TransactionData(required=False, default=dict)
    vehicle_data = VehicleData()
    # many=True hands max_length to the ListSerializer it builds; the DRF stubs leave it out.
    items = ManualItemInput(many=True, allow_empty=False, max_length=30)  # type: ignore[call-arg]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The payment day in any format the original accepted, read once every field is valid, as
        # the original did. Worded like its other field errors, and (an ApplicationError passes
        # through ``is_valid``) answered without the ``errors`` detail of a field error.
        text = attrs["transaction_data"].get("payment_date", "")
        day = parse_any_date(text) if text else None
        if text and day is None:
            raise ValidationError("transaction_data.payment_date is not a recognised date")
        return {**attrs, "payment_day": day}


class InvoiceActionInput(serializers.Serializer):
    invoice_id = serializers.CharField(max_length=64)
    action = serializers.CharField(required=False, default="cancel", max_length=20)

    def validate_action(self, value: str) -> str:
        if value.lower() not in ("cancel", "reactivate"):
            raise serializers.ValidationError("action must be 'cancel' or 'reactivate'")
        return value.lower()


class AnalyticsQuery(serializers.Serializer):
    quick_metrics = serializers.BooleanField(required=False, default=False)
    days_back = serializers.FloatField(required=False, min_value=1, max_value=365, default=30)
    start_date = day_field(required=False)
    end_date = day_field(required=False)
    analytics_type = serializers.ChoiceField(
        required=False,
        choices=(
            "revenue",
            "services",
            "products",
            "customers",
            "vehicles",
            "payments",
            "bookings",
            "trends",
            "operations",
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["quick_metrics"]:
            return attrs
        validate_range(
            attrs,
            RANGE_FIELDS,
            required_message="start_date and end_date are required (YYYY-MM-DD)",
            max_days=366,  # end - start at most 365, as the original counts
            span_message="The date range must be at most 365 days",
        )
        return attrs


def manual_confirmed_message(payment_method: str) -> str:
    """What the API and the portal say when staff confirmed a payment."""
    return f"{METHOD_NAMES[payment_method]} payment confirmed successfully"


def invoice_out(invoice: Invoice) -> dict[str, Any]:
    """An invoice as the admin screens read it."""
    metadata = invoice.metadata.as_dict() if invoice.metadata else {}
    metadata.pop("lines", None)
    if "totalAmount" in metadata:
        metadata["totalAmount"] = json_number(Decimal(metadata["totalAmount"]))
    return {
        "invoiceId": invoice.invoice_id,
        "invoiceNumber": invoice.invoice_number,
        "paymentIntentId": invoice.payment_intent_id,
        "referenceNumber": invoice.reference_number,
        "referenceType": invoice.reference_type,
        "status": invoice.status,
        "fileUrl": invoice_staff_url(invoice),
        "format": invoice.format,
        "metadata": metadata,
        "analyticsData": invoice.analytics_data.as_dict() if invoice.analytics_data else None,
        "createdAt": invoice.created_at,
        "cancelledAt": invoice.cancelled_at,
    }


# --- Response bodies: the OpenAPI shapes of what the views answer through ``ok`` ------------------
# Documentation only; tests/billing/test_api_schema.py holds them to the real bodies.


class StripeIntentOut(SuccessMessageOut):
    clientSecret = serializers.CharField(allow_null=True)
    paymentIntentId = serializers.CharField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    referenceNumber = serializers.CharField()
    type = serializers.CharField()


class _PaymentOut(SuccessMessageOut):
    referenceNumber = serializers.CharField()
    type = serializers.CharField()
    paymentStatus = serializers.CharField()


class StripeConfirmOut(_PaymentOut):
    invoiceUrl = serializers.CharField(required=False, allow_null=True)
    updatedAt = serializers.CharField(required=False)


# The raw Stripe event (verified against ``Stripe-Signature``, not by this shape). Inline, because
# a serializer class cannot declare a field named ``data``.
StripeEventIn = inline_serializer(
    "StripeEventIn",
    {"id": serializers.CharField(), "type": serializers.CharField(), "data": serializers.DictField()},
)


class StripeWebhookOut(SuccessMessageOut):
    duplicate = serializers.BooleanField(required=False)


class ManualPaymentOut(_PaymentOut):
    paymentMethod = serializers.CharField(required=False)
    cancelledInvoices = serializers.ListField(child=serializers.CharField(), required=False)


class InvoiceOut(serializers.Serializer):
    """``invoice_out``: an invoice as the admin screens read it."""

    invoiceId = serializers.CharField()
    invoiceNumber = serializers.IntegerField(allow_null=True)
    paymentIntentId = serializers.CharField(allow_null=True)
    referenceNumber = serializers.CharField()
    referenceType = serializers.CharField()
    status = serializers.CharField()
    fileUrl = serializers.CharField(allow_null=True)
    format = serializers.CharField()
    metadata = serializers.DictField()
    analyticsData = serializers.DictField(allow_null=True)
    createdAt = serializers.IntegerField()
    cancelledAt = serializers.IntegerField(allow_null=True)


class InvoiceListSummary(serializers.Serializer):
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class InvoiceListQueryEcho(serializers.Serializer):
    start_date = serializers.CharField()
    end_date = serializers.CharField()
    limit = serializers.IntegerField()


class InvoiceListOut(SuccessOut):
    invoices = InvoiceOut(many=True)
    count = serializers.IntegerField()
    nextCursor = serializers.CharField(allow_null=True)
    summary = InvoiceListSummary()
    query = InvoiceListQueryEcho()


class ManualInvoiceOut(SuccessMessageOut):
    invoice_id = serializers.CharField()
    invoice_number = serializers.IntegerField(allow_null=True)
    reference_number = serializers.CharField()
    payment_intent_id = serializers.CharField(allow_null=True)
    payment_method = serializers.CharField()
    invoice_url = serializers.CharField(allow_null=True)
    generated_at = serializers.CharField()


class BillingInvoiceActionInvoice(serializers.Serializer):
    invoiceId = serializers.CharField()
    invoiceNumber = serializers.IntegerField(allow_null=True)
    referenceNumber = serializers.CharField()
    referenceType = serializers.CharField()
    createdAt = serializers.IntegerField()
    fileUrl = serializers.CharField(allow_null=True)
    format = serializers.CharField()
    previousStatus = serializers.CharField()
    newStatus = serializers.CharField()


class BillingInvoiceActionPerformedBy(serializers.Serializer):
    staffId = serializers.CharField()
    staffName = serializers.CharField(allow_blank=True)
    actionPerformedAt = serializers.CharField()
    action = serializers.CharField()


class BillingRelatedRecordUpdate(serializers.Serializer):
    referenceNumber = serializers.CharField()
    referenceType = serializers.CharField()
    paymentStatusUpdated = serializers.BooleanField()


class BillingInvoiceActionOut(SuccessMessageOut):
    invoice = BillingInvoiceActionInvoice()
    performedBy = BillingInvoiceActionPerformedBy()
    relatedRecordUpdate = BillingRelatedRecordUpdate(required=False)


class AnalyticsFilters(serializers.Serializer):
    start_date = serializers.CharField()
    end_date = serializers.CharField()
    analytics_type = serializers.CharField(allow_null=True)


class AnalyticsOut(SuccessOut):
    analytics = serializers.DictField(help_text="The report's sections by name (every one, or analytics_type's)")
    request_type = serializers.ChoiceField(choices=("quick_metrics", "comprehensive"))
    filters = AnalyticsFilters(required=False)
    staff_user = serializers.CharField()


class RefundInput(serializers.Serializer):
    """A refund of a paid record; no ``amount`` refunds all that is left."""

    referenceNumber = serializers.CharField(max_length=100)
    type = serializers.ChoiceField(
        choices=RECORD_TYPES, error_messages={"invalid_choice": "type must be 'appointment' or 'order'"}
    )
    amount = StrictNumberField(required=False)
    method = serializers.ChoiceField(
        choices=("card", "cash", "bank_transfer"),
        error_messages={"invalid_choice": "method must be 'card', 'cash' or 'bank_transfer'"},
    )
    notes = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    idempotencyKey = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Also read from the Idempotency-Key header; a repeat gives the same refund",
    )


class RefundOut(SuccessMessageOut):
    refundId = serializers.CharField()
    referenceNumber = serializers.CharField()
    type = serializers.CharField()
    amount = serializers.FloatField()
    method = serializers.CharField()
    status = serializers.CharField()
    stripeRefundId = serializers.CharField(allow_null=True)
    adjustmentNoteId = serializers.CharField(allow_null=True)


class CustomerExportOut(SuccessOut):
    export = serializers.DictField(
        help_text="Everything held about the customer, by kind (customer, appointments, orders, payments, invoices, "
        "refunds, adjustmentNotes, chatMessages, inquiries, emails, emailDeliveryEvents, emailSuppressions, "
        "auditEntries), each item by its stored field names"
    )


class CustomerAnonymiseInput(serializers.Serializer):
    confirm = serializers.CharField(max_length=20, help_text='"ANONYMISE": the request is deliberate')

    def validate_confirm(self, value: str) -> str:
        if value.strip().upper() != "ANONYMISE":
            raise serializers.ValidationError('Send "confirm": "ANONYMISE" to anonymise the customer')
        return value


class CustomerAnonymisedCounts(serializers.Serializer):
    emails = serializers.IntegerField()
    email_delivery_events_deleted = serializers.IntegerField()
    chat_messages = serializers.IntegerField()
    inquiries = serializers.IntegerField()
    appointments = serializers.IntegerField()
    orders = serializers.IntegerField()
    audit_entries = serializers.IntegerField(help_text="Staff audit entries whose personal values were removed")
    customer = serializers.IntegerField()


class CustomerAnonymiseOut(SuccessOut):
    userId = serializers.CharField()
    anonymisedAt = serializers.DateTimeField()
    changed = CustomerAnonymisedCounts(help_text="What this run wrote (zeros when it had been done already)")
    kept = serializers.CharField(help_text="What is kept, and why")
