"""`gridgov seed_demo`: generate the synthetic demo into an empty database."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridgov.demo.generator import (
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    SCALES,
    DemoExists,
    demo_account_rows,
    demo_exists,
    format_accounts,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Generate a synthetic demo (province, city, counties, townships, villages, grid cells, "
        "departments, staff, people and the demo accounts). Never real people's data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="city",
                            help="town (small, for tests), city (2,701 grid cells) or province (12 cities).")
        parser.add_argument("--password", default=DEFAULT_PASSWORD,
                            help=f"Password of every generated account (default: {DEFAULT_PASSWORD}).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Random seed: the same seed gives the same names, ID numbers and phones.")
        parser.add_argument("--fraction", type=float, default=1.0,
                            help="With --scale province on PostgreSQL: seed this share of the province "
                                 "(e.g. 0.002), in the same proportions.")
        parser.add_argument("--skip-if-exists", action="store_true",
                            help="If data already exists, generate nothing and print the demo accounts.")

    def handle(self, *args, scale, password, seed, skip_if_exists, fraction=1.0, **options):
        if not password:
            raise CommandError(_("The demo password must not be empty."))
        if not 0 < fraction <= 1:
            raise CommandError(_("The fraction must be above 0 and at most 1."))
        if demo_exists():
            if not skip_if_exists:
                raise CommandError(_(
                    "The database already holds org units; the demo is only generated into an empty "
                    "database. Use --skip-if-exists to keep the existing data."
                ))
            self.stdout.write(_("A demo (or other data) already exists; nothing was generated."))
            self._print_accounts(password, known=self._password_matches(password))
            return
        try:
            result = seed_demo(scale=scale, password=password, seed=seed, stdout=self.stdout, fraction=fraction)
        except DemoExists as exc:
            raise CommandError(
                _("Cannot generate the demo: these accounts or org units already exist: %(what)s")
                % {"what": str(exc) or _("org units")}
            ) from exc
        labels = {
            "counties": _("counties"), "townships": _("townships"), "villages": _("villages"),
            "grid_cells": _("grid cells"), "departments": _("departments"), "stations": _("stations"),
            "users": _("users"), "people": _("people"),
        }
        summary = ", ".join(f"{label} {result.counts.get(key, 0):,}" for key, label in labels.items())
        self.stdout.write(_("Done in %(seconds).1f s: %(summary)s.") % {"seconds": result.seconds, "summary": summary})
        self._print_accounts(password, known=True)

    def _password_matches(self, password: str) -> bool:
        admin = get_user_model().objects.filter(username="admin").first()
        return bool(admin and admin.check_password(password))

    def _print_accounts(self, password: str, *, known: bool) -> None:
        rows = demo_account_rows()
        if not rows:
            self.stdout.write(_("No demo accounts were found in this database."))
            return
        self.stdout.write("")
        self.stdout.write(_("Demo accounts:"))
        self.stdout.write(format_accounts(rows, password if known else None))
        if not known:
            self.stdout.write(_("The demo accounts use the password chosen when the demo was generated."))
