"""`gridgov bench [--quick] [--only NAME]`: the benchmark over HTTP (issue 12).

1. A throwaway PostgreSQL database `bench_<random>` on the server of GRIDGOV_BENCH_DATABASE_URL
   or DATABASE_URL (never the database those name), migrated; the demo seeded (`seed_demo`,
   town scale for --quick, city for the full run); then, in SQL on the server, bulk events
   (200,000 for --quick, 1,000,000 for the full run) and households for the large export.
2. The production server: `gridgov serve` (gunicorn, 2 sync workers unless --workers) on a
   free loopback port, GRIDGOV_DEBUG=0, keys made up for this run.
3. Each line: its requests counted once (SQL statements from the X-Gridgov-Queries header,
   rows the database read and wrote from its statistics), before and after the bulk rows;
   then loaded by wrk with 16 connections for a fixed time, after a warm-up.
4. A table with each line's figure, its baseline from this run, the ratio, the counts, the
   target and PASS or GAP. Missed targets are reported, never a failure: the exit status is
   non-zero only when the harness itself fails.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.http import data, database, load, server
from bench.http.report import Line, format_lines

CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass
class Mode:
    quick: bool
    connections: int = 16
    workers: int = 2
    province: bool = False  # --province: the lines against `seed_demo --scale province`
    fraction: float = 1.0  # --fraction: that share of the province (a smaller run of the same lines)

    @property
    def scale(self) -> str:
        return "province" if self.province else "town" if self.quick else "city"

    @property
    def bulk_events(self) -> int:
        return 200_000 if self.quick else 1_000_000

    @property
    def bulk_households(self) -> int:
        return 1_000_000 if self.province else 5_000 if self.quick else 100_000

    @property
    def seed_timeout(self) -> float:
        return 4 * 3600 if self.province else 1800

    @property
    def seconds(self) -> float:
        return 4 if self.quick else 15

    @property
    def slow_seconds(self) -> float:
        """Intake and sign-in: each answer takes longer, so a longer stretch."""
        return 6 if self.quick else 20

    @property
    def warmup(self) -> float:
        return 1 if self.quick else 3


@dataclass
class Spec:
    """One line: what to request, who asks, what answers count and the target."""

    name: str
    kind: str  # floor | page | intake | signin | deep
    requests: list  # of load.Request
    ok: tuple = (200,)
    baseline: str = "floor"  # the line whose rate is the baseline
    probe_before_bulk: bool = True
    description: str = ""


@dataclass
class Measured:
    spec: Spec
    load: load.Load | None = None
    queries_before: int | None = None
    queries: int | None = None
    rows: int | None = None
    status: int | None = None
    extra: dict = field(default_factory=dict)


def say(text: str) -> None:
    print(text, flush=True)


# --- setup -------------------------------------------------------------------------------

def static_root() -> Path:
    """Collected static files are kept between runs (collecting takes a minute or more) under
    var/bench-static/<hash of the sources and of the packages that ship static files>."""
    digest = hashlib.sha256()
    for path in sorted((CHECKOUT / "src" / "gridgov" / "static").rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(CHECKOUT)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for dist in ("Django", "djangorestframework", "drf-spectacular-sidecar", "whitenoise"):
        digest.update(f"{dist}=={metadata.version(dist)}\n".encode())
    return CHECKOUT / "var" / "bench-static" / digest.hexdigest()[:16]


def photo_jpeg(seed: int) -> bytes:
    """A 1280×960 photo-like JPEG (~100–200 KB): gradients and noise, different per seed."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = Image.effect_noise((1280, 960), 60).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _i in range(12):
        x, y = rng.randrange(1280), rng.randrange(960)
        draw.ellipse((x, y, x + rng.randrange(60, 400), y + rng.randrange(60, 300)),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(out, "JPEG", quality=85)
    return out.getvalue()


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "gridgov-bench-" + secrets.token_hex(8)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def cursor(position: int | None = None, *, reverse: bool = False) -> str:
    """DRF's cursor (rest_framework.pagination.CursorPagination.encode_cursor): base64 of
    `p=<position>` and `r=1` for the reverse direction."""
    import base64

    tokens = {}
    if reverse:
        tokens["r"] = "1"
    if position is not None:
        tokens["p"] = str(position)
    return base64.b64encode(urlencode(tokens).encode("ascii")).decode("ascii")


@dataclass
class Demo:
    """What the lines need from the seeded demo, read back from the database."""

    password: str
    scopes: dict  # username → scope code
    department: str  # the code of the department that handles the most events
    cell: tuple  # the grid worker's cell: min_lat, max_lat, min_lng, max_lng
    village: str


def read_demo(conn, password: str) -> Demo:
    scopes = dict(conn.execute("SELECT username, scope_code FROM core_user WHERE username = ANY(%s)",
                               [["admin", "dispatcher", "gridworker", "department", "doctor", "officer",
                                 "screener", "station"]]).fetchall())
    # The department that handles the most events (a station, as routing sends most there).
    busiest = conn.execute("SELECT d.code FROM events_event e JOIN core_department d ON d.id = e.department_id "
                           "GROUP BY d.code ORDER BY count(*) DESC, d.code LIMIT 1").fetchone()
    department = busiest[0] if busiest else conn.execute(
        "SELECT d.code FROM core_user u JOIN core_department d ON d.id = u.department_id "
        "WHERE u.username = 'department'").fetchone()[0]
    cell = conn.execute("SELECT min_lat, max_lat, min_lng, max_lng FROM core_orgunit WHERE code = %s",
                        [scopes["gridworker"]]).fetchone()
    return Demo(password=password, scopes=scopes, department=department, cell=tuple(cell),
                village=scopes["screener"])


# --- the lines ---------------------------------------------------------------------------

def build_specs(base: str, demo: Demo, tmp: Path, *, deep_last_position: int) -> list[Spec]:
    sessions = {u: server.sign_in(base, u, demo.password) for u in ("dispatcher", "department", "doctor",
                                                                       "officer", "screener")}
    tokens = {u: server.api_token(base, u, demo.password) for u in ("dispatcher", "gridworker")}

    def page(user):
        return {"Cookie": f"sessionid={sessions[user]}"}

    def api(user):
        return {"Authorization": f"Token {tokens[user]}"}

    # Intake: 16 reports at different points of the grid worker's cell, each with its photo.
    rng = random.Random(12)
    min_lat, max_lat, min_lng, max_lng = demo.cell
    intake = []
    for i in range(16):
        body, content_type = multipart(
            {"category": "food.unlicensed", "description": f"路边无证摊贩 {i}",
             "lat": f"{rng.uniform(min_lat, max_lat):.6f}", "lng": f"{rng.uniform(min_lng, max_lng):.6f}"},
            {"photos": (f"photo-{i}.jpg", photo_jpeg(i))})
        path = tmp / f"intake-{i}.body"
        path.write_bytes(body)
        intake.append(load.Request("/api/v1/events/", "POST", {**api("gridworker"), "Content-Type": content_type},
                                   str(path)))

    # Sign-in: the real form with one CSRF cookie and its token, each demo account in turn.
    client = server.Client(base)
    csrf = client.csrf()
    csrf_cookie = client.cookie("csrftoken")
    signin = []
    for i, user in enumerate(("dispatcher", "department", "doctor", "officer", "screener", "station", "admin",
                              "auditor")):
        path = tmp / f"signin-{i}.body"
        path.write_bytes(server.form_body({"username": user, "password": demo.password,
                                           "csrfmiddlewaretoken": csrf}))
        signin.append(load.Request("/login/", "POST", {"Cookie": f"csrftoken={csrf_cookie}",
                                                      "Content-Type": "application/x-www-form-urlencoded"},
                                   str(path)))

    today = datetime.date.today()
    since, until = (today - datetime.timedelta(days=400)).isoformat(), (today - datetime.timedelta(days=380)).isoformat()
    g = load.Request
    return [
        Spec("floor", "floor", [g("/healthz")], description="GET /healthz: a JSON view, no database"),
        Spec("intake", "intake", intake, ok=(201,), probe_before_bulk=False,
             description="POST /api/v1/events/ as the grid worker (token), with a photo"),
        Spec("sign-in", "signin", signin, ok=(302,), probe_before_bulk=False,
             description="POST /login/ (the form, argon2id)"),
        Spec("dispatcher queue", "page", [g("/events/", headers=page("dispatcher"))]),
        Spec("department inbox", "page", [g("/events/inbox/", headers=page("department"))]),
        Spec("care daily list", "page", [g("/care/today/", headers=page("doctor"))],
             description="the township's daily list as its doctor"),
        Spec("org tree", "page", [g(f"/units/{demo.scopes['dispatcher']}/", headers=page("dispatcher"))]),
        Spec("people search", "page", [g("/people/?" + urlencode({"q": q}), headers=page("officer"))
                                       for q in ("王", "李", "张", "刘")]),
        Spec("events API", "page", [g("/api/v1/events/", headers=api("dispatcher"))]),
        Spec("events API ?since&until", "page",
             [g(f"/api/v1/events/?since={since}&until={until}", headers=api("dispatcher"))]),
        Spec("events API ?department", "page",
             [g(f"/api/v1/events/?department={demo.department}", headers=api("dispatcher"))]),
        Spec("events API ?status", "page",
             [g("/api/v1/events/?status=dispatched,accepted", headers=api("dispatcher"))]),
        Spec("Open311 list", "page", [g("/open311/v2/requests.json")], description="anonymous"),
        Spec("ranking", "page", [g("/events/ranking/", headers=page("dispatcher"))]),
        Spec("deep: last page", "deep",
             [g(f"/api/v1/events/?cursor={cursor(deep_last_position)}", headers=api("dispatcher"))],
             baseline="events API", probe_before_bulk=False,
             description="the cursor of the last page of the events list"),
        Spec("deep: reverse first page", "deep",
             [g(f"/api/v1/events/?cursor={cursor(reverse=True)}", headers=api("dispatcher"))],
             baseline="events API", probe_before_bulk=False,
             description="the oldest events first: the list's end in one jump"),
    ]


def probe(base: str, stats_conn, request: load.Request) -> tuple[int, int | None, int]:
    """One request alone: its status, SQL statements (header) and rows the database touched.
    The fewest statements of three (a worker's caches fill at its first request)."""
    client = server.Client(base)
    body = Path(request.body_file).read_bytes() if request.body_file else None
    counts, status, rows = [], 0, 0
    for _i in range(3):
        before = data.rows_read(stats_conn)
        resp = client.request(request.method, request.path, headers={**request.headers, "X-Gridgov-Bench-Stats": "1"},
                              body=body)
        rows = data.rows_read(stats_conn) - before
        status = resp.status
        if resp.header_int("X-Gridgov-Queries") is not None:
            counts.append(resp.header_int("X-Gridgov-Queries"))
    return status, (min(counts) if counts else None), rows


def last_page_position(conn, dispatcher_scope: str) -> int:
    """The position whose next page is the list's last (newest first by id): the 51st smallest
    id that the dispatcher sees (their county's events), as following `next` would reach it."""
    row = conn.execute("SELECT id FROM events_event WHERE org_code LIKE %s ORDER BY id OFFSET 50 LIMIT 1",
                       [dispatcher_scope + "%"]).fetchone()
    return row[0] if row else 1


def check_cursor(base: str, spec_headers: dict) -> None:
    """The harness's cursor is the server's: page 2 reached by `next` equals the hand-made one."""
    client = server.Client(base)
    first = json.loads(client.request("GET", "/api/v1/events/", headers=spec_headers).body)
    last_id = first["results"][-1]["id"]
    mine = json.loads(client.request("GET", f"/api/v1/events/?cursor={cursor(last_id)}", headers=spec_headers).body)
    theirs = json.loads(client.request("GET", "/" + first["next"].split("/", 3)[3], headers=spec_headers).body)
    if [r["id"] for r in mine["results"]] != [r["id"] for r in theirs["results"]]:
        raise RuntimeError("the hand-made cursor does not match the server's pagination")


# --- the run -----------------------------------------------------------------------------

KEPT = "kept.json"


def keep_for_reuse(tmp: Path, db: database.Throwaway, env: dict, password: str, mode: Mode, results: dict) -> None:
    """What --reuse needs of a kept run: its database, made-up keys and demo password (all of
    them this run's own, in its private folder) and the statement counts before the bulk rows."""
    path = tmp / KEPT
    path.write_text(json.dumps({
        "database": db.name, "password": password, "quick": mode.quick, "province": mode.province,
        "fraction": mode.fraction,
        "keys": {k: env[k] for k in server.KEYS},
        "queries_before": {name: m.queries_before for name, m in results.items() if m.queries_before is not None},
    }, indent=1))
    path.chmod(0o600)


def seed_summary(log: Path, lines: int = 20) -> str:
    """The end of the seed's own report (its per-table rows, time and rows/s) from the log."""
    text = log.read_text(errors="replace").splitlines()
    start = max((i for i, line in enumerate(text) if line.startswith("$ gridgov seed_demo")), default=0)
    return "\n".join("  seed| " + line for line in text[start:][-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gridgov bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="town demo, 200,000 events, 4 s per line")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this line (repeatable; its baseline runs too)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--soak", type=int, default=0, metavar="N",
                        help="the memory line loads the events API until N requests were answered "
                             "(e.g. 10000), sampling the workers' RSS after each stretch")
    parser.add_argument("--province", action="store_true",
                        help="the full run on `seed_demo --scale province` (PostgreSQL, about an hour of "
                             "seeding), the million bulk events in the dispatcher's county and a million-row export")
    parser.add_argument("--fraction", type=float, default=1.0,
                        help="with --province: seed this share of the province (e.g. 0.002 to try the run)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the throwaway database and folder with the server's log (to inspect them, "
                             "or to run the lines again with --reuse)")
    parser.add_argument("--reuse", metavar="FOLDER",
                        help="run the lines again on the database that a --keep run left (its folder): "
                             "no migration, seed or bulk rows")
    args = parser.parse_args(argv)
    if args.quick and args.province:
        parser.error("--quick and --province exclude each other")
    if args.fraction != 1.0 and not args.province:
        parser.error("--fraction needs --province")
    mode = Mode(quick=args.quick, connections=args.connections, workers=args.workers, province=args.province,
                fraction=args.fraction)
    load.wrk_path()  # fail before any setup when wrk is missing

    started = time.perf_counter()
    kept = None
    if args.reuse:
        tmp = Path(args.reuse)
        kept = json.loads((tmp / KEPT).read_text())
        db = database.plan(os.environ, token=kept["database"].removeprefix(database.PREFIX))
        mode = Mode(quick=kept["quick"], province=kept["province"], fraction=kept["fraction"],
                    connections=args.connections,
                    workers=args.workers)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="gridgov-bench-http-"))
        db = database.plan(os.environ)
    log = tmp / "bench.log"
    srv = None
    try:
        say(f"gridgov bench ({'province' if mode.province else 'quick' if mode.quick else 'full'}, over HTTP): "
            f"{'kept' if kept else 'throwaway'} database {db.name}, log {log}")
        static = static_root()
        collect = None
        if not (static / "staticfiles.json").exists():
            shutil.rmtree(static.parent, ignore_errors=True)
            static.mkdir(parents=True)
        if kept:
            stats = database.connect(db.url)
            env = server.base_environment(db, tmp, static, keys=kept["keys"])
            password = kept["password"]
            if not (static / "staticfiles.json").exists():
                server.run_command(env, "collectstatic", "--noinput", "-v0", log=tmp / "collectstatic.log")
        else:
            database.create(db)
            stats = database.connect(db.url)
            stats.execute(f"ALTER DATABASE {db.name} SET synchronous_commit = off")  # setup only, reset below
            env = server.base_environment(db, tmp, static)
            if not (static / "staticfiles.json").exists():
                collect = server.start_command(env, "collectstatic", "--noinput", "-v0", log=tmp / "collectstatic.log")
            step = time.perf_counter()
            server.run_command(env, "migrate", "--no-input", "-v0", log=log)
            say(f"  setup: migrated in {time.perf_counter() - step:.1f} s")
            step = time.perf_counter()
            password = secrets.token_urlsafe(12)
            fraction = ["--fraction", str(mode.fraction)] if mode.province else []
            server.run_command(env, "seed_demo", "--scale", mode.scale, "--password", password, *fraction, log=log,
                               timeout=mode.seed_timeout)
            say(f"  setup: seeded the {mode.scale} demo in {time.perf_counter() - step:.1f} s")
            if mode.province:
                say(seed_summary(log))
            if collect is not None:
                if collect.wait() != 0:
                    raise RuntimeError(f"collectstatic failed; see {tmp / 'collectstatic.log'}")
                say(f"  setup: static files collected into {static}")
            stats.execute(f"ALTER DATABASE {db.name} RESET synchronous_commit")
        demo = read_demo(stats, password)

        srv = server.Server(env, workers=mode.workers, log=log)
        srv.start()
        say(f"  server: gunicorn, {mode.workers} sync workers on {srv.base} (pids {srv.worker_pids()})")

        specs = build_specs(srv.base, demo, tmp, deep_last_position=1)
        known = {s.name for s in specs} | {"memory", "export"}
        unknown = set(args.only) - known
        if unknown:
            say(f"unknown line(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
            return 2
        wanted = set(args.only) or known
        needed = wanted | {s.baseline for s in specs if s.name in wanted} | {"floor"}
        if "memory" in wanted or "export" in wanted:
            needed.add("events API")
        results = {s.name: Measured(s) for s in specs if s.name in needed}

        # The statements of each page with a few bulk events (1 %, over the same two years), then
        # with all of them: a count that grows with the rows shows as "a→b". In a province the
        # bulk events copy the dispatcher's county, where the dispatcher's lists look.
        within = demo.scopes["dispatcher"] if mode.province else ""
        if kept:
            for name, before in kept["queries_before"].items():
                if name in results:
                    results[name].queries_before = before
            total = stats.execute("SELECT count(*) FROM events_event").fetchone()[0]
        else:
            step = time.perf_counter()
            few = mode.bulk_events // 100
            data.bulk_events(stats, few, within=within)
            for m in results.values():
                if m.spec.probe_before_bulk:
                    m.status, m.queries_before, _rows = probe(srv.base, stats, m.spec.requests[0])
            total = data.bulk_events(stats, mode.bulk_events - few, offset=few, within=within)
            say(f"  data: {mode.bulk_events:,} events added in SQL ({total:,} in all) "
                f"in {time.perf_counter() - step:.1f} s")
            if args.keep:
                keep_for_reuse(tmp, db, env, password, mode, results)
        position = last_page_position(stats, demo.scopes["dispatcher"])
        specs = {s.name: s for s in build_specs(srv.base, demo, tmp, deep_last_position=position)}
        for name, m in results.items():
            m.spec = specs[name]
        check_cursor(srv.base, specs["events API"].requests[0].headers)

        for m in results.values():
            m.status, m.queries, m.rows = probe(srv.base, stats, m.spec.requests[0])
            if m.status not in m.spec.ok:
                say(f"  ! {m.spec.name}: HTTP {m.status} alone")
        for m in results.values():
            run = dict(base=srv.base, requests=m.spec.requests, connections=mode.connections, script_dir=tmp,
                       ok_statuses=m.spec.ok)
            load.run(seconds=mode.warmup, **run)
            m.load = load.run(seconds=mode.slow_seconds if m.spec.kind in {"intake", "signin"} else mode.seconds,
                              **run)
            say(f"  {m.spec.name}: {m.load.rate:,.0f}/s, p50 {m.load.p50_ms:.1f} ms, p99 {m.load.p99_ms:.1f} ms"
                + (f", {m.load.unexpected} unexpected answers (last HTTP {m.load.last_unexpected})"
                   if m.load.unexpected else ""))

        lines = [line_of(m, results) for m in results.values() if m.spec.name in wanted]
        if "memory" in wanted:
            lines.append(memory_line(srv, results["events API"].spec, mode, tmp, requests=args.soak))
        if "export" in wanted:
            lines.append(export_line(srv, stats, demo, mode, add_households=not kept))
        say("")
        say(format_lines(lines))
        passed = sum(1 for line in lines if line.passed)
        say(f"\n{passed} of {len(lines)} targets met; {mode.connections} connections, {mode.workers} workers, "
            f"{mode.seconds:g} s per line, {total:,} events; total {time.perf_counter() - started:.0f} s")
        size = stats.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        say(f"database {db.name}: {size / 2**30:.1f} GiB")
        return 0
    finally:
        if srv is not None:
            srv.stop()
        if not (args.keep or kept):
            try:
                database.drop(db)
            except Exception as error:  # noqa: BLE001 - report, but let the real error show
                say(f"could not drop {db.name}: {error}")
        if args.keep or kept:
            say(f"kept: database {db.name}, folder {tmp} (server log bench.log; run the lines again with "
                f"--reuse {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _rate(m: Measured | None) -> float:
    return m.load.rate if m and m.load else 0.0


def line_of(m: Measured, results: dict) -> Line:
    spec, got = m.spec, m.load
    base = results.get(spec.baseline)
    ratio = got.rate / _rate(base) if _rate(base) else 0.0
    sql = "—" if m.queries is None else (str(m.queries) if m.queries_before in (None, m.queries)
                                          else f"{m.queries_before}→{m.queries}")
    clean = got.unexpected == 0 and got.errors == 0
    if spec.kind == "floor":
        target, passed = "baseline", None
    elif spec.kind == "intake":
        target = "≥ 0.25× floor, ≤ 10 SQL"
        passed = ratio >= 0.25 and m.queries is not None and m.queries <= 10
    elif spec.kind == "signin":
        target, passed = "≥ 22/s", got.rate >= 22
    elif spec.kind == "deep":
        target, passed = "≥ 0.5× first page", ratio >= 0.5
    else:
        target = "≥ 400/s, SQL flat"
        passed = got.rate >= 400 and m.queries is not None and m.queries_before in (None, m.queries)
    if not clean:
        passed = False if passed is not None else None
    figure = (f"{got.rate:,.0f}/s p50 {got.p50_ms:.0f} ms p99 {got.p99_ms:.0f} ms" if got.ok
              else f"< {1 / got.seconds:.2f}/s (none answered in {got.seconds:.0f} s)")
    if not clean:
        figure += f" ({got.unexpected + got.errors} bad: HTTP {got.last_unexpected or 'errors'})"
    baseline = f"{spec.baseline} {_rate(base):,.0f}/s" if spec.kind != "floor" else "—"
    return Line(name=spec.name, figure=figure, baseline=baseline, ratio=ratio if spec.kind != "floor" else None,
                target=target, passed=passed, queries=sql, rows="—" if m.rows is None else f"{m.rows:,}")


@dataclass
class Soak:
    """Stretches of load until `wanted` requests were answered: the answers and each worker's
    RSS (kB) after every stretch."""

    ok: int = 0
    bad: int = 0
    stretches: int = 0
    samples: list = field(default_factory=list)  # of {pid: kB}, one per stretch


def soak(run_stretch, rss, *, wanted: int, max_stretches: int = 200) -> Soak:
    """Run `run_stretch()` (a load.Load) until `wanted` requests were answered as expected (at
    least once; at most `max_stretches` times, and no more once a stretch answers nothing),
    sampling `rss()` after each."""
    got = Soak()
    while True:
        done = run_stretch()
        got.stretches += 1
        got.ok += done.ok
        got.bad += done.unexpected + done.errors
        got.samples.append(rss())
        if got.ok >= wanted or done.ok == 0 or got.stretches >= max_stretches:
            return got


def memory_line(srv: server.Server, spec: Spec, mode: Mode, tmp: Path, *, requests: int = 0) -> Line:
    """A worker's resident memory before and after the events API under load: one stretch, or
    with `requests` (`--soak N`) stretches until that many requests were answered."""
    seconds = 10 if mode.quick else 60
    run = dict(base=srv.base, requests=spec.requests, connections=mode.connections, script_dir=tmp)
    load.run(seconds=mode.warmup, **run)
    pids = srv.worker_pids()

    def rss():
        return {pid: server.memory_kb(pid)["VmRSS"] for pid in pids}

    before = rss()
    got = soak(lambda: load.run(seconds=seconds, **run), rss, wanted=requests)
    after = {pid: kb for pid, kb in got.samples[-1].items() if pid in before}
    pid = max(after, key=lambda p: after[p] / before[p])
    ratio = after[pid] / before[pid]
    peak = max(sample[pid] for sample in got.samples)
    figure = f"{after[pid] / 1024:.1f} MB after {got.ok:,} requests"
    if got.stretches > 1:
        figure += f" ({got.stretches} stretches, peak {peak / 1024:.1f} MB)"
    return Line(name="memory (worker RSS)", figure=figure,
                baseline=f"{before[pid] / 1024:.1f} MB before", ratio=ratio, target="≤ 1.10× (flat)",
                passed=ratio <= 1.10 and got.bad == 0 and got.ok >= requests, queries="—", rows="—")


def export_line(srv: server.Server, stats, demo: Demo, mode: Mode, *, add_households: bool = True) -> Line:
    """The one table of a village with many households, prepared in the background as users
    get it (issue 12): asked for over HTTP, written by a task worker (`db_worker --batch` on
    the `exports` queue), downloaded over HTTP. The figure is the time from the request to the
    file being ready; the target is the worker's peak memory against the same worker writing an
    empty table: streamed, the peak does not grow with the rows."""
    households = data.bulk_households(stats, demo.village, mode.bulk_households if add_households else 0)
    session = server.sign_in(srv.base, "screener", demo.password)
    client = server.Client(srv.base)
    url = f"/register/villages/{demo.village}/xlsx/"
    offer = client.request("GET", url, headers={"Cookie": f"sessionid={session}"})
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', offer.body)
    if offer.status != 200 or not found:
        raise RuntimeError(f"no offer to prepare the one table in the background (HTTP {offer.status})")
    headers = {"Cookie": f"sessionid={session}; csrftoken={client.cookie('csrftoken')}",
               "Content-Type": "application/x-www-form-urlencoded"}
    body = server.form_body({"csrfmiddlewaretoken": found.group(1).decode()})

    def prepare(query: str = "") -> tuple[float, int, tuple]:
        """Ask for the export, then run the worker until the queue is empty: (seconds from the
        request to the file, the worker's peak RSS in kB, the job's row)."""
        start = time.perf_counter()
        asked = client.request("POST", url + query, headers=headers, body=body)
        if asked.status != 302:
            raise RuntimeError(f"the export was not queued (HTTP {asked.status})")
        worker = server.start_command(srv.env, "db_worker", "--queue-name", "exports", "--batch",
                                      "--no-startup-delay", "--no-reload", "-v0", log=srv.log)
        _pid, status, usage = os.wait4(worker.pid, 0)
        seconds = time.perf_counter() - start
        if status != 0:
            raise RuntimeError(f"the export worker failed (status {status}); see {srv.log}")
        job = stats.execute("SELECT id, status, rows_done, size FROM core_exportjob ORDER BY id DESC LIMIT 1").fetchone()
        return seconds, usage.ru_maxrss, job

    _seconds, empty_peak, _job = prepare("?q=" + quote("无此住户"))
    seconds, peak, (job_id, status, rows, size) = prepare()
    start = time.perf_counter()
    got = client.request("GET", f"/exports/{job_id}/file/", headers={"Cookie": f"sessionid={session}"}, timeout=600)
    download = time.perf_counter() - start
    ok = status == "ready" and rows == households and got.status == 200 and got.body[:2] == b"PK"
    ratio = peak / empty_peak
    return Line(name="export (one table .xlsx)",
                figure=f"{households:,} households, {len(got.body) / 1e6:.1f} MB ready in {seconds:.1f} s "
                       f"(downloaded in {download:.1f} s), worker peak {peak / 1024:.0f} MB"
                       + ("" if ok else f" ({status}, {rows} rows, HTTP {got.status})"),
                baseline=f"peak {empty_peak / 1024:.0f} MB for an empty table", ratio=ratio,
                target="≤ 1.10× peak (flat)", passed=ok and ratio <= 1.10, queries="—", rows="—")


if __name__ == "__main__":
    sys.exit(main())
