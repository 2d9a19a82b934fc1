"""`make bench-scale`: the need-to-know benchmark of issue 4 at the scale of a real region.

Run with the project's venv: `.venv/bin/python tools/scale_bench.py [--scale default|large]`.

1. **Data.** A separate PostgreSQL database (`casusoverleg_scale`, or `casusoverleg_scale_large`
   for `--scale large`; never the test or the dev database: the name must contain "scale") is
   created, migrated with Django's `migrate` and filled by tools/scale_data.py with set-based
   SQL: 50,000 youths, 100,000 cases, 500,000 participants and grants, about a million shared
   items by default. Then VACUUM ANALYZE. The scale, the generator version and the project's
   migrations are stored in the table `scale_bench_meta`; a second run with the same key reuses
   the filled database and goes straight to measuring (`--rebuild` forces a new one).
2. **Who.** A typical professional (the median number of grants of everyone holding one) and
   the heavy user (the most grants).
3. **Pages.** The case list (the workplace at /werkplek/) and the case page of one of the user's
   cases, requested in this process with Django's test Client (force_login), DEBUG off and the
   production HTTPS settings: median and p95 over N requests, one at a time, and the queries of
   one more request (BEGIN/COMMIT not counted, as in tools/bench.py).
4. **Queries.** The ORM's SQL of the visibility-filtered case list (`case_list(user)[:25]`, taken
   from what the selector actually sends) and of the case page's shared items
   (`shared_item_list`), each against a hand-written raw SQL floor returning the same rows:
   median execution time from `EXPLAIN (ANALYZE, BUFFERS)`, and end to end (ORM with model
   instances against a cursor fetching tuples). Also the case list ordered by the case date
   copied into a grant-like table indexed on (user, permission, date): does the list need that
   denormalised sort key (issue 4: 7.3 ms to 0.23 ms at a million cases)?
5. **Throughput.** gunicorn (sync workers) on 127.0.0.1 against the scale database, with the
   same settings, under `wrk` (`apt-get install wrk`) for a fixed time per page: requests per
   second, latency percentiles and every non-2xx answer or socket error.

The results go into docs/benchmarks.md between the `bench:scale` markers; the hand-written
findings between the `bench:scale-notes` markers and every other section stay as they are.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = BASE_DIR / "docs" / "benchmarks.md"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASES = {"default": "casusoverleg_scale", "large": "casusoverleg_scale_large"}
PAGE_SIZE = 25  # the list query is measured with the page size a paginated list would use
WARMUP = 5
SECRET_KEY = "scale-bench-only-not-a-secret-0123456789abcdef"  # noqa: S105 - a throwaway key
META_TABLE = "scale_bench_meta"

# Targets of issue 4 ("Proof"); the benchmark reports them, no test times anything.
TARGET_DB_RATIO = 1.5
TARGET_E2E_RATIO = 2.0
TARGET_P95_MS = 15.0
TARGET_QUERIES = 6
TARGET_LIST_RPS = 300
TARGET_CASE_RPS = 500

sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "tools"))

import bench  # noqa: E402 - tools/bench.py: machine facts, statement grouping, report markers
import scale_data  # noqa: E402


class ScaleBenchError(RuntimeError):
    """Something would make the numbers lie: a page did not answer 200, a database is wrong."""


def _say(text: str) -> None:
    """Progress on stdout (the project bans print; T20)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- Results --------------------------------------------------------------------------------------


@dataclass
class PageTiming:
    """One page for one user, in this process."""

    label: str
    who: str
    url: str
    samples_ms: list[float]
    cpu_ms: list[float]
    queries: int
    events: int
    size: int
    groups: list[tuple[str, int]]


@dataclass
class QueryTiming:
    """The ORM's statement against the raw floor: EXPLAIN ANALYZE and end to end."""

    label: str
    who: str
    rows: int
    orm_exec_ms: list[float]
    floor_exec_ms: list[float]
    orm_plan_ms: list[float]
    floor_plan_ms: list[float]
    orm_e2e_ms: list[float]
    floor_e2e_ms: list[float]
    orm_buffers: int
    floor_buffers: int
    orm_plan: str
    floor_plan: str
    names: tuple[str, str] = ("ORM", "raw SQL floor")


@dataclass
class LoadRun:
    """One wrk run against gunicorn."""

    label: str
    who: str
    conn_max_age: int
    seconds: int
    connections: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    non_2xx: int = 0
    socket_errors: int = 0
    note: str = ""


@dataclass
class Person:
    """A user the benchmark acts as, with what decides their cost."""

    key: str  # "typical" or "heavy"
    user: Any
    grants: int
    kind: str
    case: Any  # the case whose page is measured
    items_visible: int = 0
    items_in_case: int = 0


@dataclass
class Result:
    """Everything one run measured."""

    scale: scale_data.Scale
    database: str
    started: datetime
    reused: bool
    build_seconds: float
    counts: dict[str, int]
    grant_spread: dict[str, float]
    people: list[Person] = field(default_factory=list)
    pages: list[PageTiming] = field(default_factory=list)
    queries: list[QueryTiming] = field(default_factory=list)
    # (percentile, grants, ORM ms, floor ms, sort-key ms): the list query across the spread.
    spread_rows: list[tuple[str, int, float, float, float]] = field(default_factory=list)
    load: list[LoadRun] = field(default_factory=list)
    load_note: str = ""
    requests: int = 0
    repeats: int = 0
    workers: int = 0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds_total: float = 0.0
    settings: dict[str, str] = field(default_factory=dict)


# --- The database ---------------------------------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    """The scale database's URL; refused unless its name says it is a scale database."""
    url = args.database_url or f"{SERVER_URL}/{DATABASES[args.scale]}"
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")):
        raise ScaleBenchError("The scale benchmark runs on PostgreSQL only.")
    if "scale" not in name or name.startswith("test_"):
        raise ScaleBenchError(
            f"Refusing database {name!r}: the scale benchmark fills, drops and recreates its "
            "database, so its name must contain 'scale' (never the dev or test database)."
        )
    return url


def _maintenance_url(url: str) -> str:
    """The same server, database `postgres` (to create and drop the scale database)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def configure_environment(url: str) -> dict[str, str]:
    """Settings for this process and gunicorn: the one settings module with DEBUG off, the
    scale database, HTTPS settings on (requests say X-Forwarded-Proto: https, as behind the
    TLS proxy), and the test settings' fast hasher and plain static storage (no collectstatic)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    os.environ.update(env)
    return env


