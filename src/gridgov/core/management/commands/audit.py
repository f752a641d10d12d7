import sys

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.audit import verify_all


class Command(BaseCommand):
    help = "Audit-log tools. `audit verify` walks every hash chain and reports the first broken entry."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Verify every chain of the audit log.")

    def handle(self, *args, subcommand, **options):
        if subcommand != "verify":
            raise CommandError(f"Unknown subcommand {subcommand}")
        checked, problems = verify_all()
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN: {problem}")
            self.stderr.write(f"Audit log NOT intact: {len(problems)} chain(s) broken, {checked} entries checked.")
            sys.exit(1)
        self.stdout.write(f"OK: {checked} audit entries verified.")
