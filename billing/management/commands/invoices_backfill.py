from typing import Any

from django.core.management.base import BaseCommand

from billing.invoices.backfill import invoice_list_keys_backfill


class Command(BaseCommand):
    help = "Give invoices stored before the invoice list's keys existed their listKey, searchName and searchEmail."

    def handle(self, *args: Any, **options: Any) -> None:
        count = invoice_list_keys_backfill()
        self.stdout.write(self.style.SUCCESS(f"{count} invoice(s) given their list keys."))