def migrations_fingerprint() -> str:
    """A hash of the project's migration files, names and contents: a new or changed
    migration means rebuilding the data."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        digest.update(f"{app}.{name}\n".encode())
        digest.update(Path(sys.modules[migration.__module__].__file__).read_bytes())
    return digest.hexdigest()[:16]


def _stored_key(url: str) -> dict[str, Any] | None:
    """The key a previous run stored in the scale database, if it finished filling."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT to_regclass(%s) IS NOT NULL", [f"public.{META_TABLE}"]
            ).fetchone()
            if not row or not row[0]:
                return None
            row = conn.execute(
                f"SELECT value FROM {META_TABLE} WHERE key = 'key'"  # noqa: S608 - a constant
            ).fetchone()
            return row[0] if row else None
    except psycopg.OperationalError:
        return None  # no such database yet


def ensure_database(url: str, key: dict[str, Any], rebuild: bool) -> bool:
    """Create the scale database, or drop and recreate it unless it holds data of `key`.

    Returns True when the stored data can be reused as it is.
    """
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    stored = None if rebuild else _stored_key(url)
    if stored == key:
        return True
    with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            _say(f"Dropping {name} (its data is not of this scale, generator or schema)...")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def build(scale: scale_data.Scale, key: dict[str, Any]) -> float:
    """Fill the migrated scale database, VACUUM ANALYZE it and store the key; seconds taken."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = bool(cursor.fetchone()[0])
        # A bulk load: no WAL flush per statement, room for sorts and index builds, and (as a
        # superuser) no per-row trigger work for the foreign keys, which the rows satisfy by
        # construction (the smoke test checks them at the toy scale).
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        if superuser:
            cursor.execute("SET session_replication_role = replica")
        try:
            scale_data.fill(
                cursor,
                scale,
                now=timezone.now(),
                say=lambda label, seconds: _say(f"  {label}: {seconds:.1f} s"),
            )
        finally:
            cursor.execute("RESET ALL")
        _say("  VACUUM ANALYZE...")
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)"
        )
        seconds = time.perf_counter() - started
        for name, value in (("key", key), ("built", {"seconds": round(seconds, 1)})):
            cursor.execute(
                f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s) "  # noqa: S608
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [name, json.dumps(value)],
            )
    return seconds


def stored_build_seconds() -> float:
    """How long the stored data took to build, as the first run recorded it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'built'")  # noqa: S608
        row = cursor.fetchone()
    value = row[0] if row else {}
    if isinstance(value, str):
        value = json.loads(value)
    return float(value.get("seconds", 0.0))


# --- Who and what ---------------------------------------------------------------------------------


def view_case_permission() -> int:
    """The id of casusoverleg.view_case."""
    from django.contrib.auth.models import Permission

    return Permission.objects.get(content_type__app_label="casusoverleg", codename="view_case").pk


def grant_spread(perm: int) -> tuple[list[tuple[int, int]], dict[str, float]]:
    """(user id, grants) for everyone holding a grant, fewest first; and percentiles."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, count(*) FROM casusoverleg_caseuserobjectpermission "
            "WHERE permission_id = %s GROUP BY user_id ORDER BY count(*), user_id",
            [perm],
        )
        holders = [(int(u), int(n)) for u, n in cursor.fetchall()]
    if not holders:
        raise ScaleBenchError("Nobody holds a grant: the scale database is empty.")
    counts = [n for _u, n in holders]

    def at(q: float) -> float:
        return float(counts[min(len(counts) - 1, int(q * len(counts)))])

    spread = {
        "holders": len(counts),
        "p50": at(0.5),
        "p90": at(0.9),
        "p99": at(0.99),
        "max": float(counts[-1]),
        "mean": statistics.fmean(counts),
    }
    return holders, spread


def pick_people(holders: list[tuple[int, int]]) -> list[Person]:
    """The typical professional (median grants) and the heavy user (most grants), each with the
    newest case of theirs that has had its meeting (so its page shows a table and items)."""
    from casusoverleg.selectors import case_list
    from parties.models import User

    chosen = [("typical", holders[len(holders) // 2]), ("heavy", holders[-1])]
    people = []
    for key, (user_id, grants) in chosen:
        user = User.objects.select_related("professional__organisation").get(pk=user_id)
        case = (
            case_list(user=user).filter(status__in=["gehouden", "verslag_vastgesteld"]).first()
        ) or case_list(user=user).first()
        kind = user.username.split("-")[1] if user.username.startswith("scale-") else user.role
        people.append(Person(key=key, user=user, grants=grants, kind=kind, case=case))
    return people


# --- Pages in this process ------------------------------------------------------------------------


def _statements(captured: list[dict[str, Any]]) -> list[str]:
    """The SQL of captured queries."""
    return [q["sql"] for q in captured]


class Pages:
    """Requests pages with the test Client as a logged-in user, like tools/bench.py."""

    def __init__(self, requests: int, budget_seconds: float) -> None:
        """N timed requests per page, cut short after `budget_seconds` (at least 5)."""
        self.requests = requests
        self.budget = budget_seconds
        self.clients: dict[int, Any] = {}

    def client(self, user: Any) -> Any:
        """A logged-in test Client for `user` (one session each, kept)."""
        from django.test import Client

        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            # Every role passes a second factor (issues 6 and 7), as a browser's session would.
            from bench import pass_second_factor

            pass_second_factor(client, user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    def get(self, user: Any, url: str) -> Any:
        """GET over HTTPS; ScaleBenchError unless it answers 200."""
        response = self.client(user).get(url, secure=True)
        if response.status_code != 200:
            raise ScaleBenchError(f"{url} as {user.username} answered {response.status_code}")
        return response

    def measure(self, label: str, person: Person, url: str) -> PageTiming:
        """Warm up, time up to N requests one after the other, then count one more."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from audit.models import AccessEvent

        user = person.user
        # Warm-up: WARMUP requests, fewer for a slow page (a fifth of the time budget at most).
        warm_until = time.perf_counter() + self.budget / 5
        for _ in range(WARMUP):
            self.get(user, url)
            if time.perf_counter() > warm_until:
                break
        samples, cpu = [], []
        deadline = time.perf_counter() + self.budget
        while len(samples) < self.requests and (len(samples) < 5 or time.perf_counter() < deadline):
            started, started_cpu = time.perf_counter(), time.process_time()
            self.get(user, url)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        before = AccessEvent.objects.filter(actor_id=user.pk).count()
        with CaptureQueriesContext(connection) as captured:
            response = self.get(user, url)
        events = AccessEvent.objects.filter(actor_id=user.pk).count() - before
        statements = _statements(captured.captured_queries)
        counted = [s for s in statements if bench._group(s) not in bench.TRANSACTION_CONTROL]
        groups = Counter(bench._group(s) for s in statements).most_common()
        _say(
            f"  {label} ({person.key}): median {statistics.median(samples):.1f} ms, "
            f"p95 {bench._p95(samples):.1f} ms over {len(samples)}, {len(counted)} queries"
        )
        return PageTiming(
            label,
            person.key,
            url,
            samples,
            cpu,
            len(counted),
            events,
            len(response.content),
            groups,
        )

    def profile(self, person: Person, url: str, runs: int = 20) -> str:
        """cProfile of `runs` requests: the top functions by cumulative time (for findings)."""
        import cProfile
        import io
        import pstats

        self.get(person.user, url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            self.get(person.user, url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        return out.getvalue()


# --- Queries: ORM against the raw floor -----------------------------------------------------------


def _captured_sql(run: Any, table: str) -> tuple[str, int]:
    """The first SELECT from `table` that `run()` sends, as the database received it (the
    values inlined), and the number of rows `run()` returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        rows = run()
    wanted = f"SELECT {table}"
    selects = [q["sql"] for q in captured.captured_queries if bench._group(q["sql"]) == wanted]
    if not selects:
        raise ScaleBenchError(f"The selector sent no SELECT from {table}")
    return selects[0], len(rows)


def _explain(sql: str, params: Any = None) -> tuple[float, float, int, str]:
    """EXPLAIN (ANALYZE, BUFFERS): execution ms, planning ms, shared buffers touched, plan."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    doc = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    plan = doc["Plan"]
    buffers = int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))
    return doc["Execution Time"], doc["Planning Time"], buffers, _plan_text(plan)


