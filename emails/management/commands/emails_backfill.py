from typing import Any

from django.core.management.base import BaseCommand

from emails.backfill import contact_emails_backfill


class Command(BaseCommand):
    help = "Give emails stored before contactEmail existed their contact address (a customer's record finds them)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = contact_emails_backfill()
        self.stdout.write(self.style.SUCCESS(f"{count} email(s) given their contact address."))
