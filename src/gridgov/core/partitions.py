"""Monthly partitions of the append-only tables on PostgreSQL (issue 12, "PostgreSQL at scale").

Which tables, and why (docs/deployment.md, "Partition maintenance"):

- `core_auditentry` (by `at`), `core_notification` and `core_delivery` (by `created_at`) and
  `events_timelineentry` (by `at`) are declaratively partitioned by RANGE, one partition a month
  (months of `settings.TIME_ZONE`), plus a DEFAULT partition that catches a row of a month no
  partition covers yet. The database's primary key is `(id, <time>)`, as PostgreSQL requires;
  Django keeps `id` as the model's pk (ids still come from one identity sequence, so `id` stays
  unique in practice, and every ORM read by pk still works).
- A unique rule that cannot include the time column is kept in a narrow *key table* filled by
  a trigger in the same statement: the audit log's `(chain, seq)` and `hash` live in
  `core_auditentry_key` with their real unique indexes, so a second entry with the same place
  in a chain still fails with an IntegrityError, concurrently too.
- A foreign key into a partitioned table must name the whole key, so the referencing table
  gets a hidden copy of the referenced row's time (`events_photo.entry_at`,
  `core_delivery.notification_created_at`), filled by a trigger, and the foreign key becomes
  `(ref_id, ref_time) REFERENCES t (id, time) MATCH FULL`: a dangling id is refused as before.
  Django never sees these columns.
- `events_event` is not partitioned: see the docs.

`gridgov partitions` (and the task `gridgov.core.tasks.maintain_partitions`) keeps months
ahead, reports, and detaches old months only when asked, never audit months within the legal
retention. It uses pg_partman when that extension is installed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction

DEFAULT_AHEAD = 3
# Cybersecurity Law art. 21: network logs are kept at least six months (docs/security.md).
AUDIT_MIN_RETENTION_MONTHS = 6
_OLD = "__unpartitioned"
_PARTITIONED = "__partitioned"


@dataclass(frozen=True)
class Reference:
    """A foreign key into a partitioned table from `table.column`; `time_column` is the hidden
    copy of the referenced row's partition key."""

    table: str
    column: str
    time_column: str


@dataclass(frozen=True)
class KeyTable:
    """Unique rules that cannot include the partition key, kept in a plain table: the first
    tuple is its primary key, the others unique constraints."""

    table: str
    unique: tuple[tuple[str, ...], ...]

    @property
    def columns(self) -> tuple[str, ...]:
        seen: list[str] = []
        for group in self.unique:
            seen.extend(c for c in group if c not in seen)
        return tuple(seen)


@dataclass(frozen=True)
class PartitionedTable:
    table: str
    key: str
    references: tuple[Reference, ...] = ()
    key_table: KeyTable | None = None
    is_audit: bool = False


AUDIT = PartitionedTable(
    "core_auditentry", "at",
    key_table=KeyTable("core_auditentry_key", (("chain", "seq"), ("hash",))),
    is_audit=True,
)
NOTIFICATION = PartitionedTable(
    "core_notification", "created_at",
    references=(Reference("core_delivery", "notification_id", "notification_created_at"),),
)
DELIVERY = PartitionedTable("core_delivery", "created_at")
TIMELINE = PartitionedTable(
    "events_timelineentry", "at",
    references=(Reference("events_photo", "entry_id", "entry_at"),),
)
TABLES = (AUDIT, NOTIFICATION, DELIVERY, TIMELINE)
BY_NAME = {spec.table: spec for spec in TABLES}


# --- months -----------------------------------------------------------------------------------

