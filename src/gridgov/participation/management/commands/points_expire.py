from django.core.management.base import BaseCommand

from gridgov.participation.services.points import expire_all


class Command(BaseCommand):
    help = ("Expire the points past their day in every points bank that sets an expiry, as ledger movements. Run "
            "once a day; a second run the same day expires nothing new.")

    def handle(self, *args, **options):
        self.stdout.write(f"expired: {expire_all()}")
