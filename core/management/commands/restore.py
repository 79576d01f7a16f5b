from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup`: checks its checksums, then the database and MEDIA_ROOT."
        " The checksums detect damage and partial copies, not forgeries: restore only archives kept somewhere"
        " trusted."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz archive written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the content of a database that already has tables (on PostgreSQL its public schema is"
            " dropped first; its data is lost).",
        )

    def handle(self, *args, archive: str, force: bool = False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        try:
            result = restore_backup(path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        commit = manifest.get("portal_commit") or "unknown"
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} (commit {commit}):"
                f" database and {result.media_files} uploaded file(s)."
            )
        )
        self.stdout.write("Run `manage.py migrate` if this version of the portal is newer than the backup.")
