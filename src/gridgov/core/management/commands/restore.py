"""`gridgov restore PATH [--force]`: replace the configured database with a backup."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridgov.core.backup import BackupError, database_restore


class Command(BaseCommand):
    help = "Restore the configured database from a backup made by `gridgov backup`. Stop the app first."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by `gridgov backup`.")
        parser.add_argument("--force", action="store_true",
                            help="Restore even though the database is not empty, replacing everything in it.")

    def handle(self, *args, path, force=False, **options):
        try:
            database_restore(path=path, force=force)
        except BackupError as error:
            raise CommandError(error.message) from error
        self.stdout.write(_("Restored %(path)s. Now run `gridgov migrate` and `gridgov audit verify`.") % {"path": path})
