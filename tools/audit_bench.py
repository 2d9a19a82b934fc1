"""`make bench-audit`: the access log at the size of years of use (issue 5).

Run with the project's venv: `.venv/bin/python tools/audit_bench.py [--scale default|small]`.

1. **Data.** A separate PostgreSQL database (`casusoverleg_audit_bench`, or
   `casusoverleg_audit_bench_small` for `--scale small`; the name must contain "audit_bench",
   never the dev or test database) is created and migrated, given tools/bench.py's world (the
   region, cases and people whose pages are measured, built with the factories) and filled by
   tools/audit_data.py with 10,000,000 access events over two years (1,000,000 for small), with
   set-based SQL in chunks on two connections at once. For the load the secondary indexes of
   `audit_accessevent` are dropped and afterwards rebuilt from their own definitions (exactly the
   migrations' indexes), the triggers (seal gate, foreign keys) are off for the loading sessions;
   then VACUUM ANALYZE. The scale, the generator version and the migrations are stored in
   `audit_bench_meta`; a run with the same key reuses the database (`--rebuild` forces a new one).
2. **FG search for one youth**: `audit.selectors.access_event_search` filtered on a youth, first
   page, as the FG of an organisation that worked with the youth, for N random youths and the
   youth with the most events: end to end (first call, and again), EXPLAIN (ANALYZE, BUFFERS) of
   the selector's own SQL and the index it used; and the workbench page (/fg/zoeken/?youth=…).
3. **Employee-month view**: `audit.selectors.user_timeline` for N random employees in a random
   month, and the heaviest employee in the last full month; the same measures and the page.
4. **Seal and verify 1,000,000 events**: the seal blocks are emptied (this database only), the
   first million events sealed by `audit.sealing.seal` (its high-water mark set to the millionth
   event, so the real loop, block size and hashing run), then `audit.sealing.verify(["access"])`
   timed, and apart from it the count of unsealed events verify ends with.
5. **Cost of logging**: the case page, the case list (/werkplek/) and a PDF download requested
   in process with the test Client (as tools/bench.py does; each request ends as under a WSGI
   server, so with CONN_MAX_AGE=0 every request has a new database connection), N times each
   with the real `audit.services.record` / `record_shown` and N times with both replaced by
   versions that build the event and skip the INSERT, interleaved, with CONN_MAX_AGE 0 and 60;
   and the minutes PDF render (`services.document_render`) the same way. Also the time spent
   inside the INSERT statements, and a bootstrap interval of the added milliseconds.
6. **One INSERT**: `record()` for one event (and a list's `record_shown` of 40) into the 10M-row
   table and into empty copies of it (all indexes and the seal-gate trigger; without the
   redundant indexes; without the trigger), on a warm and on a fresh connection, interleaved;
   with the WAL each write generated.

The results go into docs/benchmarks.md between the `bench:audit` markers; the hand-written
findings between the `bench:audit-notes` markers and every other block stay as they are.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = BASE_DIR / "docs" / "benchmarks.md"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASES = {
    "default": "casusoverleg_audit_bench",
    "small": "casusoverleg_audit_bench_small",
    "tiny": "casusoverleg_audit_bench_tiny",
}
META_TABLE = "audit_bench_meta"
EMPTY_TABLE = "audit_bench_empty_accessevent"
SEED = 20261205
WARMUP = 5
SEAL_EVENTS = 1_000_000

# Targets of issue 5 ("Proof and measurement"); the benchmark reports them, no test times them.
TARGET_SEARCH_P95_MS = 100.0
TARGET_MONTH_P95_MS = 100.0
TARGET_VERIFY_S = 30.0
TARGET_ADDED_MS = 1.5
TARGET_DETAIL_PCT = 25.0
TARGET_LIST_PCT = 10.0

sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "tools"))

import audit_data  # noqa: E402
import bench  # noqa: E402 - tools/bench.py: world, machine facts, statement grouping, markers
import scale_bench  # noqa: E402 - tools/scale_bench.py: environment, migrations key, EXPLAIN


class AuditBenchError(RuntimeError):
    """Something would make the numbers lie: a page did not answer 200, a database is wrong."""


def _say(text: str) -> None:
    """Progress on stdout (the project bans print; T20)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- Results --------------------------------------------------------------------------------------


@dataclass
class Lookup:
    """One FG lookup (a youth's events, or an employee's month) among the millions."""

    subject: str
    matching: int  # events of the subject the FG may see (the youth in the FG's organisation,
    # or the employee in the month)
    rows: int
    first_ms: float
    repeat_ms: float
    exec_ms: float
    planning_ms: float
    hit: int
    read: int
    indexes: list[str]
    page_ms: float
    plan: str = ""


@dataclass
class LookupSet:
    """The lookups of one kind: the random subjects and the heaviest one."""

    label: str
    index: str  # the index the query should walk
    lookups: list[Lookup] = field(default_factory=list)
    heavy: Lookup | None = None


@dataclass
class SealResult:
    """Sealing and verifying the first events of the log."""

    events: int
    blocks: int
    block_size: int
    seal_s: float
    verify_s: float
    count_s: float
    events_checked: int
    problems: int
    unsealed: int
    fetch_s: float = 0.0  # reading the sealed rows as verify does, without hashing them
    hash_s: float = 0.0  # the canonical form and SHA-256 of each row, on rows already read


@dataclass
class CostRow:
    """One page (or render) with and without the event write, interleaved."""

    label: str
    who: str
    events: int  # access events one request writes
    with_ms: list[float]
    without_ms: list[float]
    insert_ms: list[float]  # time inside INSERT INTO audit_accessevent, per request (with)
    kind: str  # detail | list | pdf
    conn_max_age: int | None  # None: no request cycle (the PDF render runs as a task would)
    ci: tuple[float, float] = (0.0, 0.0)  # 95 % bootstrap interval of the added ms


@dataclass
class InsertVariant:
    """`record()` of one event into one table, on a warm or a fresh connection."""

    table: str  # big | empty | lean | nogate
    fresh: bool  # a new database connection (backend) for each event
    events: int = 1  # 1: record(); more: a list page's record_shown()
    record_ms: list[float] = field(default_factory=list)
    statement_ms: list[float] = field(default_factory=list)
    wal_bytes: list[int] = field(default_factory=list)  # WAL the write generated


@dataclass
class InsertResult:
    """One INSERT into the big table and into empty copies (all, fewer indexes, no gate)."""

    variants: list[InsertVariant]
    big_rows: int
    lean_dropped: list[str]
    indexes: int


@dataclass
class Result:
    """Everything one run measured."""

    scale: audit_data.Scale
    database: str
    started: datetime
    reused: bool
    build: dict[str, Any]
    sizes: list[tuple[str, int]] = field(default_factory=list)
    table_bytes: dict[str, int] = field(default_factory=dict)
    search: LookupSet | None = None
    month: LookupSet | None = None
    seal: SealResult | None = None
    costs: list[CostRow] = field(default_factory=list)
    insert: InsertResult | None = None
    settings: dict[str, str] = field(default_factory=dict)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds_total: float = 0.0
    args: dict[str, Any] = field(default_factory=dict)


# --- The database ---------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    """The benchmark database's URL; refused unless its name says it is one."""
    url = args.database_url or f"{args.server_url.rstrip('/')}/{DATABASES[args.scale]}"
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")):
        raise AuditBenchError("The access-log benchmark runs on PostgreSQL only.")
    if "audit_bench" not in name or name.startswith("test_"):
        raise AuditBenchError(
            f"Refusing database {name!r}: the access-log benchmark fills, drops and recreates "
            "its database, so its name must contain 'audit_bench' (never the dev or test one)."
        )
    return url


