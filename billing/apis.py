"""Thin DRF endpoints of billing: validate, call a service or selector, answer the envelope."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpResponseRedirect
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from autolab import clock
from autolab.api import ok, validated_body, validated_query
from autolab.money import from_cents, json_number, to_cents
from autolab.permissions import Permission, StaffIdentity, staff_of, staff_required, staff_with
from autolab.throttling import PublicWriteThrottle
from billing import privacy, selectors
from billing import serializers as s
from billing.adjustments.refunds import RefundRequest, refund_create
from billing.analytics.reports import comprehensive, quick_metrics
from billing.invoices.documents import invoice_pdf_link, invoice_staff_url
from billing.invoices.lifecycle import invoice_cancel, invoice_reactivate
from billing.invoices.manual import invoice_create_manual
from billing.models import InvoiceStatus
from billing.services.manual_payments import manual_payment_confirm, manual_payment_revert
from billing.services.payments import PaymentOutcome
from billing.services.stripe_payments import stripe_intent_create, stripe_payment_confirm
from billing.services.webhooks import stripe_webhook_handle

if TYPE_CHECKING:
    from billing.models import Invoice


class StripeIntentApi(APIView):
    """Create a Stripe PaymentIntent for the caller's own record, for the server-computed amount."""

    authentication_classes: list = []
    throttle_classes = [PublicWriteThrottle]

    @extend_schema(
        operation_id="payments_stripe_intent_create",
        request=s.IntentInput,
        responses={200: s.StripeIntentOut},
    )
    def post(self, request: Request) -> Response:
        data = validated_body(s.IntentInput, request)
        intent = stripe_intent_create(
            user_id=data["userId"],
            reference_number=data["referenceNumber"],
            record_type=data["type"],
            amount=data.get("amount"),
            currency=data["currency"],
            metadata=data.get("metadata"),
        )
        return ok(
            {
                "message": "Payment intent created successfully",
                "clientSecret": intent.client_secret,
                "paymentIntentId": intent.payment_intent_id,
                "amount": intent.amount_cents,
                "currency": intent.currency,
                "referenceNumber": intent.reference_number,
                "type": intent.record_type,
            }
        )


class StripeConfirmApi(APIView):
    authentication_classes: list = []
    throttle_classes = [PublicWriteThrottle]

    @extend_schema(
        operation_id="payments_stripe_confirm_create",
        request=s.ConfirmInput,
        responses={200: s.StripeConfirmOut},
    )
    def post(self, request: Request) -> Response:
        data = validated_body(s.ConfirmInput, request)
        outcome = stripe_payment_confirm(payment_intent_id=data["paymentIntentId"])
        if outcome.already_paid:
            return ok(_payment_body("Payment already confirmed for this record", outcome))
        body = _payment_body("Payment confirmed successfully", outcome)
        return ok({**body, "invoiceUrl": None, "updatedAt": clock.iso_local()})


class StripeWebhookApi(APIView):
    """Stripe's event deliveries; the signature is the credential (no session, no CSRF)."""

    authentication_classes: list = []

    @extend_schema(
        operation_id="payments_stripe_webhook_create",
        description="Raw Stripe event JSON, verified against the Stripe-Signature header.",
        request=s.StripeEventIn,
        parameters=[OpenApiParameter("Stripe-Signature", str, OpenApiParameter.HEADER, required=True)],
        responses={200: s.StripeWebhookOut},
    )
    def post(self, request: Request) -> Response:
        # Django's headers are case-insensitive, so "stripe-signature" and "Stripe-Signature" both work.
        is_new = stripe_webhook_handle(payload=request.body, signature=request.headers.get("Stripe-Signature"))
        body: dict[str, Any] = {"message": "Webhook processed successfully"}
        return ok(body if is_new else {**body, "duplicate": True})


class ManualPaymentApi(APIView):
    """ADMIN: confirm a cash, bank-transfer or card payment, or revert a confirmed one."""

    permission_classes = [staff_with(Permission.PAYMENT_CONFIRM_MANUAL)]

    @extend_schema(
        operation_id="payments_confirm_create",
        request=s.ManualConfirmInput,
        responses={200: s.ManualPaymentOut},
    )
    def post(self, request: Request) -> Response:
        data = validated_body(s.ManualConfirmInput, request)
        common = {
            "actor": staff_required(request),
            "record_type": data["type"],
            "reference_number": data["referenceNumber"],
        }
        if data["revert"]:
            outcome = manual_payment_revert(**common)
            body = _payment_body("Payment confirmation reverted successfully", outcome)
            return ok({**body, "cancelledInvoices": outcome.cancelled_invoices})
        outcome = manual_payment_confirm(**common, payment_method=data["paymentMethod"])
        return ok(
            {
                "message": s.manual_confirmed_message(outcome.payment_method),
                "referenceNumber": outcome.reference_number,
                "type": outcome.record_type,
                "paymentMethod": outcome.payment_method,
                "paymentStatus": outcome.payment_status,
            }
        )


