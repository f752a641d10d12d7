from django.core.management.base import BaseCommand

from gridgov.core.notifications.deliveries import deliveries_send_due


class Command(BaseCommand):
    help = "Send the pending notification deliveries (e-mail, SMS) whose retry time has come."

    def handle(self, *args, **options):
        count = deliveries_send_due()
        self.stdout.write(f"{count} deliveries attempted")