def _meta(url: str, name: str) -> Any:
    """A value a previous run stored in the benchmark database, if it finished building."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL", [f"public.{META_TABLE}"]
            ).fetchone()
            if not row or not row[0]:
                return None
            row = conn.execute(
                f"SELECT value FROM {META_TABLE} WHERE key = %s",  # noqa: S608 - a constant
                [name],
            ).fetchone()
            return row[0] if row else None
    except psycopg.OperationalError:
        return None  # no such database yet


def ensure_database(url: str, key: dict[str, Any], rebuild: bool) -> bool:
    """Create the database, or drop and recreate it unless it holds data of `key`.

    Returns True when the stored data can be reused as it is.
    """
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not rebuild and _meta(url, "key") == key:
        return True
    with psycopg.connect(scale_bench._maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            _say(f"Dropping {name} (its data is not of this scale, generator or schema)...")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def _store(cursor: Any, name: str, value: Any) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)"
    )
    cursor.execute(
        f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) "  # noqa: S608 - a constant
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [name, json.dumps(value)],
    )


def secondary_indexes(cursor: Any) -> list[tuple[str, str, bool]]:
    """(name, definition, is a constraint) of every index of the access log but its primary key.

    A unique constraint's definition is its ADD CONSTRAINT clause; an index's, CREATE INDEX.
    """
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = 'audit_accessevent'::regclass AND NOT x.indisprimary
        ORDER BY i.relname
        """
    )
    found = []
    for index, index_def, constraint, constraint_def in cursor.fetchall():
        if constraint:
            found.append((constraint, constraint_def, True))
        else:
            found.append((index, index_def, False))
    return found


def drop_indexes(cursor: Any, indexes: list[tuple[str, str, bool]]) -> None:
    """Drop the secondary indexes (a bulk load is many times faster without them)."""
    for name, _definition, constraint in indexes:
        if constraint:
            cursor.execute(f'ALTER TABLE audit_accessevent DROP CONSTRAINT "{name}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')


def create_indexes(cursor: Any, indexes: list[tuple[str, str, bool]]) -> dict[str, float]:
    """Build the dropped indexes again from their own definitions; seconds per index."""
    seconds = {}
    for name, definition, constraint in indexes:
        started = time.perf_counter()
        if constraint:
            cursor.execute(f'ALTER TABLE audit_accessevent ADD CONSTRAINT "{name}" {definition}')
        else:
            cursor.execute(definition)
        seconds[name] = time.perf_counter() - started
        _say(f"  index {name}: {seconds[name]:.1f} s")
    return seconds


def load_events(url: str, plan: audit_data.Plan, workers: int, replica: bool) -> float:
    """Insert the planned chunks on `workers` connections at once; seconds taken."""
    import psycopg

    def run(chunk: dict[str, Any]) -> float:
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            if replica:
                # No triggers for this session: the seal gate and the foreign-key checks (the
                # rows satisfy them by construction; the smoke test checks them with triggers).
                cursor.execute("SET session_replication_role = replica")
            audit_data.define_u(cursor)
            started = time.perf_counter()
            audit_data.insert_chunk(cursor, chunk)
            elapsed = time.perf_counter() - started
            _say(f"  events {chunk['lo']:,}-{chunk['hi']:,}: {elapsed:.1f} s")
            return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, plan.chunks()))
    return time.perf_counter() - started


def spread(cursor: Any, column: str, first: int, last: int) -> dict[str, float]:
    """Events per value of `column` among the generated events: median, p90, p99, max, count."""
    cursor.execute(
        f"""
        SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n),
            percentile_disc(0.9) WITHIN GROUP (ORDER BY n),
            percentile_disc(0.99) WITHIN GROUP (ORDER BY n), max(n), count(*)
        FROM (
            SELECT {column}, count(*) AS n FROM audit_accessevent
            WHERE id BETWEEN %s AND %s AND {column} IS NOT NULL GROUP BY {column}
        ) AS per
        """,  # noqa: S608 - a fixed column name
        [first, last],
    )
    p50, p90, p99, top, count = cursor.fetchone()
    return {"p50": p50, "p90": p90, "p99": p99, "max": top, "count": count}


def facts(cursor: Any, first: int, last: int) -> dict[str, Any]:
    """What the generated log looks like: counts, shares and how events spread over people."""
    cursor.execute(
        """
        SELECT count(*),
            count(*) FILTER (WHERE outcome = 'denied'),
            count(*) FILTER (WHERE youth_uuid IS NOT NULL),
            count(*) FILTER (WHERE actor_id IS NULL),
            count(*) FILTER (WHERE extract(hour FROM occurred_at AT TIME ZONE 'Europe/Amsterdam')
                             NOT BETWEEN 7 AND 18),
            count(DISTINCT action),
            min(occurred_at), max(occurred_at)
        FROM audit_accessevent WHERE id BETWEEN %s AND %s
        """,
        [first, last],
    )
    total, denied, with_youth, no_actor, evening, actions, oldest, newest = cursor.fetchone()
    cursor.execute(
        """
        SELECT actor_id, count(*) FROM audit_accessevent
        WHERE id BETWEEN %s AND %s AND actor_id IS NOT NULL
        GROUP BY actor_id ORDER BY count(*) DESC, actor_id LIMIT 1
        """,
        [first, last],
    )
    heavy_actor, heavy_actor_events = cursor.fetchone()
    return {
        "events": total,
        "denied": denied,
        "with_youth": with_youth,
        "without_actor": no_actor,
        "evening": evening,
        "actions": actions,
        "oldest": oldest.isoformat(),
        "newest": newest.isoformat(),
        "heavy_actor": heavy_actor,
        "heavy_actor_events": heavy_actor_events,
        "per_youth": spread(cursor, "youth_uuid", first, last),
        "per_actor": spread(cursor, "actor_id", first, last),
        "per_organisation": spread(cursor, "organisation_id", first, last),
    }


def build(url: str, scale: audit_data.Scale, key: dict[str, Any], workers: int) -> dict[str, Any]:
    """Fill the migrated database: the world, the people, the events, the indexes, VACUUM."""
    from django.db import connection
    from django.utils import timezone

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    _say("  tools/bench.py's world (factories)...")
    clock = time.perf_counter()
    world = bench.build_world()
    seconds["world"] = time.perf_counter() - clock
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = bool(cursor.fetchone()[0])
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
        if superuser:
            cursor.execute("SET session_replication_role = replica")
        indexes = secondary_indexes(cursor)
        drop_indexes(cursor, indexes)
        clock = time.perf_counter()
        plan = audit_data.prepare(
            cursor, scale, now=timezone.now(), say=lambda label, s: _say(f"  {label}: {s:.1f} s")
        )
        seconds["organisations and people"] = time.perf_counter() - clock
    _say(f"  {scale.events:,} events on {workers} connections...")
    seconds["events"] = load_events(url, plan, workers, superuser)
    with connection.cursor() as cursor:
        audit_data.finish(cursor)
        clock = time.perf_counter()
        index_seconds = create_indexes(cursor, indexes)
        seconds["indexes"] = time.perf_counter() - clock
        cursor.execute("RESET ALL")
        _say("  VACUUM ANALYZE...")
        clock = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        seconds["vacuum analyze"] = time.perf_counter() - clock
        seconds["total"] = time.perf_counter() - started
        first = plan.bases["event"] + 1
        last = plan.bases["event"] + scale.events
        _say("  facts about the generated log...")
        built = {
            "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "index_seconds": {k: round(v, 1) for k, v in index_seconds.items()},
            "workers": workers,
            "first_event": first,
            "last_event": last,
            "first_user": plan.bases["user"] + 1,
            "first_org": plan.bases["org"] + 1,
            "facts": facts(cursor, first, last),
            "world": {
                "users": {name: user.pk for name, user in world.users.items()},
                "cases": {name: case.pk for name, case in world.cases.items()},
                "counts": world.counts,
            },
        }
        _store(cursor, "built", built)
        _store(cursor, "key", key)
    return built


