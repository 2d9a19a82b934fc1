"""Access-log data for the access-log benchmark (`make bench-audit`, tools/audit_bench.py).

Fills `audit_accessevent` with set-based SQL (`INSERT … SELECT generate_series`, in chunks), so
ten million events load in minutes. The rows are what the application itself writes
(`audit.services.record`): an actor with the snapshot of their name, role and organisation, the
youth and the case as uuids, object type and id, purpose, client address, user agent, request
id and path. Before the events it creates, also set-based, what their foreign keys point at:

- one region with `organisations` organisations: a municipality (leerplicht and Jeugdwet), youth
  care providers, a JGZ, an SWV and schools, each with the capacities its party type acts in;
- `actors` employees (procesregisseurs at the schools, professionals elsewhere), each a user
  with a Professional row at one organisation, and one FG (privacy officer) per organisation,
  who is the user the FG's searches run as;
- the scratch table `audit_bench_actor` (organisation number, rank in it, user and snapshot),
  kept in the database: the events join it, and the benchmark picks its employees from it.

The spread is what makes a log realistic, and it is skewed on purpose:

- time: the events cover `days` days up to yesterday, in id order (the log is append-only, so a
  higher id is a later event); 96 % fall in working hours (07:00-19:00 Dutch time), the rest in
  the evening;
- actions: weighted like a working day (case lists and case pages most, logins, PDFs, shares,
  reference data); about 2 % are refusals (`access.denied`, and failed logins without a user);
- youths: drawn with a skew (`floor(Y * u²)`), so a few youths have tens of thousands of events
  and the median youth about a hundred; each youth is handled by up to three organisations of
  their own (school, municipality, care), and an event about a youth is done by one of them;
- employees: organisations are drawn with a skew (the municipality is the biggest), employees
  within an organisation too (`floor(n * u²)`): a few heavy users and a long tail.

Every value derives from the row number with `hashint8extended` (uuids: md5 of the youth's or
case's number), so a given scale always produces the same rows, apart from `event_id`
(`gen_random_uuid()`, as the model's default).

The module only fills; creating, migrating, reusing and vacuuming the database is
tools/audit_bench.py's job. `fill` works on any migrated connection, including a test database
inside its transaction (tests/test_audit_bench.py runs it at the tiny scale).
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# Bump when the generated rows change shape, so that stored benchmark databases are rebuilt.
GENERATOR_VERSION = 1

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
ACTOR_TABLE = "audit_bench_actor"


@dataclass(frozen=True)
class Scale:
    """How big the generated log is."""

    name: str
    events: int
    organisations: int
    actors: int  # employees who act; FGs come on top (one per organisation)
    youths: int
    days: int
    chunk: int  # events per INSERT statement

    def __post_init__(self) -> None:
        """Refuse shapes the generator cannot lay out."""
        if self.organisations < len(ORG_KINDS) - 1:
            raise ValueError(f"at least {len(ORG_KINDS) - 1} organisations")
        if self.actors < self.organisations:
            raise ValueError("at least one employee per organisation")
        if min(self.events, self.youths, self.days, self.chunk) < 1:
            raise ValueError("events, youths, days and chunk must be positive")

    def key(self) -> dict[str, Any]:
        """What identifies the data: a stored database with the same key can be reused."""
        return {**asdict(self), "generator": GENERATOR_VERSION}


@dataclass(frozen=True)
class OrgKind:
    """What an organisation of the region is; the first ones are one of a kind, the rest schools."""

    name: str
    party_type: str
    capacities: tuple[str, ...]
    role: str  # the role of its employees
    function: str
    secrecy: str


# Organisation number 1 is the municipality, 2-4 youth care, 5 the JGZ, 6 the SWV, 7.. schools.
ORG_KINDS = [
    OrgKind(
        "Gemeente Logstad",
        "gemeente_college",
        ("leerplicht", "jeugd", "rmc"),
        "professional",
        "Leerplichtambtenaar",
        "geheimhoudingsplicht",
    ),
    *(
        OrgKind(
            f"Jeugdhulp Logregio {n}",
            "jeugdhulpaanbieder",
            ("jeugdhulp",),
            "professional",
            "Jeugdhulpverlener",
            "beroepsgeheim",
        )
        for n in (1, 2, 3)
    ),
    OrgKind("JGZ Logregio", "jgz", ("jgz",), "professional", "Jeugdarts", "beroepsgeheim"),
    OrgKind(
        "Samenwerkingsverband Logregio",
        "swv",
        ("passend_onderwijs",),
        "professional",
        "Consulent passend onderwijs",
        "geheimhoudingsplicht",
    ),
    # Every organisation from here on is a school.
    OrgKind(
        "Basisschool",
        "schoolbestuur",
        ("onderwijs",),
        "coordinator",
        "Intern begeleider",
        "geheimhoudingsplicht",
    ),
]


@dataclass(frozen=True)
class EventKind:
    """One action of `audit.choices.Action` as the log holds it: how often, about what."""

    action: str
    weight: int  # out of 100
    subject: str  # "case": youth and case; "youth": youth only; "none"
    object_type: str
    path: str  # the path's start; the case's uuid follows for case events


# What a region's working day writes, in shares of 100 (refusals are drawn apart).
EVENT_KINDS = [
    EventKind("case.listed", 25, "case", "casusoverleg.case", "/werkplek/"),
    EventKind("case.viewed", 24, "case", "casusoverleg.case", "/werkplek/casussen/"),
    EventKind("auth.login", 9, "none", "", "/inloggen/"),
    EventKind("youth.listed", 6, "youth", "parties.youth", "/werkplek/agenda/"),
    EventKind("auth.logout", 5, "none", "", "/uitloggen/"),
    EventKind("youth.viewed", 3, "youth", "parties.youth", "/portaal/"),
    EventKind("minutes.updated", 3, "case", "casusoverleg.minutes", "/werkplek/casussen/"),
    EventKind("share.added", 3, "case", "casusoverleg.shareditem", "/werkplek/casussen/"),
    EventKind("reference.viewed", 3, "none", "convenant.covenant", "/convenant/"),
    EventKind("document.downloaded", 2, "case", "casusoverleg.casedocument", "/werkplek/pdf/"),
    EventKind("document.generated", 2, "case", "casusoverleg.casedocument", "/werkplek/pdf/"),
    EventKind("invitation.viewed", 2, "case", "casusoverleg.invitation", "/werkplek/casussen/"),
    EventKind("participant.added", 2, "case", "casusoverleg.participant", "/werkplek/casussen/"),
    EventKind("case.updated", 2, "case", "casusoverleg.case", "/werkplek/casussen/"),
    EventKind("grant.added", 2, "case", "casusoverleg.case", "/werkplek/casussen/"),
    EventKind("document.requested", 1, "case", "casusoverleg.casedocument", "/werkplek/casussen/"),
    EventKind("case.opened", 1, "case", "casusoverleg.case", "/werkplek/casussen/"),
    EventKind("meeting.scheduled", 1, "case", "casusoverleg.meeting", "/werkplek/casussen/"),
    EventKind("statement.added", 1, "case", "casusoverleg.statement", "/werkplek/casussen/"),
    EventKind("attendance.recorded", 1, "case", "casusoverleg.meeting", "/werkplek/casussen/"),
    EventKind("checklist.updated", 1, "case", "casusoverleg.case", "/werkplek/casussen/"),
    EventKind("notice.generated", 1, "case", "casusoverleg.privacynotice", "/werkplek/casussen/"),
]
# Refusals: a share of all events. A denied access names its user; a failed login has none.
DENIED_SHARE = 0.017
FAILED_LOGIN_SHARE = 0.003
# Working hours as the access-log signals read them (AUDIT_WORKING_HOURS: 07:00-19:00).
WORKING_SHARE = 0.96
PURPOSES = [
    "passende-ondersteuning",
    "vroegsignalering",
    "aanpak-verzuim",
    "terugkeer-onderwijs",
    "afstemming-jeugdhulp",
]
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1",
]

SCALES = {
    # A second or two: the smoke test.
    "tiny": Scale("tiny", 20_000, 7, 60, 400, 60, 7_000),
    # A quick run: a million events, the same people.
    "small": Scale("small", 1_000_000, 40, 5_000, 100_000, 730, 500_000),
    # The issue's: ten million events over two years, 40 organisations, 5,000 employees,
    # 100,000 youths.
    "default": Scale("default", 10_000_000, 40, 5_000, 100_000, 730, 1_000_000),
}

Say = Callable[[str, float], None]
Step = Callable[..., list[Any]]


def youth_uuid(number: int) -> uuid.UUID:
    """The uuid of generated youth `number` (1-based), as the SQL derives it."""
    import hashlib

    return uuid.UUID(hashlib.md5(f"youth-{number}".encode()).hexdigest())  # noqa: S324 - an id


def _expanded(kinds: list[EventKind]) -> list[EventKind]:
    """The kinds repeated by weight: an index in [1, 100] draws one."""
    table = [kind for kind in kinds for _ in range(kind.weight)]
    if len(table) != 100:
        raise ValueError(f"event weights add up to {len(table)}, not 100")
    return table


def _next_id(cursor: Any, table: str) -> int:
    """The highest id in `table` (0 when empty); generated ids start above it."""
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - fixed names
    return int(cursor.fetchone()[0])


@dataclass
class Plan:
    """What `prepare` laid out: the id bases and the parameters of every chunk of events."""

    scale: Scale
    bases: dict[str, int]
    params: dict[str, Any]
    timings: dict[str, float]

    def chunks(self) -> list[dict[str, Any]]:
        """The parameters of each INSERT of EVENTS_SQL, oldest events first."""
        events, size = self.scale.events, self.scale.chunk
        return [
            {**self.params, "lo": lo, "hi": min(events, lo + size - 1)}
            for lo in range(1, events + 1, size)
        ]


def define_u(cursor: Any) -> None:
    """`pg_temp.u(k, salt)`: a uniform number in [0, 1) from a row key and a salt, for this
    session (deterministic, cheap, inlined by the planner)."""
    cursor.execute(
        "CREATE OR REPLACE FUNCTION pg_temp.u(k bigint, salt bigint) RETURNS double precision "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "'SELECT (hashint8extended(k, salt) & 2147483647)::float8 / 2147483648.0'"
    )


def _stepper(cursor: Any, timings: dict[str, float], say: Say | None) -> Step:
    """A function that runs one statement, adds its time to `timings` and returns its rows."""

    def step(label: str, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        started = time.perf_counter()
        cursor.execute(sql, params or None)
        rows = cursor.fetchall() if cursor.description else []
        elapsed = time.perf_counter() - started
        timings[label] = timings.get(label, 0.0) + elapsed
        if say:
            say(label, elapsed)
        return rows

    return step


def prepare(cursor: Any, scale: Scale, *, now: datetime, say: Say | None = None) -> Plan:
    """Insert the region and its people; returns the plan of the events (not inserted yet).

    Ids continue above the highest existing id of each table. The rows must be committed before
    other connections run the chunks (the events join the scratch table).
    """
    timings: dict[str, float] = {}
    step = _stepper(cursor, timings, say)
    define_u(cursor)
    bases = {
        "org": _next_id(cursor, "parties_organisation"),
        "user": _next_id(cursor, "parties_user"),
        "event": _next_id(cursor, "audit_accessevent"),
    }
    _organisations(step, scale, now, bases)
    _people(step, scale, now, bases)
    sizes = [
        int(n)
        for _o, n in step(
            "employees per organisation",
            f"SELECT o, count(*) FROM {ACTOR_TABLE} GROUP BY o ORDER BY o",  # noqa: S608
        )
    ]
    if len(sizes) != scale.organisations:
        raise RuntimeError("an organisation has no employees")
    return Plan(scale, bases, _event_parameters(scale, now, bases["event"], sizes), timings)


def insert_chunk(cursor: Any, chunk: dict[str, Any]) -> None:
    """Insert one chunk of events (the session needs `define_u` first)."""
    cursor.execute(EVENTS_SQL, chunk)


def finish(cursor: Any) -> None:
    """Move the identity sequences past the generated rows, so the app can insert after them."""
    for table in (
        "parties_organisation",
        "parties_user",
        "parties_professional",
        "audit_accessevent",
    ):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed
            f"greatest((SELECT max(id) FROM {table}), 1))"
        )


def fill(cursor: Any, scale: Scale, *, now: datetime, say: Say | None = None) -> Plan:
    """Everything on one connection, one chunk after the other (the smoke test's way; the
    benchmark runs the chunks on several connections at once).

    The caller decides about transactions, triggers and indexes (the benchmark loads with
    `session_replication_role = replica` and builds the secondary indexes afterwards; the smoke
    test runs inside its test transaction with every trigger firing).
    """
    plan = prepare(cursor, scale, now=now, say=say)
    step = _stepper(cursor, plan.timings, say)
    for chunk in plan.chunks():
        step("access events", EVENTS_SQL, chunk)
    finish(cursor)
    return plan


def _organisations(step: Step, scale: Scale, now: datetime, bases: dict[str, int]) -> None:
    """The region and its organisations (numbers 1..organisations above the base id)."""
    kinds = ORG_KINDS
    last = len(kinds)  # the school kind, for every number from `last` on
    step(
        "region",
        """
        INSERT INTO parties_region (created_at, updated_at, uuid, name, require_both_parents)
        VALUES (%(now)s, %(now)s, gen_random_uuid(), %(name)s, true)
        """,
        {"now": now, "name": f"Logregio {scale.name}-{bases['event']}"},
    )
    step(
        "organisations",
        """
        INSERT INTO parties_organisation
            (id, created_at, updated_at, uuid, name, party_type, capacities, is_active,
             parent_id, region_id)
        SELECT %(base)s + o, %(now)s, %(now)s, gen_random_uuid(),
            CASE WHEN o < %(last)s THEN (%(names)s::text[])[o]
                 ELSE 'Basisschool Logstad ' || (o - %(last)s + 1) END,
            (%(types)s::text[])[least(o, %(last)s)],
            (%(capacities)s::text[])[least(o, %(last)s)]::jsonb,
            true, NULL, (SELECT max(id) FROM parties_region)
        FROM generate_series(1, %(orgs)s) AS o
        """,
        {
            "base": bases["org"],
            "now": now,
            "last": last,
            "names": [k.name for k in kinds],
            "types": [k.party_type for k in kinds],
            "capacities": [_json_list(k.capacities) for k in kinds],
            "orgs": scale.organisations,
        },
    )


def _json_list(values: tuple[str, ...]) -> str:
    """A JSON array of strings (the capacities column)."""
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def _people(step: Step, scale: Scale, now: datetime, bases: dict[str, int]) -> None:
    """Employees (skewed over the organisations), one FG per organisation, their Professional
    rows, and the scratch table the events draw their actor from."""
    kinds = ORG_KINDS
    last = len(kinds)
    # Employee a works for organisation 1 + floor(O * u^1.6): the municipality is the biggest.
    # The first O employees are one per organisation, so that none is empty.
    org_of = (
        "CASE WHEN a <= %(orgs)s THEN a ELSE 1 + floor(%(orgs)s * pg_temp.u(a, 1) ^ 1.6)::int END"
    )
    step(
        "users",
        f"""
        INSERT INTO parties_user
            (id, password, last_login, is_superuser, username, first_name, last_name, email,
             is_staff, is_active, date_joined, uuid, role)
        SELECT %(base)s + a, '!', NULL, false,
            CASE WHEN a <= %(actors)s THEN 'audit-employee-' || a
                 ELSE 'audit-fg-' || (a - %(actors)s) END,
            (ARRAY['Anna','Bram','Cem','Daan','Eva','Fatima','Gijs','Hanna','Ilse','Joris',
                   'Karim','Lotte','Mees','Noor','Omar','Pien'])[1 + (a * 7) %% 16],
            (ARRAY['de Vries','Jansen','Bakker','Visser','Smit','Meijer','de Boer','Mulder',
                   'de Groot','Bos','Vos','Peters','Hendriks','Dekker','Yilmaz','El Amrani'])
                [1 + (a * 13) %% 16],
            'audit-' || a || '@logregio.example',
            false, true, %(now)s::timestamptz - interval '3 years', gen_random_uuid(),
            CASE WHEN a > %(actors)s THEN 'privacy_officer'
                 ELSE (%(roles)s::text[])[least(org, %(last)s)] END
        FROM (
            SELECT a, CASE WHEN a > %(actors)s THEN a - %(actors)s ELSE {org_of} END AS org
            FROM generate_series(1, %(actors)s + %(orgs)s) AS a
        ) AS numbered
        """,  # noqa: S608 - fixed fragments, values bound
        {
            "base": bases["user"],
            "now": now,
            "actors": scale.actors,
            "orgs": scale.organisations,
            "roles": [k.role for k in kinds],
            "last": last,
        },
    )
    step(
        "professionals",
        f"""
        INSERT INTO parties_professional
            (created_at, updated_at, function, capacity, secrecy, professional_register,
             register_number, organisation_id, user_id)
        SELECT %(now)s, %(now)s,
            CASE WHEN a > %(actors)s THEN 'Functionaris gegevensbescherming'
                 ELSE (%(functions)s::text[])[least(org, %(last)s)] END,
            CASE WHEN a > %(actors)s THEN ''
                 ELSE (%(capacities)s::text[])[least(org, %(last)s)] END,
            (%(secrecy)s::text[])[least(org, %(last)s)], 'none', '',
            %(org_base)s + org, %(base)s + a
        FROM (
            SELECT a, CASE WHEN a > %(actors)s THEN a - %(actors)s ELSE {org_of} END AS org
            FROM generate_series(1, %(actors)s + %(orgs)s) AS a
        ) AS numbered
        """,  # noqa: S608 - fixed fragments, values bound
        {
            "base": bases["user"],
            "org_base": bases["org"],
            "now": now,
            "actors": scale.actors,
            "orgs": scale.organisations,
            "functions": [k.function for k in kinds],
            "capacities": [k.capacities[0] for k in kinds],
            "secrecy": [k.secrecy for k in kinds],
            "last": last,
        },
    )
    step("actor table", f"DROP TABLE IF EXISTS {ACTOR_TABLE}")
    step(
        "actor table",
        f"""
        CREATE TABLE {ACTOR_TABLE} AS
        SELECT o.id - %(org_base)s AS o,
            (row_number() OVER (PARTITION BY p.organisation_id ORDER BY u.id) - 1)::int AS r,
            u.id AS user_id, u.first_name || ' ' || u.last_name AS name, u.role,
            o.id AS org_id, o.name AS org_name
        FROM parties_user u
        JOIN parties_professional p ON p.user_id = u.id
        JOIN parties_organisation o ON o.id = p.organisation_id
        WHERE u.id > %(base)s AND u.id <= %(base)s + %(actors)s
        """,  # noqa: S608 - fixed fragments, values bound
        {"base": bases["user"], "org_base": bases["org"], "actors": scale.actors},
    )
    step("actor table", f"ALTER TABLE {ACTOR_TABLE} ADD PRIMARY KEY (o, r)")
    step("actor table", f"ANALYZE {ACTOR_TABLE}")


def _event_parameters(scale: Scale, now: datetime, base: int, sizes: list[int]) -> dict[str, Any]:
    """The parameters EVENTS_SQL shares between chunks."""
    table = _expanded(EVENT_KINDS)
    first_day = (now.astimezone(LOCAL_TZ) - timedelta(days=scale.days)).date()
    return {
        "base": base,
        "N": scale.events,
        "D": scale.days,
        "O": scale.organisations,
        "Y": scale.youths,
        "first_day": first_day,
        "sizes": sizes,
        "actions": [k.action for k in table],
        "subjects": [k.subject for k in table],
        "object_types": [k.object_type for k in table],
        "paths": [k.path for k in table],
        "denied": DENIED_SHARE,
        "failed": DENIED_SHARE + FAILED_LOGIN_SHARE,
        "working": WORKING_SHARE,
        "purposes": PURPOSES,
        "agents": USER_AGENTS,
    }


# One row per k: the draws first (d), then the actor (from the scratch table), then the row.
# The day runs with k (ids in time order); the time of day fills 07:00-19:00 with the first
# WORKING share of the day's rows and 19:00-23:00 with the rest.
EVENTS_SQL = """
INSERT INTO audit_accessevent
    (id, event_id, occurred_at, action, outcome, actor_id, actor_name, actor_role,
     organisation_id, organisation_name, youth_uuid, case_uuid, object_type, object_id,
     legal_basis, purpose, reason, client_ip, user_agent, request_id, path)
