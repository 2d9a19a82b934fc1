"""`make bench`: measured performance of the case pages, written to docs/benchmarks.md.

Run with the project's venv: `.venv/bin/python tools/bench.py` (SQLite in a temporary file), or
with `DATABASE_URL=postgres://…/casusoverleg_bench` for PostgreSQL. Either way the database is a
throwaway made by Django's test-database machinery (`setup_databases`): a temporary SQLite file,
or `test_<name>_bench` on the PostgreSQL server (never the test suite's `test_<name>`), created,
migrated and dropped again. No real database is ever touched.

The script builds a realistic region with the test factories (tests/factories/), then measures
each page with Django's test Client in this one process: N warm requests per page, one after the
other (single-threaded; no throughput figure is claimed), reporting the median, p95 and max in
ms. The queries and access events of a page are counted in a separate request, so that query
capture does not slow down the timed ones. PDFs are timed through `services.document_render`.

The report in docs/benchmarks.md keeps one section per database engine: a run replaces its own
engine's section and leaves the other one, and the hand-written Findings, as they were.
"""

import argparse
import importlib.metadata
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = BASE_DIR / "docs" / "benchmarks.md"
# Fixed seed: every run builds the same world, so runs compare like with like.
SEED = 20261128
WARMUP = 5


class BenchError(RuntimeError):
    """A page did not answer 200, or the world could not be built: the numbers would lie."""


# --- Results --------------------------------------------------------------------------------------


@dataclass
class PageResult:
    """Timings and counts of one page for one user."""

    label: str
    who: str
    url: str
    rows: str
    samples_ms: list[float]
    cpu_ms: list[float]
    queries: int
    events: int
    bytes: int
    top_repeat: tuple[str, int]
    query_groups: list[tuple[str, int]]


@dataclass
class ScalingResult:
    """The same page for a user with little and a user with much data: does it stay flat?"""

    label: str
    small: tuple[str, int, int]  # rows description, queries, access events
    large: tuple[str, int, int]
    cause: str


@dataclass
class PdfResult:
    """Render times of one kind of PDF."""

    label: str
    cold_ms: float
    samples_ms: list[float]
    cpu_ms: list[float]
    size: int
    pages: int
    queries: int


@dataclass
class AuditResult:
    """What one access event costs: `audit.services.record` timed on its own."""

    samples_ms: list[float]
    queries_per_event: float


@dataclass
class RunResult:
    """Everything one run measured, plus what it ran on."""

    engine: str
    engine_version: str
    started: datetime
    seconds_building: float
    dataset: dict[str, int]
    pages: list[PageResult] = field(default_factory=list)
    scaling: list[ScalingResult] = field(default_factory=list)
    pdfs: list[PdfResult] = field(default_factory=list)
    audit: AuditResult | None = None
    requests: int = 0
    pdf_runs: int = 0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    seconds_total: float = 0.0


# --- Environment ----------------------------------------------------------------------------------


def configure_environment(workdir: Path) -> str:
    """Settings for a production-shaped run on a throwaway database; returns the engine key.

    DEBUG is off (no query logging, no debug templates) and the HTTPS settings are on, as in
    production; the test settings supply the rest (fast password hasher, eager tasks).
    """
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.startswith("sqlite"):
        # The "real" name is a file in the temporary folder too; only the test copy is used.
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'unused.sqlite3'}"
        return "sqlite"
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return "postgresql"
    raise BenchError(f"Unsupported DATABASE_URL scheme: {url.split(':', 1)[0]}")


def point_at_throwaway(workdir: Path, engine: str) -> None:
    """The test database: a file in `workdir` (SQLite) or `test_<name>_bench`; media: `workdir`."""
    from django.conf import settings
    from django.db import connections

    test = connections["default"].settings_dict["TEST"]
    if engine == "sqlite":
        test["NAME"] = str(workdir / "bench.sqlite3")
    else:
        # Never `test_<name>` of the suite: `setup_databases` drops an existing test database,
        # and a test run may be using that one at this very moment.
        name = str(connections["default"].settings_dict["NAME"])
        test["NAME"] = f"test_{name}" if name.endswith("_bench") else f"test_{name}_bench"
    settings.STORAGES["default"]["OPTIONS"]["location"] = str(workdir / "media")