def prepare(args: argparse.Namespace, url: str) -> tuple[audit_data.Scale, bool, dict[str, Any]]:
    """Create or reuse the database, migrate it and fill it when needed."""
    from django.core.management import call_command

    scale = audit_data.SCALES[args.scale]
    key = {"scale": scale.key(), "migrations": scale_bench.migrations_fingerprint()}
    reused = ensure_database(url, key, args.rebuild)
    _say(f"Migrating {urlsplit(url).path.lstrip('/')}...")
    call_command("migrate", verbosity=0, interactive=False)
    if reused:
        _say("Reusing the filled database (same scale, generator and migrations).")
        return scale, True, _meta(url, "built")
    _say(f"Filling at the {scale.name} scale...")
    return scale, False, build(url, scale, key, args.workers)


def table_sizes() -> tuple[list[tuple[str, int]], dict[str, int]]:
    """Bytes per index of the access log, and heap, TOAST, indexes and total of the table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_relation_size(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'audit_accessevent'::regclass
            ORDER BY pg_relation_size(i.oid) DESC
            """
        )
        indexes = [(name, int(size)) for name, size in cursor.fetchall()]
        cursor.execute(
            """
            SELECT pg_relation_size('audit_accessevent'),
                pg_total_relation_size('audit_accessevent')
                    - pg_relation_size('audit_accessevent')
                    - pg_indexes_size('audit_accessevent'),
                pg_indexes_size('audit_accessevent'),
                pg_total_relation_size('audit_accessevent'),
                (SELECT reltuples::bigint FROM pg_class WHERE oid = 'audit_accessevent'::regclass)
            """
        )
        heap, toast, index_total, total, rows = cursor.fetchone()
    return indexes, {
        "heap": heap,
        "toast": toast,
        "indexes": index_total,
        "total": total,
        "rows": rows,
    }


# --- EXPLAIN --------------------------------------------------------------------------------------


def _explain(sql: str) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement: times, buffers, indexes used, plan text."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    doc = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    plan = doc["Plan"]
    indexes: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        # A bitmap index scan names its index but not its table: keep the access log's own.
        if node.get("Index Name", "").startswith(("accessevent_", "audit_accessevent_")):
            indexes.append(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return {
        "exec": doc["Execution Time"],
        "planning": doc["Planning Time"],
        "hit": int(plan.get("Shared Hit Blocks", 0)),
        "read": int(plan.get("Shared Read Blocks", 0)),
        "indexes": indexes,
        "plan": scale_bench._plan_text(plan),
    }


# --- Pages ----------------------------------------------------------------------------------------


class Clients:
    """Logged-in test Clients, one per user, kept (as tools/bench.py and scale_bench.py do).

    Each request ends as under a WSGI server: closing the response sends `request_finished`,
    so with CONN_MAX_AGE=0 (the project's default) Django closes the database connection and
    the next request opens a new one. The test Client alone would keep the connection (it
    holds back that signal), which would hide the cost of a fresh backend from every page.
    `like_a_server=False` keeps it, for use inside a test's transaction.
    """

    def __init__(self, like_a_server: bool = True) -> None:
        self.clients: dict[int, Any] = {}
        self.like_a_server = like_a_server

    def get(self, user: Any, url: str) -> Any:
        """GET over HTTPS, the body read (a streamed PDF too); AuditBenchError unless 200."""
        from django.test import Client

        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            # Every role passes a second factor (issues 6 and 7), as a browser's session would.
            from bench import pass_second_factor

            pass_second_factor(client, user)
            self.clients[user.pk] = client
        response = self.clients[user.pk].get(url, secure=True)
        if response.status_code != 200:
            raise AuditBenchError(f"{url} as {user.username} answered {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)
        if self.like_a_server:
            response.close()
        return response


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = run()
    return (time.perf_counter() - started) * 1000, value


# --- 2 and 3: the FG's lookups --------------------------------------------------------------------


class FGs:
    """The FG (privacy officer) of each generated organisation."""

    def __init__(self) -> None:
        self.by_org: dict[int, Any] = {}

    def of(self, organisation_id: int) -> Any:
        from parties.models import User

        if organisation_id not in self.by_org:
            self.by_org[organisation_id] = User.objects.select_related("professional").get(
                role="privacy_officer",
                professional__organisation_id=organisation_id,
                username__startswith="audit-fg-",
            )
        return self.by_org[organisation_id]


def _lookup(subject: str, matching: int, run: Callable[[], Any], page: Callable[[], Any]) -> Lookup:
    """Time a selector call (first, then again), EXPLAIN its SQL, and time its page once."""
    first_ms, result = _timed(run)
    sql, _rows = scale_bench._captured_sql(lambda: run().events, "audit_accessevent")
    explained = _explain(sql)
    repeat_ms, _again = _timed(run)
    page_ms, _response = _timed(page)
    return Lookup(
        subject=subject,
        matching=matching,
        rows=len(result.events),
        first_ms=first_ms,
        repeat_ms=repeat_ms,
        exec_ms=explained["exec"],
        planning_ms=explained["planning"],
        hit=explained["hit"],
        read=explained["read"],
        indexes=explained["indexes"],
        page_ms=page_ms,
        plan=explained["plan"],
    )


def measure_search(n: int, scale: audit_data.Scale, clients: Clients, fgs: FGs) -> LookupSet:
    """The FG's search for one youth (first page), for `n` random youths and the heaviest."""
    from django.db import connection
    from django.urls import reverse

    from audit import selectors

    rng = random.Random(SEED)  # noqa: S311 - a sample, not a secret
    numbers = rng.sample(range(2, scale.youths + 1), min(n, scale.youths - 1))
    result = LookupSet("FG search for one youth", "accessevent_youth_time")
    url = reverse("audit:search")
    for number in [1, *numbers]:
        youth = audit_data.youth_uuid(number)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT organisation_id, count(*) FROM audit_accessevent "
                "WHERE youth_uuid = %s AND organisation_id IS NOT NULL "
                "GROUP BY organisation_id ORDER BY organisation_id",
                [youth],
            )
            orgs = cursor.fetchall()
        if not orgs:
            continue
        # The FG of an organisation that worked with the youth, in proportion to how much.
        (org, matching) = rng.choices(orgs, weights=[c for _o, c in orgs])[0]
        fg = fgs.of(org)
        lookup = _lookup(
            f"youth {number}",
            matching,
            lambda fg=fg, youth=youth: selectors.access_event_search(fg, filters={"youth": youth}),
            lambda fg=fg, youth=youth: clients.get(fg, f"{url}?youth={youth}"),
        )
        if number == 1:
            result.heavy = lookup
        else:
            result.lookups.append(lookup)
    _report_set(result)
    return result


def _months(built: dict[str, Any]) -> list[date]:
    """The full calendar months the generated log covers (Dutch time)."""
    oldest = datetime.fromisoformat(built["facts"]["oldest"]).astimezone(audit_data.LOCAL_TZ)
    newest = datetime.fromisoformat(built["facts"]["newest"]).astimezone(audit_data.LOCAL_TZ)
    month = (oldest.date().replace(day=1) + timedelta(days=32)).replace(day=1)
    months = []
    while (month + timedelta(days=32)).replace(day=1) <= newest.date():
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def measure_month(n: int, built: dict[str, Any], clients: Clients, fgs: FGs) -> LookupSet:
    """The employee-month view (first page) for `n` random employees in a random month, and
    the heaviest employee in the last full month."""
    from django.db import connection
    from django.urls import reverse

    from audit import selectors
    from audit.selectors import month_bounds
    from parties.models import User

    rng = random.Random(SEED + 1)  # noqa: S311 - a sample, not a secret
    months = _months(built)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT user_id, org_id FROM {audit_data.ACTOR_TABLE} ORDER BY user_id")  # noqa: S608
        employees = cursor.fetchall()
    heavy_id = built["facts"]["heavy_actor"]
    heavy_org = dict(employees)[heavy_id]
    others = [e for e in employees if e[0] != heavy_id]
    chosen = [(heavy_id, heavy_org, months[-1])] + [
        (user_id, org, rng.choice(months))
        for user_id, org in rng.sample(others, min(n, len(others)))
    ]
    result = LookupSet("Employee-month view", "accessevent_actor_time")
    for user_id, org, month in chosen:
        subject = User.objects.get(pk=user_id)
        fg = fgs.of(org)
        start, end = month_bounds(month)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM audit_accessevent WHERE actor_id = %s "
                "AND organisation_id = %s AND occurred_at >= %s AND occurred_at < %s",
                [user_id, org, start, end],
            )
            matching = int(cursor.fetchone()[0])
        url = reverse("audit:user_timeline", kwargs={"uuid": subject.uuid})
        lookup = _lookup(
            f"employee {user_id}, {month:%Y-%m}",
            matching,
            lambda fg=fg, subject=subject, month=month: selectors.user_timeline(fg, subject, month),
            lambda fg=fg, url=url, month=month: clients.get(fg, f"{url}?month={month:%Y-%m}"),
        )
        if user_id == heavy_id:
            result.heavy = lookup
        else:
            result.lookups.append(lookup)
    _report_set(result)
    return result


