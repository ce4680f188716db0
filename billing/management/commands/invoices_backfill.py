from typing import Any

from django.core.management.base import BaseCommand

from billing.invoices.backfill import invoice_adjusted_cents_backfill, invoice_list_keys_backfill


class Command(BaseCommand):
    help = (
        "Give invoices stored before the invoice list's keys existed their listKey, searchName and searchEmail, "
        "and invoices adjusted by older adjustment notes their adjustedCents."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = invoice_list_keys_backfill()
        self.stdout.write(self.style.SUCCESS(f"{count} invoice(s) given their list keys."))
        adjusted = invoice_adjusted_cents_backfill()
        self.stdout.write(self.style.SUCCESS(f"{adjusted} invoice(s) given their adjusted cents."))
