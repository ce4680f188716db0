"""Invoices: gap-free numbering, one active invoice per paid record, PDF, cancel and reactivate.

One concern per module: ``dates``, ``snapshot`` (metadata and analyticsData), ``drafts`` (of a
paid record), ``numbering``, ``documents`` (PDF and links), ``completion``, ``generation`` (a
record's invoice), ``lifecycle`` (cancel, reactivate, new date) and ``manual`` (walk-in invoices).
Billing imports them by module. The package itself names only what other apps react with: the
cancelled-record and rescheduled-record reactions.
"""

from billing.invoices.lifecycle import invoice_effective_date_update, invoices_cancel_for_record

__all__ = ["invoice_effective_date_update", "invoices_cancel_for_record"]
