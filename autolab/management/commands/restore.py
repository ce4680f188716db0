from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from autolab.backup import latest_backup, latest_s3_backup, restore_tables


class Command(BaseCommand):
    help = (
        "Put the items and files of a backup back (a folder or s3://bucket/prefix). Never deletes; "
        "existing items and files are kept unless --overwrite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--input", default=None, help="Backup folder or s3:// prefix (default: the newest, in S3 when configured)."
        )
        parser.add_argument("--overwrite", action="store_true", help="Replace items that exist with the backup's copy.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["input"]
        if source is None:
            source = latest_s3_backup() if settings.BACKUP_S3_BUCKET else latest_backup()
        elif not str(source).startswith("s3://"):
            source = Path(source)
        if source is None or (isinstance(source, Path) and not source.is_dir()):
            raise CommandError(f"No backup folder found ({source or 'backups/ is empty'}).")
        result = restore_tables(source, overwrite=options["overwrite"], progress=not options["quiet"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.written} items from {source} ({result.skipped} already present, kept); "
                f"{result.files_written} files ({result.files_skipped} already present, kept)."
            )
        )
