"""Billing pages of the staff portal: a record's payments, invoices (list, detail, manual wizard)
and analytics. Importing the modules registers their pages; specific routes before general ones
(``invoices/new/`` before ``invoices/<id>/``), so ``invoices`` comes last.

URL names other apps can link to: ``admin:billing-payments`` (record_type, record_id),
``admin:billing-invoice-detail`` (invoice_id), ``admin:billing-invoices``,
``admin:billing-invoice-new`` and ``admin:billing-analytics``.
"""

from billing.portal import analytics, customers, dashboard, manual, payments, refunds, invoices  # isort: skip  (invoices registers last)

__all__ = ["analytics", "customers", "dashboard", "invoices", "manual", "payments", "refunds"]
