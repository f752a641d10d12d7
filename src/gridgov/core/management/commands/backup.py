"""`gridgov backup PATH`: a backup of the whole configured database (see core/backup.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridgov.core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Back up the configured database to PATH (PostgreSQL: pg_dump custom format; SQLite: a copy)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file to write; it must not exist yet.")
        parser.add_argument("--overwrite", action="store_true", help="Replace PATH if it exists.")

    def handle(self, *args, path, overwrite=False, **options):
        try:
            written = database_backup(path=path, overwrite=overwrite)
        except BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(_("Wrote the backup %(path)s.") % {"path": written})
