from django.core.management.base import BaseCommand

from gridgov.register.rounds import rounds_open_due


class Command(BaseCommand):
    help = "Open the register update rounds whose schedule is due. Run daily from cron."

    def handle(self, *args, **options):
        opened = rounds_open_due()
        for update_round in opened:
            self.stdout.write(f"Opened round {update_round.pk} for {update_round.org_code} "
                              f"({update_round.items.count()} households).")
        self.stdout.write(f"{len(opened)} round(s) opened.")
