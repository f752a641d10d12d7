"""The HTTP bench's pieces that need no server: the throwaway database is never the user's,
the environment handed to the server carries none of the user's settings, the cursor is
DRF's, and the table reports each target as PASS or GAP."""

from pathlib import Path

import pytest

from bench.http import database, load, server
from bench.http.report import Line, format_lines
from bench.http.runner import Measured, Spec, cursor, line_of, soak


@pytest.mark.parametrize("environ", [
    {"DATABASE_URL": "postgres://gridgov:secret@db.example:6543/gridgov"},
    {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench_mine"},
    {"DATABASE_URL": "sqlite:///var/gridgov.sqlite3"},
    {},
])
def test_the_throwaway_database_is_never_the_users(environ):
    db = database.plan(environ)
    assert db.name.startswith("bench_")
    assert db.name != db.user_database
    assert db.url.endswith("/" + db.name)
    assert database.plan(environ).name != db.name  # a fresh name every run
    with pytest.raises(database.NotThrowaway):
        database.check(db, environ.get("DATABASE_URL", database.DEFAULT_SERVER))
    database.check(db, db.url)  # the only URL allowed


def test_the_same_server_and_credentials():
    db = database.plan({"DATABASE_URL": "postgres://gridgov:secret@db.example:6543/gridgov?sslmode=require"})
    assert db.url.startswith("postgres://gridgov:secret@db.example:6543/bench_")
    assert db.url.endswith("?sslmode=require")
    assert db.maintenance_url == "postgres://gridgov:secret@db.example:6543/postgres?sslmode=require"
    # GRIDGOV_BENCH_DATABASE_URL names another server for the bench
    other = database.plan({"DATABASE_URL": "postgres://a@one/x", "GRIDGOV_BENCH_DATABASE_URL": "postgres://b@two/y"})
    assert other.url.startswith("postgres://b@two/bench_")


def test_drop_refuses_a_database_it_did_not_make():
    with pytest.raises(database.NotThrowaway):
        database.drop(database.Throwaway(url="postgres://p@h/gridgov", name="gridgov", maintenance_url="",
                                         user_database="gridgov"))


def test_the_server_gets_none_of_the_users_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gridgov")
    monkeypatch.setenv("GRIDGOV_SECRET_KEY", "the-users-own-secret-key-0123456789abcdef")
    monkeypatch.setenv("GRIDGOV_REPLICA_DATABASE_URL", "postgres://replica/gridgov")
    db = database.plan({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gridgov"})
    env = server.base_environment(db, tmp_path, tmp_path / "static")
    assert env["DATABASE_URL"] == db.url
    assert env["GRIDGOV_SECRET_KEY"] != "the-users-own-secret-key-0123456789abcdef"
    assert "GRIDGOV_REPLICA_DATABASE_URL" not in env
    assert env["GRIDGOV_DEBUG"] == "0"
    assert env["GRIDGOV_HOME"] == str(tmp_path)


def test_the_cursor_is_drfs():
    from rest_framework.pagination import Cursor, CursorPagination

    paginator = CursorPagination()
    paginator.base_url = "http://testserver/api/v1/events/"
    for position, reverse in ((1234, False), (None, True)):
        drf = paginator.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))
        assert drf.endswith("cursor=" + cursor(position, reverse=reverse).replace("=", "%3D"))


def test_the_lua_script_and_wrks_answer(tmp_path):
    script = load.lua_script([load.Request("/login/", "POST", {"Cookie": "csrftoken=x"}, str(tmp_path / "b"))],
                             ok_statuses=(302,))
    assert '[302] = true' in script and '"/login/"' in script and "function done" in script
    got = load.parse('Running 4s test\nBENCH_JSON {"requests": 800, "duration_us": 4000000, "p50_us": 9000, '
                     '"p99_us": 30000, "ok": 790, "unexpected": 10, "last_unexpected": 429, "errors": 0}\n')
    assert (got.rate, got.p50_ms, got.unexpected, got.last_unexpected) == (197.5, 9.0, 10, 429)


def _measured(kind, *, rate, queries=5, before=5, name="page", baseline="floor", bad=0):
    return Measured(Spec(name, kind, [load.Request("/x")], baseline=baseline),
                    load=load.Load(requests=int(rate * 4) + bad, seconds=4, p50_ms=10, p99_ms=20, ok=int(rate * 4),
                                   unexpected=bad, errors=0, last_unexpected=429 if bad else None),
                    queries_before=before, queries=queries, rows=70)


def test_targets_pass_or_gap():
    floor = _measured("floor", rate=2000, name="floor", queries=0, before=0)
    results = {"floor": floor}
    assert line_of(floor, results).verdict == "—"
    assert line_of(_measured("page", rate=500), results).verdict == "PASS"
    assert line_of(_measured("page", rate=300), results).verdict == "GAP"
    grows = line_of(_measured("page", rate=500, before=5, queries=7), results)
    assert (grows.verdict, grows.queries) == ("GAP", "5→7")
    assert line_of(_measured("page", rate=500, bad=3), results).verdict == "GAP"  # throttled answers count against
    assert line_of(_measured("intake", rate=600, queries=9, before=None), results).verdict == "PASS"
    assert line_of(_measured("intake", rate=600, queries=11, before=None), results).verdict == "GAP"
    assert line_of(_measured("signin", rate=25, before=None), results).verdict == "PASS"
    first = _measured("page", rate=400, name="events API")
    results["events API"] = first
    assert line_of(_measured("deep", rate=250, baseline="events API"), results).verdict == "PASS"
    assert line_of(_measured("deep", rate=150, baseline="events API"), results).ratio == pytest.approx(0.375)


def test_the_table():
    text = format_lines([
        Line("floor", "2,000/s p50 8 ms p99 20 ms", "—", None, "baseline", None, "0", "0"),
        Line("people search", "300/s p50 50 ms p99 90 ms", "floor 2,000/s", 0.15, "≥ 400/s, SQL flat", False, "7",
             "248"),
    ])
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["line", "figure"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[3].startswith("people search") and lines[3].rstrip().endswith("GAP")
    assert "0.15×" in lines[3]
    # every column starts at the same place on every line
    start = lines[0].index("ratio")
    assert lines[3][start:start + 5] == "0.15×"


def test_bench_folder_is_importable_without_django_settings():
    # The runner process starts no Django of its own: it only drives the server.
    assert Path(load.__file__).parent.name == "http"


def _stretch(ok, bad=0):
    return load.Load(requests=ok + bad, seconds=10, p50_ms=10, p99_ms=20, ok=ok, unexpected=bad, errors=0)


def test_the_soak_runs_stretches_until_enough_requests_were_answered():
    answers = iter([_stretch(3000), _stretch(2900, bad=2), _stretch(3100), _stretch(3000), _stretch(3000)])
    memory = iter([{7: 100}, {7: 101}, {7: 103}, {7: 102}, {7: 110}])

    got = soak(lambda: next(answers), lambda: next(memory), wanted=10_000)

    assert (got.stretches, got.ok, got.bad) == (4, 12_000, 2)
    assert got.samples == [{7: 100}, {7: 101}, {7: 103}, {7: 102}]
    # Without a number, one stretch (the line as it always was); a stretch answering nothing ends it.
    assert soak(lambda: _stretch(500), lambda: {7: 1}, wanted=0).stretches == 1
    assert soak(lambda: _stretch(0, bad=40), lambda: {7: 1}, wanted=10_000).stretches == 1


def test_a_kept_run_leaves_what_reuse_needs_and_only_to_its_owner(tmp_path):
    import json

    from bench.http.runner import KEPT, Mode, keep_for_reuse

    db = database.plan({}, token="abc123")
    env = server.base_environment(db, tmp_path, tmp_path / "static")
    mode = Mode(quick=False, province=True, fraction=0.5)
    results = {"events API": Measured(Spec("events API", "page", []), queries_before=5),
               "intake": Measured(Spec("intake", "intake", []))}
    keep_for_reuse(tmp_path, db, env, "pw", mode, results)
    kept = json.loads((tmp_path / KEPT).read_text())
    assert (tmp_path / KEPT).stat().st_mode & 0o777 == 0o600
    assert kept["database"] == "bench_abc123" and kept["password"] == "pw"
    assert (kept["province"], kept["fraction"], kept["queries_before"]) == (True, 0.5, {"events API": 5})
    # The same made-up keys come back: the kept database's encrypted fields stay readable.
    again = server.base_environment(database.plan({}, token="abc123"), tmp_path, tmp_path / "static",
                                    keys=kept["keys"])
    assert {k: again[k] for k in server.KEYS} == {k: env[k] for k in server.KEYS}
    # Nothing else a kept file might hold reaches the server.
    assert server.base_environment(db, tmp_path, tmp_path, keys={"DATABASE_URL": "x"})["DATABASE_URL"] == db.url


def test_the_province_mode_and_its_arguments():
    from bench.http.runner import Mode, main

    assert (Mode(quick=False, province=True).scale, Mode(quick=True).scale, Mode(quick=False).scale) == (
        "province", "town", "city")
    assert Mode(quick=False, province=True).bulk_households == 1_000_000
    assert Mode(quick=False, province=True).seed_timeout > Mode(quick=False).seed_timeout
    for argv in (["--quick", "--province"], ["--fraction", "0.1"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2


def test_the_seed_summary_is_the_end_of_the_last_seed(tmp_path):
    from bench.http.runner import seed_summary

    log = tmp_path / "bench.log"
    log.write_text("$ gridgov migrate\nold\n$ gridgov seed_demo --scale province\n" + "\n".join(
        f"line {i}" for i in range(30)) + "\n")
    summary = seed_summary(log, lines=3).splitlines()
    assert summary == ["  seed| line 27", "  seed| line 28", "  seed| line 29"]