def _report_set(result: LookupSet) -> None:
    first = [x.first_ms for x in result.lookups]
    _say(
        f"  {result.label}: {len(first)} subjects, first call median {_median(first):.1f} ms, "
        f"p95 {_p95(first):.1f} ms; DB p95 {_p95([x.exec_ms for x in result.lookups]):.2f} ms; "
        f"page p95 {_p95([x.page_ms for x in result.lookups]):.1f} ms"
    )
    if result.heavy:
        h = result.heavy
        _say(
            f"  heaviest ({h.subject}, {h.matching:,} matching): first {h.first_ms:.1f} ms, "
            f"DB {h.exec_ms:.2f} ms, page {h.page_ms:.1f} ms, {h.indexes}"
        )


# --- 4: seal and verify ---------------------------------------------------------------------------


def measure_seal(first_event: int, count: int) -> SealResult:
    """Seal the first `count` events with the real `seal` (its mark set to the last of them),
    then verify the access stream; the unsealed count verify ends with is timed apart."""
    from unittest import mock

    from django.conf import settings
    from django.db import connection

    from audit import sealing
    from audit.models import AccessEvent, Stream

    mark = first_event + count - 1
    with connection.cursor() as cursor:
        # This database only: blocks of an earlier run would make this one seal nothing.
        cursor.execute("TRUNCATE audit_sealblock, audit_logpurge")
    _say(f"  sealing events {first_event:,}-{mark:,}...")
    with mock.patch.object(sealing, "_high_water_mark", return_value=mark):
        seal_s, blocks = _timed(lambda: sealing.seal(Stream.ACCESS))
    _say(f"  {len(blocks)} blocks in {seal_s / 1000:.1f} s; verifying...")
    verify_s, report = _timed(lambda: sealing.verify([Stream.ACCESS]))
    count_s, unsealed = _timed(lambda: AccessEvent.objects.filter(id__gt=mark).count())
    # Where verify's time goes: reading the rows (SQL, transfer, Django's conversions), and
    # hashing them (the canonical JSON and SHA-256 of `event_hash`), each timed on its own.
    spec = sealing.STREAMS[Stream.ACCESS]
    fetch_s = hash_s = 0.0
    for block in blocks:
        elapsed, rows = _timed(lambda b=block: list(sealing._rows(spec, b.first_id, b.last_id)))
        fetch_s += elapsed
        elapsed, _digests = _timed(lambda rows=rows: [sealing.event_hash(r) for r in rows])
        hash_s += elapsed
    result = SealResult(
        events=sum(b.event_count for b in blocks),
        blocks=len(blocks),
        block_size=settings.AUDIT_SEAL_BLOCK_SIZE,
        seal_s=seal_s / 1000,
        verify_s=verify_s / 1000,
        count_s=count_s / 1000,
        events_checked=report.events_checked,
        problems=len(report.problems),
        unsealed=unsealed,
        fetch_s=fetch_s / 1000,
        hash_s=hash_s / 1000,
    )
    _say(
        f"  reading the rows {result.fetch_s:.1f} s, hashing them {result.hash_s:.1f} s; "
        f"seal {result.events / result.seal_s:,.0f} events/s; verify {result.verify_s:.1f} s "
        f"({result.events_checked:,} events, {result.problems} problems; counting "
        f"{unsealed:,} unsealed events took {result.count_s:.1f} s of it)"
    )
    return result


# --- 5 and 6: the cost of logging -----------------------------------------------------------------


class InsertClock:
    """An execute wrapper that times the INSERT statements into the access log (or its copy)."""

    TABLES = ('"audit_accessevent"', f'"{EMPTY_TABLE}')

    def __init__(self) -> None:
        self.ms = 0.0
        self.statements = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip()[:80]
        if not head.upper().startswith("INSERT INTO") or not any(t in head for t in self.TABLES):
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.statements += 1

    def take(self) -> float:
        """The time counted since the last take."""
        ms, self.ms = self.ms, 0.0
        return ms


@contextmanager
def without_insert() -> Iterator[None]:
    """Replace `record` and `record_shown` everywhere they were imported by versions that build
    the events (actor snapshot, organisation, request context) and do not save them."""
    from audit import services

    real = {"record": services.record, "record_shown": services.record_shown}

    def record(**kwargs: Any) -> Any:
        return services._event(**kwargs)

    def record_shown(*, actor: Any, action: Any, shown: list[dict[str, Any]]) -> list[Any]:
        return [services._event(actor=actor, action=action, **item) for item in shown]

    fakes = {"record": record, "record_shown": record_shown}
    swapped = []
    for module in list(sys.modules.values()):
        for name, function in real.items():
            try:
                found = getattr(module, name, None) is function
            except Exception:  # noqa: S112 - lazy modules may raise on any attribute
                continue
            if found:
                setattr(module, name, fakes[name])
                swapped.append((module, name, function))
    try:
        yield
    finally:
        for module, name, function in swapped:
            setattr(module, name, function)


def _interleaved(
    n: int, run: Callable[[], Any], clock: InsertClock
) -> tuple[list[float], list[float], list[float]]:
    """`run` n times with the INSERT and n times without, alternating ABBA; ms each."""
    with_ms, without_ms, insert_ms = [], [], []
    for i in range(n):
        for logged in (True, False) if i % 2 == 0 else (False, True):
            clock.take()
            if logged:
                elapsed, _ = _timed(run)
                with_ms.append(elapsed)
                insert_ms.append(clock.take())
            else:
                with without_insert():
                    elapsed, _ = _timed(run)
                without_ms.append(elapsed)
    return with_ms, without_ms, insert_ms


def _events_written(run: Callable[[], Any]) -> int:
    from audit.models import AccessEvent

    before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    run()
    return AccessEvent.objects.filter(id__gt=before).count()


