"""Run the benchmarks against a throwaway SQLite database: `python -m bench.runner [--quick]`.

The database, the secret key and the field key are made up here, before Django starts, so
a benchmark can never read or write the user's real database, whatever DATABASE_URL says.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import secrets
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path


def _configure(tmp: Path) -> Path:
    from cryptography.fernet import Fernet

    db_path = tmp / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gridgov.settings"
    os.environ["GRIDGOV_SECRET_KEY"] = secrets.token_urlsafe(48)
    os.environ["GRIDGOV_FIELD_KEY"] = Fernet.generate_key().decode()
    os.environ["GRIDGOV_AUDIT_KEY"] = secrets.token_urlsafe(48)
    # Production settings: DEBUG would record every query and slow the targets down.
    os.environ["GRIDGOV_DEBUG"] = "0"
    os.environ["GRIDGOV_MEDIA_ROOT"] = str(tmp / "media")
    os.environ.setdefault("GRIDGOV_LOG_LEVEL", "ERROR")
    return db_path


def _load_modules() -> None:
    import bench

    for info in pkgutil.iter_modules(bench.__path__):
        if info.name.startswith("bench_"):
            importlib.import_module(f"bench.{info.name}")


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(results) -> str:
    header = ("benchmark", "target", "baseline", "ratio")
    rows = [(r.name, f"{r.target}: {_duration(r.target_seconds)}", f"{r.baseline}: {_duration(r.baseline_seconds)}",
             _ratio(r.ratio)) for r in results]
    return format_rows(header, rows)


def format_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """An aligned text table (wide characters count double), a rule under the header."""
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        lines.append("  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gridgov bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the town demo and few rounds (a smoke test)")
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (repeatable)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="gridgov-bench-"))
    try:
        db_path = _configure(tmp)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        # The one guarantee that matters: nothing but the throwaway file is ever opened.
        if Path(settings.DATABASES["default"]["NAME"]) != db_path:
            print("refusing to run: the bench database is not the throwaway one", file=sys.stderr)
            return 2

        from bench import REGISTRY, Context
        from gridgov.core.models import User
        from gridgov.demo.generator import DEMO_USERNAMES, seed_demo

        _load_modules()
        chosen = [b for b in REGISTRY if not args.only or b.name in args.only]
        unknown = set(args.only) - {b.name for b in REGISTRY}
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
                  f"known: {', '.join(b.name for b in REGISTRY)}", file=sys.stderr)
            return 2

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        scale = "town" if args.quick else "city"
        print(f"gridgov bench ({'quick' if args.quick else 'full'}): throwaway SQLite database {db_path}", flush=True)
        ctx = Context(quick=args.quick)
        results = []
        for bench in [b for b in chosen if b.phase == "empty"]:
            results.append(bench.func(ctx))
            print(f"  {bench.name}: {_ratio(results[-1].ratio)}", flush=True)
        data_benches = [b for b in chosen if b.phase == "data"]
        if data_benches:
            seeded = seed_demo(scale=scale, seed=1, password=secrets.token_urlsafe(12))
            print(f"  setup: seeded the {scale} demo ({seeded.counts['grid_cells']:,} cells, "
                  f"{seeded.counts['people']:,} people) in {seeded.seconds:.1f} s", flush=True)
            ctx.plan = seeded.plan
            ctx.users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
            for bench in data_benches:
                results.append(bench.func(ctx))
                print(f"  {bench.name}: {_ratio(results[-1].ratio)}", flush=True)
        print()
        print(format_table(results))
        print(f"\nratio = target time / baseline time, both measured in this run; "
              f"total {time.perf_counter() - started:.1f} s")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
