from django.urls import path

from billing import apis

urlpatterns = [
    path("payments/stripe/intent", apis.StripeIntentApi.as_view(), name="payments-stripe-intent"),
    path("payments/stripe/confirm", apis.StripeConfirmApi.as_view(), name="payments-stripe-confirm"),
    path("payments/stripe/webhook", apis.StripeWebhookApi.as_view(), name="payments-stripe-webhook"),
    path("payments/confirm", apis.ManualPaymentApi.as_view(), name="payments-confirm"),
    path("payments/refunds", apis.RefundsApi.as_view(), name="payments-refunds"),
    path("payments/invoices", apis.InvoicesApi.as_view(), name="payments-invoices"),
    path("payments/invoices/<str:invoice_id>/pdf", apis.InvoicePdfApi.as_view(), name="payments-invoice-pdf"),
    path("analytics", apis.AnalyticsApi.as_view(), name="analytics"),
    path("customers/<str:user_id>/export", apis.CustomerExportApi.as_view(), name="customers-export"),
    path("customers/<str:user_id>/anonymise", apis.CustomerAnonymiseApi.as_view(), name="customers-anonymise"),
]
