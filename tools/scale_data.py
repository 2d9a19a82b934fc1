"""Scale data for the need-to-know benchmark (`make bench-scale`, tools/scale_bench.py).

Fills the app's real tables with set-based SQL (`INSERT … SELECT generate_series`), so a region of
100,000 cases loads in a minute or two instead of the hours factories would take. The rows are
what the application itself would hold after ordinary use:

- one region with school boards and their schools, a municipality (leerplicht and Jeugdwet),
  youth care providers, JGZ and an SWV, every one a party to one covenant in force;
- procesregisseurs (intern begeleiders) at every school and a pool of professionals per kind
  (mentors at the schools, leerplicht officers, wijkteam workers, youth care, JGZ), each a user
  with a Professional row in the capacity the legal bases are keyed on;
- youths at the schools, each with a parent with gezag who has a portal account;
- cases about those youths, opened by a procesregisseur of the youth's school, in every status;
  the procesregisseur holds the case's grant (ADR 0003), and `seats` professionals sit at every
  table. Once a case is past "voorbereid" its meeting was planned, the privacy notice generated,
  the invitations sent and every seat accepted, so every seat holds its grant in
  `casusoverleg_caseuserobjectpermission` (permission casusoverleg.view_case), as
  `services.invitation_respond` gives it. Closed cases were closed within the access window
  (CASE_ACCESS_DAYS_AFTER_CLOSE), so no grant has expired yet: the worst case for the lists;
- shared items of those cases, each valid under the sharing rules of `casusoverleg.sharing`
  (a category on the consultation type's list, a legal basis of the author's party and capacity
  that needs no consent, health data only to readers with a statutory ground, narrowed to them).

How grants spread over people matters more than the totals: a professional of each kind is
drawn with a skew (`floor(n * u²)`), so a few people (a leerplicht officer, a busy IB'er) hold
thousands of grants while the median professional holds a few dozen, as in a real region.
Every value is derived from the row number with `hashint8extended`, so a given scale always
produces the same data.

The module only fills; creating, migrating, reusing and vacuuming the database is
tools/scale_bench.py's job. `fill` works on any connection whose tables are migrated, including
a test database inside a transaction (tests/test_scale_bench.py runs it at the toy scale).
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Kind:
    """A kind of professional at the table: what their Professional row and seat say."""

    role: str  # role at the table (ConsultationRoleCode)
    group: str  # which organisation they work for: school, municipality, care, jgz
    capacity: str  # the capacity legal bases are keyed on (parties.Capacity)
    secrecy: str  # parties.Secrecy
    register: str  # parties.ProfessionalRegister
    share: float  # share of the professionals' pool


# Professionals at the table, in seat order: a case with `seats` seats has the first `seats`.
KINDS: dict[str, Kind] = {
    "mentor": Kind("leerkracht_mentor", "school", "onderwijs", "geheimhoudingsplicht", "none", 0.5),
    "leerplicht": Kind(
        "leerplicht", "municipality", "leerplicht", "geheimhoudingsplicht", "none", 0.06
    ),
    "jeugdhulp": Kind("jeugdhulp", "care", "jeugdhulp", "beroepsgeheim", "skj", 0.2),
    "wijkteam": Kind(
        "wijkteam_jeugdhulp", "municipality", "jeugd", "geheimhoudingsplicht", "none", 0.16
    ),
    "jgz": Kind("jeugdarts", "jgz", "jgz", "beroepsgeheim", "big", 0.08),
}
SEAT_ORDER = list(KINDS)
# Who may share without a consent (no professional secrecy; a statutory basis of their party):
# the procesregisseur and these seat kinds. Youth care and JGZ share only under a consent, which
# the consent records of a later issue will carry; until then they share nothing.
AUTHOR_KINDS = ("mentor", "leerplicht", "wijkteam")
# Party type and capacity of each author kind (the procesregisseur is school staff).
AUTHOR_BASIS = {
    "coordinator": ("schoolbestuur", "onderwijs"),
    "mentor": ("schoolbestuur", "onderwijs"),
    "leerplicht": ("gemeente_college", "leerplicht"),
    "wijkteam": ("gemeente_college", "jeugd"),
}
# Kinds that may receive health data on a statutory ground (R-4-4, R-T-3: leerplicht may not).
HEALTH_READERS = ("mentor", "jeugdhulp", "wijkteam", "jgz")
# Consultation types and how often a region holds each (the anonymous and Wams types excluded).
TYPE_WEIGHTS = {
    "mdo": 40,
    "zat": 20,
    "verzuimoverleg": 15,
    "thuiszittersoverleg": 10,
    "bilateraal": 10,
    "zorgplatform": 5,
}
# Case status shares, cumulative; statuses from "gepland" on have a meeting and accepted seats.
STATUS_SHARES = [
    ("concept", 0.03),
    ("voorbereid", 0.08),
    ("gepland", 0.28),
    ("gehouden", 0.43),
    ("verslag_vastgesteld", 0.65),
    ("afgesloten", 1.0),
]
WITH_MEETING = ("gepland", "gehouden", "verslag_vastgesteld", "afgesloten")
CARE_PROVIDERS = 3
SCHOOLS_PER_BOARD = 10


@dataclass(frozen=True)
class Scale:
    """How big the generated region is. Participants = cases × (seats + 1 parent seat)."""

    name: str
    youths: int
    cases: int
    seats: int  # professional seats per case, besides the procesregisseur
    professionals: int  # seat professionals (mentors, leerplicht, …), not procesregisseurs
    schools: int
    coordinators_per_school: int
    items_per_case: int  # shared items per case that has had its meeting planned

    def __post_init__(self) -> None:
        """Refuse shapes the generator cannot lay out."""
        if not 1 <= self.seats <= len(SEAT_ORDER):
            raise ValueError(f"seats must be 1..{len(SEAT_ORDER)}")
        if min(self.youths, self.cases, self.schools, self.coordinators_per_school) < 1:
            raise ValueError("youths, cases, schools and coordinators must be positive")

    @property
    def coordinators(self) -> int:
        """Procesregisseurs: a few intern begeleiders per school."""
        return self.schools * self.coordinators_per_school

    def pools(self) -> dict[str, int]:
        """Professionals per seat kind in use, in proportion to the kinds' shares.

        School-bound kinds get a whole number per school (at least one).
        """
        kinds = SEAT_ORDER[: self.seats]
        total = sum(KINDS[k].share for k in kinds)
        sizes = {}
        for kind in kinds:
            size = max(1, round(self.professionals * KINDS[kind].share / total))
            if KINDS[kind].group == "school":
                size = max(1, size // self.schools) * self.schools
            sizes[kind] = size
        return sizes

    def key(self) -> dict[str, Any]:
        """What identifies the data: a stored database with the same key can be reused."""
        return {**asdict(self), "generator": GENERATOR_VERSION}


# Bump when the generated rows change shape, so that stored scale databases are rebuilt.
GENERATOR_VERSION = 2

SCALES = {
    # A few seconds; the smoke test and a quick look at the SQL.
    "toy": Scale("toy", 40, 60, 4, 30, 3, 2, 3),
    # The default: 50,000 youths, 100,000 cases, 500,000 participants, 1,000,000 items
    # (10 per case with a meeting: about 920,000).
    "default": Scale("default", 50_000, 100_000, 4, 5_000, 50, 10, 10),
    # The large one: 1,000,000 cases, 3,000,000 participants.
    "large": Scale("large", 500_000, 1_000_000, 2, 20_000, 200, 10, 3),
}

# The fill's own scratch tables; dropped at the end (TEMP: gone with the session anyway).
_TEMP_TABLES = ("scale_case", "scale_seat", "scale_pick")

Say = Callable[[str, float], None]
Step = Callable[..., list[Any]]


def _ids(cursor: Any, table: str) -> int:
    """The highest id in `table` (0 when empty); generated ids start above it."""
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - fixed names
    return int(cursor.fetchone()[0])


def _view_case_permission(cursor: Any) -> int:
    """The id of casusoverleg.view_case, the permission of every case grant."""
    cursor.execute(
        """
        SELECT p.id FROM auth_permission p
        JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE ct.app_label = 'casusoverleg' AND ct.model = 'case' AND p.codename = 'view_case'
        """
    )
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("casusoverleg.view_case is missing: is the database migrated?")
    return int(row[0])


def _consultation_types(cursor: Any) -> tuple[list[int], list[int], list[str]]:
    """The weighted type list (100 entries): type ids, their purposes and their codes."""
    cursor.execute(
        "SELECT code, id, purpose_id FROM convenant_consultationtype WHERE code = ANY(%s)",
        [list(TYPE_WEIGHTS)],
    )
    found = {code: (pk, purpose) for code, pk, purpose in cursor.fetchall()}
    missing = set(TYPE_WEIGHTS) - set(found)
    if missing:
        raise RuntimeError(f"Seeded consultation types missing: {sorted(missing)}")
    types, purposes, codes = [], [], []
    for code, weight in TYPE_WEIGHTS.items():
        types += [found[code][0]] * weight
        purposes += [found[code][1]] * weight
        codes += [code] * weight
    return types, purposes, codes


def fill(cursor: Any, scale: Scale, *, now: datetime, say: Say | None = None) -> dict[str, float]:
    """Insert a region of `scale` into the migrated tables behind `cursor`; returns seconds per
    step. Ids continue above the highest existing id of each table, and the tables' identity
    sequences are moved past the new rows, so the app can go on inserting afterwards.

    The caller decides about transactions and triggers (the benchmark loads with
    `session_replication_role = replica`; the smoke test inside its test transaction, with the
    foreign keys checked by `SET CONSTRAINTS ALL IMMEDIATE`).
    """
    timings: dict[str, float] = {}

    def step(label: str, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Run one statement, keep its time; the rows it returns, if any."""
        started = time.perf_counter()
        cursor.execute(sql, params or None)
        rows = cursor.fetchall() if cursor.description else []
        elapsed = time.perf_counter() - started
        timings[label] = timings.get(label, 0.0) + elapsed
        if say:
            say(label, elapsed)
        return rows

    p = _parameters(cursor, scale, now)
    cursor.execute(
        # A uniform number in [0, 1) from a row key and a salt: deterministic, cheap, inlined.
        "CREATE OR REPLACE FUNCTION pg_temp.u(k bigint, salt bigint) RETURNS double precision "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "'SELECT (hashint8extended(k, salt) & 2147483647)::float8 / 2147483648.0'"
    )
    for table in _TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")

    _region(step, p)
    _people(step, p)
    _cases(step, p)
    _tables(step, p)
    _shared_items(step, p)
    for table in (*_FILLED_TABLES, "parties_region", "convenant_covenant"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed
            f"greatest((SELECT max(id) FROM {table}), 1))"
        )
    for table in _TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    return timings