def measure_costs(
    world: dict[str, Any], requests: int, renders: int, ages: list[int]
) -> list[CostRow]:
    """The case page, the case list and a PDF download (test Client) with each CONN_MAX_AGE,
    and the minutes PDF render, each with and without the event write, interleaved."""
    from django.db import connection
    from django.urls import reverse

    from casusoverleg import selectors, services
    from casusoverleg.models import Case, CaseDocument
    from parties.models import User
    from tests.factories.casusoverleg import CaseDocumentFactory

    regisseur = User.objects.get(pk=world["users"]["regisseur"])
    case = Case.objects.get(pk=world["cases"]["big"])
    meeting = selectors.current_meeting(case)

    def render() -> CaseDocument:
        """One minutes PDF made as the app makes it (a fresh document each time)."""
        document = CaseDocumentFactory(
            case=case, kind="verslag", meeting=meeting, requested_by=regisseur
        )
        services.document_render(document_id=document.pk)
        document.refresh_from_db()
        if document.status != "ready":
            raise AuditBenchError(f"the minutes PDF failed: {document.error}")
        return document

    document = render()
    clients = Clients()
    pages = [
        ("Case page", "detail", reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})),
        ("Case list (/werkplek/)", "list", reverse("casusoverleg:dashboard")),
        (
            "PDF download",
            "pdf",
            reverse("casusoverleg:document_download", kwargs={"uuid": document.uuid}),
        ),
    ]
    clock = InsertClock()
    rows = []
    default_age = connection.settings_dict["CONN_MAX_AGE"]
    try:
        for age in ages:
            # The next connection is opened with this CONN_MAX_AGE: 0 closes it after each
            # request (the project's default), 60 keeps it (and its catalog caches) for a minute.
            connection.close()
            connection.settings_dict["CONN_MAX_AGE"] = age
            with connection.execute_wrapper(clock):
                for label, kind, url in pages:

                    def run(url: str = url) -> Any:
                        return clients.get(regisseur, url)

                    for _ in range(WARMUP):
                        run()
                        with without_insert():
                            run()
                    events = _events_written(run)
                    with_ms, without_ms, insert_ms = _interleaved(requests, run, clock)
                    rows.append(
                        CostRow(
                            label, "regisseur", events, with_ms, without_ms, insert_ms, kind, age
                        )
                    )
                    _cost_line(rows[-1])
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = default_age
    with connection.execute_wrapper(clock):
        render()
        with without_insert():
            render()
        with_ms, without_ms, insert_ms = _interleaved(renders, render, clock)
    rows.append(
        CostRow(
            "Minutes PDF render (services.document_render)",
            "regisseur",
            1,
            with_ms,
            without_ms,
            insert_ms,
            "pdf",
            None,
        )
    )
    _cost_line(rows[-1])
    return rows


def _bootstrap(row: CostRow, rounds: int = 2000) -> tuple[float, float]:
    """A 95 % interval for the difference of the medians (resampling both series), so that
    the report says how much of an added millisecond is noise on a shared machine."""
    rng = random.Random(SEED + 3)  # noqa: S311 - resampling, not a secret
    a, b = row.with_ms, row.without_ms
    diffs = sorted(
        statistics.median(rng.choices(a, k=len(a))) - statistics.median(rng.choices(b, k=len(b)))
        for _ in range(rounds)
    )
    return diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def _cost_line(row: CostRow) -> None:
    row.ci = _bootstrap(row)
    _say(
        f"  {row.label} ({_age(row)}): with {_median(row.with_ms):.2f} ms, without "
        f"{_median(row.without_ms):.2f} ms, added {_added(row):+.2f} ms "
        f"[{row.ci[0]:+.2f}, {row.ci[1]:+.2f}] "
        f"({_overhead(row):+.1f} %); INSERT {_median(row.insert_ms):.2f} ms"
    )


# Indexes a lean copy leaves out: each is covered by a composite index that starts with the
# same column (actor_time, org_time), or serves LIKE on request ids, which nothing runs.
REDUNDANT_SUFFIXES = ("_actor_id_", "_organisation_id_", "_request_id_")


def _index_definitions(cursor: Any, table: str) -> dict[str, str]:
    """Index name -> its definition without its own name and table (to compare copies)."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x "
        "JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = %s::regclass",
        [table],
    )
    return {
        index: re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ ", r"CREATE \1INDEX ON T ", definition)
        for index, definition in cursor.fetchall()
    }


def _copy_table(name: str, drop_redundant: bool = False, gate: bool = True) -> list[str]:
    """An empty copy of the access log: columns, indexes, identity, foreign keys, triggers;
    with `drop_redundant`, without the indexes a composite one covers; without `gate`, without
    the seal-gate trigger. Returns the names of the original indexes left out."""
    from django.db import connection

    dropped = []
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE audit_accessevent INCLUDING ALL)")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'audit_accessevent'::regclass AND contype = 'f'"
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {name} ADD {definition}")
        cursor.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = 'audit_accessevent'::regclass AND NOT tgisinternal"
        )
        for (definition,) in cursor.fetchall():
            if gate or "seal_gate" not in definition:
                cursor.execute(
                    re.sub(r" ON (public\.)?audit_accessevent ", f" ON {name} ", definition)
                )
        if drop_redundant:
            # The copy's indexes have generated names: match them to the originals by definition.
            originals = {d: n for n, d in _index_definitions(cursor, "audit_accessevent").items()}
            for copy_name, definition in _index_definitions(cursor, name).items():
                original = originals.get(definition, "")
                if any(part in original for part in REDUNDANT_SUFFIXES):
                    cursor.execute(f'DROP INDEX "{copy_name}"')
                    dropped.append(original)
    return sorted(dropped)


def _wal_position() -> str:
    """The server's current WAL insert position."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        return str(cursor.fetchone()[0])


