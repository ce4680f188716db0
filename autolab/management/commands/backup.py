from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from autolab.backup import backup_tables


class Command(BaseCommand):
    help = (
        "Write every table to <Table>.json and every stored file under files/ (default backups/<timestamp>/, "
        "or S3 when BACKUP_S3_BUCKET is set). Reads only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None, help="Local folder to write into.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = backup_tables(options["output"], progress=not options["quiet"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {result.item_count} items of {result.table_count} tables "
                f"and {result.file_count} files to {result.folder}"
            )
        )
