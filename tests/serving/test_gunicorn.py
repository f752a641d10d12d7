"""Issue 12: the production server, for real. `gridgov serve` starts gunicorn on a free port
with the production settings (GRIDGOV_DEBUG=0, throwaway keys, static files collected with
the production storage) against a database of this run (PostgreSQL's test database when the
suite runs on PostgreSQL, a fresh SQLite file otherwise), behind the headers nginx sends."""

from __future__ import annotations

import gzip
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import brotli
import pytest
from cryptography.fernet import Fernet

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
# The sign-in page needs only gridgov's own files and htmx; the admin's, DRF's and the API
# docs' (20 MB) would add a minute of compression to the test.
NOT_COLLECTED = ["admin", "rest_framework", "drf_spectacular_sidecar"]
HASHED_CSS = "/static/gridgov/css/app."
TEN_YEARS = 315360000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp: Path) -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        # pytest-django's test database (migrated by django_db_setup)
        return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp / 'serving.sqlite3'}"


def _environment(tmp: Path, database_url: str, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_SETTINGS_MODULE"))}
    env.update({
        "GRIDGOV_DEBUG": "0",
        "GRIDGOV_HOME": str(tmp),
        "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(48),
        "GRIDGOV_FIELD_KEY": Fernet.generate_key().decode(),
        "GRIDGOV_AUDIT_KEY": secrets.token_urlsafe(48),
        "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(tmp / "checkpoints"),
        "GRIDGOV_STATIC_ROOT": str(tmp / "static"),
        "GRIDGOV_MEDIA_ROOT": str(tmp / "media"),
        "GRIDGOV_SECURE_PROXY_HEADER": "1",  # as behind nginx (docs/deployment.md)
        "GRIDGOV_BIND": f"127.0.0.1:{port}",
        "GRIDGOV_WORKERS": "2",
        "GRIDGOV_ACCESS_LOG": "1",
        "DATABASE_URL": database_url,
    })
    return env


class Server:
    def __init__(self, port: int, log: Path, process: subprocess.Popen):
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self.process = process

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.base + path, headers={"X-Forwarded-Proto": "https", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def log_lines(self) -> list[str]:
        return [line for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _start(tmp: Path, env: dict, name: str) -> Server:
    port = int(env["GRIDGOV_BIND"].rsplit(":", 1)[1])
    log = tmp / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([GRIDGOV, "serve"], env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, log, process)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gridgov serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if server.get("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    _stop(server)
    pytest.fail(f"gunicorn did not answer within 90 s:\n{log.read_text()}")


def _stop(server: Server) -> None:
    server.process.terminate()  # SIGTERM: gunicorn's graceful shutdown
    try:
        server.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, django_db_setup, django_db_blocker):
    tmp = tmp_path_factory.mktemp("serving")
    env = _environment(tmp, _database_url(tmp), _free_port())
    # The deployment steps of docs/deployment.md: migrate, collect the static files, serve.
    if env["DATABASE_URL"].startswith("sqlite"):
        subprocess.run([GRIDGOV, "migrate", "--no-input", "-v0"], env=env, cwd=tmp, check=True)
    ignore = [arg for pattern in NOT_COLLECTED for arg in ("-i", pattern)]
    subprocess.run([GRIDGOV, "collectstatic", "--no-input", "-v0", *ignore], env=env, cwd=tmp, check=True)
    return tmp, env


@pytest.fixture(scope="module")
def server(deployment):
    tmp, env = deployment
    running = _start(tmp, env, "gunicorn")
    yield running
    _stop(running)


def test_healthz_and_readyz_answer(server):
    health = server.get("/healthz")
    ready = server.get("/readyz")

    assert health[0] == 200 and json.loads(health[2]) == {"status": "ok"}
    assert ready[0] == 200
    assert json.loads(ready[2])["checks"] == {"database": "ok", "cache": "ok", "migrations": "ok", "tasks": "ok"}


def test_the_sign_in_page_renders_with_hashed_static_files_and_the_security_headers(server):
    status, headers, body = server.get("/login/", {"Accept-Language": "en"})

    page = body.decode()
    assert status == 200
    assert 'name="username"' in page and 'name="password"' in page
    assert HASHED_CSS in page and '/static/gridgov/css/app.css"' not in page
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_hashed_static_file_is_served_compressed_with_a_far_future_cache(server):
    page = server.get("/login/")[2].decode()
    start = page.index(HASHED_CSS)
    url = page[start:page.index('"', start)]

    plain = server.get(url, {"Accept-Encoding": "identity"})
    br = server.get(url, {"Accept-Encoding": "br, gzip"})
    gz = server.get(url, {"Accept-Encoding": "gzip"})

    assert plain[0] == br[0] == gz[0] == 200
    assert br[1]["Content-Encoding"] == "br" and gz[1]["Content-Encoding"] == "gzip"
    assert brotli.decompress(br[2]) == gzip.decompress(gz[2]) == plain[2]
    assert len(br[2]) < len(plain[2]) / 2
    for _status, headers, _body in (plain, br, gz):
        assert f"max-age={TEN_YEARS}" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
        assert "Accept-Encoding" in headers["Vary"]
    # a name without its hash may change: cached briefly only
    unhashed = server.get("/static/gridgov/css/app.css")
    assert "immutable" not in unhashed[1]["Cache-Control"]


def test_the_logs_are_json_lines_that_join_up_and_carry_no_path_tokens(server):
    status, headers, _body = server.get("/track/A-SECRET-TRACKING-TOKEN/", {"X-Request-ID": "probe-0123456789"})
    server.get("/readyz")
    time.sleep(0.5)  # let the workers' lines reach the file

    records = [json.loads(line) for line in server.log_lines()]  # every line is JSON

    assert status == 404 and headers["X-Request-ID"] == "probe-0123456789"
    assert any(r["logger"] == "gunicorn.error" and r["message"].startswith("Listening at") for r in records)
    app = [r for r in records if r["logger"] == "gridgov.request" and r.get("request_id") == "probe-0123456789"]
    access = [r for r in records if r["logger"] == "gunicorn.access" and r.get("request_id") == "probe-0123456789"]
    assert [(r["path"], r["status"], r["user_id"]) for r in app] == [("/track/<str:token>/", 404, None)]
    assert [(r["method"], r["status"]) for r in access] == [("GET", 404)]
    assert any(r["logger"] == "gridgov.request" and r["path"] == "/readyz" and r["status"] == 200 for r in records)
    assert "A-SECRET-TRACKING-TOKEN" not in server.log.read_text(encoding="utf-8")


def test_without_its_database_the_server_is_alive_but_not_ready(deployment):
    tmp, env = deployment
    down = dict(env, DATABASE_URL=f"sqlite:///{tmp / 'no-such-directory' / 'db.sqlite3'}",
                GRIDGOV_BIND=f"127.0.0.1:{_free_port()}")
    server = _start(tmp, down, "gunicorn-no-database")
    try:
        health = server.get("/healthz")
        ready = server.get("/readyz")
    finally:
        _stop(server)

    assert health[0] == 200
    assert ready[0] == 503
    body = json.loads(ready[2])
    assert body["status"] == "failed" and "database" in body["failed"]
    assert "no-such-directory" not in ready[2].decode()


def test_serve_refuses_to_start_before_the_static_files_are_collected(tmp_path):
    env = _environment(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", _free_port())
    env["LANGUAGE"] = env["LANG"] = "C"

    result = subprocess.run([GRIDGOV, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert result.returncode != 0
    assert "gridgov collectstatic" in result.stderr
