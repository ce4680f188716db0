from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "`make run`'s data set-up in one process (one Django start instead of four): migrate the auth "
        "database, create the DynamoDB tables, restore the last dev backup if asked, seed with demo staff."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--restore",
            action="store_true",
            help="Restore the newest dev backup first (for an engine that starts empty).",
        )

    def step(self, message: str) -> None:
        self.stdout.write(f"==> {message}")
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        self.step("Migrating the auth database")
        call_command("migrate", interactive=False, verbosity=0)
        self.step("Creating DynamoDB tables")
        call_command("create_tables")
        if options["restore"]:
            self.step("Restoring the last dev backup (if any)")
            try:
                call_command("restore")
            except CommandError as error:  # a first run has no backup yet: say so and go on
                self.stdout.write(str(error))
            self.step("Giving restored invoices their list keys")
            call_command("invoices_backfill")
            self.step("Giving restored emails their contact address")
            call_command("emails_backfill")
        self.step("Seeding catalogue and demo staff")
        call_command("seed", demo_staff=True)
