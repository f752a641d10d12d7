from django.core.management.base import BaseCommand, CommandError

from gridgov.core.notifications.retention import notifications_cleanup, retention_days


class Command(BaseCommand):
    help = ("Delete notification deliveries (e-mail, SMS records) and read in-app notifications older than "
            "GRIDGOV_NOTIFY_RETENTION_DAYS (or --days). Unread notifications are kept.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help=f"keep this many days instead of the setting (now {retention_days()})")

    def handle(self, *args, days=None, **options):
        try:
            result = notifications_cleanup(days=days)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{result.deliveries} deliveries and {result.notifications} read notifications deleted")