SELECT %(base)s::bigint + d.k, gen_random_uuid(),
    ((%(first_day)s::date + d.day)::timestamp
        + make_interval(secs => CASE WHEN d.f < %(working)s
            THEN 25200 + d.f / %(working)s * 43200
            ELSE 68400 + (d.f - %(working)s) / (1 - %(working)s) * 14400 END))
        AT TIME ZONE 'Europe/Amsterdam',
    CASE d.refusal WHEN 'denied' THEN 'access.denied' WHEN 'failed' THEN 'auth.login_failed'
         ELSE (%(actions)s::text[])[d.a] END,
    CASE WHEN d.refusal = '' THEN 'allowed' ELSE 'denied' END,
    CASE WHEN d.refusal = 'failed' THEN NULL ELSE ba.user_id END,
    CASE WHEN d.refusal = 'failed' THEN '' ELSE ba.name END,
    CASE WHEN d.refusal = 'failed' THEN '' ELSE ba.role END,
    CASE WHEN d.refusal = 'failed' THEN NULL ELSE ba.org_id END,
    CASE WHEN d.refusal = 'failed' THEN '' ELSE ba.org_name END,
    CASE WHEN d.subject <> 'none' THEN md5('youth-' || d.y)::uuid END,
    CASE WHEN d.subject = 'case' THEN md5('case-' || d.y || '-' || d.c)::uuid END,
    CASE WHEN d.refusal = '' THEN (%(object_types)s::text[])[d.a] ELSE '' END,
    CASE
        WHEN d.refusal <> '' OR d.subject = 'none' THEN ''
        WHEN (%(object_types)s::text[])[d.a] = 'casusoverleg.case'
            THEN md5('case-' || d.y || '-' || d.c)::uuid::text
        WHEN d.subject = 'youth' THEN md5('youth-' || d.y)::uuid::text
        ELSE md5('object-' || d.k)::uuid::text
    END,
    '',
    CASE WHEN d.subject <> 'none' THEN (%(purposes)s::text[])[1 + d.y %% 5] ELSE '' END,
    CASE d.refusal WHEN 'denied' THEN '404' ELSE '' END,
    ('10.' || d.o || '.' || (ba.r / 250) || '.' || (1 + ba.r %% 250))::inet,
    (%(agents)s::text[])[1 + ba.user_id %% 4],
    md5('request-' || d.k),
    CASE WHEN d.refusal = 'failed' THEN '/inloggen/'
         WHEN d.refusal = 'denied' THEN '/werkplek/casussen/' || md5('object-' || d.k)::uuid
             || '/'
         WHEN d.subject = 'case' AND (%(paths)s::text[])[d.a] = '/werkplek/casussen/'
             THEN '/werkplek/casussen/' || md5('case-' || d.y || '-' || d.c)::uuid || '/'
         ELSE (%(paths)s::text[])[d.a] END
