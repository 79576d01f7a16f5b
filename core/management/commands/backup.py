from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write the database and the uploaded files (MEDIA_ROOT) to one .tar.gz archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            help="Archive to write (default: var/backups/asetw-<UTC date and time>.tar.gz).",
        )

    def handle(self, *args, output: str | None = None, **options):
        if output:
            path = Path(output)
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            path = Path(settings.BASE_DIR) / "var" / "backups" / f"asetw-{stamp}.tar.gz"
        try:
            manifest = create_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {path}: {manifest['database']['engine']} database and "
                f"{manifest['media']['file_count']} uploaded file(s)."
            )
        )
