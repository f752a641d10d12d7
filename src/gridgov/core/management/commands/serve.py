"""`gridgov serve`: the production server (issue 12).

Replaces this process with gunicorn, configured by gridgov/gunicorn_conf.py from the
environment (so that systemd or a container runtime signals gunicorn's master directly).
The static files are collected at deployment (`gridgov collectstatic --noinput`: hashed names,
gzip and brotli copies; about a minute on 2 cores, so not at every start); `--collectstatic`
collects them first, and without them the command refuses to start, as every page would
fail. It never migrates: an upgrade runs `gridgov migrate` as its own step
(docs/deployment.md, "Upgrades"), and `/readyz` answers 503 until it has. Arguments after `--` go to gunicorn as they are, e.g.
`gridgov serve -- --bind 0.0.0.0:8000 --workers 4`.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Serve gridgov with gunicorn (workers, timeouts and logs from the environment)."
    requires_system_checks = "__all__"

    def add_arguments(self, parser):
        parser.add_argument("--collectstatic", action="store_true",
                            help="Collect the static files first (otherwise done at deployment).")
        parser.add_argument("gunicorn_args", nargs="*", help="Arguments passed to gunicorn (after --).")

    def handle(self, *args, collectstatic=False, gunicorn_args=(), **options):
        if collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(_("Static files collected."))
        storage = staticfiles_storage
        if isinstance(storage, ManifestFilesMixin) and not storage.exists(storage.manifest_name):
            raise CommandError(
                _("The static files have not been collected into %(root)s: run `gridgov collectstatic "
                  "--noinput` (or `gridgov serve --collectstatic`).") % {"root": settings.STATIC_ROOT}
            )
        argv = [sys.executable, "-m", "gunicorn", "--config", "python:gridgov.gunicorn_conf", *gunicorn_args]
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)
