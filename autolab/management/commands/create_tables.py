from typing import Any

from django.core.management.base import BaseCommand

from autolab.tables import ensure_tables


class Command(BaseCommand):
    help = "Create every missing DynamoDB table and index. Never drops or changes existing data."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in ensure_tables():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Tables are up to date."))
