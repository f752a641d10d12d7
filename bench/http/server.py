"""The production server for the benchmark: `gridgov serve` (gunicorn, gridgov/gunicorn_conf.py)
on a free loopback port, with production settings (GRIDGOV_DEBUG=0) and keys made up for this
run, on the throwaway database only; plus a small HTTP client (the standard library's) for
signing in, probing one request and reading the workers' memory."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

from bench.http import database

# Never passed on from the caller's environment: the user's database, keys, replica, cache,
# storage and broker stay out of the benchmark.
_DROPPED_PREFIXES = ("GRIDGOV_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")


# The keys a run makes up, kept with a --keep run's database so that --reuse can read its
# encrypted fields and verify its audit chain.
KEYS = ("GRIDGOV_SECRET_KEY", "GRIDGOV_FIELD_KEY", "GRIDGOV_AUDIT_KEY")


def base_environment(db: database.Throwaway, tmp: Path, static_root: Path,
                     keys: dict[str, str] | None = None) -> dict[str, str]:
    from cryptography.fernet import Fernet

    database.check(db, db.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES)}
    env.update({
        "DATABASE_URL": db.url,
        "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        "GRIDGOV_DEBUG": "0",  # production settings
        "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(48),
        "GRIDGOV_FIELD_KEY": Fernet.generate_key().decode(),
        "GRIDGOV_AUDIT_KEY": secrets.token_urlsafe(48),
        "GRIDGOV_HOME": str(tmp),  # var/ (cache, checkpoints) inside the throwaway folder
        "GRIDGOV_MEDIA_ROOT": str(tmp / "media"),
        "GRIDGOV_CACHE_DIR": str(tmp / "cache"),
        "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(tmp / "checkpoints"),
        "GRIDGOV_STATIC_ROOT": str(static_root),
        # Plain HTTP on loopback, as behind the TLS proxy of docs/deployment.md.
        "GRIDGOV_SSL_REDIRECT": "0",
        "GRIDGOV_SECURE_COOKIES": "0",
        "GRIDGOV_HSTS_SECONDS": "0",
        # The demo accounts have no second factor; `optional` asks it of whoever set one up.
        "GRIDGOV_OTP": "optional",
        # The 16 clients all come from 127.0.0.1 and stand for many residents: the per-address
        # throttle of the public feed still runs (its cost is measured) but never trips.
        "GRIDGOV_OPEN311_READ_RATE": "100000000/minute",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({k: v for k, v in (keys or {}).items() if k in KEYS})
    return env


def run_command(env: dict[str, str], *args: str, log: Path, timeout: float = 1800) -> None:
    """`gridgov ARGS` against the throwaway database; its output goes to `log`."""
    with open(log, "ab") as out:
        out.write(f"\n$ gridgov {' '.join(args)}\n".encode())
        out.flush()
        subprocess.run([sys.executable, "-m", "gridgov.cli", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                       check=True, timeout=timeout)


def start_command(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 - closed with the process (Server.stop)
    out.write(f"\n$ gridgov {' '.join(args)}\n".encode())
    out.flush()
    return subprocess.Popen([sys.executable, "-m", "gridgov.cli", *args], env=env, stdout=out,
                            stderr=subprocess.STDOUT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    def header_int(self, name: str) -> int | None:
        value = self.headers.get(name.lower())
        return int(value) if value is not None and value.isdigit() else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser or app: cookies kept, redirects not followed."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
                timeout: float = 120) -> Response:
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def csrf(self, path: str = "/login/") -> str:
        page = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or not found:
            raise RuntimeError(f"no sign-in form at {path} (HTTP {page.status})")
        return found.group(1).decode()


def form_body(fields: dict) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the real form; returns the session cookie."""
    client = Client(base)
    token = client.csrf()
    resp = client.request("POST", "/login/", body=form_body(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    session = client.cookie("sessionid")
    if resp.status != 302 or not session:
        raise RuntimeError(f"sign-in of {username} failed (HTTP {resp.status})")
    return session


def api_token(base: str, username: str, password: str) -> str:
    import json

    resp = Client(base).request("POST", "/api/v1/auth/token/", body=json.dumps(
        {"username": username, "password": password}).encode(), headers={"Content-Type": "application/json"})
    if resp.status not in (200, 201):
        raise RuntimeError(f"token of {username} refused (HTTP {resp.status}): {resp.body[:200]!r}")
    return json.loads(resp.body)["token"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the peak) of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0])
    return values


class Server:
    def __init__(self, env: dict[str, str], *, workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(env, GRIDGOV_BIND=f"127.0.0.1:{self.port}", GRIDGOV_WORKERS=str(workers),
                        GRIDGOV_THREADS="1",
                        # A recycled worker would reset its memory: the memory lines watch one worker.
                        GRIDGOV_MAX_REQUESTS="0",
                        GRIDGOV_BENCH_QUERY_HEADER="1")
        self.workers = workers
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        self.proc = start_command(self.env, "serve", log=self.log)
        deadline = time.monotonic() + timeout
        client = Client(self.base)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up (exit {self.proc.returncode}); see {self.log}")
            try:
                if client.request("GET", "/readyz", timeout=5).status == 200 and len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not become ready in {timeout:.0f} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        return _children(self.proc.pid) if self.proc else []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