def _wal_since(position: str) -> int:
    """Bytes of WAL written since `position` (by this write, on a quiet server)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [position])
        return int(cursor.fetchone()[0])


def measure_insert(world: dict[str, Any], youths: int, n: int) -> InsertResult:
    """`record()` of one case view into the big table, an empty copy, an empty copy without the
    redundant indexes and one without the seal-gate trigger, interleaved; each on a warm
    connection and on a fresh one (as every request with CONN_MAX_AGE=0 has); and a list page's
    `record_shown` of 40 youths into the big table and the empty copy. Each event is about
    another generated youth and case, with its own request id, as in real use (so the index
    pages it lands on are spread like the log's); each timed inside its transaction (the
    commit is not timed)."""
    import hashlib
    from types import SimpleNamespace

    from django.db import connection, transaction

    from audit.choices import Action
    from audit.context import RequestContext, current
    from audit.models import AccessEvent
    from audit.services import record, record_shown
    from casusoverleg.models import Case
    from parties.models import User

    user = User.objects.select_related("professional__organisation").get(
        pk=world["users"]["regisseur"]
    )
    case = Case.objects.select_related("youth", "purpose").get(pk=world["cases"]["big"])
    rng = random.Random(SEED + 2)  # noqa: S311 - a sample, not a secret
    lean_table, gateless_table = f"{EMPTY_TABLE}_lean", f"{EMPTY_TABLE}_nogate"
    _copy_table(EMPTY_TABLE)
    dropped = _copy_table(lean_table, drop_redundant=True)
    _copy_table(gateless_table, gate=False)
    tables = {
        "big": AccessEvent._meta.db_table,
        "empty": EMPTY_TABLE,
        "lean": lean_table,
        "nogate": gateless_table,
    }
    real_table = tables["big"]
    clock = InsertClock()
    variants = [InsertVariant(t, fresh) for fresh in (False, True) for t in tables]
    lists = [InsertVariant(t, False, events=40) for t in ("big", "empty", "lean")]

    def shown() -> dict[str, Any]:
        """What a page shows: one random generated youth and one of their cases."""
        number = rng.randint(1, youths)
        digest = hashlib.md5(f"case-{number}-0".encode()).hexdigest()  # noqa: S324 - an id
        return {
            "target": case,
            "youth": SimpleNamespace(uuid=audit_data.youth_uuid(number)),
            "case_uuid": uuid.UUID(digest),
            "purpose": case.purpose.code,
        }

    def one(variant: InsertVariant, keep: bool = True) -> None:
        if variant.fresh:
            connection.close()
            connection.ensure_connection()  # connecting is not what is timed
        items = [shown() for _ in range(variant.events)]
        token = current.set(
            RequestContext(
                client_ip="10.1.2.3",
                user_agent=audit_data.USER_AGENTS[0],
                request_id=uuid.uuid4().hex,
                path="/werkplek/",
            )
        )
        AccessEvent._meta.db_table = tables[variant.table]
        before = _wal_position()
        try:
            with transaction.atomic():
                clock.take()
                if variant.events == 1:
                    elapsed, _ = _timed(
                        lambda: record(actor=user, action=Action.CASE_VIEWED, **items[0])
                    )
                else:
                    elapsed, _ = _timed(
                        lambda: record_shown(actor=user, action=Action.CASE_LISTED, shown=items)
                    )
                statement = clock.take()
        finally:
            AccessEvent._meta.db_table = real_table
            current.reset(token)
        if keep:
            variant.record_ms.append(elapsed)
            variant.statement_ms.append(statement)
            variant.wal_bytes.append(_wal_since(before))

    try:
        with connection.execute_wrapper(clock):
            for variant in [*variants, *lists]:
                for _ in range(WARMUP):
                    one(variant, keep=False)
            for i in range(n):
                for variant in variants if i % 2 == 0 else variants[::-1]:
                    one(variant)
            for i in range(max(10, n // 5)):
                for variant in lists if i % 2 == 0 else lists[::-1]:
                    one(variant)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint, (SELECT count(*) FROM pg_index "
                "WHERE indrelid = 'audit_accessevent'::regclass) "
                "FROM pg_class WHERE oid = 'audit_accessevent'::regclass"
            )
            rows, indexes = cursor.fetchone()
    finally:
        AccessEvent._meta.db_table = real_table
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {EMPTY_TABLE}, {lean_table}, {gateless_table}")
    for v in [*variants, *lists]:
        _say(
            f"  {v.events} event(s) into {v.table} ({'fresh' if v.fresh else 'warm'} "
            f"connection): {_median(v.record_ms):.2f} ms, the statement "
            f"{_median(v.statement_ms):.2f} ms, WAL {_median(v.wal_bytes) / 1024:,.0f} KiB"
        )
    return InsertResult([*variants, *lists], int(rows), dropped, int(indexes))


# --- Report ---------------------------------------------------------------------------------------

SECTION = "audit"
NOTES = "audit-notes"
# The build's steps in the order they run (the stored key order is jsonb's, not ours).
BUILD_STEPS = ("world", "organisations and people", "events", "indexes", "vacuum analyze", "total")
NOTES_PLACEHOLDER = (
    "### Findings: the access log at scale\n\n"
    "(Written by hand: what the numbers mean and what would fix a miss. The script keeps this "
    "block between its markers.)\n"
)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _p95(values: list[float]) -> float:
    return bench._p95(values) if values else 0.0


def _age(row: CostRow) -> str:
    return "no request" if row.conn_max_age is None else f"CONN_MAX_AGE={row.conn_max_age}"


def _added(row: CostRow) -> float:
    return _median(row.with_ms) - _median(row.without_ms)


def _overhead(row: CostRow) -> float:
    base = _median(row.without_ms)
    return 100 * _added(row) / base if base else 0.0


def _count(n: int) -> str:
    """10 M, 1 M, or 20,000."""
    return f"{n / 1e6:.0f} M" if n >= 1_000_000 else f"{n:,}"


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f}"


def targets(result: Result) -> list[str]:
    """The issue's targets, each with what was measured and a verdict."""
    rows = ["| target | goal | measured | verdict |", "| --- | --- | --- | --- |"]
    events = result.table_bytes.get("rows", 0)
    for lookups, goal in (
        (result.search, TARGET_SEARCH_P95_MS),
        (result.month, TARGET_MONTH_P95_MS),
    ):
        if lookups is None:
            continue
        first = [x.first_ms for x in lookups.lookups]
        heavy = lookups.heavy
        worst = max([*first, heavy.first_ms if heavy else 0.0])
        ok = _p95(first) < goal and (heavy is None or heavy.first_ms < goal)
        rows.append(
            f"| {lookups.label} among {_count(events)} events (selector, first page) | "
            f"p95 < {goal:.0f} ms | p95 {_p95(first):.1f} ms over {len(first)} random "
            f"subjects (median {_median(first):.1f} ms); heaviest "
            f"{heavy.first_ms if heavy else 0:.1f} ms; slowest {worst:.1f} ms | "
            f"{scale_bench._met(ok)} |"
        )
    if result.seal is not None:
        s = result.seal
        rows.append(
            f"| `verify` over {_count(s.events)} sealed events | < {TARGET_VERIFY_S:.0f} s | "
            f"{s.verify_s:.1f} s ({s.verify_s - s.count_s:.1f} s for the blocks, "
            f"{s.count_s:.1f} s counting {s.unsealed:,} unsealed events) | "
            f"{scale_bench._met(s.verify_s < TARGET_VERIFY_S)} |"
        )
    ages = sorted({row.conn_max_age for row in result.costs if row.conn_max_age is not None})
    for age in [*ages, None] if result.costs else []:
        chosen = [row for row in result.costs if row.conn_max_age == age]
        if not chosen:
            continue
        where = f"CONN_MAX_AGE={age}" if age is not None else "PDF render, no request"
        rows.append(
            f"| Added per logged request ({where}; difference of medians) | "
            f"≤ {TARGET_ADDED_MS} ms | "
            + ", ".join(
                f"{row.label} {_added(row):+.2f} ms ({row.ci[0]:+.1f} to {row.ci[1]:+.1f}; "
                f"INSERT {_median(row.insert_ms):.2f} ms)"
                for row in chosen
            )
            + f" | {scale_bench._met(all(_added(row) <= TARGET_ADDED_MS for row in chosen))} |"
        )
        for kind, goal, label in (
            ("detail", TARGET_DETAIL_PCT, "detail page"),
            ("list", TARGET_LIST_PCT, "list page"),
            ("pdf", TARGET_LIST_PCT, "PDF"),
        ):
            of_kind = [row for row in chosen if row.kind == kind]
            if not of_kind:
                continue
            rows.append(
                f"| Overhead on a {label} ({where}) | ≤ {goal:.0f} % | "
                + ", ".join(f"{row.label} {_overhead(row):+.1f} %" for row in of_kind)
                + f" | {scale_bench._met(all(_overhead(row) <= goal for row in of_kind))} |"
            )
    return rows


def _lookup_table(lookups: LookupSet) -> list[str]:
    rows = lookups.lookups
    used = sum(1 for x in rows if lookups.index in x.indexes)
    lines = [
        f"| {lookups.label} | subjects | median | p95 | max |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, values in (
        ("matching events the FG may see", [float(x.matching) for x in rows]),
        ("rows on the first page", [float(x.rows) for x in rows]),
        ("selector, first call (ms)", [x.first_ms for x in rows]),
        ("selector, again (ms)", [x.repeat_ms for x in rows]),
        ("DB execution, EXPLAIN ANALYZE (ms)", [x.exec_ms for x in rows]),
        ("planning (ms)", [x.planning_ms for x in rows]),
        ("shared buffers hit + read", [float(x.hit + x.read) for x in rows]),
        ("workbench page, test Client (ms)", [x.page_ms for x in rows]),
    ):
        digits = 0 if "events" in label or "rows" in label or "buffers" in label else 2
        lines.append(
            f"| {label} | {len(values)} | {_median(values):,.{digits}f} | "
            f"{_p95(values):,.{digits}f} | {max(values, default=0):,.{digits}f} |"
        )
    lines += [
        "",
        f"The plan used `{lookups.index}` in {used} of {len(rows)} lookups. Indexes of "
        "the access log in the plans: "
        + ", ".join(
            f"{' + '.join(f'`{i}`' for i in combination) or 'none'} ×{times}"
            for combination, times in Counter(tuple(x.indexes) for x in rows).most_common()
        )
        + ".",
    ]
    heavy = lookups.heavy
    if heavy is not None:
        lines += [
            "",
            f"Heaviest subject ({heavy.subject}): {heavy.matching:,} matching events; selector "
            f"{heavy.first_ms:.1f} ms (again {heavy.repeat_ms:.1f} ms), DB {heavy.exec_ms:.2f} "
            f"ms, {heavy.hit + heavy.read} buffers, index {', '.join(heavy.indexes) or 'none'}; "
            f"page {heavy.page_ms:.1f} ms.",
        ]
    return lines