def _plan_text(node: dict[str, Any], depth: int = 0) -> str:
    """A compact text rendering of a JSON plan: node, relation, index, rows and time."""
    what = node["Node Type"]
    if "Relation Name" in node:
        what += f" on {node['Relation Name']}"
    if "Index Name" in node:
        what += f" using {node['Index Name']}"
    if "Sort Key" in node:
        what += f" by {', '.join(node['Sort Key'])}"
    loops = node.get("Actual Loops", 1)
    line = (
        f"{'  ' * depth}-> {what} (rows={node.get('Actual Rows', 0)} loops={loops} "
        f"time={node.get('Actual Total Time', 0):.3f} ms)"
    )
    if "Rows Removed by Filter" in node:
        line += f" removed by filter={node['Rows Removed by Filter']}"
    children = [_plan_text(child, depth + 1) for child in node.get("Plans", [])]
    return "\n".join([line, *children])


def _interleaved(repeats: int, orm: Any, floor: Any) -> tuple[list[float], list[float]]:
    """Time two callables alternately `repeats` times (after one warm-up each), in ms."""
    orm()
    floor()
    a, b = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        orm()
        a.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        floor()
        b.append((time.perf_counter() - started) * 1000)
    return a, b


def _fetch(sql: str, params: Any) -> list[Any]:
    """Run raw SQL and fetch all rows (the end-to-end floor: no model instances)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _compare(
    label: str,
    person: Person,
    repeats: int,
    measured: tuple[str, Any, Any],
    floor: tuple[str, Any],
    rows: int,
    names: tuple[str, str] = ("ORM", "raw SQL floor"),
) -> QueryTiming:
    """EXPLAIN ANALYZE both statements `repeats` times, interleaved, then time them end to end.

    `measured` is (SQL, params, a callable that runs it the way the app does); `floor` is (SQL,
    params), run end to end as a cursor fetching tuples.
    """
    sql, params, run = measured
    floor_sql, floor_params = floor
    orm_exec, orm_plan_ms, floor_exec, floor_plan_ms = [], [], [], []
    orm_buffers = floor_buffers = 0
    orm_plan = floor_plan = ""
    _explain(sql, params)
    _explain(floor_sql, floor_params)
    for _ in range(repeats):
        ms, plan_ms, orm_buffers, orm_plan = _explain(sql, params)
        orm_exec.append(ms)
        orm_plan_ms.append(plan_ms)
        ms, plan_ms, floor_buffers, floor_plan = _explain(floor_sql, floor_params)
        floor_exec.append(ms)
        floor_plan_ms.append(plan_ms)
    orm_e2e, floor_e2e = _interleaved(repeats, run, lambda: _fetch(floor_sql, floor_params))
    floor_rows = len(_fetch(floor_sql, floor_params))
    if floor_rows != rows:
        raise ScaleBenchError(f"{label}: {names[1]} returned {floor_rows} rows, {names[0]} {rows}")
    result = QueryTiming(
        label=label,
        who=person.key,
        rows=rows,
        orm_exec_ms=orm_exec,
        floor_exec_ms=floor_exec,
        orm_plan_ms=orm_plan_ms,
        floor_plan_ms=floor_plan_ms,
        orm_e2e_ms=orm_e2e,
        floor_e2e_ms=floor_e2e,
        orm_buffers=orm_buffers,
        floor_buffers=floor_buffers,
        orm_plan=orm_plan,
        floor_plan=floor_plan,
        names=names,
    )
    _say(
        f"  {label} ({person.key}): DB {statistics.median(orm_exec):.3f} ms vs "
        f"{statistics.median(floor_exec):.3f} ms; end to end {statistics.median(orm_e2e):.2f} "
        f"vs {statistics.median(floor_e2e):.2f} ms"
    )
    return result


# The floor of the case list: the grants of the user joined straight to their cases, with the
# same related rows the selector selects, in the same order. The permission id is known.
LIST_FLOOR = """
SELECT c.*, y.*, ct.*, u.*, o.*, pu.*
FROM casusoverleg_caseuserobjectpermission g
JOIN casusoverleg_case c ON c.id = g.content_object_id
LEFT JOIN parties_youth y ON y.id = c.youth_id
JOIN convenant_consultationtype ct ON ct.id = c.consultation_type_id
JOIN parties_user u ON u.id = c.coordinator_id
JOIN parties_organisation o ON o.id = c.organisation_id
JOIN convenant_purpose pu ON pu.id = c.purpose_id
WHERE g.user_id = %(user)s AND g.permission_id = %(perm)s
ORDER BY c.created_at DESC
LIMIT %(limit)s
"""

# The same list from a grant table that carries the case's date (the denormalised sort key):
# the index gives the newest grants of the user in order, so only one page of rows is read.
SORTED_GRANTS = """
CREATE TEMP TABLE IF NOT EXISTS scale_sorted_grant AS
SELECT g.user_id, g.permission_id, c.created_at AS case_created_at, g.content_object_id AS case_id
FROM casusoverleg_caseuserobjectpermission g
JOIN casusoverleg_case c ON c.id = g.content_object_id;
CREATE INDEX IF NOT EXISTS scale_sorted_grant_idx
    ON scale_sorted_grant (user_id, permission_id, case_created_at DESC, case_id);