class RefundsApi(APIView):
    """ADMIN: refund all or part of a paid record (card through Stripe; cash and bank recorded)."""

    permission_classes = [staff_with(Permission.PAYMENT_CONFIRM_MANUAL)]

    @extend_schema(
        operation_id="payments_refunds_create",
        request=s.RefundInput,
        responses={201: s.RefundOut, 400: OpenApiResponse(description="A bad amount or a record not paid")},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request) -> Response:
        data = validated_body(s.RefundInput, request)
        key = request.headers.get("Idempotency-Key") or data.get("idempotencyKey") or uuid.uuid4().hex
        refund = refund_create(
            RefundRequest(
                record_type=data["type"],
                reference_number=data["referenceNumber"],
                amount_cents=to_cents(data["amount"]) if "amount" in data else None,
                method=data["method"],
                idempotency_key=key,
                refunded_by=staff_required(request).user_id,
                notes=data["notes"],
                reason=data["reason"],
            )
        )
        body = {
            "message": "Refund recorded",
            "refundId": refund.refund_id,
            "referenceNumber": refund.reference_number,
            "type": refund.reference_type,
            "amount": json_number(from_cents(refund.amount_cents)),
            "method": refund.method,
            "status": refund.status,
            "stripeRefundId": refund.stripe_refund_id,
            "adjustmentNoteId": refund.adjustment_note_id,
        }
        return ok(body, status=201)


def _payment_body(message: str, outcome: PaymentOutcome) -> dict:
    return {
        "message": message,
        "referenceNumber": outcome.reference_number,
        "type": outcome.record_type,
        "paymentStatus": outcome.payment_status,
    }


class InvoicesApi(APIView):
    """List (ADMIN, CUSTOMER_SUPPORT), manual invoice (ADMIN), cancel or reactivate (ADMIN)."""

    def get_permissions(self) -> list:
        needed = Permission.INVOICE_VIEW if self.request.method == "GET" else Permission.INVOICE_CANCEL
        if self.request.method == "POST":
            needed = Permission.INVOICE_CREATE_MANUAL
        return [staff_with(needed)()]

    @extend_schema(
        operation_id="payments_invoices_list",
        parameters=[s.InvoiceListQuery],
        responses={200: s.InvoiceListOut},
    )
    def get(self, request: Request) -> Response:
        query = validated_query(s.InvoiceListQuery, request)
        page = selectors.invoice_list(
            start=query["start_date"], end=query["end_date"], limit=query["limit"], cursor=query["cursor"]
        )
        items = [s.invoice_out(invoice) for invoice in page.items]
        cancelled = sum(1 for item in items if item["status"] == InvoiceStatus.CANCELLED)
        return ok(
            {
                "invoices": items,
                "count": len(items),
                "nextCursor": page.next_cursor,
                "summary": {"total": len(items), "active": len(items) - cancelled, "cancelled": cancelled},
                "query": {
                    "start_date": query["start_date"].isoformat(),
                    "end_date": query["end_date"].isoformat(),
                    "limit": query["limit"],
                },
            }
        )

    @extend_schema(
        operation_id="payments_invoices_create",
        request=s.ManualInvoiceInput,
        responses={200: s.ManualInvoiceOut},
    )
    def post(self, request: Request) -> Response:
        data = validated_body(s.ManualInvoiceInput, request)
        invoice = invoice_create_manual(
            actor=staff_required(request),
            payment_method=data["payment_method"],
            reference_number=data["reference_number"],
            contact=data["customer_data"],
            vehicle=data["vehicle_data"],
            items=list(data["items"]),
            payment_day=data["payment_day"],
        )
        return ok(
            {
                "message": "Invoice generated successfully",
                "invoice_id": invoice.invoice_id,
                "invoice_number": invoice.invoice_number,
                "reference_number": invoice.reference_number,
                "payment_intent_id": invoice.payment_intent_id,
                "payment_method": data["payment_method"],
                "invoice_url": invoice_staff_url(invoice),
                "generated_at": clock.iso_local(clock.from_epoch(invoice.created_at)),
            }
        )

    @extend_schema(
        operation_id="payments_invoices_partial_update",
        request=s.InvoiceActionInput,
        responses={200: s.BillingInvoiceActionOut},
    )
    def patch(self, request: Request) -> Response:
        data = validated_body(s.InvoiceActionInput, request)
        actor = staff_required(request)
        before = selectors.invoice_get(data["invoice_id"])
        if data["action"] == "cancel":
            invoice = invoice_cancel(
                invoice_id=data["invoice_id"], actor=actor, reason="Invoice was cancelled by staff"
            )
        else:
            invoice = invoice_reactivate(invoice_id=data["invoice_id"], actor=actor)
        return ok(_action_result(data["action"], before.status, invoice, actor))


