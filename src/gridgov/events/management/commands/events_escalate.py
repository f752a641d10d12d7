from django.core.management.base import BaseCommand

from gridgov.events.supervision import escalate_overdue


class Command(BaseCommand):
    help = "Escalate overdue events to supervision (督办). Run every few minutes from cron."

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(f"{count} event(s) escalated.")
