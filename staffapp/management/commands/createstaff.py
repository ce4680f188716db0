from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autolab.exceptions import ApplicationError
from staffapp.services import staff_save


class Command(BaseCommand):
    help = "Create or update a staff member: the sign-in and the Staff item with its roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--phone", default="")
        parser.add_argument("--roles", required=True, help="Comma separated, e.g. ADMIN,MECHANIC")
        parser.add_argument("--password", default=None, help="Set or change the password.")

    def handle(self, *args: Any, **options: Any) -> None:
        roles = [role for role in options["roles"].split(",") if role.strip()]
        try:
            staff, created = staff_save(
                email=options["email"],
                name=options["name"],
                phone=options["phone"],
                roles=roles,
                password=options["password"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} staff {staff.user_email} with roles {', '.join(staff.roles)}"))
