from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

# Each app's seeds.seed() adds what is missing and keeps what staff changed; order matters.
SEEDERS = ["bookings.seeds.seed", "inspections.seeds.seed", "shop.seeds.seed", "staffapp.seeds.seed"]


class Command(BaseCommand):
    help = "Add the service plans, parts catalogue and (in dev) demo staff. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo-staff", action="store_true", help="Add demo staff even outside dev.")

    def handle(self, *args: Any, **options: Any) -> None:
        with_demo_staff = options["demo_staff"] or settings.AUTOLAB_ENV == "dev"
        for path in SEEDERS:
            for line in import_string(path)(demo_staff=with_demo_staff):
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Seed complete."))