def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_start(moment: dt.datetime | dt.date) -> dt.datetime:
    """The first instant of `moment`'s month in the server's time zone."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(local_zone())
        moment = moment.date()
    return dt.datetime(moment.year, moment.month, 1, tzinfo=local_zone())


def add_months(start: dt.datetime, months: int) -> dt.datetime:
    index = start.year * 12 + start.month - 1 + months
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=local_zone())


def partition_name(table: str, start: dt.datetime) -> str:
    return f"{table}_p{start.year:04d}{start.month:02d}"


def default_name(table: str) -> str:
    return f"{table}_default"


# --- introspection ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Partition:
    name: str
    lower: dt.datetime | None  # None for the default partition
    upper: dt.datetime | None
    rows: int
    exact: bool

    @property
    def is_default(self) -> bool:
        return self.lower is None


_BOUND = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


def is_postgresql(connection=None) -> bool:
    return (connection or default_connection).vendor == "postgresql"


def is_partitioned(table: str, connection=None) -> bool:
    with (connection or default_connection).cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace", [table])
        return cursor.fetchone() is not None


def partitions_of(table: str, *, exact: bool = False, connection=None) -> list[Partition]:
    """The partitions of `table`, oldest first and the default last, with their row counts
    (the planner's estimate unless `exact`)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass", [table])
        rows = cursor.fetchall()
        found = []
        for name, bound, estimate in rows:
            match = _BOUND.search(bound or "")
            lower = upper = None
            if match:
                cursor.execute("SELECT %s::timestamptz, %s::timestamptz", [match.group(1), match.group(2)])
                lower, upper = cursor.fetchone()
            count = max(estimate, 0)
            if exact:
                cursor.execute(f'SELECT count(*) FROM "{name}"')
                count = cursor.fetchone()[0]
            found.append(Partition(name, lower, upper, count, exact))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda p: (p.lower is None, p.lower or far))


def default_rows(connection=None) -> dict[str, int]:
    """The exact number of rows in each partitioned table's DEFAULT partition (rows of a month
    that has no partition: none, when the months are kept)."""
    connection = connection or default_connection
    if not is_postgresql(connection):
        return {}
    found = {}
    for spec in TABLES:
        if not is_partitioned(spec.table, connection):
            continue
        default = [p for p in partitions_of(spec.table, exact=True, connection=connection) if p.is_default]
        found[spec.table] = sum(p.rows for p in default)
    return found


def partman_schema(connection=None) -> str | None:
    """The schema of the pg_partman extension when it is installed in this database."""
    with (connection or default_connection).cursor() as cursor:
        cursor.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                       "WHERE e.extname = 'pg_partman'")
        row = cursor.fetchone()
    return row[0] if row else None


def _columns(cursor, table: str) -> dict[str, str]:
    cursor.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", [table])
    return dict(cursor.fetchall())