# Every table the fill writes many rows to (for sequences, counts and ANALYZE).
_FILLED_TABLES = (
    "parties_organisation",
    "convenant_covenantparty",
    "parties_user",
    "parties_professional",
    "parties_confidentialitydeclaration",
    "parties_youth",
    "parties_guardian",
    "casusoverleg_case",
    "casusoverleg_caseuserobjectpermission",
    "casusoverleg_participant",
    "casusoverleg_meeting",
    "casusoverleg_privacynotice",
    "casusoverleg_invitation",
    "casusoverleg_shareditem",
    "casusoverleg_shareditem_recipients",
)


def _parameters(cursor: Any, scale: Scale, now: datetime) -> dict[str, Any]:
    """Everything the statements need: sizes, id bases, reference ids and the pool layout."""
    types, purposes, codes = _consultation_types(cursor)
    boards = -(-scale.schools // SCHOOLS_PER_BOARD)
    pools = scale.pools()
    kinds = list(pools)
    # User layout: procesregisseurs, then each seat kind's pool, then the parents.
    offsets, at = {}, scale.coordinators
    for kind in kinds:
        offsets[kind] = at
        at += pools[kind]
    base_user = _ids(cursor, "parties_user")
    base_org = _ids(cursor, "parties_organisation")
    orgs = {
        "board": base_org,  # + 1 .. boards
        "school": base_org + boards,  # + 1 .. schools
        "municipality": base_org + boards + scale.schools + 1,
        # The care providers follow the municipality: care + 1 .. care + CARE_PROVIDERS.
        "care": base_org + boards + scale.schools + 1,
        "jgz": base_org + boards + scale.schools + CARE_PROVIDERS + 2,
        "swv": base_org + boards + scale.schools + CARE_PROVIDERS + 3,
    }
    return {
        "now": now,
        "scale": scale,
        "Y": scale.youths,
        "C": scale.cases,
        "S": scale.seats,
        "SCH": scale.schools,
        "CPS": scale.coordinators_per_school,
        "IPC": scale.items_per_case,
        "BOARDS": boards,
        "ORGS": boards + scale.schools + CARE_PROVIDERS + 3,
        "kinds": kinds,
        "pools": pools,
        "offsets": offsets,
        "professionals": at - scale.coordinators,
        "parents_at": at,
        "perm": _view_case_permission(cursor),
        "types": types,
        "purposes": purposes,
        "thuiszitter": [code == "thuiszittersoverleg" for code in codes],
        "org": orgs,
        "base": {
            "user": base_user,
            "youth": _ids(cursor, "parties_youth"),
            "guardian": _ids(cursor, "parties_guardian"),
            "case": _ids(cursor, "casusoverleg_case"),
            "grant": _ids(cursor, "casusoverleg_caseuserobjectpermission"),
            "participant": _ids(cursor, "casusoverleg_participant"),
            "meeting": _ids(cursor, "casusoverleg_meeting"),
            "notice": _ids(cursor, "casusoverleg_privacynotice"),
            "invitation": _ids(cursor, "casusoverleg_invitation"),
            "item": _ids(cursor, "casusoverleg_shareditem"),
        },
    }


def _region(step: Step, p: dict[str, Any]) -> None:
    """The region, its organisations and the covenant all of them are party to."""
    b, org = p["base"], p["org"]
    step(
        "region",
        """
        INSERT INTO parties_region (created_at, updated_at, uuid, name, require_both_parents)
        VALUES (%(now)s, %(now)s, gen_random_uuid(), 'Schaalregio ' || %(tag)s, true)
        """,
        {"now": p["now"], "tag": f"{p['scale'].name}-{b['case']}"},
    )
    step(
        "organisations",
        """
        INSERT INTO parties_organisation
            (id, created_at, updated_at, uuid, name, party_type, capacities, is_active,
             parent_id, region_id)
        SELECT %(base)s + k, %(now)s, %(now)s, gen_random_uuid(),
            CASE
                WHEN k <= %(boards)s THEN 'Schoolbestuur ' || k
                WHEN k <= %(boards)s + %(schools)s THEN 'Basisschool ' || (k - %(boards)s)
                WHEN k = %(boards)s + %(schools)s + 1 THEN 'Gemeente Schaalstad'
                WHEN k <= %(boards)s + %(schools)s + 1 + %(care)s
                    THEN 'Jeugdhulp Schaalregio ' || (k - %(boards)s - %(schools)s - 1)
                WHEN k = %(boards)s + %(schools)s + %(care)s + 2 THEN 'JGZ Schaalregio'
                ELSE 'Samenwerkingsverband Schaalregio'
            END,
            CASE
                WHEN k <= %(boards)s + %(schools)s THEN 'schoolbestuur'
                WHEN k = %(boards)s + %(schools)s + 1 THEN 'gemeente_college'
                WHEN k <= %(boards)s + %(schools)s + 1 + %(care)s THEN 'jeugdhulpaanbieder'
                WHEN k = %(boards)s + %(schools)s + %(care)s + 2 THEN 'jgz'
                ELSE 'swv'
            END,
            CASE
                WHEN k <= %(boards)s + %(schools)s THEN '["onderwijs"]'
                WHEN k = %(boards)s + %(schools)s + 1 THEN '["leerplicht", "jeugd", "rmc"]'
                WHEN k <= %(boards)s + %(schools)s + 1 + %(care)s THEN '["jeugdhulp"]'
                WHEN k = %(boards)s + %(schools)s + %(care)s + 2 THEN '["jgz"]'
                ELSE '["passend_onderwijs"]'
            END::jsonb,
            true,
            CASE WHEN k > %(boards)s AND k <= %(boards)s + %(schools)s
                THEN %(base)s + 1 + (k - %(boards)s - 1) / %(per_board)s END,
            (SELECT max(id) FROM parties_region)
        FROM generate_series(1, %(orgs)s) AS k
        """,
        {
            "base": org["board"],
            "now": p["now"],
            "boards": p["BOARDS"],
            "schools": p["SCH"],
            "care": CARE_PROVIDERS,
            "orgs": p["ORGS"],
            "per_board": SCHOOLS_PER_BOARD,
        },
    )
    step(
        "covenant",
        """
        INSERT INTO convenant_covenant
            (created_at, updated_at, uuid, title, version, effective_from, effective_until,
             processor_agreement_reference, hosting_organisation_id, region_id)
        SELECT %(now)s, %(now)s, gen_random_uuid(),
            'Privacyconvenant Onderwijs-Gemeente-Jeugdhulp Schaalregio', '1.0',
            (%(now)s::timestamptz - interval '3 years')::date, NULL, 'VWO-2024-01',
            %(municipality)s, (SELECT max(id) FROM parties_region)
        """,
        {"now": p["now"], "municipality": org["municipality"]},
    )
    step(
        "covenant parties",
        """
        INSERT INTO convenant_covenantparty
            (created_at, updated_at, uuid, status, joined_on, left_on, mandate_reference,
             signed_document, accession_approved_at, accession_notified_at,
             privacy_officer_name, privacy_officer_email, covenant_id, organisation_id)
        SELECT %(now)s, %(now)s, gen_random_uuid(), 'signatory',
            (%(now)s::timestamptz - interval '3 years')::date, NULL, '', '', NULL, NULL,
            'FG ' || o.name, 'fg' || o.id || '@schaalregio.example',
            (SELECT max(id) FROM convenant_covenant), o.id
        FROM parties_organisation o
        WHERE o.id > %(base)s AND o.id <= %(base)s + %(orgs)s
        """,
        {"now": p["now"], "base": org["board"], "orgs": p["ORGS"]},
    )


def _people(step: Step, p: dict[str, Any]) -> None:
    """Users with Professional rows, youths and one parent with gezag (and an account) each."""
    b, org, scale = p["base"], p["org"], p["scale"]
    # One row per user: group 0 = procesregisseur, 1.. = seat kinds, then parents.
    kinds = p["kinds"]
    starts = [0] + [p["offsets"][k] for k in kinds] + [p["parents_at"]]
    roles = ["coordinator"] + ["professional"] * len(kinds) + ["parent"]
    names = ["regisseur", *kinds, "ouder"]
    total = p["parents_at"] + scale.youths
    common = {"base": b["user"], "now": p["now"], "starts": starts}
    step(
        "users",
        """
        INSERT INTO parties_user
            (id, password, last_login, is_superuser, username, first_name, last_name, email,
             is_staff, is_active, date_joined, uuid, role)
        SELECT %(base)s + k, '!', NULL, false,
            'scale-' || (%(names)s::text[])[g] || '-' || (k - (%(starts)s::int[])[g]),
            (ARRAY['Anna','Bram','Cem','Daan','Eva','Fatima','Gijs','Hanna','Ilse','Joris',
                   'Karim','Lotte','Mees','Noor','Omar','Pien'])[1 + (k * 7) %% 16],
            (ARRAY['de Vries','Jansen','Bakker','Visser','Smit','Meijer','de Boer','Mulder',
                   'de Groot','Bos','Vos','Peters','Hendriks','Dekker','Yilmaz','El Amrani'])
                [1 + (k * 13) %% 16],
            'scale-' || k || '@schaalregio.example',
            false, true, %(now)s::timestamptz - interval '3 years', gen_random_uuid(),
            (%(roles)s::text[])[g]
        FROM (
            SELECT k, (SELECT max(i) FROM generate_subscripts(%(starts)s::int[], 1) AS i
                       WHERE (%(starts)s::int[])[i] < k) AS g
            FROM generate_series(1, %(total)s) AS k
        ) AS numbered
        """,
        {**common, "names": names, "roles": roles, "total": total},
    )
    # Professional rows: procesregisseurs and every seat pool.
    groups = ["coordinator", *kinds]
    orgs = [org["school"]] + [org[KINDS[k].group] for k in kinds]
    # Organisations spread: per school for school-bound groups, over providers for care.
    spread = [scale.coordinators_per_school] + [
        p["pools"][k] // scale.schools if KINDS[k].group == "school" else 0 for k in kinds
    ]
    step(
        "professionals",
        """
        INSERT INTO parties_professional
            (created_at, updated_at, function, capacity, secrecy, professional_register,
             register_number, organisation_id, user_id)
        SELECT %(now)s, %(now)s, (%(functions)s::text[])[g], (%(capacities)s::text[])[g],
            (%(secrecy)s::text[])[g], (%(registers)s::text[])[g],
            CASE WHEN (%(registers)s::text[])[g] = 'none' THEN ''
                 ELSE lpad(k::text, 11, '0') END,
            CASE
                WHEN (%(spread)s::int[])[g] > 0
                    THEN (%(orgs)s::bigint[])[g] + 1 + (k - 1 - (%(starts)s::int[])[g])
                         / (%(spread)s::int[])[g]
                WHEN (%(groups)s::text[])[g] = 'jeugdhulp'
                    THEN (%(orgs)s::bigint[])[g] + 1 + k %% %(care)s
                ELSE (%(orgs)s::bigint[])[g]
            END,
            %(base)s + k
        FROM (
            SELECT k, (SELECT max(i) FROM generate_subscripts(%(starts)s::int[], 1) AS i
                       WHERE (%(starts)s::int[])[i] < k) AS g
            FROM generate_series(1, %(parents_at)s) AS k
        ) AS numbered
        """,
        {
            **common,
            "parents_at": p["parents_at"],
            "groups": groups,
            "functions": ["Intern begeleider"] + [KINDS[k].role.replace("_", " ") for k in kinds],
            "capacities": ["onderwijs"] + [KINDS[k].capacity for k in kinds],
            "secrecy": ["geheimhoudingsplicht"] + [KINDS[k].secrecy for k in kinds],
            "registers": ["none"] + [KINDS[k].register for k in kinds],
            "orgs": orgs,
            "spread": spread,
            "care": CARE_PROVIDERS,
        },
    )
    # Issue 7 (R-11-1): every professional and procesregisseur accepted the current
    # geheimhoudingsverklaring a month ago, or the middleware would send them to it.
    from parties import confidentiality

    step(
        "declarations",
        """
        INSERT INTO parties_confidentialitydeclaration
            (created_at, updated_at, version, text_sha256, accepted_at, user_id)
        SELECT %(now)s, %(now)s, %(version)s, %(sha)s, %(now)s::timestamptz - interval '30 days',
            %(base)s + k
        FROM generate_series(1, %(parents_at)s) AS k
        """,
        {
            **common,
            "parents_at": p["parents_at"],
            "version": confidentiality.VERSION,
            "sha": confidentiality.text_sha256(),
        },
    )
    step(
        "youths",
        """
        INSERT INTO parties_youth
            (id, created_at, updated_at, uuid, given_name, family_name, date_of_birth,
             region_id, school_id, user_id)
        SELECT %(base)s + y, %(now)s, %(now)s, gen_random_uuid(),
            (ARRAY['Ayaan','Bo','Chloe','Dex','Emma','Finn','Guus','Iris','Jesse','Liam',
                   'Mila','Nina','Olivia','Ravi','Sem','Tess','Yara','Zoë'])
                [1 + floor(pg_temp.u(y, 1) * 18)::int],
            (ARRAY['de Jong','van Dijk','van den Berg','Koster','Willems','Schouten','Kaya',
                   'Prins','Huisman','Kok','Brouwer','Postma','Kuipers','Ramdin'])
                [1 + floor(pg_temp.u(y, 2) * 14)::int],
            (%(now)s::timestamptz - interval '4 years'
                - interval '1 day' * floor(pg_temp.u(y, 3) * 14 * 365))::date,
            (SELECT max(id) FROM parties_region),
            %(school)s + 1 + (y - 1) %% %(schools)s,
            NULL
        FROM generate_series(1, %(youths)s) AS y
        """,
        {
            "base": b["youth"],
            "now": p["now"],
            "school": org["school"],
            "schools": scale.schools,
            "youths": scale.youths,
        },
    )
    step(
        "parents",
        """
        INSERT INTO parties_guardian
            (id, created_at, updated_at, uuid, given_name, family_name, relation, has_authority,
             authority_source, authority_checked_on, user_id, youth_id)
        SELECT %(base)s + y, %(now)s, %(now)s, gen_random_uuid(), u.first_name, yo.family_name,
            'parent', true, 'gezagsregister', (%(now)s::timestamptz - interval '30 days')::date,
            u.id, yo.id
        FROM generate_series(1, %(youths)s) AS y
        JOIN parties_user u ON u.id = %(users)s + y
        JOIN parties_youth yo ON yo.id = %(youth)s + y
        """,
        {
            "base": b["guardian"],
            "now": p["now"],
            "youths": scale.youths,
            "users": b["user"] + p["parents_at"],
            "youth": b["youth"],
        },
    )


def _cases(step: Step, p: dict[str, Any]) -> None:
    """Cases, the procesregisseurs' grants, the seats and the seats' grants."""
    b, scale = p["base"], p["scale"]
    cuts = [share for _status, share in STATUS_SHARES]
    statuses = [status for status, _share in STATUS_SHARES]
    step(
        "case plan",
        """
        CREATE TEMP TABLE scale_case AS
        SELECT n, %(case)s + n AS case_id, y, school, coordinator_id, t, status,
            status = ANY(%(with_meeting)s::text[]) AS planned,
            created_at
        FROM (
            SELECT n, y, (y - 1) %% %(schools)s AS school,
                %(users)s + ((y - 1) %% %(schools)s) * %(cps)s + 1
                    + floor(%(cps)s * pg_temp.u(n, 12) ^ 2)::int AS coordinator_id,
                1 + floor(pg_temp.u(n, 13) * 100)::int AS t,
                (%(statuses)s::text[])[
                    (SELECT min(i) FROM generate_subscripts(%(cuts)s::float8[], 1) AS i
                     WHERE pg_temp.u(n, 14) < (%(cuts)s::float8[])[i])] AS status,
                %(now)s::timestamptz
                    - interval '730 days' * ((%(cases)s - n) + pg_temp.u(n, 15)) / %(cases)s
                    AS created_at
            FROM (
                SELECT n, 1 + floor(pg_temp.u(n, 11) * %(youths)s)::int AS y
                FROM generate_series(1, %(cases)s) AS n
            ) AS drawn
        ) AS planned_cases
        """,
        {
            "case": b["case"],
            "users": b["user"],
            "schools": scale.schools,
            "cps": scale.coordinators_per_school,
            "statuses": statuses,
            "cuts": cuts,
            "with_meeting": list(WITH_MEETING),
            "now": p["now"],
            "cases": scale.cases,
            "youths": scale.youths,
        },
    )
    step("case plan", "ALTER TABLE scale_case ADD PRIMARY KEY (n)")
    step(
        "cases",
        """
        INSERT INTO casusoverleg_case
            (id, created_at, updated_at, uuid, purpose_specification, target_group, status,
             coordinator_role, hearing_note, hearing_not_possible_reason,
             out_of_education_since, closed_at, retain_until, consultation_type_id,
             coordinator_id, covenant_id, organisation_id, purpose_id, youth_id,
             access_expired_at)
        SELECT c.case_id, c.created_at, c.created_at, gen_random_uuid(),
            'Casus ' || c.n || ': passende ondersteuning op school en thuis afstemmen.',
            CASE WHEN (%(thuiszitter)s::bool[])[c.t] THEN 'thuiszitter'
                 ELSE 'onderwijs_en_jeugdhulp' END,
            c.status, 'ib_zorgcoordinator', '', '',
            CASE WHEN (%(thuiszitter)s::bool[])[c.t]
                 THEN (c.created_at - interval '30 days')::date END,
            closed.at,
            (closed.at + interval '24 months')::date,
            (%(types)s::bigint[])[c.t], c.coordinator_id,
            (SELECT max(id) FROM convenant_covenant),
            %(school)s + 1 + c.school, (%(purposes)s::bigint[])[c.t], %(youth)s + c.y, NULL
        FROM scale_case c
        CROSS JOIN LATERAL (
            SELECT CASE WHEN c.status = 'afgesloten' THEN least(
                %(now)s::timestamptz - interval '1 hour',
                greatest(c.created_at + interval '1 day',
                         %(now)s::timestamptz - interval '1 day' * pg_temp.u(c.n, 16) * 29)
            ) END AS at
        ) AS closed
        """,
        {
            "thuiszitter": p["thuiszitter"],
            "types": p["types"],
            "purposes": p["purposes"],
            "school": p["org"]["school"],
            "youth": b["youth"],
            "now": p["now"],
        },
    )
    step(
        "grants",
        """
        INSERT INTO casusoverleg_caseuserobjectpermission
            (id, content_object_id, permission_id, user_id)
        SELECT %(grant)s + (c.n - 1) * (%(S)s + 1) + 1, c.case_id, %(perm)s, c.coordinator_id
        FROM scale_case c
        """,
        {"grant": b["grant"], "S": scale.seats, "perm": p["perm"]},
    )
    kinds = p["kinds"]
    step(
        "seat plan",
        """
        CREATE TEMP TABLE scale_seat AS
        SELECT c.n, s, (%(kinds)s::text[])[s + 1] AS kind,
            %(users)s + (%(offsets)s::int[])[s + 1]
                + CASE WHEN (%(per_school)s::int[])[s + 1] > 0
                       THEN c.school * (%(per_school)s::int[])[s + 1]
                            + floor((%(per_school)s::int[])[s + 1]
                                    * pg_temp.u(c.n * 8 + s, 21) ^ 2)::int
                       ELSE floor((%(sizes)s::int[])[s + 1]
                                  * pg_temp.u(c.n * 8 + s, 21) ^ 2)::int
                  END + 1 AS user_id,
            %(participant)s + (c.n - 1) * (%(S)s + 1) + s + 1 AS participant_id
        FROM scale_case c CROSS JOIN generate_series(0, %(S)s - 1) AS s
        """,
        {
            "kinds": kinds,
            "users": b["user"],
            "offsets": [p["offsets"][k] for k in kinds],
            "per_school": [
                p["pools"][k] // scale.schools if KINDS[k].group == "school" else 0 for k in kinds
            ],
            "sizes": [p["pools"][k] for k in kinds],
            "participant": b["participant"],
            "S": scale.seats,
        },
    )
    step("seat plan", "ALTER TABLE scale_seat ADD PRIMARY KEY (n, s)")
    step(
        "participants",
        """
        INSERT INTO casusoverleg_participant
            (id, created_at, updated_at, uuid, kind, role, is_invited, not_invited_reason,
             youth_objected, response, responded_at, left_at, case_id, guardian_id,
             organisation_id, user_id)
        SELECT s.participant_id, c.created_at, c.created_at, gen_random_uuid(), 'professional',
            (%(roles)s::text[])[s.s + 1], true, '', false,
            CASE WHEN c.planned THEN 'accepted' ELSE 'pending' END,
            CASE WHEN c.planned
                 THEN least(%(now)s::timestamptz, c.created_at + interval '2 days') END,
            NULL, c.case_id, NULL, pr.organisation_id, s.user_id
        FROM scale_seat s
        JOIN scale_case c ON c.n = s.n
        JOIN parties_professional pr ON pr.user_id = s.user_id
        """,
        {"roles": [KINDS[k].role for k in kinds], "now": p["now"]},
    )
    step(
        "participants",
        """
        INSERT INTO casusoverleg_participant
            (id, created_at, updated_at, uuid, kind, role, is_invited, not_invited_reason,
             youth_objected, response, responded_at, left_at, case_id, guardian_id,
             organisation_id, user_id)
        SELECT %(participant)s + (c.n - 1) * (%(S)s + 1) + %(S)s + 1, c.created_at,
            c.created_at, gen_random_uuid(), 'parent', 'ouders', true, '', false,
            CASE WHEN c.planned THEN 'accepted' ELSE 'pending' END,
            CASE WHEN c.planned
                 THEN least(%(now)s::timestamptz, c.created_at + interval '3 days') END,
            NULL, c.case_id, %(guardian)s + c.y, NULL, %(parents)s + c.y
        FROM scale_case c
        """,
        {
            "participant": b["participant"],
            "S": scale.seats,
            "now": p["now"],
            "guardian": b["guardian"],
            "parents": b["user"] + p["parents_at"],
        },
    )
    step(
        "grants",
        """
        INSERT INTO casusoverleg_caseuserobjectpermission
            (id, content_object_id, permission_id, user_id)
        SELECT %(grant)s + (s.n - 1) * (%(S)s + 1) + s.s + 2, c.case_id, %(perm)s, s.user_id
        FROM scale_seat s JOIN scale_case c ON c.n = s.n
        WHERE c.planned
        """,
        {"grant": b["grant"], "S": scale.seats, "perm": p["perm"]},
    )


def _tables(step: Step, p: dict[str, Any]) -> None:
    """Meetings, privacy notices and invitations of the cases past 'voorbereid'."""
    b, scale = p["base"], p["scale"]
    step(
        "meetings",
        """
        INSERT INTO casusoverleg_meeting
            (id, created_at, updated_at, uuid, starts_at, duration_minutes, location, video_url,
             agenda, status, sequence, cancel_reason, case_id)
        SELECT %(meeting)s + c.n, c.created_at, c.created_at, gen_random_uuid(),
            CASE WHEN c.status = 'gepland'
                 THEN date_trunc('hour', %(now)s::timestamptz
                      + interval '1 day' * (1 + floor(pg_temp.u(c.n, 31) * 30)))
                 ELSE least(%(now)s::timestamptz - interval '2 days',
                            date_trunc('hour', c.created_at + interval '14 days')) END,
            60, 'School, kamer ' || (1 + c.n %% 9), '',
            'Zorgen, wat goed gaat, wat helpt, afspraken en evaluatiedatum.',
            CASE WHEN c.status = 'gepland' THEN 'scheduled' ELSE 'held' END, 0, '', c.case_id
        FROM scale_case c WHERE c.planned
        """,
        {"meeting": b["meeting"], "now": p["now"]},
    )
    step(
        "privacy notices",
        """
        INSERT INTO casusoverleg_privacynotice
            (id, created_at, updated_at, uuid, version, content, case_id, generated_by_id)
        SELECT %(notice)s + c.n, c.created_at, c.created_at, gen_random_uuid(), 1,
            '{"purpose": "Tijdig passend onderwijs, ondersteuning en jeugdhulp",
              "categories": ["C1", "C2", "C4", "C11"], "retention_months": 24}'::jsonb,
            c.case_id, c.coordinator_id
        FROM scale_case c WHERE c.planned
        """,
        {"notice": b["notice"]},
    )
    step(
        "invitations",
        """
        INSERT INTO casusoverleg_invitation
            (id, created_at, updated_at, uuid, method, sequence, status, sent_at, error,
             meeting_id, participant_id, notice_id)
        SELECT %(invitation)s + (c.n - 1) * (%(S)s + 1) + seat, c.created_at, c.created_at,
            gen_random_uuid(), 'REQUEST', 0, 'sent', c.created_at, '',
            %(meeting)s + c.n, %(participant)s + (c.n - 1) * (%(S)s + 1) + seat,
            %(notice)s + c.n
        FROM scale_case c CROSS JOIN generate_series(1, %(S)s + 1) AS seat
        WHERE c.planned
        """,
        {
            "invitation": b["invitation"],
            "S": scale.seats,
            "meeting": b["meeting"],
            "participant": b["participant"],
            "notice": b["notice"],
        },
    )


def _shared_items(step: Step, p: dict[str, Any]) -> None:
    """Shared items that pass `casusoverleg.sharing.check_share`, and their narrowed readers."""
    b, scale = p["base"], p["scale"]
    kinds = p["kinds"]
    # Who can author: the procesregisseur (seat -1) and the seats of the author kinds.
    slots = [(-1, "coordinator")] + [(kinds.index(k), k) for k in AUTHOR_KINDS if k in kinds]
    step(
        "item plan",
        """
        CREATE TEMP TABLE scale_pick AS
        SELECT ct.id AS ct_id,
            row_number() OVER (PARTITION BY ct.id ORDER BY a.seat, cat.code, lb.code) AS k,
            count(*) OVER (PARTITION BY ct.id) AS choices,
            a.seat, cat.id AS category_id, lb.id AS basis_id,
            CASE WHEN cat.data_class = 'anonymous' THEN 'anonymous'
                 ELSE lb.data_class END AS data_class
        FROM unnest(%(seats)s::int[], %(party_types)s::text[], %(capacities)s::text[])
            AS a(seat, party_type, capacity)
        CROSS JOIN convenant_consultationtype ct
        JOIN convenant_consultationtype_allowed_categories ac ON ac.consultationtype_id = ct.id
        JOIN convenant_datacategory cat ON cat.id = ac.datacategory_id
        JOIN convenant_legalbasis lb
            ON lb.party_type = a.party_type AND lb.capacity = a.capacity
            AND lb.enabled AND NOT lb.requires_consent AND NOT lb.consent_basis
            AND (lb.in_force_from IS NULL OR lb.in_force_from <= %(now)s::date)
            AND lb.data_class = ANY(CASE cat.data_class
                WHEN 'ordinary' THEN ARRAY['ordinary']
                WHEN 'special_health' THEN ARRAY['special_health']
                WHEN 'mixed' THEN ARRAY['ordinary', 'special_health']
                WHEN 'anonymous' THEN ARRAY['ordinary']
                ELSE ARRAY[]::text[] END)
        WHERE ct.id = ANY(%(types)s::bigint[])
            AND NOT cat.never_shared AND NOT cat.excluded AND NOT cat.treatment_information
            AND cat.restricted_to_capacities = '[]'::jsonb
        """,
        {
            "seats": [seat for seat, _kind in slots],
            "party_types": [AUTHOR_BASIS[kind][0] for _seat, kind in slots],
            "capacities": [AUTHOR_BASIS[kind][1] for _seat, kind in slots],
            "now": p["now"],
            "types": sorted(set(p["types"])),
        },
    )
    step("item plan", "ALTER TABLE scale_pick ADD PRIMARY KEY (ct_id, k)")
    choices = dict(step("item plan", "SELECT ct_id, max(choices) FROM scale_pick GROUP BY ct_id"))
    # The number of valid (author, category, basis) choices of each entry of the type list.
    per_type = [int(choices.get(ct, 0)) for ct in p["types"]]
    step(
        "shared items",
        """
        INSERT INTO casusoverleg_shareditem
            (id, created_at, updated_at, uuid, data_class, kind, text, shared_on_consent,
             audience_all, withheld_at, withheld_reason, rectified_at, author_id, case_id,
             category_id, legal_basis_id, meeting_id, owner_id, owner_capacity, withheld_by_id)
        SELECT %(item)s + (c.n - 1) * %(IPC)s + j, at.t, at.t, gen_random_uuid(),
            pick.data_class,
            (ARRAY['feit', 'mening', 'afspraak'])[1 + floor(pg_temp.u(c.n * 64 + j, 43) * 3)::int],
            'Gegeven ' || j || ' van casus ' || c.n || ': '
                || repeat('alleen wat nodig is voor het doel van dit overleg. ', 3),
            false, pick.data_class <> 'special_health',
            CASE WHEN at.withheld THEN at.t + interval '1 hour' END,
            CASE WHEN at.withheld THEN 'Niet verstrekken: valt onder de geheimhoudingsplicht.'
                 ELSE '' END,
            NULL, author.user_id, c.case_id, pick.category_id, pick.basis_id,
            %(meeting)s + c.n, pr.organisation_id, pr.capacity,
            CASE WHEN at.withheld THEN author.user_id END
        FROM scale_case c
        CROSS JOIN generate_series(1, %(IPC)s) AS j
        CROSS JOIN LATERAL (
            SELECT least(%(now)s::timestamptz - interval '1 hour',
                         c.created_at + interval '1 hour' * (24 + j * 5)) AS t,
                pg_temp.u(c.n * 64 + j, 42) < 0.01 AS withheld
        ) AS at
        JOIN LATERAL (
            SELECT sp.* FROM scale_pick sp
            WHERE sp.ct_id = (%(types)s::bigint[])[c.t]
              AND sp.k = 1 + floor(pg_temp.u(c.n * 64 + j, 41)
                                   * (%(choices)s::int[])[c.t])::int
        ) AS pick ON true
        JOIN LATERAL (
            SELECT c.coordinator_id AS user_id WHERE pick.seat = -1
            UNION ALL
            SELECT s.user_id FROM scale_seat s WHERE s.n = c.n AND s.s = pick.seat
        ) AS author ON true
        JOIN parties_professional pr ON pr.user_id = author.user_id
        WHERE c.planned
        """,
        {
            "item": b["item"],
            "IPC": scale.items_per_case,
            "now": p["now"],
            "meeting": b["meeting"],
            "types": p["types"],
            "choices": per_type,
        },
    )
    # Health data goes only to the seats with a statutory ground to receive it, named one by
    # one (audience_all is off for these), never to the author's own seat.
    step(
        "item recipients",
        """
        INSERT INTO casusoverleg_shareditem_recipients (shareditem_id, participant_id)
        SELECT i.id, s.participant_id
        FROM casusoverleg_shareditem i
        JOIN scale_seat s ON s.n = i.case_id - %(case)s
        WHERE i.id > %(item)s AND NOT i.audience_all
          AND s.kind = ANY(%(readers)s::text[]) AND s.user_id <> i.author_id
        """,
        {"case": b["case"], "item": b["item"], "readers": list(HEALTH_READERS)},
    )


def counts(cursor: Any) -> dict[str, int]:
    """Rows per filled table (exact counts; a second or two at the default scale)."""
    result = {}
    for table in _FILLED_TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        result[table] = int(cursor.fetchone()[0])
    return result


FILLED_TABLES = _FILLED_TABLES
