from django.core.management.base import BaseCommand

from gridgov.participation.reminders import send_shift_reminders


class Command(BaseCommand):
    help = ("Tell each volunteer of its shift starting within the next 24 hours, once. Run every hour; a second run "
            "tells nobody twice.")

    def handle(self, *args, **options):
        self.stdout.write(f"reminded: {send_shift_reminders()}")
