"""`gridgov bench`: run the benchmarks of the top-level `bench/` folder and print ratios.

By default over HTTP against the production server on a throwaway PostgreSQL database
(`bench.http.runner`, issue 12); `--in-process` runs the older function timings on a
throwaway SQLite database (`bench.runner`)."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

# src/gridgov/core/management/commands/bench.py → the source checkout's root.
_CHECKOUT = Path(__file__).resolve().parents[5]


def find_bench_dir(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else [_CHECKOUT / "bench", Path.cwd() / "bench"]
    for candidate in candidates:
        if (candidate / "runner.py").is_file():
            return candidate.resolve()
    raise CommandError(_("No bench/ folder found; run gridgov bench from a source checkout or pass --path."))


class Command(BaseCommand):
    help = (
        "Run the benchmarks in bench/: over HTTP against gunicorn on a throwaway PostgreSQL database "
        "(or, with --in-process, function timings on a throwaway SQLite database), each figure as a ratio "
        "of a baseline measured in the same run."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Small data and few rounds (a smoke test).")
        parser.add_argument("--only", action="append", default=[], metavar="NAME",
                            help="Run only this benchmark (repeatable).")
        parser.add_argument("--path", help="The bench/ folder (default: the one of this source checkout).")
        parser.add_argument("--in-process", action="store_true",
                            help="The function timings on SQLite instead of the HTTP benchmark.")
        parser.add_argument("--workers", type=int, help="HTTP: gunicorn sync workers (default 2).")
        parser.add_argument("--connections", type=int, help="HTTP: concurrent clients (default 16).")
        parser.add_argument("--soak", type=int, metavar="N",
                            help="HTTP: load the memory line until N requests were answered (e.g. 10000).")
        parser.add_argument("--province", action="store_true",
                            help="HTTP: the full run on the seeded province (about an hour of seeding).")
        parser.add_argument("--fraction", type=float, help="HTTP, with --province: seed this share of it.")
        parser.add_argument("--keep", action="store_true",
                            help="HTTP: keep the throwaway database and folder (for --reuse).")
        parser.add_argument("--reuse", metavar="FOLDER",
                            help="HTTP: run the lines again on the database a --keep run left in FOLDER.")

    def handle(self, *args, quick, only, path, in_process=False, workers=None, connections=None, soak=None,
               province=False, fraction=None, keep=False, reuse=None, **options):
        folder = find_bench_dir(path)
        module = "bench.runner" if in_process else "bench.http.runner"
        argv = [sys.executable, "-m", module] + (["--quick"] if quick else [])
        for name in only:
            argv += ["--only", name]
        if not in_process:
            argv += (["--workers", str(workers)] if workers else []) + (
                ["--connections", str(connections)] if connections else []) + (
                ["--soak", str(soak)] if soak else []) + (["--province"] if province else []) + (
                ["--fraction", str(fraction)] if fraction else []) + (["--keep"] if keep else []) + (
                ["--reuse", reuse] if reuse else [])
        # A separate process: this one is already configured for the user's database, and
        # the runner starts Django (or the server) with nothing but its own throwaway one.
        # The HTTP runner reads DATABASE_URL only to find the PostgreSQL server to make its
        # throwaway database on; the in-process one never sees it.
        dropped = {"DJANGO_SETTINGS_MODULE"} | ({"DATABASE_URL"} if in_process else set())
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder.parent), env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        with subprocess.Popen(argv, cwd=folder.parent, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, encoding="utf-8") as proc:
            for line in proc.stdout:
                self.stdout.write(line, ending="")
        if proc.returncode:
            raise CommandError(_("The benchmarks failed (exit status %(code)s).") % {"code": proc.returncode})
