"""The throwaway PostgreSQL database: made on the server that GRIDGOV_BENCH_DATABASE_URL or
DATABASE_URL names (127.0.0.1:5432 by default), under a fresh name `bench_<random>`, and
dropped at the end. The user's own database is never opened, only the server's `postgres`
maintenance database, to create and drop the throwaway one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
PREFIX = "bench_"


class NotThrowaway(RuntimeError):
    """The harness was about to open a database it did not make."""


@dataclass(frozen=True)
class Throwaway:
    url: str  # the throwaway database, as DATABASE_URL for the server and the setup commands
    name: str
    maintenance_url: str  # the same server's `postgres` database (create, drop, statistics)
    user_database: str  # the name in the user's URL, never touched


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def server_url(environ) -> str:
    url = environ.get("GRIDGOV_BENCH_DATABASE_URL") or environ.get("DATABASE_URL") or DEFAULT_SERVER
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        # A SQLite DATABASE_URL says nothing about a PostgreSQL server: use the local one.
        url = environ.get("GRIDGOV_BENCH_DATABASE_URL") or DEFAULT_SERVER
    return url


def plan(environ, *, token: str | None = None) -> Throwaway:
    """Where the throwaway database will be: same server and credentials, a new name."""
    url = server_url(environ)
    user_database = urlsplit(url).path.lstrip("/")
    name = PREFIX + (token or secrets.token_hex(6))
    if name == user_database or not name.startswith(PREFIX):
        raise NotThrowaway(name)
    return Throwaway(url=_with_database(url, name), name=name, maintenance_url=_with_database(url, "postgres"),
                     user_database=user_database)


def check(db: Throwaway, url: str) -> None:
    """Refuse any URL but the throwaway one (the guard before every command that writes)."""
    if urlsplit(url).path.lstrip("/") != db.name or not db.name.startswith(PREFIX) or db.name == db.user_database:
        raise NotThrowaway(url)


def connect(url: str, **kwargs):
    import psycopg

    return psycopg.connect(url, autocommit=True, **kwargs)


def create(db: Throwaway) -> None:
    from psycopg import sql

    with connect(db.maintenance_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))


def drop(db: Throwaway) -> None:
    from psycopg import sql

    if not db.name.startswith(PREFIX) or db.name == db.user_database:
        raise NotThrowaway(db.name)
    with connect(db.maintenance_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name)))
