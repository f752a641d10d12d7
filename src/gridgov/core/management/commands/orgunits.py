"""`gridgov orgunits import|export`: the org-unit tree and grid-cell polygons as files.

    gridgov orgunits import FILE [--format geojson|csv|xlsx] [--map code=编码 --map name=名称 ...]
                                 [--dry-run] [--as USERNAME]
    gridgov orgunits export FILE [--root CODE] [--format geojson|csv|xlsx]

An import prints the preview (counts, the first rows of each kind, warnings and every error
with its row number) and exits non-zero when there are errors, writing nothing. Without
`--as` it acts as the system; with it, as that user, with their permission and scope.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.core import org_io
from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import DomainError
from gridgov.core.models import User
from gridgov.core.org_io_services import ImportRejected, org_units_import


def action_title(action: str) -> str:
    return {org_io.CREATE: _("To create"), org_io.UPDATE: _("To update"), org_io.UNCHANGED: _("Unchanged")}[action]


class Command(BaseCommand):
    help = "Import or export org units and grid-cell boundaries (GeoJSON, CSV or Excel)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        importer = sub.add_parser("import", help="Import org units from a file, all or nothing.")
        importer.add_argument("file", help="A .geojson, .csv or .xlsx file.")
        importer.add_argument("--format", choices=org_io.FORMATS, help="Default: from the file's extension.")
        importer.add_argument(
            "--map", action="append", default=[], metavar="FIELD=HEADER",
            help="Read FIELD (code, name, parent, polygon, level) from the column HEADER; repeatable.",
        )
        importer.add_argument("--dry-run", action="store_true", help="Check and preview; write nothing.")
        importer.add_argument("--as", dest="as_user", metavar="USERNAME",
                              help="Import as this user, within their permission and scope.")
        exporter = sub.add_parser("export", help="Export org units to a file.")
        exporter.add_argument("file", help="The file to write (.geojson, .csv or .xlsx).")
        exporter.add_argument("--root", help="Export this unit and everything below it (default: everything).")
        exporter.add_argument("--format", choices=org_io.FORMATS, help="Default: from the file's extension.")

    def handle(self, *args, subcommand, **options):
        if subcommand == "import":
            self.handle_import(**options)
        else:
            self.handle_export(**options)

    # --- import ---------------------------------------------------------------------

    def handle_import(self, *, file, format=None, map=(), dry_run=False, as_user=None, **options):
        path = Path(file)
        fmt = format or org_io.format_from_filename(path.name)
        if fmt is None:
            raise CommandError(_("Cannot tell the format of %(file)s; pass --format.") % {"file": file})
        try:
            mapping = org_io.parse_mapping(map)
        except ValueError as exc:
            raise CommandError(_("--map takes FIELD=HEADER, e.g. code=编码 (got %(value)s).") % {"value": exc})
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror})
        actor = SystemActor("orgunits")
        if as_user:
            actor = User.objects.filter(username=as_user).first()
            if actor is None:
                raise CommandError(_("No user named %(username)s.") % {"username": as_user})
        source = org_io.read_import_file(data, fmt=fmt, mapping=mapping, name=path.name)
        plan = org_io.ImportPlan.unchecked(source)
        try:
            plan = org_units_import(actor=actor, plan=plan, dry_run=dry_run)
        except ImportRejected as rejected:
            plan = rejected.plan
        except DomainError as error:
            raise CommandError(error.message) from error
        self.print_plan(plan)
        if plan.errors:
            raise CommandError(
                ngettext("%(count)d error; nothing was imported.", "%(count)d errors; nothing was imported.",
                         len(plan.errors)) % {"count": len(plan.errors)},
                returncode=1,
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(
                _("Imported: %(create)d created, %(update)d updated, %(unchanged)d unchanged.") % plan.counts
            ))

    def print_plan(self, plan):
        counts = plan.counts
        self.stdout.write(_("%(file)s (%(format)s): %(rows)d rows.")
                          % {"file": plan.source.name, "format": plan.source.fmt, "rows": counts["rows"]})
        self.stdout.write(
            _("Create: %(create)d  Update: %(update)d  Unchanged: %(unchanged)d  "
              "Warnings: %(warnings)d  Errors: %(errors)d") % counts
        )
        for action, units in plan.preview().items():
            if not units:
                continue
            self.stdout.write(_("%(title)s (first %(shown)d of %(total)d):")
                              % {"title": action_title(action), "shown": len(units), "total": counts[action]})
            for unit in units:
                detail = ""
                if unit.changed:
                    detail = "  [" + ", ".join(unit.changed) + "]"
                self.stdout.write(f"  {unit.where}: {unit.code} {unit.name} ({unit.level_label}){detail}")
        if plan.warnings:
            self.stdout.write(_("Warnings:"))
            for issue in plan.warnings:
                self.stdout.write(self.style.WARNING(f"  {issue.where}: {issue.message}"))
        if plan.errors:
            self.stderr.write(_("Errors:"))
            for issue in plan.errors:
                self.stderr.write(f"  {issue.where}: {issue.message}")

    # --- export ---------------------------------------------------------------------

    def handle_export(self, *, file, root=None, format=None, **options):
        path = Path(file)
        fmt = format or org_io.format_from_filename(path.name)
        if fmt is None:
            raise CommandError(_("Cannot tell the format of %(file)s; pass --format.") % {"file": file})
        try:
            chunks = org_io.export_org_units(root_code=root, fmt=fmt)
        except DomainError as error:
            raise CommandError(error.message) from error
        try:
            with path.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s: %(reason)s") % {"file": file, "reason": exc.strerror})
        self.stdout.write(_("Wrote %(file)s.") % {"file": file})
