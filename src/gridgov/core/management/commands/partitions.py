"""`gridgov partitions`: keep the monthly partitions ahead, report them, detach old months on request."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridgov.core import partitions


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"{value!r} is not a month (YYYY-MM)") from error


class Command(BaseCommand):
    help = ("Create the monthly partitions of the audit log, notifications, deliveries and the events' "
            "timeline for this month and --ahead months (default 3), through pg_partman when it is "
            "installed, then list every partition with its rows. Old months are detached only with "
            "--detach-before (and dropped only with --drop); audit months only with --include-audit "
            "and never within their legal retention. PostgreSQL only.")

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=partitions.DEFAULT_AHEAD,
                            help="months to create ahead of this one (default %(default)s)")
        parser.add_argument("--exact", action="store_true", help="count rows exactly instead of estimating")
        parser.add_argument("--detach-before", type=_month, metavar="YYYY-MM",
                            help="detach every partition wholly before this month")
        parser.add_argument("--drop", action="store_true", help="drop the detached partitions (never audit ones)")
        parser.add_argument("--include-audit", action="store_true",
                            help="also detach audit months older than the legal retention")

    def handle(self, *args, ahead, exact, detach_before, drop, include_audit, **options):
        if not partitions.is_postgresql(connection):
            self.stdout.write(f"Nothing to do: partitions need PostgreSQL, this database is {connection.vendor}.")
            return
        if isinstance(detach_before, str):  # call_command passes options unparsed
            detach_before = _month(detach_before)
        if ahead < 0:
            raise CommandError("--ahead must be 0 or more")
        if (drop or include_audit) and detach_before is None:
            raise CommandError("--drop and --include-audit go with --detach-before")
        via = "pg_partman" if partitions.partman_schema(connection) else "declarative partitioning"
        created = partitions.ensure_partitions(ahead=ahead)
        self.stdout.write(f"{len(created)} partition(s) created ({via}){': ' if created else ''}{', '.join(created)}")
        if detach_before is not None:
            try:
                detached = partitions.detach_partitions(before=detach_before, drop=drop, include_audit=include_audit)
            except ValueError as error:  # partitions.RetentionError among them
                raise CommandError(str(error)) from error
            verb = "dropped" if drop else "detached"
            self.stdout.write(f"{len(detached)} partition(s) {verb}{': ' if detached else ''}{', '.join(detached)}")
        for spec in partitions.TABLES:
            if not partitions.is_partitioned(spec.table, connection):
                self.stdout.write(f"{spec.table}: not partitioned (migrations not applied)")
                continue
            found = partitions.partitions_of(spec.table, exact=exact)
            self.stdout.write(f"{spec.table} (by {spec.key}): {len(found)} partition(s)")
            for part in found:
                rows = f"{part.rows} rows" if part.exact else f"~{part.rows} rows"
                if part.is_default:
                    span = "default (months without a partition)"
                else:
                    span = f"{part.lower.astimezone(partitions.local_zone()):%Y-%m-%d} to " \
                           f"{part.upper.astimezone(partitions.local_zone()):%Y-%m-%d}"
                self.stdout.write(f"  {part.name}: {span}, {rows}")
