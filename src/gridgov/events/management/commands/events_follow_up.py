from django.core.management.base import BaseCommand

from gridgov.events.tasks import sweep_missed_follow_ups


class Command(BaseCommand):
    help = ("Do the follow-ups (photos' copies, notices) of events whose after-commit task never ran. "
            "Run every few minutes from cron.")

    def handle(self, *args, **options):
        count = sweep_missed_follow_ups.call()
        self.stdout.write(f"{count} event(s) followed up.")
