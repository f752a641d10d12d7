from django.core.management.base import BaseCommand

from gridgov.core.tasks import sweep_export_jobs


class Command(BaseCommand):
    help = ("Remove exported files past their time, fail exports whose worker died and queue again those "
            "whose task was lost. Run every ten minutes or so from cron.")

    def handle(self, *args, **options):
        done = sweep_export_jobs.call()
        self.stdout.write("{removed} file(s) removed, {failed} export(s) failed, {requeued} queued again.".format(**done))