def engine_version() -> str:
    """The database server's version, as it reports it."""
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def machine() -> dict[str, str]:
    """CPU, cores, Python and library versions: the context the numbers belong to."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu,
        "Cores": f"{usable} usable ({os.cpu_count()} online)",
        "Memory": _memory(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "Django": importlib.metadata.version("django"),
        "WeasyPrint": importlib.metadata.version("weasyprint"),
    }


def _memory() -> str:
    """Total memory from /proc/meminfo, in GiB."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def git_commit() -> str:
    """Short commit of HEAD, with a note when the work tree has uncommitted changes."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"

    def run(*args: str) -> str:
        """git's output for `args`, or empty."""
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [git, *args], cwd=BASE_DIR, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    commit = run("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(run("status", "--porcelain", "--untracked-files=no"))
    return f"{commit} (plus uncommitted changes)" if dirty else commit


# --- The world ------------------------------------------------------------------------------------


@dataclass
class World:
    """The generated region, with the users and cases the measurements name."""

    users: dict[str, Any]
    cases: dict[str, Any]
    counts: dict[str, int]


def build_world() -> World:
    """A region of one covenant, 200 youths and 150 cases in every status, built with factories.

    Named users: `regisseur` directs 40 cases, `regisseur_klein` 5; `professional` takes part
    in 30 (accepted, so holding the grant) and has 3 open invitations, `professional_klein` takes
    part in 3; `ouder` and `ouder_klein` are parents at the table of the two named cases.
    Named cases: `big` (8 at the table, a cancelled and a held meeting, 8 minutes entries,
    4 actions, shared with the family) and `small` (4 at the table, 3 entries, 1 action), both
    directed by `regisseur`, and `huge` (minutes of 80 entries, for a long PDF).
    """
    import random

    from django.db import transaction

    with transaction.atomic():
        return _Builder(random.Random(SEED)).build()  # noqa: S311 - data, not security


class _Builder:
    """Builds the world; kept in one object so the helpers share the region and the clock."""

    def __init__(self, rng: Any) -> None:
        """A seeded random generator and today's clock."""
        from django.utils import timezone

        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.users: dict[str, Any] = {}
        self.cases: dict[str, Any] = {}

    # The organisations' roles at the table, by what they are.
    ROLES = {
        "school": ["leerkracht_mentor", "ib_zorgcoordinator", "swv_consultant"],
        "municipality": ["leerplicht"],
        "care": ["wijkteam_jeugdhulp"],
        "jgz": ["jeugdarts"],
    }
    TYPES = ["mdo", "mdo", "mdo", "zat", "verzuimoverleg", "thuiszittersoverleg", "bilateraal"]
    # How the 150 cases spread over the statuses (the named cases come on top of the rest).
    STATUS_SPREAD = {
        "concept": 15,
        "voorbereid": 15,
        "gepland": 35,
        "gehouden": 25,
        "verslag_vastgesteld": 27,
        "afgesloten": 30,
    }

    def build(self) -> World:
        """Everything, in dependency order."""
        self._region()
        self._staff()
        self._youths()
        self._named_cases()
        self._random_cases()
        return World(users=self.users, cases=self.cases, counts=self._counts())

    # --- Region and people ----------------------------------------------------------------------

    def _region(self) -> None:
        """The region, its covenant and 8 parties: 4 schools, municipality, 2 youth care, JGZ."""
        from tests.factories.convenant import CovenantFactory, CovenantPartyFactory
        from tests.factories.parties import OrganisationFactory, RegionFactory

        region = RegionFactory(name="Benchregio")
        self.covenant = CovenantFactory(region=region)
        self.region = region
        self.orgs: dict[str, list[Any]] = {
            "school": [
                OrganisationFactory(region=region, name=f"Bench-school {n}") for n in range(1, 5)
            ],
            "municipality": [
                OrganisationFactory(region=region, name="Gemeente Bench", municipality=True)
            ],
            "care": [
                OrganisationFactory(region=region, name=f"Jeugdhulp Bench {n}", youth_care=True)
                for n in range(1, 3)
            ],
            "jgz": [OrganisationFactory(region=region, name="JGZ Bench", youth_health=True)],
        }
        for organisations in self.orgs.values():
            for organisation in organisations:
                CovenantPartyFactory(covenant=self.covenant, organisation=organisation)

    def _staff_member(self, username: str, role: str, kind: str, org: Any) -> Any:
        """A user with a Professional row at `org`; `kind` says what the organisation is."""
        from parties.choices import Capacity
        from tests.factories.parties import ProfessionalFactory, UserFactory

        user = UserFactory(username=username, role=role)
        extra: dict[str, Any] = {
            "school": {"capacity": Capacity.EDUCATION},
            "municipality": {"capacity": Capacity.COMPULSORY_EDUCATION},
            "care": {"capacity": Capacity.YOUTH_CARE, "professional_secrecy": True},
            "jgz": {"capacity": Capacity.YOUTH_HEALTH, "professional_secrecy": True},
        }[kind]
        ProfessionalFactory(user=user, organisation=org, **extra)
        user.bench_kind = kind
        user.bench_org = org
        return user

    def _staff(self) -> None:
        """The named procesregisseurs and professionals, and a pool of 36 others."""
        from parties.choices import Role

        school = self.orgs["school"]
        self.users["regisseur"] = self._staff_member(
            "regisseur", Role.COORDINATOR, "school", school[0]
        )
        self.users["regisseur_klein"] = self._staff_member(
            "regisseur_klein", Role.COORDINATOR, "school", school[1]
        )
        self.coordinators = [
            self._staff_member(f"regisseur{n}", Role.COORDINATOR, "school", school[n % 4])
            for n in range(1, 5)
        ]
        self.users["professional"] = self._staff_member(
            "professional", Role.PROFESSIONAL, "school", school[0]
        )
        self.users["professional_klein"] = self._staff_member(
            "professional_klein", Role.PROFESSIONAL, "care", self.orgs["care"][0]
        )
        # The pool the other seats are drawn from: 36 professionals over all organisations.
        self.pool = []
        kinds = ["school"] * 16 + ["municipality"] * 6 + ["care"] * 10 + ["jgz"] * 4
        for n, kind in enumerate(kinds, start=1):
            org = self.rng.choice(self.orgs[kind])
            self.pool.append(self._staff_member(f"prof{n}", Role.PROFESSIONAL, kind, org))

    def _youths(self) -> None:
        """200 youths aged 5–17, with one or two parents with gezag; an account from 12."""
        from parties.choices import Role
        from tests.factories.parties import GuardianFactory, UserFactory, YouthFactory

        self.youths = []
        for n in range(200):
            age = self.rng.randint(5, 17)
            born = self.today - timedelta(days=365 * age + self.rng.randint(10, 350))
            user = UserFactory(username=f"jongere{n}", role=Role.YOUTH) if age >= 12 else None
            youth = YouthFactory(
                region=self.region,
                date_of_birth=born,
                school=self.rng.choice(self.orgs["school"]),
                user=user,
            )
            youth.bench_guardians = [
                GuardianFactory(youth=youth, user__username=f"ouder{n}a"),
                *(
                    [GuardianFactory(youth=youth, user__username=f"ouder{n}b")]
                    if self.rng.random() < 0.6
                    else []
                ),
            ]
            self.youths.append(youth)
        self.rng.shuffle(self.youths)

    def _youth_aged(self, low: int, high: int, guardians: int) -> Any:
        """An unused youth aged [low, high] with `guardians` parents or more; taken off the list."""
        for youth in self.youths:
            if low <= youth.age_on(self.today) <= high and len(youth.bench_guardians) >= guardians:
                self.youths.remove(youth)
                return youth
        raise BenchError("no youth of the wanted age left")

    # --- Cases ----------------------------------------------------------------------------------

    def _named_cases(self) -> None:
        """The cases the measurements name (see `build_world`)."""
        from parties.models import User

        regisseur, professional = self.users["regisseur"], self.users["professional"]
        big_youth = self._youth_aged(8, 11, guardians=2)
        self.cases["big"] = self._case(
            coordinator=regisseur,
            youth=big_youth,
            status="verslag_vastgesteld",
            professionals=[professional, *self._pick_pool(4)],
            entries=8,
            actions=4,
            cancelled_before=True,
            statement=True,
            type_code="mdo",
        )
        self.users["ouder"] = User.objects.get(pk=big_youth.bench_guardians[0].user_id)
        small_youth = self._youth_aged(8, 11, guardians=1)
        self.cases["small"] = self._case(
            coordinator=regisseur,
            youth=small_youth,
            status="verslag_vastgesteld",
            professionals=self._pick_pool(2),
            entries=3,
            actions=1,
            type_code="mdo",
            family_guardians=1,
        )
        self.users["ouder_klein"] = User.objects.get(pk=small_youth.bench_guardians[0].user_id)
        self.cases["huge"] = self._case(
            coordinator=self.coordinators[0],
            youth=self._youth_aged(12, 15, guardians=1),
            status="gehouden",
            professionals=self._pick_pool(5),
            entries=80,
            actions=20,
            type_code="mdo",
        )
        # professional_klein: three cases of other procesregisseurs, one open action.
        for n in range(3):
            self._case(
                coordinator=self.coordinators[n],
                youth=self._youth_aged(5, 17, guardians=1),
                status="gehouden" if n == 0 else "gepland",
                professionals=[self.users["professional_klein"], *self._pick_pool(2)],
                entries=3,
                actions=1 if n == 0 else 0,
                action_for=self.users["professional_klein"],
            )

    def _pick_pool(self, count: int) -> list[Any]:
        """`count` different professionals from the pool."""
        return self.rng.sample(self.pool, count)

    def _random_cases(self) -> None:
        """The rest of the ~150: 38 more for `regisseur`, 5 for `regisseur_klein`, the others."""
        statuses = [s for s, n in self.STATUS_SPREAD.items() for _ in range(n)]
        self.rng.shuffle(statuses)
        # regisseur: 2 named + 38 = 40; regisseur_klein: 5.
        owners = (
            [self.users["regisseur"]] * 38
            + [self.users["regisseur_klein"]] * 5
            + [self.rng.choice(self.coordinators) for _ in range(len(statuses) - 43)]
        )
        professional = self.users["professional"]
        # professional takes part in 29 of these (30 with `big`), and is invited to 3 more.
        seat_for_professional = set(self.rng.sample(range(len(statuses)), 32))
        pending_for_professional = set(
            self.rng.sample(
                [i for i in seat_for_professional if statuses[i] in ("voorbereid", "gepland")], 3
            )
        )
        for index, (status, owner) in enumerate(zip(statuses, owners, strict=True)):
            seats = self._pick_pool(self.rng.randint(2, 5))
            pending: set[int] = set()
            if index in seat_for_professional:
                seats = [professional, *seats[1:]]
                if index in pending_for_professional:
                    pending.add(professional.pk)
            self._case(
                coordinator=owner,
                youth=self._youth_aged(5, 17, guardians=1),
                status=status,
                professionals=seats,
                entries=self.rng.randint(3, 8),
                actions=self.rng.randint(1, 4),
                cancelled_before=self.rng.random() < 0.15,
                statement=self.rng.random() < 0.2,
                action_for=professional if index in seat_for_professional else None,
                pending_users=pending,
            )

    def _case(
        self,
        *,
        coordinator: Any,
        youth: Any,
        status: str,
        professionals: list[Any],
        entries: int,
        actions: int,
        cancelled_before: bool = False,
        statement: bool = False,
        type_code: str | None = None,
        family_guardians: int = 2,
        action_for: Any = None,
        pending_users: set[int] | None = None,
    ) -> Any:
        """One case in `status` with its table, meetings, notice, invitations and minutes."""
        from casusoverleg.choices import CaseStatus, ParticipantKind, Response, TargetGroup
        from casusoverleg.services import UNDER_AGE_REASON
        from convenant.models import ConsultationType
        from core.permissions import grant
        from tests.factories.casusoverleg import CaseFactory, ParticipantFactory

        pending_users = pending_users or set()
        code = type_code or self.rng.choice(self.TYPES)
        consultation_type = ConsultationType.objects.get(code=code)
        home_sitter = code == "thuiszittersoverleg"
        case = CaseFactory(
            youth=youth,
            covenant=self.covenant,
            consultation_type=consultation_type,
            coordinator=coordinator,
            coordinator_role="ib_zorgcoordinator",
            organisation=coordinator.bench_org,
            status=status,
            target_group=(
                TargetGroup.HOME_SITTER if home_sitter else TargetGroup.EDUCATION_AND_YOUTH_CARE
            ),
            out_of_education_since=(
                self.today - timedelta(days=self.rng.randint(20, 140)) if home_sitter else None
            ),
            closed_at=(
                self.now - timedelta(days=self.rng.randint(1, 30))
                if status == CaseStatus.CLOSED
                else None
            ),
            hearing_note="Gesprek met de intern begeleider; de leerling wil graag blijven.",
        )
        before_meeting = status in (CaseStatus.CONCEPT, CaseStatus.PREPARED)
        seats = [
            ParticipantFactory(
                case=case,
                kind=ParticipantKind.PARENT,
                user=guardian.user,
                guardian=guardian,
                organisation=None,
                role="",
                response=Response.PENDING if before_meeting else Response.ACCEPTED,
            )
            for guardian in youth.bench_guardians[:family_guardians]
        ]
        of_age = youth.age_on(self.today) >= 12
        seats.append(
            ParticipantFactory(
                case=case,
                kind=ParticipantKind.YOUTH,
                user=youth.user,
                organisation=None,
                role="",
                is_invited=of_age,
                not_invited_reason="" if of_age else UNDER_AGE_REASON,
            )
        )
        for user in professionals:
            # Before invitations most professionals have not answered; afterwards most have.
            accepted = user.pk not in pending_users and (
                not before_meeting or self.rng.random() < 0.3 or user == action_for
            )
            participant = ParticipantFactory(
                case=case,
                user=user,
                organisation=user.bench_org,
                role=self.rng.choice(self.ROLES[user.bench_kind]),
                **({"accepted": True} if accepted else {}),
            )
            if accepted:
                # The grant the service gives on accepting is the access (invariant 1).
                grant(user, "casusoverleg.view_case", case)
            seats.append(participant)
        if not before_meeting:
            self._meetings(case, seats, status, entries, actions, cancelled_before, statement)
            if action_for is not None:
                self._action_for(case, seats, action_for)
        elif status == CaseStatus.PREPARED and self.rng.random() < 0.5:
            self._notice(case)
        return case

    def _notice(self, case: Any) -> Any:
        """Version 1 of the privacy notice, with the content the service would generate."""
        from casusoverleg.services import privacy_notice_content
        from tests.factories.casusoverleg import PrivacyNoticeFactory

        return PrivacyNoticeFactory(case=case, version=1, content=privacy_notice_content(case=case))

    def _meetings(
        self,
        case: Any,
        seats: list[Any],
        status: str,
        entries: int,
        actions: int,
        cancelled_before: bool,
        statement: bool,
    ) -> None:
        """The meeting(s) of a case past the preparation, spread over three months."""
        from casusoverleg.choices import CaseStatus, MeetingStatus
        from tests.factories.casusoverleg import InvitationFactory, MeetingFactory

        held = status not in (CaseStatus.SCHEDULED,)
        if status == CaseStatus.SCHEDULED:
            offset = timedelta(days=self.rng.randint(1, 45))
        elif status == CaseStatus.CLOSED:
            offset = -timedelta(days=self.rng.randint(30, 60))
        else:
            offset = -timedelta(days=self.rng.randint(1, 30))
        starts_at = (self.now + offset).replace(
            hour=self.rng.choice([8, 9, 10, 13, 14, 15]), minute=self.rng.choice([0, 30])
        )
        notice = self._notice(case)
        if cancelled_before:
            MeetingFactory(
                case=case,
                starts_at=starts_at - timedelta(days=7),
                status=MeetingStatus.CANCELLED,
                cancel_reason="Ziekte van de procesregisseur.",
            )
        meeting = MeetingFactory(
            case=case,
            starts_at=starts_at,
            status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
            duration_minutes=self.rng.choice([45, 60, 90]),
        )
        for seat in seats:
            if seat.is_invited:
                InvitationFactory(meeting=meeting, participant=seat, notice=notice)
        if held:
            self._attendance(meeting, seats)
            self._minutes(case, meeting, seats, status, entries, actions, statement)

    def _attendance(self, meeting: Any, seats: list[Any]) -> None:
        # No factory exists for Attendance; a plain bulk insert of valid rows.
        """Who was present at a held meeting (most were)."""
        from casusoverleg.models import Attendance
        from core.querysets import bulk_writes_allowed

        with bulk_writes_allowed("benchmark data"):
            Attendance.objects.bulk_create(
                Attendance(
                    meeting=meeting,
                    participant=seat,
                    present=(present := self.rng.random() < 0.85),
                    absence_reason="" if present else "Andere afspraak.",
                )
                for seat in seats
                if seat.is_invited
            )

    def _minutes(
        self,
        case: Any,
        meeting: Any,
        seats: list[Any],
        status: str,
        entries: int,
        actions: int,
        statement: bool,
    ) -> None:
        """Minutes of a held meeting: entries, actions, adoption and sharing as the status says."""
        from casusoverleg.choices import CaseStatus, EntryKind, ParticipantKind
        from casusoverleg.models import Statement
        from tests.factories.casusoverleg import (
            ActionItemFactory,
            MinutesEntryFactory,
            MinutesFactory,
        )

        adopted = status in (CaseStatus.MINUTES_ADOPTED, CaseStatus.CLOSED)
        minutes = MinutesFactory(
            meeting=meeting,
            follow_up_on=self.today + timedelta(days=self.rng.randint(20, 90)),
            adopted_at=meeting.starts_at + timedelta(days=2) if adopted else None,
            family_due_on=self.today + timedelta(days=10) if adopted else None,
            shared_with_family_at=meeting.starts_at + timedelta(days=3) if adopted else None,
        )
        professionals = [s for s in seats if s.kind == ParticipantKind.PROFESSIONAL]
        owners = [case.organisation, *(s.organisation for s in professionals)]
        texts = {
            EntryKind.FACT: "De leerling is sinds september vaker afwezig, vooral op maandag.",
            EntryKind.OPINION: "De mentor verwacht dat extra begeleiding in de klas helpt.",
            EntryKind.AGREEMENT: "School en wijkteam stemmen de begeleiding elke maand af.",
        }
        for n in range(entries):
            kind = list(texts)[n % 3]
            MinutesEntryFactory(
                minutes=minutes,
                kind=kind,
                text=texts[kind] + " " + "Toelichting volgt in het volgende overleg. " * (n % 4),
                owner=self.rng.choice(owners),
                author=case.coordinator,
            )
        assignees = [s for s in professionals if s.response == "accepted"] or professionals
        for n in range(actions):
            ActionItemFactory(
                minutes=minutes,
                description=f"Actie {n + 1}: gesprek plannen en terugkoppelen.",
                assignee=self.rng.choice(assignees),
                due_on=self.today + timedelta(days=self.rng.randint(-10, 30)),
                completed_at=self.now if status == CaseStatus.CLOSED else None,
            )
        family = [s for s in seats if s.is_family and s.is_invited and s.user_id]
        if statement and adopted and family:
            # No factory exists for Statement; one row, as statement_add would write it.
            Statement.objects.create(
                minutes=minutes,
                author_id=family[0].user_id,
                text="Wij zijn het eens met de afspraken, maar willen graag vaker bericht.",
            )

    def _action_for(self, case: Any, seats: list[Any], user: Any) -> None:
        """An open action for `user` in the latest minutes of `case`, if there are minutes."""
        from casusoverleg.models import Minutes
        from tests.factories.casusoverleg import ActionItemFactory

        minutes = Minutes.objects.filter(meeting__case=case).first()
        seat = next((s for s in seats if s.user_id == user.pk), None)
        if minutes is None or seat is None or seat.response != "accepted":
            return
        ActionItemFactory(
            minutes=minutes,
            description="Observatie in de klas en verslag aan de procesregisseur.",
            assignee=seat,
            due_on=self.today + timedelta(days=self.rng.randint(-5, 21)),
        )

    def _counts(self) -> dict[str, int]:
        """How many rows of each kind the world has."""
        from audit.models import AccessEvent
        from casusoverleg.models import (
            ActionItem,
            Case,
            Invitation,
            Meeting,
            MinutesEntry,
            Participant,
        )
        from parties.models import User, Youth

        return {
            "youths": Youth.objects.count(),
            "users": User.objects.count(),
            "cases": Case.objects.count(),
            "participants": Participant.objects.count(),
            "meetings": Meeting.objects.count(),
            "invitations": Invitation.objects.count(),
            "minutes entries": MinutesEntry.objects.count(),
            "actions": ActionItem.objects.count(),
            "access events before the run": AccessEvent.objects.count(),
        }


# --- Measuring ------------------------------------------------------------------------------------


TRANSACTION_CONTROL = frozenset({"SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"})


def _normalise(sql: str) -> str:
    """A statement with its literals replaced, so that repeats of one query look the same."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\s*\?\s*,)+\s*\?\s*\)", "(?…)", sql)


def _group(sql: str) -> str:
    """'SELECT casusoverleg_participant' / 'INSERT audit_accessevent': kind and main table."""
    kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    if kind in TRANSACTION_CONTROL:
        return kind
    pattern = {
        "SELECT": r'\bFROM\s+"?(\w+)"?',
        "INSERT": r'\bINTO\s+"?(\w+)"?',
        "UPDATE": r'^\s*UPDATE\s+"?(\w+)"?',
        "DELETE": r'\bFROM\s+"?(\w+)"?',
    }.get(kind)
    match = re.search(pattern, sql, re.IGNORECASE) if pattern else None
    return f"{kind} {match.group(1)}" if match else kind


def pass_second_factor(client: Any, user: Any) -> None:
    """Mark a session as past the second step (the portal's, issue 6; the workplace's, issue 7),
    as `django_otp.login` does after a right code; the pages answer 302 otherwise."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class Measurer:
    """Runs pages and PDFs and keeps what they cost."""

    def __init__(self, world: World, requests: int, pdf_runs: int) -> None:
        """Keep the world and the run's settings."""
        from django.test import Client

        self.world = world
        self.requests = requests
        self.pdf_runs = pdf_runs
        self.clients: dict[str, Client] = {}

    def client(self, who: str) -> Any:
        """A logged-in test Client for the named user (one session each, kept)."""
        from django.test import Client

        if who not in self.clients:
            client = Client()
            user = self.world.users[who]
            client.force_login(user)
            pass_second_factor(client, user)
            self.clients[who] = client
        return self.clients[who]

    def _get(self, who: str, url: str) -> Any:
        """GET `url` as `who` over HTTPS; BenchError unless it answers 200."""
        response = self.client(who).get(url, secure=True)
        if response.status_code != 200:
            raise BenchError(f"{url} as {who} answered {response.status_code}")
        return response

    def count(self, who: str, url: str) -> tuple[int, int, int, list[str]]:
        """Queries, access events and bytes of one request, and the SQL it ran."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from audit.models import AccessEvent

        before = AccessEvent.objects.count()
        with CaptureQueriesContext(connection) as captured:
            response = self._get(who, url)
        events = AccessEvent.objects.count() - before
        statements = [q["sql"] for q in captured.captured_queries]
        # BEGIN/COMMIT/SAVEPOINT are listed in the breakdown but not counted as queries.
        counted = [s for s in statements if _group(s) not in TRANSACTION_CONTROL]
        return len(counted), events, len(response.content), statements

    def page(self, label: str, who: str, url: str, rows: str) -> PageResult:
        """Warm up, time N requests one after the other, then count one more."""
        for _ in range(WARMUP):
            self._get(who, url)
        samples, cpu = [], []
        for _ in range(self.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            self._get(who, url)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries, events, size, statements = self.count(who, url)
        repeats = Counter(
            _normalise(s) for s in statements if _group(s) not in TRANSACTION_CONTROL
        ).most_common(1)
        top = (_group(repeats[0][0]), repeats[0][1]) if repeats else ("", 0)
        groups = Counter(_group(s) for s in statements).most_common()
        result = PageResult(label, who, url, rows, samples, cpu, queries, events, size, top, groups)
        _say(
            f"  {label} ({who}): median {statistics.median(samples):.1f} ms "
            f"(CPU {statistics.median(cpu):.1f} ms), {queries} queries"
        )
        return result

    def scaling(
        self, label: str, small: tuple[str, str, str], large: tuple[str, str, str], cause: str
    ) -> ScalingResult:
        """Queries and events for a small and a large user of the same page (who, url, rows)."""
        counted = []
        for who, url, rows in (small, large):
            self._get(who, url)  # warm: first-request caches would blur the comparison
            queries, events, _size, _statements = self.count(who, url)
            counted.append((f"{who}: {rows}", queries, events))
        return ScalingResult(label, counted[0], counted[1], cause)

    def pdf(
        self, label: str, case: Any, kind: str, requested_by: Any, runs: int | None = None
    ) -> PdfResult:
        """Time `services.document_render` (DB reads, WeasyPrint, file, audit) on fresh rows."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from pypdf import PdfReader

        from casusoverleg import selectors, services
        from casusoverleg.models import CaseDocument
        from tests.factories.casusoverleg import CaseDocumentFactory

        meeting = selectors.current_meeting(case)

        def render() -> tuple[float, float, int, CaseDocument]:
            """One render of a fresh document: wall ms, CPU ms, queries, the document."""
            document = CaseDocumentFactory(
                case=case, kind=kind, meeting=meeting, requested_by=requested_by
            )
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                services.document_render(document_id=document.pk)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - started_cpu) * 1000
            document.refresh_from_db()
            if document.status != "ready":
                raise BenchError(f"PDF {label} failed: {document.error}")
            return elapsed, cpu, len(captured.captured_queries), document

        # The cold render pays for loading fonts and WeasyPrint's first-use caches.
        cold, _cpu, queries, document = render()
        timed = [render()[:2] for _ in range(runs or self.pdf_runs)]
        samples, cpu = [t[0] for t in timed], [t[1] for t in timed]
        with document.file.open("rb") as handle:
            data = handle.read()
        pages = len(PdfReader(document.file.path).pages)
        _say(
            f"  PDF {label}: median {statistics.median(samples):.0f} ms "
            f"(CPU {statistics.median(cpu):.0f} ms), {pages} pages"
        )
        return PdfResult(label, cold, samples, cpu, len(data), pages, queries)

    def audit(self, events: int = 200) -> AuditResult:
        """`audit.services.record` for one youth, `events` times in one transaction, as a list
        page does; each event timed on its own."""
        from django.db import connection, transaction
        from django.test.utils import CaptureQueriesContext

        from audit.choices import Action
        from audit.services import record

        user, case = self.world.users["regisseur"], self.world.cases["big"]
        samples = []
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            for _ in range(events):
                started = time.perf_counter()
                record(
                    actor=user,
                    action=Action.CASE_LISTED,
                    target=case,
                    youth=case.youth,
                    case_uuid=case.uuid,
                    purpose=case.purpose.code,
                )
                samples.append((time.perf_counter() - started) * 1000)
        inserts = sum(1 for q in captured.captured_queries if _group(q["sql"]).startswith("INSERT"))
        _say(f"  audit.record: median {statistics.median(samples):.2f} ms per event")
        return AuditResult(samples, inserts / events)


