import datetime

from django.core.management.base import BaseCommand, CommandError

from gridgov.register.retention import run_retention


class Command(BaseCommand):
    help = ("Anonymise register data past retention (people who moved out or died, dissolved households; "
            "see register/retention.py). Run nightly from cron.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as of this day (YYYY-MM-DD); defaults to today.")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be YYYY-MM-DD") from exc
        counts = run_retention(today)
        self.stdout.write(f"Anonymised {counts['people']} person(s) and {counts['households']} household(s).")
