from typing import Any

from django.core.management.base import BaseCommand

from autolab import search


class Command(BaseCommand):
    help = (
        "Index every customer, appointment, order, invoice and vehicle for the staff search (records "
        "stored before the index existed). Offline only: it reads whole tables. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        written = search.reindex_all(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Search index up to date ({written} records written)."))