def measure(world: World, requests: int, pdf_runs: int, result: RunResult) -> None:
    """Every page of the brief for the users who use it, the scaling checks and the PDFs."""
    from django.urls import reverse
    from django.utils import timezone

    from casusoverleg.models import ActionItem, Case, Meeting, MinutesEntry
    from casusoverleg.views.calendar import MONTH, WEEK, period_of, start_of

    m = Measurer(world, requests, pdf_runs)
    users, cases = world.users, world.cases
    today = timezone.localdate()

    def case_url(name: str, case_key: str) -> str:
        """The URL `name` for one of the named cases."""
        return reverse(name, kwargs={"uuid": cases[case_key].uuid})

    def youth_url(name: str, case_key: str) -> str:
        """The portal URL `name` for the youth of one of the named cases."""
        return reverse(name, kwargs={"youth": cases[case_key].youth.uuid})

    def shared_about(case_key: str) -> int:
        """How many items were shared about the youth of a named case."""
        from casusoverleg.models import SharedItem

        return SharedItem.objects.filter(case__youth=cases[case_key].youth).count()

    def looked_at(case_key: str) -> int:
        """How many access events name the youth of a named case."""
        from audit.models import AccessEvent

        return AccessEvent.objects.filter(youth_uuid=cases[case_key].youth.uuid).count()

    def visible(who: str) -> int:
        """How many cases `who` sees."""
        return Case.objects.visible_to(users[who]).count()

    def meetings_in(who: str, view: str) -> int:
        """How many meetings `who` sees in today's period of `view`."""
        period = period_of(view, today)
        return (
            Meeting.objects.visible_to(users[who])
            .filter(starts_at__gte=start_of(period.start), starts_at__lt=start_of(period.end))
            .count()
        )

    def open_actions(who: str) -> int:
        """How many open actions `who` has."""
        return ActionItem.objects.open().assigned_to(users[who]).count()

    def table(case_key: str) -> str:
        """A named case's size, as the report shows it."""
        case = cases[case_key]
        entries = MinutesEntry.objects.filter(minutes__meeting__case=case).count()
        return (
            f"{case.participants.count()} at the table, {case.meetings.count()} meetings, "
            f"{entries} minutes entries"
        )

    calendar = reverse("casusoverleg:calendar")
    dashboard = reverse("casusoverleg:dashboard")
    actions = reverse("casusoverleg:action_list")
    pages: list[tuple[str, str, str, str]] = [
        # The floor: middleware, session load and save, one database check; no template.
        ("Baseline: health check", "regisseur", reverse("health"), "—"),
        ("Case page", "regisseur", case_url("casusoverleg:case_detail", "big"), table("big")),
        ("Case page", "professional", case_url("casusoverleg:case_detail", "big"), table("big")),
        (
            "Calendar, list (8 weeks)",
            "regisseur",
            f"{calendar}?weergave=lijst",
            f"{meetings_in('regisseur', 'lijst')} meetings",
        ),
        (
            "Calendar, week",
            "regisseur",
            f"{calendar}?weergave=week",
            f"{meetings_in('regisseur', WEEK)} meetings",
        ),
        (
            "Calendar, month",
            "regisseur",
            f"{calendar}?weergave=maand",
            f"{meetings_in('regisseur', MONTH)} meetings",
        ),
        (
            "Calendar, month",
            "professional",
            f"{calendar}?weergave=maand",
            f"{meetings_in('professional', MONTH)} meetings",
        ),
        ("Dashboard", "regisseur", dashboard, f"{visible('regisseur')} cases"),
        ("Dashboard", "professional", dashboard, f"{visible('professional')} cases"),
        ("Action list", "professional", actions, f"{open_actions('professional')} open actions"),
        ("Portal case page", "ouder", case_url("portal:case_detail", "big"), table("big")),
        # Issue 6: the family's own pages about the youth of the big case.
        (
            "Portal: what is shared",
            "ouder",
            youth_url("portal:youth_shared", "big"),
            f"{shared_about('big')} items",
        ),
        (
            "Portal: who looked",
            "ouder",
            youth_url("portal:youth_access_log", "big"),
            f"{looked_at('big')} events before the run, more as it logs; ≤ 500 shown",
        ),
        ("Portal: consents", "ouder", youth_url("portal:consent_list", "big"), table("big")),
    ]
    _say("Pages:")
    for label, who, url, rows in pages:
        result.pages.append(m.page(label, who, url, rows))

    _say("Scaling checks (queries for little and much data)...")
    result.scaling = [
        m.scaling(
            "Dashboard (procesregisseur)",
            ("regisseur_klein", dashboard, f"{visible('regisseur_klein')} cases"),
            ("regisseur", dashboard, f"{visible('regisseur')} cases"),
            "one access-event INSERT per case shown (`_log_youths_shown` → `audit.record`)",
        ),
        m.scaling(
            "Dashboard (professional)",
            ("professional_klein", dashboard, f"{visible('professional_klein')} cases"),
            ("professional", dashboard, f"{visible('professional')} cases"),
            "one access-event INSERT per case shown",
        ),
        m.scaling(
            "Calendar, month",
            (
                "regisseur_klein",
                f"{calendar}?weergave=maand",
                f"{meetings_in('regisseur_klein', MONTH)} meetings",
            ),
            (
                "regisseur",
                f"{calendar}?weergave=maand",
                f"{meetings_in('regisseur', MONTH)} meetings",
            ),
            "one access-event INSERT per case with a meeting shown",
        ),
        m.scaling(
            "Action list",
            ("professional_klein", actions, f"{open_actions('professional_klein')} open actions"),
            ("professional", actions, f"{open_actions('professional')} open actions"),
            "one access-event INSERT per case with an action shown",
        ),
        m.scaling(
            "Case page",
            ("regisseur", case_url("casusoverleg:case_detail", "small"), table("small")),
            ("regisseur", case_url("casusoverleg:case_detail", "big"), table("big")),
            "",
        ),
        m.scaling(
            "Portal case page",
            ("ouder_klein", case_url("portal:case_detail", "small"), table("small")),
            ("ouder", case_url("portal:case_detail", "big"), table("big")),
            "",
        ),
    ]

    _say("PDFs:")
    regisseur = users["regisseur"]
    huge = cases["huge"]
    result.pdfs = [
        m.pdf("Minutes (8 entries, 4 actions)", cases["big"], "verslag", regisseur),
        m.pdf("Privacy notice (adults)", cases["big"], "privacyverklaring", regisseur),
        m.pdf("Privacy notice (youths)", cases["big"], "privacyverklaring_jongere", regisseur),
        m.pdf("Invitation", cases["big"], "uitnodiging", regisseur),
        m.pdf(
            "Minutes, long (80 entries, 20 actions)",
            huge,
            "verslag",
            huge.coordinator,
            runs=max(1, pdf_runs // 3),
        ),
    ]
    _say("Access log:")
    result.audit = m.audit()


# --- Report ---------------------------------------------------------------------------------------


def _p95(samples: list[float]) -> float:
    """The 95th percentile (inclusive method: one of the samples' range, never beyond max)."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def _load(values: tuple[float, float, float]) -> str:
    """Load averages as '1.00 / 2.00 / 3.00'."""
    return " / ".join(f"{v:.2f}" for v in values)


def _audit_share(result: RunResult, page: PageResult) -> float:
    """Per cent of the page's median spent writing its access events (events × one event)."""
    if result.audit is None or not page.events:
        return 0.0
    one = statistics.median(result.audit.samples_ms)
    return 100 * page.events * one / statistics.median(page.samples_ms)


def _met(ok: bool) -> str:
    """The verdict of one goal, with a miss in bold."""
    return "met" if ok else "**not met**"


def anchors(result: RunResult) -> list[str]:
    """The goals of perf_security.md §4 that this run can speak to, with the measured value."""
    detail = [p for p in result.pages if "Case page" in p.label]
    lists = [p for p in result.pages if p not in detail and not p.label.startswith("Baseline")]
    growing = [row.label for row in result.scaling if row.large[1] > row.small[1]]
    rows = [
        "### Against the anchors (perf_security.md §4)",
        "",
        "Single requests in one process: a lower bound for the throughput goals (P4, P5, P7 are "
        "specified under concurrent load with a real server), so a goal missed here is missed "
        "there too.",
        "",
        "| goal | target | measured | verdict |",
        "| --- | --- | --- | --- |",
    ]
    if detail and lists:
        most = max(p.queries for p in [*detail, *lists])
        rows.append(
            f"| P3 queries per page | constant in N; list ≤ 6, detail ≤ 6 "
            f"| detail {min(p.queries for p in detail)}–{max(p.queries for p in detail)}, "
            f"list {min(p.queries for p in lists)}–{max(p.queries for p in lists)}; "
            f"growing with rows: {', '.join(growing) or 'none'} "
            f"| {_met(most <= 6 and not growing)} |"
        )
        worst = max(detail, key=lambda p: _p95(p.samples_ms))
        rows.append(
            f"| P5 detail page, audit on | p95 ≤ 30 ms "
            f"| {worst.label} ({worst.who}) p95 {_p95(worst.samples_ms):.0f} ms "
            f"| {_met(_p95(worst.samples_ms) <= 30)} |"
        )
    if result.audit is not None:
        one = statistics.median(result.audit.samples_ms)
        per_event = result.audit.queries_per_event
        rows += [
            f"| P6 cost per logged read | p50 ≤ 1.5 ms | {one:.2f} ms | {_met(one <= 1.5)} |",
            f"| P6 list of 25 logged | one statement, ≤ 3 ms "
            f"| {per_event:.0f} INSERT per row: {25 * per_event:.0f} statements, "
            f"≈ {25 * one:.1f} ms | {_met(per_event < 1 and 25 * one <= 3)} |",
        ]
        if detail and lists:
            d = max(_audit_share(result, p) for p in detail)
            li = max(_audit_share(result, p) for p in lists)
            rows.append(
                f"| P7 audit share of p50 | detail ≤ 25 %, list ≤ 10 % "
                f"| detail ≤ {d:.0f} %, list up to {li:.0f} % "
                f"| {_met(d <= 25 and li <= 10)} |"
            )
    short = [p for p in result.pdfs if p.pages <= 4 and "long" not in p.label]
    if short:
        p50 = max(statistics.median(p.samples_ms) for p in short)
        worst = max(max(p.samples_ms) for p in short)
        rows.append(
            f"| P9 PDF of ≤ 4 pages | p50 ≤ 0.5 s, max ≤ 1 s "
            f"| slowest p50 {p50 / 1000:.1f} s, max {worst / 1000:.1f} s "
            f"| {_met(p50 <= 500 and worst <= 1000)} |"
        )
    long = [p for p in result.pdfs if "long" in p.label]
    if long:
        p = long[0]
        median = statistics.median(p.samples_ms)
        rows.append(
            f"| P9 long PDF | 20 pages ≤ 5 s | {p.pages} pages: {median / 1000:.1f} s "
            f"| {_met(median <= 5000)}{'' if p.pages >= 20 else ' (with fewer pages)'} |"
        )
    return rows


def section(result: RunResult) -> str:
    """The markdown of one engine's run."""
    lines = [
        f"## {result.engine_version}",
        "",
        f"- Run: {result.started:%Y-%m-%d %H:%M} UTC, commit {git_commit()}; "
        f"{result.seconds_total / 60:.1f} min in all.",
        f"- Load average (1/5/15 min) before: {_load(result.load_before)}, after: "
        f"{_load(result.load_after)} on {os.cpu_count()} cores. Above ~1 other processes "
        "competed for the CPU and wall-clock times are inflated; the CPU columns (this "
        "process only) are steadier.",
        f"- Dataset (built in {result.seconds_building:.0f} s): "
        + ", ".join(f"{v} {k}" for k, v in result.dataset.items())
        + ".",
        f"- Timed: {result.requests} warm requests per page after {WARMUP} warm-up requests, one "
        f"at a time; PDFs: {result.pdf_runs} renders after one cold render "
        f"({max(1, result.pdf_runs // 3)} for the long minutes).",
        "",
        "### Pages",
        "",
        "| page | user | rows shown | median ms | p95 ms | max ms | CPU median ms | queries "
        "| access events | ≈ audit share | most repeated statement | KiB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for page in result.pages:
        s = page.samples_ms
        repeat = f"{page.top_repeat[0]} ×{page.top_repeat[1]}" if page.top_repeat[1] > 1 else "—"
        share = _audit_share(result, page)
        lines.append(
            f"| {page.label} | {page.who} | {page.rows} | {statistics.median(s):.1f} "
            f"| {_p95(s):.1f} | {max(s):.1f} | {statistics.median(page.cpu_ms):.1f} "
            f"| {page.queries} | {page.events} | {f'{share:.0f} %' if page.events else '—'} "
            f"| {repeat} | {page.bytes / 1024:.0f} |"
        )
    lines += [
        "",
        "### Does the query count grow with the data?",
        "",
        "The same page for a user with little and one with much data (one counted request each).",
        "",
        "| page | little data | queries | events | much data | queries | events | growth | cause |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in result.scaling:
        (s_rows, s_q, s_e), (l_rows, l_q, l_e) = row.small, row.large
        grows = "grows" if l_q > s_q else "flat"
        lines.append(
            f"| {row.label} | {s_rows} | {s_q} | {s_e} | {l_rows} | {l_q} | {l_e} | {grows} "
            f"(+{l_q - s_q}) | {row.cause if l_q > s_q else ''} |"
        )
    if result.audit is not None:
        a = result.audit.samples_ms
        lines += [
            "",
            "### One access event (`audit.services.record`)",
            "",
            f"{len(a)} events for one youth in one transaction, as a list page writes them: "
            f"median {statistics.median(a):.2f} ms, p95 {_p95(a):.2f} ms, max {max(a):.2f} ms "
            f"per event; {result.audit.queries_per_event:.0f} INSERT per event.",
        ]
    lines += [
        "",
        "### PDFs (`services.document_render`: reads, WeasyPrint, file, audit)",
        "",
        "| document | pages | KiB | cold ms | median ms | p95 ms | max ms | CPU median ms "
        "| queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for pdf in result.pdfs:
        s = pdf.samples_ms
        lines.append(
            f"| {pdf.label} | {pdf.pages} | {pdf.size / 1024:.0f} | {pdf.cold_ms:.0f} "
            f"| {statistics.median(s):.0f} | {_p95(s):.0f} | {max(s):.0f} "
            f"| {statistics.median(pdf.cpu_ms):.0f} | {pdf.queries} |"
        )
    lines += ["", *anchors(result)]
    lines += ["", "### Queries per page, by statement and table", ""]
    for page in result.pages:
        groups = ", ".join(f"{name} ×{count}" for name, count in page.query_groups)
        lines.append(f"- **{page.label}** ({page.who}, {page.queries}): {groups}")
    return "\n".join(lines) + "\n"


HEADER = """# Benchmarks

Generated by `make bench` (SQLite) and `make bench-postgres` (PostgreSQL) with
`tools/bench.py`. Each run replaces its own engine's section below and keeps the
hand-written Findings; edit only those.

## Machine

{machine}

## How to read this

- **What is measured.** Each page is requested in-process with Django's test Client as a
  logged-in user, through the full middleware stack (sessions saved on every request, CSRF, CSP,
  audit context) with `DEBUG` off and the production HTTPS settings. Requests run one after
  the other on one thread: these are *latencies*, not throughput. No web server, network or
  connection set-up is included; with `CONN_MAX_AGE=0` (the default) a real PostgreSQL
  deployment adds one connection per request on top.
- **Queries** and **access events** are counted in one extra request after the timed ones;
  BEGIN/COMMIT/SAVEPOINT are not counted as queries (the per-page breakdown lists them).
  Every list page writes one access event per youth shown (DESIGN invariant 2, SPEC: "a list of
  N youths is N accesses"), so its query count grows by one INSERT per row *by design*; the
  scaling table shows which pages grow and by what.
- **What we compare against** (`shared/reference/perf_security.md` §4, measured on the same
  2-core machine kind): P3 asks for a *constant* number of queries per page (list ≤ 6, detail
  ≤ 6 including session, user and audit); P5 a detail page with audit on at p95 ≤ 30 ms; P6
  ≤ 1.5 ms added per logged read and a list of 25 logged in one statement ≤ 3 ms; P9 a 4-page
  PDF at p50 ≤ 0.5 s and max ≤ 1 s, 20 pages ≤ 5 s (the pilot rendered a 4-page A4 report in
  230–250 ms). P4/P5's req/s figures need a real server and concurrent clients and are not
  measured here.
- Numbers on a shared 2-core box are noisy: compare runs on the same machine, and look at
  medians and query counts before maxima.

"""

MARK = "<!-- bench:{name}:{edge} -->"


NOTES_PLACEHOLDER = (
    "## Findings\n\n"
    "(Written by hand: causes found by profiling, and what was done about them. The script "
    "keeps this block between its markers when it rewrites the file.)\n"
)


def _block(existing: str, name: str) -> str | None:
    """The text between a block's start and end markers in `existing`, if it is there."""
    start, end = MARK.format(name=name, edge="start"), MARK.format(name=name, edge="end")
    match = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), existing, re.DOTALL)
    return match.group(1) if match else None


def _marked(name: str, text: str) -> str:
    """`text` between the start and end markers of block `name`."""
    return f"{MARK.format(name=name, edge='start')}\n{text}{MARK.format(name=name, edge='end')}\n"


def write_report(path: Path, result: RunResult) -> None:
    """Write the header and this engine's section; keep the other engine's section and the
    hand-written findings as they were."""
    existing = path.read_text() if path.exists() else ""
    sections = {engine: _block(existing, engine) for engine in ("postgresql", "sqlite")}
    sections[result.engine] = section(result)
    notes = _block(existing, "notes") or NOTES_PLACEHOLDER
    info = "\n".join(f"- {key}: {value}" for key, value in machine().items())
    parts = [HEADER.format(machine=info), _marked("notes", notes)]
    parts.extend(_marked(engine, text) for engine, text in sections.items() if text)
    # Blocks other tools write (the scale benchmark's sections and findings) are kept as they are.
    parts.extend(
        _marked(name, _block(existing, name) or "")
        for name in re.findall(r"<!-- bench:([\w-]+):start -->", existing)
        if name not in {"notes", *sections}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts))


# --- Main -----------------------------------------------------------------------------------------


def _say(text: str) -> None:
    """Progress on stdout (the project bans print; T20)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run(args: argparse.Namespace, workdir: Path, engine: str) -> RunResult:
    """Set up the throwaway database, build the world, measure, tear it all down."""
    from django.test.utils import setup_databases, teardown_databases

    point_at_throwaway(workdir, engine)
    load_before = os.getloadavg()
    clock_total = time.perf_counter()
    _say(f"Creating a throwaway {engine} database and migrating...")
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        _check_throwaway(engine)
        started = datetime.now(UTC)
        _say("Building the world...")
        clock = time.perf_counter()
        world = build_world()
        result = RunResult(
            engine=engine,
            engine_version=engine_version(),
            started=started,
            seconds_building=time.perf_counter() - clock,
            dataset=world.counts,
            requests=args.requests,
            pdf_runs=args.pdf_runs,
            load_before=load_before,
        )
        measure(world, args.requests, args.pdf_runs, result)
    finally:
        teardown_databases(old_config, verbosity=0)
    result.load_after = os.getloadavg()
    result.seconds_total = time.perf_counter() - clock_total
    return result


def _check_throwaway(engine: str) -> None:
    """Refuse to go on unless the connection points at the throwaway test database."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    if engine == "sqlite":
        ok = name.startswith(tempfile.gettempdir())
    else:
        ok = name.startswith("test_") and name.endswith("_bench")
    if not ok:
        raise BenchError(f"Refusing to write to {name!r}: not a throwaway database")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--pdf-runs", type=int, default=10, help="timed renders per PDF")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python tools/bench.py [--requests N] [--pdf-runs N] [--output FILE]`."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="casusoverleg-bench-"))
    try:
        engine = configure_environment(workdir)
        # WhiteNoise warns about the collectstatic folder, which a benchmark does not need.
        warnings.filterwarnings("ignore", message="No directory at")
        import django

        django.setup()
        result = run(args, workdir, engine)
        write_report(args.output, result)
        _say(f"Wrote {args.output}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
