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


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from billing import checks  # noqa: F401 - registers the ABN system check

        # Cancelling an appointment or order cancels its active invoice (bookings/shop send these).
        for module_name, signal_name, receiver in (
            ("bookings.signals", "appointment_cancelled", on_appointment_cancelled),
            ("shop.signals", "order_cancelled", on_order_cancelled),
        ):
            if importlib.util.find_spec(module_name) is not None:
                signal = getattr(importlib.import_module(module_name), signal_name, None)
                if signal is not None:
                    signal.connect(receiver, dispatch_uid=f"billing.{signal_name}")
