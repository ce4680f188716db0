import importlib
import importlib.util
from typing import Any

from django.apps import AppConfig


def _cancel_invoice_of(reference_type: str, reference_number: str) -> None:
    from billing.invoices import invoices_cancel_for_record

    invoices_cancel_for_record(
        reference_type=reference_type, reference_number=reference_number, reason=f"The {reference_type} was cancelled"
    )


def on_appointment_cancelled(sender: Any, appointment_id: str, **kwargs: Any) -> None:
    _cancel_invoice_of("appointment", appointment_id)


def on_order_cancelled(sender: Any, order_id: str, **kwargs: Any) -> None:
    _cancel_invoice_of("order", order_id)


def _move_invoice_of(reference_type: str, reference_number: str, scheduled_date: str) -> None:
    from billing.invoices import invoice_effective_date_update

    invoice_effective_date_update(
        reference_type=reference_type, reference_number=reference_number, scheduled_date=scheduled_date
    )


def on_appointment_rescheduled(sender: Any, appointment_id: str, scheduled_date: str, **kwargs: Any) -> None:
    _move_invoice_of("appointment", appointment_id, scheduled_date)


def on_order_rescheduled(sender: Any, order_id: str, scheduled_date: str, **kwargs: Any) -> None:
    _move_invoice_of("order", order_id, scheduled_date)


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from billing import checks  # noqa: F401 - registers the ABN system check

        # The cross-app reactions to bookings and shop, all in this one table (bookings/shop send these):
        # cancelling a record cancels its active invoice; rescheduling a paid one moves the invoice's
        # effective date, so revenue by day follows the schedule (§3.8).
        for module_name, signal_name, receiver in (
            ("bookings.signals", "appointment_cancelled", on_appointment_cancelled),
            ("shop.signals", "order_cancelled", on_order_cancelled),
            ("bookings.signals", "appointment_rescheduled", on_appointment_rescheduled),
            ("shop.signals", "order_rescheduled", on_order_rescheduled),
        ):
            if importlib.util.find_spec(module_name) is not None:
                signal = getattr(importlib.import_module(module_name), signal_name, None)
                if signal is not None:
                    signal.connect(receiver, dispatch_uid=f"billing.{signal_name}")