FROM (
    SELECT k, day, f, a, refusal, y, c,
        CASE WHEN refusal <> '' THEN 'none' ELSE (%(subjects)s::text[])[a] END AS subject,
        o, floor((%(sizes)s::int[])[o] * pg_temp.u(k, 7) ^ 2)::int AS r
    FROM (
        SELECT k, day, f, a, refusal, y, c,
            CASE WHEN refusal = '' AND (%(subjects)s::text[])[a] <> 'none'
                 -- One of the youth's own organisations (the first one most often).
                 THEN 1 + floor(%(O)s * pg_temp.u(y * 4 + floor(3 * pg_temp.u(k, 4) ^ 1.5)::int,
                                                 5) ^ 1.6)::int
                 ELSE 1 + floor(%(O)s * pg_temp.u(k, 6) ^ 1.6)::int
            END AS o
        FROM (
            SELECT k,
                floor((k - 1)::float8 * %(D)s / %(N)s)::int AS day,
                (k - 1)::float8 * %(D)s / %(N)s - floor((k - 1)::float8 * %(D)s / %(N)s) AS f,
                1 + floor(100 * pg_temp.u(k, 1))::int AS a,
                CASE WHEN pg_temp.u(k, 2) < %(denied)s THEN 'denied'
                     WHEN pg_temp.u(k, 2) < %(failed)s THEN 'failed'
                     ELSE '' END AS refusal,
                1 + floor(%(Y)s * pg_temp.u(k, 3) ^ 2)::int AS y,
                CASE WHEN pg_temp.u(k, 8) < 0.7 THEN 0 ELSE 1 END AS c
            FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS k
        ) AS drawn
    ) AS placed
) AS d
JOIN audit_bench_actor ba ON ba.o = d.o AND ba.r = d.r
"""
