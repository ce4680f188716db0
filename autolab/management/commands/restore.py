from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autolab.backup import latest_backup, restore_tables


class Command(BaseCommand):
    help = "Put the items of a backup folder back. Never deletes; existing items are kept unless --overwrite."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, default=None, help="Backup folder (default: the newest).")
        parser.add_argument("--overwrite", action="store_true", help="Replace items that exist with the backup's copy.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = options["input"] or latest_backup()
        if folder is None or not folder.is_dir():
            raise CommandError(f"No backup folder found ({folder or 'backups/ is empty'}).")
        result = restore_tables(folder, overwrite=options["overwrite"], progress=not options["quiet"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.written} items from {folder} ({result.skipped} already present, kept)."
            )
        )
