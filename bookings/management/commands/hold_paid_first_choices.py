from typing import Any

from django.core.management.base import BaseCommand

from bookings.reservations import holds_backfill


class Command(BaseCommand):
    help = (
        "Give paid PENDING appointments from before first-choice holds existed their hold, where the "
        "slot still has room. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in holds_backfill():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Holds backfilled."))