def _table_ddl(cursor, table: str):
    """The indexes (not backing a constraint) and the unique, foreign-key and exclusion
    constraints of `table`, as DDL that recreates them under the same names."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique, "
        "  ARRAY(SELECT a.attname FROM unnest(x.indkey) k JOIN pg_attribute a "
        "        ON a.attrelid = x.indrelid AND a.attnum = k) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
        "                AND c.conrelid = x.indrelid)", [table])
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid), "
        "  ARRAY(SELECT a.attname FROM unnest(c.conkey) k JOIN pg_attribute a "
        "        ON a.attrelid = c.conrelid AND a.attnum = k) "
        "FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'f', 'x') "
        "AND c.conparentid = 0 ORDER BY c.conname", [table])
    constraints = cursor.fetchall()
    return indexes, constraints


def _incoming(cursor, table: str):
    cursor.execute(
        "SELECT c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'f' AND c.confrelid = %s::regclass AND c.conrelid <> c.confrelid "
        "AND c.conparentid = 0", [table])
    return cursor.fetchall()


def _reset_identity(cursor, table: str) -> None:
    cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute(f'SELECT setval(%s, coalesce(max(id), 1), max(id) IS NOT NULL) FROM "{table}"', [sequence])
    wanted = f"{table}_id_seq"
    if sequence.split(".")[-1].strip('"') != wanted:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {wanted}")


# --- partitions -------------------------------------------------------------------------------

def _create_month(cursor, spec: PartitionedTable, start: dt.datetime) -> str:
    """Create the partition of the month starting at `start`; rows of that month already in
    the default partition move into it in the same transaction, ids kept, the foreign keys
    pointing at them dropped meanwhile and added back (so checked again). Call it with the
    constraints immediate (`_no_pending`): PostgreSQL refuses DDL on a table with pending
    deferred checks."""
    end = add_months(start, 1)
    name = partition_name(spec.table, start)
    default = default_name(spec.table)
    cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s AND relnamespace = current_schema()::regnamespace",
                   [default])
    moving = False
    if cursor.fetchone():
        cursor.execute(f'SELECT 1 FROM "{default}" WHERE "{spec.key}" >= %s AND "{spec.key}" < %s LIMIT 1',
                       [start, end])
        moving = cursor.fetchone() is not None
    incoming = []
    if moving:
        incoming = _incoming(cursor, spec.table)
        for fk_name, table, _definition in incoming:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{fk_name}"')
        cursor.execute(f'CREATE TEMPORARY TABLE "_moving_{name}" ON COMMIT DROP AS SELECT * FROM "{default}" '
                       f'WHERE "{spec.key}" >= %s AND "{spec.key}" < %s', [start, end])
        cursor.execute(f'DELETE FROM "{default}" WHERE "{spec.key}" >= %s AND "{spec.key}" < %s', [start, end])
    cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{spec.table}" '
                   f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
    if moving:
        cursor.execute(f'INSERT INTO "{spec.table}" OVERRIDING SYSTEM VALUE SELECT * FROM "_moving_{name}"')
        cursor.execute(f'DROP TABLE "_moving_{name}"')
    for fk_name, table, definition in incoming:
        cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{fk_name}" {definition}')
    return name


class _no_pending:
    """Check the deferred constraints now (PostgreSQL allows no DDL on a table with pending
    checks), and defer them again afterwards, as Django declares them."""

    def __init__(self, cursor):
        self.cursor = cursor

    def __enter__(self):
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return self.cursor

    def __exit__(self, *exc_info):
        if exc_info[0] is None:
            self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _covered(partitions: list[Partition], start: dt.datetime) -> bool:
    end = add_months(start, 1)
    return any(p.lower is not None and p.lower < end and start < p.upper for p in partitions)


def ensure_partitions(*, ahead: int = DEFAULT_AHEAD, now: dt.datetime | None = None,
                      since: dt.datetime | dt.date | None = None, connection=None) -> list[str]:
    """Create the missing monthly partitions from this month to `ahead` months ahead, for every
    partitioned table (through pg_partman when installed). With `since`, the past months from
    `since`'s month up to this one too (always as our own partitions: a bulk load of history,
    such as the province seed, then writes no row into the default partition). Idempotent;
    returns what it created."""
    connection = connection or default_connection
    if not is_postgresql(connection):
        return []
    now = now or dt.datetime.now(dt.UTC)
    first = month_start(now)
    past: list[dt.datetime] = []
    if since is not None:
        month = month_start(since)
        while month < first:
            past.append(month)
            month = add_months(month, 1)
    created: list[str] = []
    schema = partman_schema(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor, _no_pending(cursor):
        for spec in TABLES:
            if not is_partitioned(spec.table, connection):
                continue
            if past:
                existing = partitions_of(spec.table, connection=connection)
                created.extend(_create_month(cursor, spec, start) for start in past if not _covered(existing, start))
            if schema is not None:
                created.extend(_partman_maintain(cursor, schema, spec, ahead=ahead, first=first, connection=connection))
                continue
            existing = partitions_of(spec.table, connection=connection)
            for offset in range(ahead + 1):
                start = add_months(first, offset)
                if not _covered(existing, start):
                    created.append(_create_month(cursor, spec, start))
    return created


def _partman_maintain(cursor, schema, spec, *, ahead, first, connection) -> list[str]:
    # pg_partman cuts months in the session's time zone: ours, for the length of the call.
    cursor.execute("SHOW TIME ZONE")
    zone = cursor.fetchone()[0]
    cursor.execute(f"SET TIME ZONE '{settings.TIME_ZONE}'")
    try:
        return _partman_run(cursor, schema, spec, ahead=ahead, first=first, connection=connection)
    finally:
        cursor.execute(f"SET TIME ZONE '{zone}'")


def _partman_run(cursor, schema, spec, *, ahead, first, connection) -> list[str]:
    before = {p.name for p in partitions_of(spec.table, connection=connection)}
    parent = f"{_current_schema(cursor)}.{spec.table}"
    cursor.execute(f'SELECT 1 FROM "{schema}".part_config WHERE parent_table = %s', [parent])
    if cursor.fetchone() is None:
        existing = partitions_of(spec.table, connection=connection)
        ranged = [p for p in existing if not p.is_default]
        start = max((p.upper for p in ranged), default=first)
        # Our own months stay as they are; pg_partman takes over from the first month after them.
        begin = start.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M:%S%z")
        cursor.execute("SELECT pg_get_function_arguments(p.oid) FROM pg_proc p WHERE p.proname = 'create_parent' "
                       "AND p.pronamespace = %s::regnamespace", [schema])
        if "p_default_table" in cursor.fetchone()[0]:  # pg_partman 5: our default partition stays the one
            cursor.execute(
                f'SELECT "{schema}".create_parent(p_parent_table := %s, p_control := %s, p_interval := %s, '
                f"p_type := 'range', p_premake := %s, p_start_partition := %s, p_default_table := false, "
                f"p_jobmon := false)", [parent, spec.key, "1 month", ahead, begin])
        else:  # pg_partman 4 makes its own default partition, under the same name as ours
            default = default_name(spec.table)
            cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{default}"')
            cursor.execute(f'ALTER TABLE "{default}" RENAME TO "{default}_before_partman"')
            cursor.execute(
                f'SELECT "{schema}".create_parent(p_parent_table := %s, p_control := %s, p_type := %s, '
                f"p_interval := %s, p_premake := %s, p_start_partition := %s, p_jobmon := false)",
                [parent, spec.key, "native", "monthly", ahead, begin])
            cursor.execute(f'INSERT INTO "{spec.table}" OVERRIDING SYSTEM VALUE '
                           f'SELECT * FROM "{default}_before_partman"')
            cursor.execute(f'DROP TABLE "{default}_before_partman"')
    # Months ahead of today, whether or not the table has rows yet.
    cursor.execute(f'UPDATE "{schema}".part_config SET premake = GREATEST(premake, %s), '
                   f"infinite_time_partitions = true WHERE parent_table = %s", [ahead, parent])
    cursor.execute(f'SELECT "{schema}".run_maintenance(p_parent_table := %s)', [parent])
    after = {p.name for p in partitions_of(spec.table, connection=connection)}
    return sorted(after - before)


def _current_schema(cursor) -> str:
    cursor.execute("SELECT current_schema()")
    return cursor.fetchone()[0]


class RetentionError(ValueError):
    pass


def detach_partitions(*, before: dt.date, drop: bool = False, include_audit: bool = False,
                      tables: list[str] | None = None, now: dt.datetime | None = None,
                      connection=None) -> list[str]:
    """Detach (and with `drop`, drop) every monthly partition wholly before `before`.

    The audit log is left alone unless `include_audit`, and even then no audit month within
    the legal retention (six months, or `GRIDGOV_AUDIT_RETENTION_MONTHS` if longer) is touched:
    asking for one raises RetentionError and changes nothing. Audit months are detached, never
    dropped, here: the detached table is the archive (`audit verify` then starts from a
    checkpoint, docs/deployment.md)."""
    connection = connection or default_connection
    if not is_postgresql(connection):
        return []
    cut = month_start(before)
    if cut.date() != before:
        raise ValueError(f"{before} is not the first day of a month")
    now = now or dt.datetime.now(dt.UTC)
    if cut > month_start(now):
        raise ValueError(f"{before} is after this month's start: this month and later ones are never detached")
    retention = max(AUDIT_MIN_RETENTION_MONTHS, int(getattr(settings, "GRIDGOV_AUDIT_RETENTION_MONTHS", 0) or 0))
    audit_limit = add_months(month_start(now), -retention)
    chosen = [BY_NAME[name] for name in tables] if tables else list(TABLES)
    # Deliveries reference notifications: detach the referencing table first.
    chosen.sort(key=lambda spec: 0 if spec is DELIVERY else 1)
    done: list[str] = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor, _no_pending(cursor):
        for spec in chosen:
            if spec.is_audit:
                if not include_audit:
                    continue
                if cut > audit_limit:
                    raise RetentionError(
                        f"audit entries are kept {retention} months: nothing before "
                        f"{audit_limit.date()} may be detached, {before} asked")
            if not is_partitioned(spec.table, connection):
                continue
            for part in partitions_of(spec.table, connection=connection):
                if part.is_default or part.upper > cut:
                    continue
                # An audit month's keys stay in its key table: an archived (chain, seq) or
                # seal is never given out again, and the archive can be attached back as it is.
                cursor.execute(f'ALTER TABLE "{spec.table}" DETACH PARTITION "{part.name}"')
                if drop and not spec.is_audit:
                    cursor.execute(f'DROP TABLE "{part.name}"')
                done.append(part.name)
    return done


# --- conversion (migrations) ------------------------------------------------------------------

def _months_with_rows(cursor, table: str, key: str) -> list[dt.datetime]:
    cursor.execute(f'SELECT DISTINCT date_trunc(\'month\', "{key}" AT TIME ZONE %s) FROM "{table}"',
                   [settings.TIME_ZONE])
    return sorted(month_start(row[0].replace(tzinfo=local_zone())) for row in cursor.fetchall())


def partition_table(connection, spec: PartitionedTable, *, ahead: int = DEFAULT_AHEAD,
                    now: dt.datetime | None = None) -> None:
    """Turn the plain table of `spec` into a table partitioned by month, keeping its rows, ids,
    indexes, constraints and the foreign keys pointing at it. Run inside the migration's
    transaction; a no-op when already done."""
    t, k = spec.table, spec.key
    old = f"{t}{_OLD}"
    with connection.cursor() as cursor, _no_pending(cursor):
        if is_partitioned(t, connection):
            return
        indexes, constraints = _table_ddl(cursor, t)
        incoming = _incoming(cursor, t)
        expected = {(ref.table, ref.column) for ref in spec.references}
        for name, table, definition in incoming:
            column = re.match(r"FOREIGN KEY \((\w+)\)", definition).group(1)
            if (table, column) not in expected:
                raise RuntimeError(f"{table}.{column} references {t}: declare it in partitions.{spec.table}")
        key_unique = {tuple(group) for group in (spec.key_table.unique if spec.key_table else ())}
        months = _months_with_rows(cursor, t, k)

        cursor.execute(f'ALTER TABLE "{t}" RENAME TO "{old}"')
        cursor.execute(
            f'CREATE TABLE "{t}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS '
            f'INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ("{k}")')
        first = month_start(now or dt.datetime.now(dt.UTC))
        wanted = sorted(set(months) | {add_months(first, n) for n in range(ahead + 1)})
        for start in wanted:
            _create_month(cursor, spec, start)
        cursor.execute(f'CREATE TABLE "{default_name(t)}" PARTITION OF "{t}" DEFAULT')
        cursor.execute(f'INSERT INTO "{t}" OVERRIDING SYSTEM VALUE SELECT * FROM "{old}"')
        for name, table, _definition in incoming:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        cursor.execute(f'DROP TABLE "{old}"')
        _reset_identity(cursor, t)

        cursor.execute(f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_pkey" PRIMARY KEY (id, "{k}")')
        kept = []
        for name, definition, unique, columns in indexes:
            if unique and k not in columns:
                raise RuntimeError(f"unique index {name} of {t} lacks {k}: keep it in a key table")
            cursor.execute(definition)
        for name, kind, definition, columns in constraints:
            if kind in ("u", "x") and k not in columns:
                if tuple(columns) not in key_unique:
                    raise RuntimeError(f"unique constraint {name} of {t} lacks {k}: keep it in a key table")
                kept.append([name, definition])
                continue
            cursor.execute(f'ALTER TABLE "{t}" ADD CONSTRAINT "{name}" {definition}')
        if spec.key_table is not None:
            _create_key_table(cursor, spec, kept)
        names = {table: name for name, table, _definition in incoming}
        for ref in spec.references:
            if ref.table in names:
                _point_reference(cursor, spec, ref, names[ref.table])


def _create_key_table(cursor, spec: PartitionedTable, constraints: list[list[str]]) -> None:
    t, k, keys = spec.table, spec.key, spec.key_table
    types = _columns(cursor, t)
    columns = (*keys.columns, k)
    body = ", ".join(f'"{c}" {types[c]} NOT NULL' for c in columns)
    primary, *others = keys.unique
    cols = ", ".join(f'"{c}"' for c in primary)
    cursor.execute(f'CREATE TABLE "{keys.table}" ({body}, CONSTRAINT "{keys.table}_pkey" PRIMARY KEY ({cols}))')
    for n, group in enumerate(others):
        cols = ", ".join(f'"{c}"' for c in group)
        cursor.execute(f'ALTER TABLE "{keys.table}" ADD CONSTRAINT "{keys.table}_u{n + 1}" UNIQUE ({cols})')
    # What the unique constraints of the plain table were, to put them back on reversal.
    note = json.dumps({"partitioned": t, "constraints": constraints}).replace("'", "''")
    cursor.execute(f"COMMENT ON TABLE \"{keys.table}\" IS '{note}'")
    names = ", ".join(f'"{c}"' for c in columns)
    cursor.execute(f'INSERT INTO "{keys.table}" ({names}) SELECT {names} FROM "{t}"')
    match_old = " AND ".join(f'"{c}" = OLD."{c}"' for c in primary)
    new_values = ", ".join(f'NEW."{c}"' for c in columns)
    cursor.execute(f"""
        CREATE FUNCTION "{keys.table}_sync"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                DELETE FROM "{keys.table}" WHERE {match_old};
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO "{keys.table}" ({names}) VALUES ({new_values});
            END IF;
            RETURN NULL;
        END $$""")
    cursor.execute(f'CREATE TRIGGER "{keys.table}_sync" AFTER INSERT OR UPDATE OR DELETE ON "{t}" '
                   f'FOR EACH ROW EXECUTE FUNCTION "{keys.table}_sync"()')
    cursor.execute(f"""
        CREATE FUNCTION "{keys.table}_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            TRUNCATE "{keys.table}";
            RETURN NULL;
        END $$""")
    cursor.execute(f'CREATE TRIGGER "{keys.table}_truncate" AFTER TRUNCATE ON "{t}" '
                   f'FOR EACH STATEMENT EXECUTE FUNCTION "{keys.table}_truncate"()')


def _point_reference(cursor, spec: PartitionedTable, ref: Reference, name: str) -> None:
    t, k = spec.table, spec.key
    cursor.execute(f'ALTER TABLE "{ref.table}" ADD COLUMN "{ref.time_column}" timestamp with time zone NULL')
    cursor.execute(f'UPDATE "{ref.table}" r SET "{ref.time_column}" = p."{k}" FROM "{t}" p '
                   f'WHERE p.id = r."{ref.column}"')
    function = f"{ref.table}_{ref.time_column}_fill"
    cursor.execute(f"""
        CREATE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW."{ref.column}" IS NULL THEN
                NEW."{ref.time_column}" := NULL;
            ELSIF TG_OP = 'INSERT' OR NEW."{ref.column}" IS DISTINCT FROM OLD."{ref.column}"
                  OR NEW."{ref.time_column}" IS NULL THEN
                NEW."{ref.time_column}" := (SELECT p."{k}" FROM "{t}" p WHERE p.id = NEW."{ref.column}");
            END IF;
            RETURN NEW;
        END $$""")
    cursor.execute(f'CREATE TRIGGER "{function}" BEFORE INSERT OR UPDATE ON "{ref.table}" '
                   f'FOR EACH ROW EXECUTE FUNCTION "{function}"()')
    # MATCH FULL: an id whose row does not exist leaves the time NULL, which is refused.
    cursor.execute(f'ALTER TABLE "{ref.table}" ADD CONSTRAINT "{name}" FOREIGN KEY ("{ref.column}", '
                   f'"{ref.time_column}") REFERENCES "{t}" (id, "{k}") MATCH FULL DEFERRABLE INITIALLY DEFERRED')


def unpartition_table(connection, spec: PartitionedTable) -> None:
    """The reverse of `partition_table`: one plain table again, with the original unique
    constraints and simple foreign keys. A no-op on a plain table."""
    t = spec.table
    old = f"{t}{_PARTITIONED}"
    with connection.cursor() as cursor, _no_pending(cursor):
        if not is_partitioned(t, connection):
            return
        indexes, constraints = _table_ddl(cursor, t)
        incoming = {table: name for name, table, _definition in _incoming(cursor, t)}
        restored: list[list[str]] = []
        for ref in spec.references:
            function = f"{ref.table}_{ref.time_column}_fill"
            cursor.execute(f'ALTER TABLE "{ref.table}" DROP CONSTRAINT "{incoming[ref.table]}"')
            cursor.execute(f'DROP TRIGGER "{function}" ON "{ref.table}"')
            cursor.execute(f'DROP FUNCTION "{function}"()')
            cursor.execute(f'ALTER TABLE "{ref.table}" DROP COLUMN "{ref.time_column}"')
        if spec.key_table is not None:
            keys = spec.key_table.table
            cursor.execute(f"SELECT obj_description('\"{keys}\"'::regclass, 'pg_class')")
            restored = json.loads(cursor.fetchone()[0])["constraints"]
            cursor.execute(f'DROP TRIGGER "{keys}_sync" ON "{t}"')
            cursor.execute(f'DROP TRIGGER "{keys}_truncate" ON "{t}"')
            cursor.execute(f'DROP FUNCTION "{keys}_sync"()')
            cursor.execute(f'DROP FUNCTION "{keys}_truncate"()')
            cursor.execute(f'DROP TABLE "{keys}"')
        cursor.execute(f'ALTER TABLE "{t}" RENAME TO "{old}"')
        cursor.execute(f'CREATE TABLE "{t}" (LIKE "{old}" INCLUDING DEFAULTS INCLUDING IDENTITY '
                       f"INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)")
        cursor.execute(f'INSERT INTO "{t}" OVERRIDING SYSTEM VALUE SELECT * FROM "{old}"')
        cursor.execute(f'DROP TABLE "{old}"')
        _reset_identity(cursor, t)
        cursor.execute(f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_pkey" PRIMARY KEY (id)')
        for _name, definition, _unique, _columns_ in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))
        for name, definition in restored:
            cursor.execute(f'ALTER TABLE "{t}" ADD CONSTRAINT "{name}" {definition}')
        for name, _kind, definition, _columns_ in constraints:
            cursor.execute(f'ALTER TABLE "{t}" ADD CONSTRAINT "{name}" {definition}')
        for ref in spec.references:
            cursor.execute(f'ALTER TABLE "{ref.table}" ADD CONSTRAINT "{incoming[ref.table]}" FOREIGN KEY '
                           f'("{ref.column}") REFERENCES "{t}" (id) DEFERRABLE INITIALLY DEFERRED')


def migration_operations(*specs: PartitionedTable):
    """RunPython operations for a migration: partition each table on PostgreSQL (in order),
    unpartition on reversal; nothing on SQLite. The Django state is unchanged."""
    from django.db import migrations

    def forward(spec):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                partition_table(schema_editor.connection, spec)
        return run

    def backward(spec):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                unpartition_table(schema_editor.connection, spec)
        return run

    return [migrations.RunPython(forward(spec), backward(spec)) for spec in specs]