ANALYZE scale_sorted_grant;
"""
LIST_SORTED = """
SELECT c.*, y.*, ct.*, u.*, o.*, pu.*
FROM (
    SELECT case_id, case_created_at FROM scale_sorted_grant
    WHERE user_id = %(user)s AND permission_id = %(perm)s
    ORDER BY case_created_at DESC
    LIMIT %(limit)s
) AS g
JOIN casusoverleg_case c ON c.id = g.case_id
LEFT JOIN parties_youth y ON y.id = c.youth_id
JOIN convenant_consultationtype ct ON ct.id = c.consultation_type_id
JOIN parties_user u ON u.id = c.coordinator_id
JOIN parties_organisation o ON o.id = c.organisation_id
JOIN convenant_purpose pu ON pu.id = c.purpose_id
ORDER BY g.case_created_at DESC
"""

# The floor of the case page's shared items: the user's grant on the case checked once, then
# the items the reader may see. The reader's receiving classes are worked out beforehand (a
# few rows of reference data), which the ORM's statement looks up in a correlated EXISTS.
ITEMS_FLOOR = """
SELECT i.*, cat.*, lb.*, o.*, a.*, w.*, m.*
FROM casusoverleg_shareditem i
JOIN casusoverleg_case c ON c.id = i.case_id
JOIN convenant_datacategory cat ON cat.id = i.category_id
JOIN convenant_legalbasis lb ON lb.id = i.legal_basis_id
JOIN parties_organisation o ON o.id = i.owner_id
JOIN parties_user a ON a.id = i.author_id
LEFT JOIN parties_user w ON w.id = i.withheld_by_id
LEFT JOIN casusoverleg_meeting m ON m.id = i.meeting_id
WHERE i.case_id = %(case)s
  AND EXISTS (
      SELECT 1 FROM casusoverleg_caseuserobjectpermission g
      WHERE g.user_id = %(user)s AND g.permission_id = %(perm)s AND g.content_object_id = %(case)s
  )
  AND (
      (i.owner_id = %(org)s AND i.owner_capacity = %(capacity)s)
      OR (
          i.withheld_at IS NULL AND NOT i.shared_on_consent AND c.access_expired_at IS NULL
          AND i.data_class = ANY(%(classes)s)
          AND (i.audience_all OR EXISTS (
              SELECT 1 FROM casusoverleg_shareditem_recipients r
              JOIN casusoverleg_participant p ON p.id = r.participant_id
              WHERE r.shareditem_id = i.id AND p.user_id = %(user)s AND p.left_at IS NULL
          ))
      )
  )
  AND (%(secrecy)s OR i.data_class <> 'special_health')
ORDER BY i.created_at
"""


def receiving_classes(user: Any) -> list[str]:
    """The data classes `user` may read from others: the classes of their party's non-consent
    bases, less health data without secrecy, plus anonymous data (as SharedItem.visible_to)."""
    from convenant.models import LegalBasis

    professional = user.professional
    classes = set(
        LegalBasis.objects.filter(
            enabled=True,
            consent_basis=False,
            party_type=professional.organisation.party_type,
            capacity=professional.capacity,
        ).values_list("data_class", flat=True)
    )
    if not professional.bound_by_secrecy:
        classes.discard("special_health")
    return sorted(classes | {"anonymous"})


def measure_queries(person: Person, perm: int, repeats: int) -> list[QueryTiming]:
    """The case list (and its sort-key variant) and the shared items, ORM against the floor."""
    from django.db import connection

    from casusoverleg.models import SharedItem
    from casusoverleg.selectors import case_list, shared_item_list

    user, case = person.user, person.case
    results = []

    def orm_list() -> list[Any]:
        """The selector's list, one page of it, as model instances."""
        return list(case_list(user=user)[:PAGE_SIZE])

    sql, rows = _captured_sql(orm_list, "casusoverleg_case")
    params = {"user": user.pk, "perm": perm, "limit": PAGE_SIZE}
    results.append(
        _compare(
            "Case list, first 25",
            person,
            repeats,
            (sql, None, orm_list),
            (LIST_FLOOR, params),
            rows,
        )
    )
    # Would a sort key in the grant row help? The floor against the floor with that key.
    with connection.cursor() as cursor:
        cursor.execute(SORTED_GRANTS)
    results.append(
        _compare(
            "Case list, first 25: sort key in the grant row",
            person,
            repeats,
            (LIST_FLOOR, params, lambda: _fetch(LIST_FLOOR, params)),
            (LIST_SORTED, params),
            rows,
            names=("raw SQL floor", "date in the grant row"),
        )
    )
    if case is not None:

        def orm_items() -> list[Any]:
            """The case page's items as the selector returns them (with the prefetch)."""
            return shared_item_list(user=user, case=case)

        sql, rows = _captured_sql(orm_items, "casusoverleg_shareditem")
        person.items_visible = rows
        person.items_in_case = SharedItem.objects.filter(case=case).count()
        item_params = {
            "case": case.pk,
            "user": user.pk,
            "perm": perm,
            "org": user.professional.organisation_id,
            "capacity": user.professional.capacity,
            "secrecy": user.professional.bound_by_secrecy,
            "classes": receiving_classes(user),
        }
        results.append(
            _compare(
                "Shared items of the case page",
                person,
                repeats,
                (sql, None, orm_items),
                (ITEMS_FLOOR, item_params),
                rows,
            )
        )
    return results


def _exec_ms(sql: str, params: Any, repeats: int) -> float:
    """Median EXPLAIN ANALYZE execution time of `sql` over `repeats` runs (after one)."""
    _explain(sql, params)
    return statistics.median(_explain(sql, params)[0] for _ in range(repeats))