def _action_result(action: str, previous: str, invoice: Invoice, actor: StaffIdentity) -> dict:
    past = "cancelled" if action == "cancel" else "reactivated"
    result = {
        "message": f"Invoice {past} successfully",
        "invoice": {
            "invoiceId": invoice.invoice_id,
            "invoiceNumber": invoice.invoice_number,
            "referenceNumber": invoice.reference_number,
            "referenceType": invoice.reference_type,
            "createdAt": invoice.created_at,
            "fileUrl": invoice_staff_url(invoice),
            "format": invoice.format,
            "previousStatus": previous,
            "newStatus": invoice.status,
        },
        "performedBy": {
            "staffId": actor.user_id,
            "staffName": actor.name,
            "actionPerformedAt": clock.iso_local(),
            "action": action,
        },
    }
    if invoice.reference_type in ("appointment", "order"):
        result["relatedRecordUpdate"] = {
            "referenceNumber": invoice.reference_number,
            "referenceType": invoice.reference_type,
            "paymentStatusUpdated": True,
        }
    return result


class InvoicePdfApi(APIView):
    """Redirect to a fresh, expiring link to the PDF (staff, or the record's customer by userId)."""

    @extend_schema(
        operation_id="payments_invoice_pdf_retrieve",
        parameters=[
            OpenApiParameter("invoice_id", str, OpenApiParameter.PATH),
            OpenApiParameter("userId", str, description="The record's customer, for callers who are not staff"),
            OpenApiParameter("signature", str, description="Part of a customer's signed link (invoiceUrl)"),
        ],
        responses={302: OpenApiResponse(description="Redirect to a fresh, expiring link to the PDF")},
    )
    def get(self, request: Request, invoice_id: str) -> HttpResponseRedirect:
        url = invoice_pdf_link(
            invoice_id=invoice_id,
            staff=staff_of(request),
            user_id=request.query_params.get("userId", ""),
            signature=request.query_params.get("signature", ""),
        )
        return HttpResponseRedirect(url)


class AnalyticsApi(APIView):
    """Every §3.9 metric over the period's invoices, revenue net of its adjustment notes (ADMIN, CUSTOMER_SUPPORT)."""

    permission_classes = [staff_with(Permission.ANALYTICS_VIEW)]

    @extend_schema(
        operation_id="analytics_retrieve",
        parameters=[s.AnalyticsQuery],
        responses={200: s.AnalyticsOut},
    )
    def get(self, request: Request) -> Response:
        query = validated_query(s.AnalyticsQuery, request)
        today = clock.business_today()
        staff = staff_required(request)
        if query["quick_metrics"]:
            start = today - dt.timedelta(days=int(query["days_back"]))
            txns, in_period = selectors.analytics_transactions(start, today)
            notes = selectors.analytics_adjustments(start, today)
            body = quick_metrics(txns, adjustments=notes, start=start, end=today, in_period=in_period, today=today)
            return ok({"analytics": body, "request_type": "quick_metrics", "staff_user": staff.email})
        start, end, kind = query["start_date"], query["end_date"], query.get("analytics_type")
        txns, in_period = selectors.analytics_transactions(start, end)
        body = comprehensive(
            txns,
            adjustments=selectors.analytics_adjustments(start, end),
            start=start,
            end=end,
            in_period=in_period,
            today=today,
            analytics_type=kind,
        )
        filters = {"start_date": start.isoformat(), "end_date": end.isoformat(), "analytics_type": kind}
        return ok({"analytics": body, "request_type": "comprehensive", "filters": filters, "staff_user": staff.email})


class CustomerExportApi(APIView):
    """Everything held about one customer, as JSON (APP 12; ADMIN). Recorded in the audit trail."""

    permission_classes = [staff_with(Permission.CUSTOMER_PRIVACY)]

    @extend_schema(
        operation_id="customers_export_retrieve",
        parameters=[OpenApiParameter("user_id", str, OpenApiParameter.PATH)],
        responses={200: s.CustomerExportOut},
    )
    def get(self, request: Request, user_id: str) -> Response:
        return ok({"export": privacy.customer_export(user_id=user_id, actor=staff_required(request))})


class CustomerAnonymiseApi(APIView):
    """Anonymise one customer on request, keeping tax invoices (APP 11.2; ADMIN); safe to repeat."""

    permission_classes = [staff_with(Permission.CUSTOMER_PRIVACY)]

    @extend_schema(
        operation_id="customers_anonymise_create",
        parameters=[OpenApiParameter("user_id", str, OpenApiParameter.PATH)],
        request=s.CustomerAnonymiseInput,
        responses={200: s.CustomerAnonymiseOut},
    )
    def post(self, request: Request, user_id: str) -> Response:
        validated_body(s.CustomerAnonymiseInput, request)
        done = privacy.customer_anonymise(user_id=user_id, actor=staff_required(request))
        changed = done.counts()
        return ok({"userId": user_id, "anonymisedAt": done.anonymised_at, "changed": changed, "kept": privacy.KEPT})