def section(result: Result) -> str:
    """The generated section: run facts, targets, data, lookups, sealing, costs, plans."""
    scale, s, built = result.scale, result.settings, result.build
    seconds = built["seconds"]
    f = built["facts"]
    machine = bench.machine()
    per_event = result.table_bytes["total"] / max(1, result.table_bytes["rows"])
    lines = [
        f"## The access log at scale ({scale.name}): PostgreSQL {s.get('server_version', '')}",
        "",
        f"Generated by `make bench-audit` (`tools/audit_bench.py --scale {scale.name}`); the "
        "data generator is tools/audit_data.py. The hand-written findings follow the section.",
        "",
        f"- Run: {result.started:%Y-%m-%d %H:%M} UTC, commit {bench.git_commit()}; "
        f"{result.seconds_total / 60:.1f} min in all.",
        f"- Machine: {machine['CPU']}, {machine['Cores']}, {machine['Memory']} memory; "
        f"PostgreSQL {s.get('server_version', '')} as installed (shared_buffers "
        f"{s.get('shared_buffers')}, work_mem {s.get('work_mem')}, effective_cache_size "
        f"{s.get('effective_cache_size')}); Python {machine['Python']}, Django "
        f"{machine['Django']}.",
        f"- Load average (1/5/15 min) before: {bench._load(result.load_before)}, after: "
        f"{bench._load(result.load_after)} on 2 cores (other processes share the machine).",
        f"- Database `{result.database}`: "
        + ("reused; built earlier" if result.reused else "built in this run")
        + f" in {seconds['total'] / 60:.1f} min.",
        "",
        "### Targets (issue 5)",
        "",
        *targets(result),
        "",
        "### The data",
        "",
        f"{f['events']:,} events from {f['oldest'][:10]} to {f['newest'][:10]} over "
        f"{f['per_organisation']['count']} organisations, {f['per_actor']['count']:,} employees "
        f"and {f['per_youth']['count']:,} youths; {f['actions']} different actions; "
        f"{100 * f['denied'] / f['events']:.1f} % denied, "
        f"{100 * f['with_youth'] / f['events']:.0f} % about a youth, "
        f"{100 * f['evening'] / f['events']:.1f} % outside 07:00-19:00. Skew (events per "
        "subject):",
        "",
        "| per | count | median | p90 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, key in (
        ("youth", "per_youth"),
        ("employee", "per_actor"),
        ("organisation", "per_organisation"),
    ):
        d = f[key]
        lines.append(
            f"| {label} | {d['count']:,} | {d['p50']:,} | {d['p90']:,} | {d['p99']:,} | "
            f"{d['max']:,} |"
        )
    lines += [
        "",
        f"Load ({built['workers']} connections inserting chunks of {scale.chunk:,} events, "
        "triggers off for the loading sessions, the secondary indexes dropped and built "
        "again afterwards from their own definitions):",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        *[f"| {step} | {seconds[step]:,.1f} |" for step in BUILD_STEPS if step in seconds],
        f"| events per second (insert only) | {f['events'] / seconds['events']:,.0f} |",
        "",
        "Sizes of `audit_accessevent` after VACUUM ANALYZE:",
        "",
        "| relation | MiB |",
        "| --- | ---: |",
        f"| heap | {_mib(result.table_bytes['heap'])} |",
        f"| TOAST | {_mib(result.table_bytes['toast'])} |",
        *[f"| index `{name}` | {_mib(size)} |" for name, size in result.sizes],
        f"| all indexes | {_mib(result.table_bytes['indexes'])} |",
        f"| **total** (pg_total_relation_size) | **{_mib(result.table_bytes['total'])}** |",
        f"| bytes per event, total | {per_event:,.0f} |",
        "",
        "### The FG's lookups",
        "",
        "As the FG of an organisation that worked with the youth (drawn in proportion to its "
        "events) or the employee's own organisation. *First call* is the selector's first "
        "run for that subject (its rows not yet in shared buffers; the OS page cache holds "
        "what an earlier step read); *again* repeats it; *DB execution* is EXPLAIN (ANALYZE, "
        "BUFFERS) of the selector's own SQL; the *page* is the workbench page in process "
        "(test Client as the FG: filter form, the search's own access event, template).",
        "",
    ]
    for lookups in (result.search, result.month):
        if lookups is not None:
            lines += [*_lookup_table(lookups), ""]
    if result.seal is not None:
        x = result.seal
        lines += [
            "### Sealing and verifying",
            "",
            f"The first {x.events:,} events sealed by `audit.sealing.seal` with its high-water "
            f"mark set to the last of them ({x.blocks} blocks of {x.block_size:,}), then "
            "`audit.sealing.verify(['access'])`, the function `manage.py verify_audit` runs. "
            "The blocks of earlier runs were emptied first (this database only).",
            "",
            "| step | seconds | events per second |",
            "| --- | ---: | ---: |",
            f"| seal {x.events:,} events | {x.seal_s:.1f} | {x.events / x.seal_s:,.0f} |",
            f"| verify (every block, the chain, the unsealed count) | {x.verify_s:.1f} | "
            f"{x.events_checked / x.verify_s:,.0f} |",
            f"| of which counting the {x.unsealed:,} unsealed events | {x.count_s:.1f} | |",
            f"| apart: reading the sealed rows as verify does (no hashing) | {x.fetch_s:.1f} | "
            f"{x.events / x.fetch_s:,.0f} |",
            f"| apart: hashing the rows already read (`event_hash`) | {x.hash_s:.1f} | "
            f"{x.events / x.hash_s:,.0f} |",
            "",
            f"verify found {x.problems} problems in {x.events_checked:,} events.",
            "",
        ]
    if result.costs:
        pages = [row for row in result.costs if row.conn_max_age is not None]
        renders = [row for row in result.costs if row.conn_max_age is None]
        lines += [
            "### The cost of logging",
            "",
            "tools/bench.py's world in this database, as the procesregisseur `regisseur`, in "
            "process with the test Client (DEBUG off, HTTPS settings). Each page "
            f"{len(pages[0].with_ms) if pages else 0} times with the real "
            "`audit.services.record` / `record_shown` and as many times with both replaced by "
            "versions that build the events (actor snapshot, organisation, request context) "
            "and skip the INSERT, alternating (ABBA) after warm-up; with `CONN_MAX_AGE=0` (the "
            "project's default: a new database connection, so a new PostgreSQL backend with "
            "cold catalog caches, for every request) and with persistent connections. The "
            "minutes PDF render (`services.document_render`, WeasyPrint, as the worker runs it) "
            f"{len(renders[0].with_ms) if renders else 0} times each. *INSERT* is the time "
            "inside the INSERT statements of one logged request, timed around the statement, "
            "and *INSERT share* that time against the logged request's median: the part of the "
            "cost that no noise hides. The foreign keys are checked at COMMIT (Django declares "
            "them DEFERRABLE INITIALLY DEFERRED), which only the difference of medians "
            "includes; the *95 % interval* of that difference (bootstrap) shows how much of it "
            "is noise on a shared 2-core machine.",
            "",
            "| page | connection | events written | with: median ms | p95 ms | without: median "
            "ms | p95 ms | added ms (medians) | 95 % interval | overhead | INSERT median ms | "
            "p95 ms | INSERT share |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: "
            "| ---: |",
        ]
        for row in result.costs:
            share = 100 * _median(row.insert_ms) / max(_median(row.with_ms), 1e-9)
            lines.append(
                f"| {row.label} | {_age(row)} | {row.events} | {_median(row.with_ms):.2f} | "
                f"{_p95(row.with_ms):.2f} | {_median(row.without_ms):.2f} | "
                f"{_p95(row.without_ms):.2f} | {_added(row):+.2f} | "
                f"{row.ci[0]:+.1f} to {row.ci[1]:+.1f} | {_overhead(row):+.1f} % | "
                f"{_median(row.insert_ms):.2f} | {_p95(row.insert_ms):.2f} | {share:.1f} % |"
            )
        lines.append("")
    if result.insert is not None:
        r = result.insert
        n = len(r.variants[0].record_ms)
        lines += [
            "### One INSERT: the big table, an empty one, fewer indexes, no seal gate",
            "",
            f"`audit.services.record` for one case view, {n} times each into "
            f"`audit_accessevent` ({r.big_rows:,} rows, {r.indexes} indexes), into an empty "
            "copy of it (the same columns, indexes, identity, foreign keys and seal-gate "
            "trigger), into an empty copy without the indexes a composite index already "
            f"covers ({', '.join(f'`{name}`' for name in r.lean_dropped)}) and into an empty "
            "copy without the seal-gate trigger, alternating; then a list page's "
            "`record_shown` of 40 youths into the big table and the two empty copies with the "
            "gate. Every event is "
            "about another generated youth and case and has its own request id, so that it "
            "lands on index pages spread as in real use. Each inside its own transaction (the "
            "commit is not timed). *Warm*: the same connection throughout; *fresh*: a new "
            "connection before each event (connecting not timed), as every request has with "
            "`CONN_MAX_AGE=0`: the backend first loads the table's catalog entries (columns, "
            "every index, triggers, foreign keys) and compiles the trigger's PL/pgSQL. *WAL* is "
            "what the write added to the write-ahead log (other writers on the server count "
            "too; the median is robust to them): a leaf page changed for the first time since "
            "the last checkpoint is logged whole (full_page_writes, 8 KiB).",
            "",
            "| events | table | connection | record() median ms | p95 ms | the INSERT statement "
            "median ms | p95 ms | WAL median KiB |",
            "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        names = {
            "big": f"{_count(r.big_rows)} rows",
            "empty": "empty",
            "lean": f"empty, {r.indexes - len(r.lean_dropped)} indexes",
            "nogate": "empty, no seal-gate trigger",
        }
        for v in r.variants:
            lines.append(
                f"| {v.events} | {names[v.table]} | {'fresh' if v.fresh else 'warm'} | "
                f"{_median(v.record_ms):.3f} | {_p95(v.record_ms):.3f} | "
                f"{_median(v.statement_ms):.3f} | {_p95(v.statement_ms):.3f} | "
                f"{_median([float(b) for b in v.wal_bytes]) / 1024:,.1f} |"
            )
        lines.append("")
    lines += ["<details><summary>Plans (the heaviest subject of each lookup)</summary>", ""]
    for lookups in (result.search, result.month):
        if lookups is not None and lookups.heavy is not None:
            lines += [f"**{lookups.label}, {lookups.heavy.subject}**", "", "```"]
            lines += [lookups.heavy.plan, "```", ""]
    lines += ["</details>", ""]
    return "\n".join(lines)


