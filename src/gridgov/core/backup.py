"""Backup and restore of the configured database, whole (`gridgov backup` / `gridgov restore`).

PostgreSQL through `pg_dump --format=custom` and `pg_restore`, SQLite through its online
backup API (a consistent copy while the app keeps running). The connection comes from
DATABASES; a password goes to the client tools in PGPASSWORD, never on their command line,
where any user of the machine could read it. Encrypted fields stay encrypted in the backup:
a restore needs the same GRIDGOV_FIELD_KEY (and GRIDGOV_AUDIT_KEY for `audit verify`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_DUMP_MAGIC = b"PGDMP"
# libpq reads these from the environment (https://www.postgresql.org/docs/current/libpq-envars.html).
_PG_ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT", "passfile": "PGPASSFILE", "service": "PGSERVICE",
}


class BackupError(DomainError):
    pass


def _vendor() -> str:
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise BackupError(_("Backup and restore support PostgreSQL and SQLite only."))
    return connection.vendor


def _pg_env() -> dict:
    env = os.environ.copy()
    settings_dict = connection.settings_dict
    for key, var in _PG_ENV.items():
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    for option, var in _PG_OPTION_ENV.items():
        if settings_dict.get("OPTIONS", {}).get(option):
            env[var] = str(settings_dict["OPTIONS"][option])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(_("%(tool)s was not found: install the PostgreSQL client tools.") % {"tool": name})
    return found


def _run(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": Path(args[0]).name, "error": result.stderr.strip()[-2000:]}
        )


# Drops every schema the app's objects may be in, then makes `public` again (the dump does not).
_EMPTY_DATABASE = """
DO $$ DECLARE s text; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
  LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); END LOOP;
END $$;
CREATE SCHEMA public;
"""


def _pg_restore_replacing(path: Path) -> None:
    """Restore over a database that holds tables: empty it and load the backup in one
    transaction (psql), all or nothing. `pg_restore --clean` cannot: it drops the keys of a
    partitioned table's partitions one by one, which PostgreSQL refuses (core.partitions)."""
    import tempfile

    env = _pg_env()
    with tempfile.TemporaryFile() as dump_errors, tempfile.TemporaryFile() as load_errors:
        script = subprocess.Popen([_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
                                  stdout=subprocess.PIPE, stderr=dump_errors, env=env)
        load = subprocess.Popen(
            [_tool("psql"), "--no-password", "--quiet", "--no-psqlrc", "--single-transaction",
             "--set=ON_ERROR_STOP=1", f"--dbname={connection.settings_dict['NAME']}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=load_errors, env=env)
        try:
            load.stdin.write(_EMPTY_DATABASE.encode())
            shutil.copyfileobj(script.stdout, load.stdin)
            load.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped on an error: reported below
        script.stdout.close()
        results = [("pg_restore", script.wait(), dump_errors), ("psql", load.wait(), load_errors)]
        for tool, code, errors in results:
            if code != 0:
                errors.seek(0)
                raise BackupError(_("%(tool)s failed: %(error)s") % {
                    "tool": tool, "error": errors.read().decode(errors="replace").strip()[-2000:]})


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def database_backup(*, path: Path | str, overwrite: bool = False) -> Path:
    """Write a backup of the whole database to `path` (complete, or not at all)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(_("%(path)s exists already; choose another file.") % {"path": path})
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _vendor() == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}"])
        else:
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        partial.chmod(0o600)  # it holds everything, ciphertext and hashes included
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def database_restore(*, path: Path | str, force: bool = False) -> None:
    """Replace the configured database with the backup at `path`.

    Refused when the database already holds tables, unless `force`: a restore replaces
    everything in it. Run it with the app stopped.
    """
    path = Path(path)
    try:
        with path.open("rb") as backup:
            magic = backup.read(16)
    except OSError as exc:
        raise BackupError(_("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}) from exc
    vendor = _vendor()
    expected = _PG_DUMP_MAGIC if vendor == "postgresql" else _SQLITE_MAGIC
    if not magic.startswith(expected):
        raise BackupError(_("%(path)s is not a backup of a %(vendor)s database.") % {"path": path, "vendor": vendor})
    empty = database_is_empty()
    if not empty and not force:
        raise BackupError(
            _("The database is not empty; a restore would replace everything in it. Pass --force to do so.")
        )
    if vendor == "postgresql":
        connection.close()
        args = [_tool("pg_restore"), "--no-password", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}"]
        if empty:
            _run(args + [str(path)])
        else:
            _pg_restore_replacing(path)
    else:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(_("%(path)s is damaged.") % {"path": path})
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
