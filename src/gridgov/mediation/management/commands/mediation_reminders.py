from django.core.management.base import BaseCommand

from gridgov.mediation.reminders import send_reminders


class Command(BaseCommand):
    help = ("Mediation's daily reminders: time limits near, requests waiting, follow-up visits due, the time to "
            "apply for judicial confirmation ending. Run once a day; a second run sends nothing new.")

    def handle(self, *args, **options):
        for kind, count in send_reminders().items():
            self.stdout.write(f"{kind}: {count}")
