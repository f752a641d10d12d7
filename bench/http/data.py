"""Bulk rows for the deep lists and the large export, written in SQL on the server itself
(INSERT … SELECT over generate_series: no row crosses the wire), after the demo is seeded.

The new events copy the demo's own events (every column the table has today, so that the
bulk rows keep up with the schema), with a new code and public token, a time spread over the
two years before now in id order, and 199 in 200 closed: a county's history. Every 200th
copies one of the demo's open events (status, step and its deadline), so the bulk adds 0.5 %
of open work, a little more than the issue's city (1,320 open of a million)."""

from __future__ import annotations

from psycopg import sql

# Columns that a bulk event does not copy from its template, with what it gets instead
# (`g` is the row's number, `t` the template, `at` the row's time).
EVENT_OVERRIDES = {
    "code": "'BENCH-' || lpad((g + %(offset)s::int)::text, 9, '0')",
    "public_token": "'bench' || (g + %(offset)s::int)::text || substr(md5(g::text), 1, 20)",
    "created_at": "at",
    "updated_at": "at",
    "status": "CASE WHEN mod(g, 200) = 0 THEN t.status ELSE 'closed' END",
    "closed_at": "CASE WHEN mod(g, 200) = 0 THEN t.closed_at ELSE at + interval '2 days' END",
    "closed_on_time": "CASE WHEN mod(g, 200) = 0 THEN t.closed_on_time ELSE mod(g, 10) <> 0 END",
    "handle_deadline": "at + interval '5 days'",
    "step": "CASE WHEN mod(g, 200) = 0 THEN t.step ELSE '' END",
    "step_started_at": "CASE WHEN mod(g, 200) = 0 THEN t.step_started_at END",
    "step_deadline": "CASE WHEN mod(g, 200) = 0 THEN t.step_deadline END",
    "duplicate_of_id": "NULL",
    # Spread around the template's point (about ±500 m, the same for every run): copies at one
    # point would all be each other's duplicate hints.
    "lat": "t.lat + (mod(g::bigint * 7919, 1001) - 500) * 0.00001",
    "lng": "t.lng + (mod(g::bigint * 104729, 1001) - 500) * 0.00001",
}


def columns(conn, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = %s ORDER BY ordinal_position", [table]).fetchall()
    return [name for (name,) in rows if name != "id"]


def bulk_events(conn, count: int, *, offset: int = 0, within: str = "") -> int:
    """`count` more events, copied from the demo's (`offset`: the bulk events written before,
    whose codes the new ones follow; `within`: copy only the events under this org code, so
    that in a province the bulk lands in one county); returns the events table's size."""
    cols = columns(conn, "events_event")
    select = [sql.SQL(EVENT_OVERRIDES[c]) if c in EVENT_OVERRIDES else sql.SQL("t.{}").format(sql.Identifier(c))
              for c in cols]
    query = sql.SQL("""
        WITH d AS (SELECT * FROM events_event WHERE code NOT LIKE 'BENCH-%%' AND org_code LIKE %(within)s),
             t AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k,
                          CASE WHEN status NOT IN ('closed', 'evaluated', 'cancelled')
                               THEN row_number() OVER (PARTITION BY status NOT IN ('closed', 'evaluated', 'cancelled')
                                                       ORDER BY id) - 1 END AS open_k, *
                   FROM d),
             n AS (SELECT count(*) AS n, count(open_k) AS n_open FROM t),
             -- Each template under two keys, so that the join below is one hashable equality
             -- (a CASE in the join condition is a nested loop: rows × templates).
             tk AS (SELECT 'all' AS bench_kind, k AS bench_key, t.* FROM t
                    UNION ALL
                    SELECT 'open', open_k, t.* FROM t WHERE open_k IS NOT NULL)
        INSERT INTO events_event ({cols})
        SELECT {select}
        FROM (SELECT g, at,
                     CASE WHEN mod(g, 200) = 0 AND n.n_open > 0 THEN 'open' ELSE 'all' END AS bench_kind,
                     CASE WHEN mod(g, 200) = 0 AND n.n_open > 0 THEN mod(g / 200, n.n_open)
                          ELSE mod(g, n.n) END AS bench_key
              FROM (SELECT g, now() - interval '730 days' + (interval '729 days' / %(count)s::int) * g AS at
                    FROM generate_series(1, %(count)s::int) AS g) AS series
              CROSS JOIN n) AS s
        JOIN tk AS t ON t.bench_kind = s.bench_kind AND t.bench_key = s.bench_key
        ORDER BY g
    """).format(cols=sql.SQL(", ").join(sql.Identifier(c) for c in cols), select=sql.SQL(", ").join(select))
    conn.execute(query, {"count": count, "offset": offset, "within": within + "%"})
    conn.execute("VACUUM (ANALYZE) events_event")
    return conn.execute("SELECT count(*) FROM events_event").fetchone()[0]


def bulk_households(conn, village_code: str, count: int) -> int:
    """About `count` more households in one village (copies of its own, without members), for
    the one table's workbook; returns the village's households."""
    existing = conn.execute("SELECT count(*) FROM register_household WHERE org_code LIKE %s",
                            [village_code + "%"]).fetchone()[0]
    if existing and count:
        cols = columns(conn, "register_household")
        query = sql.SQL("""
            INSERT INTO register_household ({cols})
            SELECT {select} FROM register_household AS h CROSS JOIN generate_series(1, %(k)s::int) AS g
            WHERE h.org_code LIKE %(prefix)s ORDER BY g, h.id
        """).format(cols=sql.SQL(", ").join(sql.Identifier(c) for c in cols),
                    select=sql.SQL(", ").join(sql.SQL("h.{}").format(sql.Identifier(c)) for c in cols))
        conn.execute(query, {"k": max(1, count // existing), "prefix": village_code + "%"})
        conn.execute("VACUUM (ANALYZE) register_household")
    return conn.execute("SELECT count(*) FROM register_household WHERE org_code LIKE %s",
                        [village_code + "%"]).fetchone()[0]


def rows_read(conn) -> int:
    """Rows the database has read (sequential and index scans) and written in this database so
    far, from its statistics; the difference around one request is what that request touched."""
    conn.execute("SELECT pg_stat_clear_snapshot()")
    tables = conn.execute(
        "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + n_tup_ins + n_tup_upd + n_tup_del), 0) "
        "FROM pg_stat_user_tables").fetchone()[0]
    indexes = conn.execute("SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes").fetchone()[0]
    return int(tables) + int(indexes)
