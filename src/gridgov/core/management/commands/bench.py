"""`gridgov bench`: run the benchmarks of the top-level `bench/` folder and print ratios."""

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
        "Run the benchmarks in bench/ against a throwaway SQLite database and print each target's "
        "time as a ratio of a baseline measured in the same run."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Small data and few rounds (a smoke test).")
        parser.add_argument("--only", action="append", default=[], metavar="NAME",
                            help="Run only this benchmark (repeatable).")
        parser.add_argument("--path", help="The bench/ folder (default: the one of this source checkout).")

    def handle(self, *args, quick, only, path, **options):
        folder = find_bench_dir(path)
        argv = [sys.executable, "-m", "bench.runner"] + (["--quick"] if quick else [])
        for name in only:
            argv += ["--only", name]
        # A separate process: this one is already configured for the user's database, and
        # the runner must start Django with nothing but its own throwaway one.
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder.parent), env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        with subprocess.Popen(argv, cwd=folder.parent, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, encoding="utf-8") as proc:
            for line in proc.stdout:
                self.stdout.write(line, ending="")
        if proc.returncode:
            raise CommandError(_("The benchmarks failed (exit status %(code)s).") % {"code": proc.returncode})
