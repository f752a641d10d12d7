from django.core.management.base import BaseCommand

from gridgov.care.daily import run_daily


class Command(BaseCommand):
    help = "The care programs' daily work: exits by age, missed handovers, overdue visits, anonymisation."

    def handle(self, *args, **options):
        for name, count in run_daily().items():
            self.stdout.write(f"{name}: {count}")
