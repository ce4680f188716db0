from django.apps import AppConfig

from autolab import domain_events


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Imported here, not at the top: they load models and services, which wait for the app registry.
        from billing import checks, searching, subscribers  # noqa: F401 - importing checks registers the ABN system check

        searching.register()
        domain_events.subscribe(domain_events.RecordCancelled, subscribers.invoice_cancel_on_record_cancelled)
        domain_events.subscribe(domain_events.RecordRescheduled, subscribers.invoice_date_on_record_rescheduled)