def measure_spread(
    holders: list[tuple[int, int]], perm: int, repeats: int
) -> list[tuple[str, int, float, float, float]]:
    """The list query for users across the grant spread (median to max): the ORM's statement,
    the raw floor and the floor with the date in the grant row. The typical and the heavy user
    are the ends; procesregisseurs and leerplicht officers with hundreds to thousands of grants
    sit in between, where a plan that is right for one end can be wrong."""
    from casusoverleg.selectors import case_list
    from parties.models import User

    rows = []
    for label, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999), ("max", 1.0)):
        user_id, grants = holders[min(len(holders) - 1, int(q * len(holders)))]
        user = User.objects.get(pk=user_id)
        sql, _rows = _captured_sql(
            lambda u=user: list(case_list(user=u)[:PAGE_SIZE]), "casusoverleg_case"
        )
        params = {"user": user_id, "perm": perm, "limit": PAGE_SIZE}
        orm = _exec_ms(sql, None, max(1, repeats // 3))
        floor = _exec_ms(LIST_FLOOR, params, repeats)
        sort_key = _exec_ms(LIST_SORTED, params, repeats)
        _say(
            f"  {label} ({grants} grants): ORM {orm:.1f} ms, floor {floor:.2f} ms, "
            f"date in the grant row {sort_key:.2f} ms"
        )
        rows.append((label, grants, orm, floor, sort_key))
    return rows


# --- Throughput: gunicorn under wrk ---------------------------------------------------------------

# wrk script: one session cookie per request in turn (so that concurrent requests do not queue
# on one session row, which every request saves), the proxy's HTTPS header, and a count of every
# answer that is not 200 (wrk itself counts 3xx as success; a redirect to the login page would
# hide a lost session).
WRK_SCRIPT = """
local cookies = {%(cookies)s}
local path = "%(path)s"
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  total = 0
end

function request()
  counter = counter + 1
  local headers = {}
  headers["Cookie"] = "sessionid=" .. cookies[(counter %% #cookies) + 1]
  headers["X-Forwarded-Proto"] = "https"
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  total = total + 1
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total, all_total = 0, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    all_total = all_total + thread:get("total")
  end
  io.write(string.format("NOT200 %%d\\nANSWERED %%d\\n", bad_total, all_total))
end
"""


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http_get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    """One GET to the local server (redirects are not followed: a 302 is an answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    """gunicorn on 127.0.0.1 with the benchmark's environment, started and stopped by us."""

    def __init__(self, env: dict[str, str], workers: int, conn_max_age: int) -> None:
        """Start the server; wait until /health/ answers."""
        self.port = _free_port()
        gunicorn = BASE_DIR / ".venv" / "bin" / "gunicorn"
        command = [
            str(gunicorn if gunicorn.exists() else shutil.which("gunicorn") or "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            command,
            cwd=BASE_DIR,
            env={**os.environ, **env, "DATABASE_CONN_MAX_AGE": str(conn_max_age)},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ScaleBenchError(f"gunicorn stopped: {self.output()}")
            try:
                if _http_get(self.port, "/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise ScaleBenchError("gunicorn did not answer /health/ within 60 s")

    def output(self) -> str:
        """What gunicorn printed (errors)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        """Stop gunicorn gracefully (SIGTERM to the master we started), then close the log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _ms(value: str, unit: str) -> float:
    """wrk's '1.23ms' / '850.00us' / '1.02s' in ms."""
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    wrk: str, port: int, path: str, cookies: list[str], seconds: int, connections: int
) -> dict[str, Any]:
    """One wrk run; its figures parsed from the output."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"cookies": ", ".join(f'"{c}"' for c in cookies), "path": path})
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                wrk,
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    finally:
        Path(script.name).unlink()
    out = result.stdout
    if result.returncode != 0:
        raise ScaleBenchError(f"wrk failed: {result.stderr or out}")
    figures: dict[str, Any] = {"output": out}
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    figures["rps"] = float(match.group(1)) if match else 0.0
    match = re.search(r"(\d+) requests in", out)
    figures["requests"] = int(match.group(1)) if match else 0
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        figures[f"p{pct}"] = _ms(*match.groups()) if match else 0.0
    match = re.search(r"NOT200 (\d+)", out)
    figures["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non_2xx"] = max(figures["non_2xx"], int(match.group(1)) if match else 0)
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    figures["socket_errors"] = sum(int(g) for g in match.groups()) if match else 0
    return figures


def session_cookies(user: Any, count: int) -> list[str]:
    """`count` sessions of `user` in the scale database (as a login would create them)."""
    from django.conf import settings
    from django.test import Client

    from bench import pass_second_factor

    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        pass_second_factor(client, user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def measure_load(
    env: dict[str, str],
    plan: list[tuple[str, Person, str, int]],
    args: argparse.Namespace,
    in_process_ms: dict[tuple[str, str], float],
) -> tuple[list[LoadRun], str]:
    """Each (label, person, url, CONN_MAX_AGE) for args.load_seconds under wrk, each on a fresh
    gunicorn (so a slow page cannot leave queued requests for the next one); a short unrecorded
    run first warms the workers. A page slower than --max-load-ms in process is not loaded: its
    throughput is bounded by workers / time per request, which the row states instead."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return [], "not measured: wrk is not installed (`apt-get install wrk`, see the Makefile)"
    runs = []
    for label, person, url, conn_max_age in plan:
        run = LoadRun(label, person.key, conn_max_age, args.load_seconds, args.connections)
        runs.append(run)
        median = in_process_ms.get((label, person.key), 0.0)
        if median > args.max_load_ms:
            run.rps = args.workers * 1000 / median
            run.note = (
                f"not run: {median / 1000:.1f} s per request in process, so at most "
                f"≈ {run.rps:.1f} req/s with {args.workers} workers"
            )
            _say(f"  {label} ({person.key}): {run.note}")
            continue
        server = Server(env, args.workers, conn_max_age)
        try:
            cookies = session_cookies(person.user, args.connections)
            status, body = _http_get(server.port, url, cookies[0])
            if status != 200:
                raise ScaleBenchError(f"gunicorn answered {status} for {url}: {body[:300]!r}")
            run_wrk(wrk, server.port, url, cookies, 3, args.connections)
            figures = run_wrk(wrk, server.port, url, cookies, args.load_seconds, args.connections)
        except (OSError, ScaleBenchError) as error:
            run.note = f"failed: {error}"
            _say(f"  {label} ({person.key}): {run.note}")
            continue
        finally:
            server.stop()
        run.requests = figures["requests"]
        run.rps = figures["rps"]
        run.p50_ms, run.p90_ms, run.p99_ms = figures["p50"], figures["p90"], figures["p99"]
        run.non_2xx = figures["non_2xx"]
        run.socket_errors = figures["socket_errors"]
        _say(
            f"  {label} ({person.key}, CONN_MAX_AGE={conn_max_age}): {run.rps:.0f} req/s, "
            f"p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, "
            f"{run.non_2xx} not 200, {run.socket_errors} socket errors"
        )
    return runs, ""


# --- Report ---------------------------------------------------------------------------------------

SECTION = "scale"
NOTES = "scale-notes"
NOTES_PLACEHOLDER = (
    "### Findings at scale\n\n"
    "(Written by hand: why a target is missed and what would fix it. The script keeps this "
    "block between its markers.)\n"
)


def _median(values: list[float]) -> float:
    """The median, or 0 for no values."""
    return statistics.median(values) if values else 0.0


def _ratio(a: list[float], b: list[float]) -> float:
    """median(a) / median(b)."""
    floor = _median(b)
    return _median(a) / floor if floor else float("inf")


def _met(ok: bool) -> str:
    """A verdict cell."""
    return "met" if ok else "**not met**"


def _kib(size: int) -> str:
    """Bytes as KiB."""
    return f"{size / 1024:.0f}"


def server_settings() -> dict[str, str]:
    """The PostgreSQL settings that decide the plans and caching, as the server has them."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for name in ("server_version", "shared_buffers", "work_mem", "effective_cache_size"):
            cursor.execute(f"SHOW {name}")
            found[name] = str(cursor.fetchone()[0])
    return found


def _tool_version(command: list[str]) -> str:
    """The first line a tool prints about its version, or 'not installed'."""
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        return "not installed"
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        command, capture_output=True, text=True, check=False
    )
    text = (result.stdout or result.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def targets(result: Result) -> list[str]:
    """The issue's targets, each with what was measured and a verdict."""
    rows = []
    lists = [q for q in result.queries if q.label == "Case list, first 25"]
    if lists:
        db = {q.who: _ratio(q.orm_exec_ms, q.floor_exec_ms) for q in lists}
        e2e = {q.who: _ratio(q.orm_e2e_ms, q.floor_e2e_ms) for q in lists}
        rows.append(
            f"| List query, DB execution | ≤ {TARGET_DB_RATIO}× the raw-SQL floor | "
            + ", ".join(f"{who} {r:.2f}×" for who, r in db.items())
            + f" | {_met(all(r <= TARGET_DB_RATIO for r in db.values()))} |"
        )
        rows.append(
            f"| List query, end to end | ≤ {TARGET_E2E_RATIO}× the floor | "
            + ", ".join(f"{who} {r:.2f}×" for who, r in e2e.items())
            + f" | {_met(all(r <= TARGET_E2E_RATIO for r in e2e.values()))} |"
        )
    for label in ("Case list", "Case page"):
        pages = [p for p in result.pages if p.label == label]
        if not pages:
            continue
        p95 = {p.who: bench._p95(p.samples_ms) for p in pages}
        rows.append(
            f"| {label}, p95 server time | < {TARGET_P95_MS:.0f} ms | "
            + ", ".join(f"{who} {v:.1f} ms" for who, v in p95.items())
            + f" | {_met(all(v < TARGET_P95_MS for v in p95.values()))} |"
        )
        queries = {p.who: p.queries for p in pages}
        flat = len(set(queries.values())) == 1
        rows.append(
            f"| {label}, queries per page | ≤ {TARGET_QUERIES}, whatever the data size | "
            + ", ".join(f"{who} {n}" for who, n in queries.items())
            + (" (flat)" if flat else " (differs between the users)")
            + f" | {_met(flat and all(n <= TARGET_QUERIES for n in queries.values()))} |"
        )
    for label, goal in (("Case list", TARGET_LIST_RPS), ("Case page", TARGET_CASE_RPS)):
        runs = [r for r in result.load if r.label == label and r.who == "typical"]
        if not runs:
            rows.append(f"| {label}, requests per second | ≥ {goal} | {result.load_note} | — |")
            continue
        default = [r for r in runs if r.conn_max_age == 0] or runs
        rows.append(
            f"| {label}, requests per second (typical user) | ≥ {goal} on 2 cores | "
            + ", ".join(
                f"{r.rps:.0f} (CONN_MAX_AGE={r.conn_max_age})"
                if not r.note
                else f"{r.note} (CONN_MAX_AGE={r.conn_max_age})"
                for r in runs
            )
            + f" | {_met(all(r.rps >= goal and not r.note for r in default))} |"
        )
    if result.load:
        measured = [r for r in result.load if not r.note]
        failed = [r for r in result.load if r.note.startswith("failed")]
        errors = sum(r.non_2xx + r.socket_errors for r in measured)
        rows.append(
            f"| Errors under load | 0 | {errors} not-200 answers or socket errors in "
            f"{sum(r.requests for r in measured)} requests"
            + (f"; {len(failed)} runs failed" if failed else "")
            + f" | {_met(errors == 0 and not failed)} |"
        )
    return ["| target | goal | measured | verdict |", "| --- | --- | --- | --- |", *rows]


def section(result: Result) -> str:
    """The generated section: run facts, targets, pages, queries, throughput, plans."""
    scale = result.scale
    s = result.settings
    target = "bench-scale" if scale.name == "default" else f"bench-scale-{scale.name}"
    lines = [
        f"## Need to know at scale ({scale.name}): PostgreSQL {s.get('server_version', '')}",
        "",
        f"Generated by `make {target}` "
        f"(`tools/scale_bench.py --scale {scale.name}`); the data generator is "
        "tools/scale_data.py. The hand-written findings after the sections explain the misses.",
        "",
        f"- Run: {result.started:%Y-%m-%d %H:%M} UTC, commit {bench.git_commit()}; "
        f"{result.seconds_total / 60:.1f} min in all.",
        f"- Database `{result.database}`: "
        + (
            f"reused (built earlier in {result.build_seconds / 60:.1f} min)"
            if result.reused
            else f"built in {result.build_seconds / 60:.1f} min (set-based SQL, VACUUM ANALYZE)"
        )
        + f". Server settings as installed: shared_buffers {s.get('shared_buffers')}, work_mem "
        f"{s.get('work_mem')}, effective_cache_size {s.get('effective_cache_size')}.",
        f"- Load average (1/5/15 min) before: {bench._load(result.load_before)}, after: "
        f"{bench._load(result.load_after)} on 2 cores (other processes share the machine).",
        f"- Tools: {s.get('gunicorn', '')}; {s.get('wrk', '')}.",
        "",
        "| rows | count |",
        "| --- | ---: |",
    ]
    names = {
        "parties_youth": "youths",
        "parties_user": "users (professionals, procesregisseurs, parents)",
        "parties_professional": "professionals (incl. procesregisseurs)",
        "casusoverleg_case": "cases",
        "casusoverleg_participant": "participants (professional seats and a parent each)",
        "casusoverleg_caseuserobjectpermission": "grants (casusoverleg.view_case)",
        "casusoverleg_meeting": "meetings",
        "casusoverleg_invitation": "invitations",
        "casusoverleg_shareditem": "shared items",
        "casusoverleg_shareditem_recipients": "narrowed item recipients",
    }
    lines += [f"| {label} | {result.counts.get(table, 0):,} |" for table, label in names.items()]
    spread = result.grant_spread
    lines += [
        "",
        f"Grants per holder ({spread['holders']:,.0f} holders): median {spread['p50']:.0f}, "
        f"p90 {spread['p90']:.0f}, p99 {spread['p99']:.0f}, max {spread['max']:.0f} "
        f"(mean {spread['mean']:.0f}).",
        "",
    ]
    for person in result.people:
        case = person.case
        lines.append(
            f"- **{person.key}**: `{person.user.username}` ({person.kind}, role "
            f"{person.user.role}), {person.grants:,} grants. Case page: a case in status "
            f"`{case.status if case else '—'}` with {person.items_in_case} shared items, "
            f"{person.items_visible} of them visible to this user."
        )
    lines += ["", "### Targets (issue 4)", "", *targets(result), ""]
    lines += [
        "### Pages, in process",
        "",
        f"Test Client, one request at a time, DEBUG off: up to {result.requests} timed requests "
        f"after {WARMUP} warm-up ones (fewer when a page is slow: each page has a time budget), "
        "then one counted request. The list page is the workplace (/werkplek/), which lists "
        "every case the user sees and logs one access event per youth shown.",
        "",
        "| page | user | grants | requests | median ms | p95 ms | CPU median ms | queries | "
        "access events | KiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    grants = {p.key: p.grants for p in result.people}
    for page in result.pages:
        lines.append(
            f"| {page.label} | {page.who} | {grants.get(page.who, 0):,} | {len(page.samples_ms)} | "
            f"{_median(page.samples_ms):.1f} | {bench._p95(page.samples_ms):.1f} | "
            f"{_median(page.cpu_ms):.1f} | {page.queries} | {page.events} | {_kib(page.size)} |"
        )
    lines += [
        "",
        "### Queries: ORM against the raw-SQL floor",
        "",
        f"Each statement {result.repeats} times, interleaved with its floor. *DB* is the "
        "execution time EXPLAIN (ANALYZE, BUFFERS) reports (planning excluded, shown apart); "
        "*end to end* is the selector as the app calls it (SQL, round trip, model instances; for "
        "the items including the prefetch of narrowed recipients) against a cursor fetching the "
        "floor's tuples. The floors return the same rows in the same order: the list as the "
        "user's grants joined straight to the cases; the items with the reader's receiving "
        "classes worked out beforehand. The sort-key row compares the list floor with the same "
        "list read from a grant table that carries the case date, indexed on (user, "
        "permission, date) (a temporary table built for the comparison; no schema change).",
        "",
        "| query | user | rows | DB ms | floor DB ms | DB ratio | planning ms | buffers | "
        "end to end ms | floor ms | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for q in result.queries:
        lines.append(
            f"| {q.label} ({q.names[0]} vs {q.names[1]}) | {q.who} | {q.rows} | "
            f"{_median(q.orm_exec_ms):.3f} | {_median(q.floor_exec_ms):.3f} | "
            f"{_ratio(q.orm_exec_ms, q.floor_exec_ms):.2f}× | "
            f"{_median(q.orm_plan_ms):.2f} / {_median(q.floor_plan_ms):.2f} | "
            f"{q.orm_buffers} / {q.floor_buffers} | {_median(q.orm_e2e_ms):.2f} | "
            f"{_median(q.floor_e2e_ms):.2f} | {_ratio(q.orm_e2e_ms, q.floor_e2e_ms):.2f}× |"
        )
    if result.spread_rows:
        lines += [
            "",
            "The list query (first 25) for users across the grant spread: median DB execution "
            "of the ORM's statement, of the raw floor and of the floor reading a grant table "
            "that carries the case date (as above).",
            "",
            "| holder | grants | ORM ms | floor ms | date in the grant row ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {label} | {grants:,} | {orm:.1f} | {floor:.2f} | {sort_key:.2f} |"
            for label, grants, orm, floor, sort_key in result.spread_rows
        ]
    lines += ["", "### Throughput: gunicorn under wrk", ""]
    if result.load:
        first = result.load[0]
        lines += [
            f"gunicorn {result.workers} sync workers on 127.0.0.1 (settings as above, "
            "X-Forwarded-Proto: https as behind the TLS proxy), wrk 1 thread, "
            f"{first.connections} connections, {first.seconds} s per row after 3 s of warm-up; "
            f"{first.connections} sessions of the user, one per request in turn. Everything "
            "(PostgreSQL, gunicorn, wrk) shares the 2 cores. `CONN_MAX_AGE=0` is the "
            "project's default (a new database connection per request); 60 keeps them.",
            "",
            "| page | user | CONN_MAX_AGE | req/s | p50 ms | p90 ms | p99 ms | requests | "
            "not 200 | socket errors |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in result.load:
            if r.note:
                lines.append(f"| {r.label} | {r.who} | {r.conn_max_age} | {r.note} ||||||")
                continue
            lines.append(
                f"| {r.label} | {r.who} | {r.conn_max_age} | {r.rps:.0f} | {r.p50_ms:.1f} | "
                f"{r.p90_ms:.1f} | {r.p99_ms:.1f} | {r.requests} | {r.non_2xx} | "
                f"{r.socket_errors} |"
            )
    else:
        lines.append(f"Throughput {result.load_note}.")
    lines += ["", "### Queries per page, by statement and table", ""]
    for page in result.pages:
        groups = ", ".join(f"{g} ×{n}" for g, n in page.groups)
        lines.append(f"- **{page.label}** ({page.who}, {page.queries}): {groups}")
    lines += ["", "<details><summary>Plans (the last EXPLAIN ANALYZE of each)</summary>", ""]
    for q in result.queries:
        lines += [
            f"**{q.label}, {q.who}: {q.names[0]}**",
            "",
            "```",
            q.orm_plan,
            "```",
            "",
            f"**{q.label}, {q.who}: {q.names[1]}**",
            "",
            "```",
            q.floor_plan,
            "```",
            "",
        ]
    lines += ["</details>", ""]
    return "\n".join(lines)


def _carry_over(text: str, previous: str) -> str:
    """`text` with the scale blocks of `previous` that it lacks, appended in their order.

    tools/bench.py rewrites the file keeping only its own blocks; `make bench` saves a copy
    before it runs, so that the hand-written scale findings survive (`--keep-from`).
    """
    names = [SECTION, *(f"{SECTION}-{s}" for s in scale_data.SCALES if s != "default"), NOTES]
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
    # One block per scale: the default's, and below it the large one's when it has run.
    name = SECTION if result.scale.name == "default" else f"{SECTION}-{result.scale.name}"
    generated = bench._marked(name, section(result))
    if bench._block(text, name) is not None:
        start = bench.MARK.format(name=name, edge="start")
        end = bench.MARK.format(name=name, edge="end")
        pattern = re.escape(start) + r"\n.*?" + re.escape(end) + r"\n?"
        text = re.sub(pattern, lambda _m: generated, text, count=1, flags=re.DOTALL)
    elif bench._block(text, NOTES) is not None:
        # Sections first, the findings after them.
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
    parser.add_argument("--scale", choices=sorted(scale_data.SCALES), default="default")
    parser.add_argument("--database-url", default=os.environ.get("SCALE_DATABASE_URL", ""))
    parser.add_argument("--rebuild", action="store_true", help="refill even if the data fits")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument(
        "--page-budget", type=float, default=30.0, help="seconds of timed requests per page"
    )
    parser.add_argument("--repeats", type=int, default=30, help="EXPLAIN runs per statement")
    parser.add_argument("--load-seconds", type=int, default=15, help="wrk seconds per page")
    parser.add_argument("--connections", type=int, default=6, help="wrk connections")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument(
        "--conn-max-age",
        default="0,60",
        help="CONN_MAX_AGE values to load-test the typical user with (comma-separated)",
    )
    parser.add_argument("--no-load", action="store_true", help="skip gunicorn and wrk")
    parser.add_argument(
        "--max-load-ms",
        type=float,
        default=2000.0,
        help="do not load-test a page slower than this in process (its bound is reported)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile of the typical user's pages"
    )
    parser.add_argument("--build-only", action="store_true", help="fill the database and stop")
    parser.add_argument("--no-report", action="store_true", help="do not write the report")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    parser.add_argument(
        "--keep-from",
        type=Path,
        default=None,
        help="a copy of the report taken before tools/bench.py rewrote it: its scale blocks "
        "and findings are carried over",
    )
    return parser.parse_args(argv)


def prepare(args: argparse.Namespace, url: str) -> tuple[scale_data.Scale, bool, float]:
    """Create or reuse the scale database, migrate it and fill it when needed."""
    from django.core.management import call_command

    scale = scale_data.SCALES[args.scale]
    key = {"scale": scale.key(), "migrations": migrations_fingerprint()}
    reused = ensure_database(url, key, args.rebuild)
    _say(f"Migrating {urlsplit(url).path.lstrip('/')}...")
    call_command("migrate", verbosity=0, interactive=False)
    if reused:
        _say("Reusing the filled database (same scale, generator and migrations).")
        return scale, True, stored_build_seconds()
    _say(f"Filling at the {scale.name} scale...")
    return scale, False, build(scale, key)


def measure(args: argparse.Namespace, env: dict[str, str], result: Result) -> None:
    """Users, pages, queries and throughput."""
    from django.db import connection
    from django.urls import reverse

    perm = view_case_permission()
    holders, result.grant_spread = grant_spread(perm)
    result.people = pick_people(holders)
    with connection.cursor() as cursor:
        result.counts = scale_data.counts(cursor)
    pages = Pages(args.requests, args.page_budget)
    list_url = reverse("casusoverleg:dashboard")

    def case_url(person: Person) -> str:
        return reverse("casusoverleg:case_detail", kwargs={"uuid": person.case.uuid})

    _say("Pages, in process...")
    for person in result.people:
        result.pages.append(pages.measure("Case list", person, list_url))
        result.pages.append(pages.measure("Case page", person, case_url(person)))
    if args.profile:
        typical = result.people[0]
        _say(pages.profile(typical, list_url))
        _say(pages.profile(typical, case_url(typical)))
    _say("Queries, ORM against the floor...")
    for person in result.people:
        result.queries += measure_queries(person, perm, args.repeats)
    _say("The list query across the grant spread...")
    result.spread_rows = measure_spread(holders, perm, max(3, args.repeats // 3))
    if args.no_load:
        result.load_note = "not measured (--no-load)"
        return
    _say("Throughput, gunicorn under wrk...")
    typical, heavy = result.people
    ages = [int(a) for a in args.conn_max_age.split(",") if a.strip()]
    plan = [
        (label, typical, url, age)
        for age in ages
        for label, url in (("Case list", list_url), ("Case page", case_url(typical)))
    ]
    plan += [
        ("Case list", heavy, list_url, ages[0]),
        ("Case page", heavy, case_url(heavy), ages[0]),
    ]
    result.workers = args.workers
    in_process = {(p.label, p.who): _median(p.samples_ms) for p in result.pages}
    result.load, result.load_note = measure_load(env, plan, args, in_process)


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python tools/scale_bench.py [--scale default|large] [options]`."""
    args = parse_args(argv)
    url = database_url(args)
    env = configure_environment(url)
    # WhiteNoise warns about the collectstatic folder, which a benchmark does not need.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    load_before = os.getloadavg()
    clock = time.perf_counter()
    started = datetime.now(UTC)
    scale, reused, build_seconds = prepare(args, url)
    if args.build_only:
        return 0
    result = Result(
        scale=scale,
        database=urlsplit(url).path.lstrip("/"),
        started=started,
        reused=reused,
        build_seconds=build_seconds,
        counts={},
        grant_spread={},
        requests=args.requests,
        repeats=args.repeats,
        load_before=load_before,
    )
    result.settings = server_settings()
    result.settings["gunicorn"] = _tool_version(
        [str(BASE_DIR / ".venv" / "bin" / "gunicorn"), "--version"]
    )
    result.settings["wrk"] = _tool_version(["wrk", "--version"])
    measure(args, env, result)
    result.load_after = os.getloadavg()
    result.seconds_total = time.perf_counter() - clock
    if not args.no_report:
        write_report(args.output, result, args.keep_from)
        _say(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