def _carry_over(text: str, previous: str) -> str:
    """`text` with the audit blocks of `previous` that it lacks, appended in their order."""
    names = [SECTION, *(f"{SECTION}-{s}" for s in audit_data.SCALES if s != "default"), NOTES]
    for name in names:
        block = bench._block(previous, name)
        if block is not None and bench._block(text, name) is None:
            text = text.rstrip("\n") + "\n\n" + bench._marked(name, block)
    return text


def write_report(path: Path, result: Result, keep_from: Path | None = None) -> None:
    """Replace this scale's section (and add the findings block once); keep everything else."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if keep_from is not None and keep_from.exists():
        text = _carry_over(text, keep_from.read_text())
    name = SECTION if result.scale.name == "default" else f"{SECTION}-{result.scale.name}"
    generated = bench._marked(name, section(result))
    if bench._block(text, name) is not None:
        start = bench.MARK.format(name=name, edge="start")
        end = bench.MARK.format(name=name, edge="end")
        pattern = re.escape(start) + r"\n.*?" + re.escape(end) + r"\n?"
        text = re.sub(pattern, lambda _m: generated, text, count=1, flags=re.DOTALL)
    elif bench._block(text, NOTES) is not None:
        notes_start = bench.MARK.format(name=NOTES, edge="start")
        text = text.replace(notes_start, generated + "\n" + notes_start, 1)
    else:
        text = text.rstrip("\n") + "\n\n" + generated
    if bench._block(text, NOTES) is None:
        text = text.rstrip("\n") + "\n\n" + bench._marked(NOTES, NOTES_PLACEHOLDER)
    path.write_text(text)


# --- Main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--scale",
        choices=sorted(audit_data.SCALES),
        default="default",
        help="default: 10 million events; small: 1 million, a quick run",
    )
    parser.add_argument(
        "--server-url",
        default=SERVER_URL,
        help="the PostgreSQL server; the database is casusoverleg_audit_bench[_<scale>] on it",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("AUDIT_BENCH_DATABASE_URL", ""),
        help="the database itself (its name must contain audit_bench)",
    )
    parser.add_argument("--rebuild", action="store_true", help="refill even if the data fits")
    parser.add_argument("--workers", type=int, default=2, help="connections loading events")
    parser.add_argument("--subjects", type=int, default=80, help="random youths and employees")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and variant")
    parser.add_argument("--renders", type=int, default=30, help="PDF renders per variant")
    parser.add_argument(
        "--conn-max-age",
        default="0,60",
        help="CONN_MAX_AGE values to measure the pages with (comma-separated)",
    )
    parser.add_argument("--inserts", type=int, default=300, help="record() calls per variant")
    parser.add_argument(
        "--seal-events", type=int, default=SEAL_EVENTS, help="events to seal and verify"
    )
    parser.add_argument("--build-only", action="store_true", help="fill the database and stop")
    parser.add_argument("--no-report", action="store_true", help="do not write the report")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    parser.add_argument(
        "--keep-from",
        type=Path,
        default=None,
        help="a copy of the report taken before tools/bench.py rewrote it: its audit blocks "
        "are carried over",
    )
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, result: Result) -> None:
    """Sizes, the FG's lookups, sealing, the cost of logging and one INSERT."""
    built = result.build
    result.sizes, result.table_bytes = table_sizes()
    clients, fgs = Clients(), FGs()
    _say("FG search for one youth...")
    result.search = measure_search(args.subjects, result.scale, clients, fgs)
    _say("Employee-month view...")
    result.month = measure_month(args.subjects, built, clients, fgs)
    _say("Seal and verify...")
    count = min(args.seal_events, result.scale.events)
    result.seal = measure_seal(built["first_event"], count)
    _say("The cost of logging...")
    ages = [int(a) for a in args.conn_max_age.split(",") if a.strip()]
    result.costs = measure_costs(built["world"], args.requests, args.renders, ages)
    _say("One INSERT, big table and empty table...")
    result.insert = measure_insert(built["world"], result.scale.youths, args.inserts)


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python tools/audit_bench.py [--scale default|small] [options]`."""
    args = parse_args(argv)
    url = database_url(args)
    scale_bench.configure_environment(url)
    # WhiteNoise warns about the collectstatic folder, which a benchmark does not need.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings

    media = Path(tempfile.mkdtemp(prefix="casusoverleg-audit-bench-"))
    settings.STORAGES["default"]["OPTIONS"]["location"] = str(media)
    try:
        load_before = os.getloadavg()
        clock = time.perf_counter()
        started = datetime.now(UTC)
        scale, reused, built = prepare(args, url)
        if args.build_only:
            return 0
        result = Result(
            scale=scale,
            database=urlsplit(url).path.lstrip("/"),
            started=started,
            reused=reused,
            build=built,
            load_before=load_before,
            settings=scale_bench.server_settings(),
            args=vars(args),
        )
        measure(args, result)
        result.load_after = os.getloadavg()
        result.seconds_total = time.perf_counter() - clock
        if not args.no_report:
            write_report(args.output, result, args.keep_from)
            _say(f"Wrote {args.output}")
    finally:
        shutil.rmtree(media, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
