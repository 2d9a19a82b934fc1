"""Load a demo region with a user for every role, three cases and their history. Idempotent;
never in production.

The cases are made through the casusoverleg services, exactly as the procesregisseurs and
professionals would make them in the browser: every rule is checked. Around them the demo users
use the application, day by day, for the past four working weeks (issue 5, R-10-2): they log in,
open their case lists and cases, parents read the portal, the FG looks at the log, a few
attempts are refused, some work is done in the evening or at the weekend. All of it goes
through the selectors and services that write the access log in production, with the clock
moved back (time-machine), so the FG's workbench and the "who looked" page have a real history
to show.
"""

import bisect
import logging
import random
from base64 import b32encode
from binascii import unhexlify
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

import time_machine
from auditlog.context import set_actor
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import Action
from audit.context import RequestContext, current
from audit.models import AccessEvent, SealBlock, Stream
from audit.sealing import seal
from audit.selectors import access_event_list, access_event_summary
from audit.services import record
from casusoverleg import selectors, services
from casusoverleg.choices import DeliveryStatus, EntryKind, ParticipantKind, TargetGroup
from casusoverleg.declarations import declaration_accept, declaration_in_force
from casusoverleg.models import Case, Invitation, Meeting, Participant
from consent import services as consent_services
from consent.age import Consenter
from consent.choices import ConsenterKind, DecisionKind, RequestKind
from convenant.choices import ConsultationRoleCode, CovenantPartyStatus, Transition
from convenant.models import (
    ConsultationType,
    Covenant,
    CovenantParty,
    DataCategory,
    LegalBasis,
)
from parties import confidentiality
from parties.choices import (
    AuthoritySource,
    Capacity,
    PartyType,
    ProfessionalRegister,
    Role,
    Secrecy,
)
from parties.models import Guardian, Organisation, Professional, Region, User, Youth
from portal.selectors import portal_case_page, portal_case_summaries, portal_youths

DEMO_PASSWORD = "demo-casusoverleg"
# The demo parents' and youths' second factor (issue 6): an authenticator app with this published
# key (RFC 6238's test key, hex), or a code by e-mail, which the console backend prints.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
REGION = "Regio Eemland (demo)"
# Every demo user gets <username>@EMAIL_DOMAIN, so the demo's invitations can be delivered. The
# .example top-level domain is reserved (RFC 2606): no real mailbox can receive them.
EMAIL_DOMAIN = "demo.casusoverleg.example"

ORGANISATIONS = [
    # name, party type, capacities, parent
    (
        "Gemeente Eemstad",
        PartyType.MUNICIPAL_EXECUTIVE,
        [Capacity.YOUTH_ACT, Capacity.COMPULSORY_EDUCATION, Capacity.RMC],
        None,
    ),
    ("Samenwerkingsverband Passend Onderwijs Eemland", PartyType.SWV, [Capacity.SWV_TASK], None),
    ("Stichting Primair Onderwijs Eemland", PartyType.SCHOOL_BOARD, [Capacity.EDUCATION], None),
    ("Stichting Voortgezet Onderwijs Eemland", PartyType.SCHOOL_BOARD, [Capacity.EDUCATION], None),
    (
        "Basisschool De Regenboog",
        PartyType.SCHOOL_BOARD,
        [Capacity.EDUCATION],
        "Stichting Primair Onderwijs Eemland",
    ),
    (
        "Het Eemcollege",
        PartyType.SCHOOL_BOARD,
        [Capacity.EDUCATION],
        "Stichting Voortgezet Onderwijs Eemland",
    ),
    ("Jeugdhulp Eemland", PartyType.YOUTH_CARE_PROVIDER, [Capacity.YOUTH_CARE], None),
    ("GGZ Kind & Jeugd Eemland", PartyType.YOUTH_CARE_PROVIDER, [Capacity.MENTAL_HEALTH], None),
    (
        "GGD Eemland – Jeugdgezondheidszorg",
        PartyType.YOUTH_HEALTH_SERVICE,
        [Capacity.YOUTH_HEALTH],
        None,
    ),
]

PARTIES = [
    # organisation, status, mandate, FG name, FG e-mail
    (
        "Gemeente Eemstad",
        CovenantPartyStatus.SIGNATORY,
        "",
        "Mr. H. (Hanna) Vermeulen",
        "fg@eemstad.example",
    ),
    (
        "Samenwerkingsverband Passend Onderwijs Eemland",
        CovenantPartyStatus.SIGNATORY,
        "",
        "R. Koster",
        "fg@swv-eemland.example",
    ),
    (
        "Stichting Primair Onderwijs Eemland",
        CovenantPartyStatus.MANDATED,
        "Volmacht aan SWV, 12 januari 2026",
        "R. Koster",
        "fg@spo-eemland.example",
    ),
    (
        "Stichting Voortgezet Onderwijs Eemland",
        CovenantPartyStatus.MANDATED,
        "Volmacht aan SWV, 14 januari 2026",
        "L. Peeters",
        "fg@svo-eemland.example",
    ),
    (
        "Jeugdhulp Eemland",
        CovenantPartyStatus.ACCEDED,
        "",
        "M. de Wit",
        "fg@jeugdhulp-eemland.example",
    ),
    (
        "GGZ Kind & Jeugd Eemland",
        CovenantPartyStatus.ACCEDED,
        "",
        "S. Bos",
        "fg@ggz-eemland.example",
    ),
    (
        "GGD Eemland – Jeugdgezondheidszorg",
        CovenantPartyStatus.SIGNATORY,
        "",
        "T. Dijkstra",
        "fg@ggd-eemland.example",
    ),
]

# The demo professional who has not accepted the geheimhoudingsverklaring yet: log in as them to
# see the declaration page before the first case page (issue 7, R-11-1).
DEMO_UNDECLARED = "ggz"

STAFF = [
    # username, first, last, role, organisation, function, capacity, secrecy, register, number
    (
        "procesregisseur",
        "Sanne",
        "de Vries",
        Role.COORDINATOR,
        "Basisschool De Regenboog",
        "Intern begeleider",
        Capacity.EDUCATION,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "zorgcoordinator",
        "Wendy",
        "Kramer",
        Role.COORDINATOR,
        "Het Eemcollege",
        "Zorgcoördinator",
        Capacity.EDUCATION,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "leerkracht",
        "Tom",
        "Peters",
        Role.PROFESSIONAL,
        "Basisschool De Regenboog",
        "Leerkracht groep 6",
        Capacity.EDUCATION,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "mentor",
        "Mark",
        "Jansen",
        Role.PROFESSIONAL,
        "Het Eemcollege",
        "Mentor en zorgcoördinator",
        Capacity.EDUCATION,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "swv",
        "Esther",
        "van Dam",
        Role.PROFESSIONAL,
        "Samenwerkingsverband Passend Onderwijs Eemland",
        "Onderwijsconsulent",
        Capacity.SWV_TASK,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "leerplicht",
        "Fatima",
        "El Amrani",
        Role.PROFESSIONAL,
        "Gemeente Eemstad",
        "Leerplichtambtenaar",
        Capacity.COMPULSORY_EDUCATION,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "wijkteam",
        "Joost",
        "Bakker",
        Role.PROFESSIONAL,
        "Gemeente Eemstad",
        "Jeugdconsulent wijkteam",
        Capacity.YOUTH_ACT,
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "jeugdhulp",
        "Ingrid",
        "Visser",
        Role.PROFESSIONAL,
        "Jeugdhulp Eemland",
        "Jeugdhulpverlener",
        Capacity.YOUTH_CARE,
        Secrecy.PROFESSIONAL_SECRECY,
        ProfessionalRegister.SKJ,
        "110012345",
    ),
    (
        "ggz",
        "Pieter",
        "Smit",
        Role.PROFESSIONAL,
        "GGZ Kind & Jeugd Eemland",
        "Orthopedagoog-generalist",
        Capacity.MENTAL_HEALTH,
        Secrecy.PROFESSIONAL_SECRECY,
        ProfessionalRegister.BIG,
        "29012345625",
    ),
    (
        "jeugdarts",
        "Anouk",
        "Mulder",
        Role.PROFESSIONAL,
        "GGD Eemland – Jeugdgezondheidszorg",
        "Jeugdarts",
        Capacity.YOUTH_HEALTH,
        Secrecy.PROFESSIONAL_SECRECY,
        ProfessionalRegister.BIG,
        "19054321601",
    ),
    (
        "fg",
        "Hanna",
        "Vermeulen",
        Role.PRIVACY_OFFICER,
        "Gemeente Eemstad",
        "Functionaris gegevensbescherming",
        "",
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
    (
        "beheerder",
        "Kees",
        "Willems",
        Role.ADMINISTRATOR,
        "Gemeente Eemstad",
        "Functioneel beheerder",
        "",
        Secrecy.DUTY,
        ProfessionalRegister.NONE,
        "",
    ),
]

# Youths and their parents. Ages are set relative to the day of seeding.
FAMILIES = [
    # (given, family, age, school, portal username), [(username, given, family, has_authority)]
    (
        ("Lotte", "de Boer", 10, "Basisschool De Regenboog", None),
        [("ouder", "Karin", "de Boer", True), ("ouder2", "Erik", "de Boer", True)],
    ),
    (
        ("Daan", "Yilmaz", 14, "Het Eemcollege", "jongere"),
        [("ouder3", "Ayla", "Yilmaz", True), ("ouder-zonder-gezag", "Murat", "Yilmaz", False)],
    ),
    (("Noor", "Hendriks", 17, "Het Eemcollege", None), [("ouder4", "Petra", "Hendriks", True)]),
]


# The demo's history: how far back it goes, in working days (the cases' stories fit inside it),
# and the seed of its one random generator, so that every fresh demo database gets the same one.
HISTORY_WORKING_DAYS = 21
HISTORY_SEED = 5

# How likely each demo user is to open the application on a working day. The procesregisseurs
# work in their cases daily, the others drop by; the users without a case log in now and then.
WORKDAY_CHANCE = {
    "procesregisseur": 0.8,
    "zorgcoordinator": 0.85,
    "leerkracht": 0.45,
    "swv": 0.5,
    "leerplicht": 0.45,
    "wijkteam": 0.5,
    "jeugdarts": 0.3,
    "mentor": 0.25,
    "jeugdhulp": 0.15,
    "ggz": 0.15,
    "beheerder": 0.2,
}

# Where the demo's requests come from: the documentation ranges of RFC 5737, so that no real
# address is in the log. One address per organisation's network; home connections for parents,
# youths and professionals working in the evening.
OFFICE_NETWORK = "192.0.2."
HOME_NETWORK = "198.51.100."
ORGANISATION_INDEX = {name: index for index, (name, *_) in enumerate(ORGANISATIONS)}
# The browsers of the workplaces, and (last) the phone parents and youths use.
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
)


def _birthday(age: int, today: date) -> date:
    """A date of birth that makes the youth `age` today, about two months past a birthday."""
    return today.replace(year=today.year - age) - timedelta(days=60)


def _weekday_from(day: date, step: int) -> date:
    """`day`, or the nearest working day in the direction of `step` (+1 later, -1 earlier).

    Schools do not meet at the weekend; a demo that does looks wrong on the calendar.
    """
    while day.weekday() >= 5:  # Saturday and Sunday are 5 and 6
        day += timedelta(days=step)
    return day


def _working_days_before(today: date, count: int) -> list[date]:
    """The `count` working days before `today`, oldest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` in the application's time zone (Europe/Amsterdam)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _history_start(today: date) -> datetime:
    """The morning the demo region was set up: the working day before its history starts."""
    return _at(_working_days_before(today, HISTORY_WORKING_DAYS + 1)[0], 8)


@contextmanager
def _quiet_delivery() -> Iterator[None]:
    """Inside the block, e-mail goes to memory (locmem) and successful tasks are not logged.

    The demo's invitations are real rows that go through the real delivery service, but in the
    demo the console backend would print some fifteen e-mails and bury the login table that
    `make run` shows; the addresses cannot receive mail anyway (EMAIL_DOMAIN). Eager Celery logs
    one "succeeded" line per task; warnings and failures are still shown. Both are restored.
    """
    previous_backend = settings.EMAIL_BACKEND
    task_log = logging.getLogger("celery.app.trace")
    previous_level = task_log.level
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    task_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        settings.EMAIL_BACKEND = previous_backend
        task_log.setLevel(previous_level)


MDO_AGENDA = """1. Opening en doel van het overleg
2. Wat gaat goed, wat zijn de zorgen (school en ouders)
3. Wat Lotte zelf vertelde
4. Ondersteuning in de klas en een mogelijk arrangement
5. Afspraken en evaluatiedatum"""

ZAT_AGENDA = """1. Opening en doel van het overleg
2. Beeld van school, ouders en Daan
3. Wie kan wat bijdragen
4. Wie pakt de casus op
5. Afspraken en vervolgdatum"""

# Notes some checklist items carry in practice: where the answer was checked.
CHECKLIST_NOTES = {
    "gezag-gecontroleerd": "Gezagsregister geraadpleegd.",
}


# --- the demo's history (issue 5) ------------------------------------------------------------


@dataclass(frozen=True)
class _Visit:
    """One time a demo user opens the application: when, who, and what for.

    `kind` names the `_History` method that plays it; `youth` is the youth whose case the user
    means to open, for the visits that are about one case.
    """

    at: datetime
    username: str
    kind: str
    youth: str = ""


class _Clock:
    """The demo's clock: it only moves forward, and moving it plays the visits on the way.

    time-machine moves what `timezone.now()` returns, so every `auto_now_add` (the access log's
    `occurred_at`, the change history's timestamp, a case's `created_at`) is written by the
    ordinary code at the demo's hour: no row gets a made-up time afterwards. As the clock never
    goes back, the log's ids and times rise together, as they do in production, and the sealed
    blocks (audit.sealing) cover stretches of time.
    """

    def __init__(self, traveller: time_machine.Traveller, start: datetime) -> None:
        self._traveller = traveller
        self.now = start
        self._diary: list[_Visit] = []
        self.play: Callable[[_Visit], None] = lambda visit: None

    def plan(self, visit: _Visit) -> None:
        """Put a visit in the diary; it is played when the clock passes its time."""
        if visit.at < self.now:
            raise ValueError(f"{visit} lies before the demo's clock ({self.now})")
        bisect.insort(self._diary, visit, key=lambda v: (v.at, v.username))

    def to(self, when: datetime) -> None:
        """Move to `when`, first playing every visit planned before it, in order."""
        while self._diary and self._diary[0].at <= when:
            visit = self._diary.pop(0)
            self._set(visit.at)
            self.play(visit)
        self._set(when)

    def tick(self, seconds: int) -> None:
        """A moment later within what one person is doing; no other visit is played."""
        self._set(self.now + timedelta(seconds=seconds))

    @property
    def diary(self) -> tuple[_Visit, ...]:
        """The visits still to be played, in order."""
        return tuple(self._diary)

    def finish(self) -> None:
        """Play whatever is left in the diary."""
        if self._diary:
            self.to(self._diary[-1].at)

    def _set(self, when: datetime) -> None:
        # A visit that ran late pushes back what follows it: time never goes back.
        if when > self.now:
            self.now = when
            self._traveller.move_to(when)


class _History:
    """The demo users' use of the application over the past weeks (issue 5, R-10-2).

    The FG's workbench (search, timelines, signals, charts per day) and the portal's "who looked
    at my data" page need a history to show. Each visit logs in and opens the pages a person in
    that role opens, through the selectors those pages call, so the access events are written by
    the code that writes them in production (DESIGN invariant 2), as the acting demo user. For
    each page the request context is set as `audit.middleware` sets it (address, browser,
    request id, path), and the change history names the user as auditlog's middleware does.
    Every draw comes from one seeded generator: a fresh demo database always gets this history.
    """

    def __init__(self, region: Region, clock: _Clock, today: date) -> None:
        self.region = region
        self.clock = clock
        self.today = today
        # Not for security: a seeded generator makes the same history every time.
        self.rng = random.Random(HISTORY_SEED)  # noqa: S311
        self.days = _working_days_before(today, HISTORY_WORKING_DAYS + 1)
        self.usernames = [row[0] for row in STAFF] + [
            username
            for (*_, portal), parents in FAMILIES
            for username in ([portal] if portal else []) + [p[0] for p in parents]
        ]
        users = User.objects.select_related("professional__organisation").filter(
            username__in=self.usernames
        )
        self.users = {user.username: user for user in users}
        self.by_id = {user.pk: user for user in users}
        # The uuid of each demo case by its youth's given name: the address a user opens.
        self.cases: dict[str, UUID] = {}
        clock.play = self.play

    def workday(self, n: int) -> date:
        """The `n`th working day before today (1 is the last one)."""
        return self.days[-n]

    # --- the diary ---------------------------------------------------------------------------

    def plan_routine(self) -> None:
        """Every working day, who opens the application when; the FG's weekly look; the weekend.

        What a visit shows is decided when it is played: a user sees the cases they have
        access to at that moment, as the cases' stories unfold.
        """
        weeks_seen: set[tuple[int, int]] = set()
        for day in self.days[1:]:
            for username, chance in WORKDAY_CHANCE.items():
                if self.rng.random() < chance:
                    minute = self.rng.randint(0, 8 * 60 + 30)  # 08:10 to 16:40
                    self.plan(_at(day, 8, 10) + timedelta(minutes=minute), username, "work")
            week = (day.isocalendar().year, day.isocalendar().week)
            if week not in weeks_seen:
                # The FG looks at her organisation's log on the first working day of the week.
                weeks_seen.add(week)
                self.plan(_at(day, 9, 30 + self.rng.randint(0, 25)), "fg", "log_review")
        saturday = self.today - timedelta(days=(self.today.weekday() - 5) % 7 or 7)
        # Outside working hours (the FG's signal): the leerplichtambtenaar reads Daan's case on
        # Saturday morning; the zorgcoördinator prepared the week on a Sunday evening.
        self.plan(_at(saturday, 9, 35), "leerplicht", "from_home", "Daan")
        self.plan(_at(saturday - timedelta(days=6), 20, 15), "zorgcoordinator", "from_home", "Daan")
        # A mentor of Daan's school opens the case link a colleague forwarded: not at the table,
        # so refused and logged (invariant 1).
        self.plan(_at(self.workday(15), 13, 30), "mentor", "attempt", "Daan")

    def plan(self, at: datetime, username: str, kind: str, youth: str = "") -> None:
        """Put one visit in the clock's diary."""
        self.clock.plan(_Visit(at=at, username=username, kind=kind, youth=youth))

    def play(self, visit: _Visit) -> None:
        """Play one visit of the diary."""
        user = self.users[visit.username]
        plays: dict[str, Callable[[User, _Visit], None]] = {
            "work": self.work,
            "portal": self.portal,
            "log_review": self.log_review,
            "attempt": self.attempt,
            "from_home": self.from_home,
        }
        plays[visit.kind](user, visit)

    # --- pages -------------------------------------------------------------------------------

    @contextmanager
    def request(
        self, user: User, view: str, *, home: bool = False, **kwargs: Any
    ) -> Iterator[None]:
        """One page request of `user`, with the context the middleware gives a real one."""
        token = current.set(
            RequestContext(
                client_ip=self._address(user, home=home),
                user_agent=self._browser(user),
                request_id=f"{self.rng.getrandbits(128):032x}",
                path=reverse(view, kwargs=kwargs or None),
            )
        )
        try:
            with set_actor(user):
                yield
        finally:
            current.reset(token)

    def _address(self, user: User, *, home: bool) -> str:
        """The office network of the user's organisation, or a home connection."""
        professional = getattr(user, "professional", None)
        if home or professional is None:
            return f"{HOME_NETWORK}{10 + self.usernames.index(user.username)}"
        return f"{OFFICE_NETWORK}{10 + ORGANISATION_INDEX[professional.organisation.name]}"

    def _browser(self, user: User) -> str:
        """Parents and youths on a phone, the staff on the browser of their workplace."""
        if getattr(user, "is_citizen", False):
            return BROWSERS[-1]
        return BROWSERS[self.usernames.index(user.username) % (len(BROWSERS) - 1)]

    def pause(self) -> None:
        """The time a person takes to read a page and click on."""
        self.clock.tick(self.rng.randint(20, 180))

    def login(self, user: User, *, home: bool = False) -> None:
        """The login page: the event `audit.receivers` writes when Django logs a user in."""
        with self.request(user, "login", home=home):
            record(actor=user, action=Action.LOGIN)

    def logout(self, user: User, *, home: bool = False) -> None:
        """The logout page: the event `audit.receivers` writes when Django logs a user out."""
        self.pause()
        with self.request(user, "logout", home=home):
            record(actor=user, action=Action.LOGOUT)

    def open_case(self, user: User, uuid: UUID, *, home: bool = False) -> None:
        """The case page (logged as viewed, or as denied when the user may not see it)."""
        self.pause()
        with self.request(user, "casusoverleg:case_detail", uuid=uuid, home=home):
            selectors.case_get(user=user, uuid=uuid)

    def dashboard(self, user: User, *, home: bool = False) -> dict[str, list[Case]]:
        """The workplace's home: the user's cases, each youth shown logged.

        The page's other reads (open invitations, the covenant) name no youth and log nothing.
        """
        with self.request(user, "casusoverleg:dashboard", home=home):
            return selectors.case_overview(user=user)

    # --- visits ------------------------------------------------------------------------------

    def work(self, user: User, visit: _Visit) -> None:
        """A working day's visit: the workplace home, some cases on it, the agenda, the actions.

        The functioneel beheerder keeps reference data, not cases: he only logs in.
        """
        self.login(user)
        if user.role == Role.ADMINISTRATOR:
            self.logout(user)
            return
        overview = self.dashboard(user)
        for case in overview["directed"]:
            if self.rng.random() < 0.75:
                self.open_case(user, case.uuid)
        for case in overview["participating"]:
            if self.rng.random() < 0.4:
                self.open_case(user, case.uuid)
        if (overview["directed"] or overview["participating"]) and self.rng.random() < 0.15:
            self.pause()
            start = _at(timezone.localdate(), 0)
            with self.request(user, "casusoverleg:calendar"):
                selectors.meeting_calendar(user=user, start=start, end=start + timedelta(days=28))
        if self.rng.random() < 0.25:
            self.pause()
            with self.request(user, "casusoverleg:action_list"):
                selectors.action_list(user=user)
        if self.rng.random() < 0.5:
            self.logout(user)

    def portal(self, user: User, visit: _Visit) -> None:
        """A parent or youth in the portal at home: their page and each consultation on it."""
        self.login(user, home=True)
        with self.request(user, "portal:home", home=True):
            portal_youths(user=user)
            summaries = portal_case_summaries(user=user)
        for summary in summaries:
            self.pause()
            uuid = summary.case.uuid
            with self.request(user, "portal:case_detail", uuid=uuid, home=True):
                portal_case_page(user=user, uuid=uuid)
        self.logout(user, home=True)

    def log_review(self, user: User, visit: _Visit) -> None:
        """The FG's weekly look at her organisation's log: the workbench's home page.

        The same reads and the same event as `audit.views.workbench.dashboard`: reading the log
        is itself logged.
        """
        self.login(user)
        with self.request(user, "audit:dashboard"), transaction.atomic():
            list(access_event_list(user=user).select_related("actor")[:20])
            access_event_summary(user=user)
            record(actor=user, action=Action.ACCESS_LOG_VIEWED, reason="dashboard")
        self.logout(user)

    def attempt(self, user: User, visit: _Visit) -> None:
        """A professional opens a case they are not (yet) part of, from a link: refused.

        `case_get` logs the denial without revealing that the case exists (invariant 1). An
        invitation to the case that is still open is read first, as the e-mail leads there.
        """
        self.login(user)
        self.dashboard(user)
        uuid = self.cases[visit.youth]
        for seat in selectors.invitation_list(user=user):
            if seat.case.uuid == uuid:
                self.pause()
                with self.request(user, "casusoverleg:invitation_detail", uuid=seat.uuid):
                    selectors.invitation_get(user=user, uuid=seat.uuid)
        try:
            self.open_case(user, uuid)
        except Case.DoesNotExist:
            return
        raise RuntimeError(f"the demo meant {user} to be refused {visit.youth}'s case")

    def from_home(self, user: User, visit: _Visit) -> None:
        """Work outside office hours, from home: the own actions, then one case."""
        self.login(user, home=True)
        self.pause()
        with self.request(user, "casusoverleg:action_list", home=True):
            selectors.action_list(user=user)
        self.open_case(user, self.cases[visit.youth], home=True)
        self.logout(user, home=True)


class _DemoCases:
    """Makes the three demo cases through the services, each actor doing their own part, on the
    day it happened (the clock of `_History`).

    Daan's ZAT was prepared four weeks ago and held last week; its minutes are being written.
    Lotte's MDO was planned two weeks ago (invitations out, one answer still open). Noor's
    thuiszittersoverleg has been prepared in the last few days.
    """

    def __init__(self, region: Region, history: _History) -> None:
        self.region = region
        self.history = history
        self.clock = history.clock
        self.rng = history.rng
        self.today = history.today

    # --- helpers: one service call each, named after what the person does ------------------

    def user(self, username: str) -> User:
        """A demo user by username."""
        return self.history.users[username]

    def youth(self, given_name: str) -> Youth:
        """A demo youth of the region by given name."""
        return Youth.objects.get(region=self.region, given_name=given_name)

    def at(self, when: datetime) -> None:
        """Move the clock to `when`, after every visit planned before it."""
        self.clock.to(when)

    @contextmanager
    def step(self, user: User, view: str, **kwargs: Any) -> Iterator[None]:
        """One page of `user` that changes something, a moment after their previous one."""
        self.clock.tick(self.rng.randint(20, 120))
        with self.history.request(user, view, **kwargs):
            yield

    def look(self, actor: User, case: Case) -> None:
        """The user logs in and opens the case page, where their next steps start."""
        self.history.login(actor)
        self.history.open_case(actor, case.uuid)

    def open(
        self, coordinator: str, youth: str, type_code: str, *, purpose: str, **kwargs: Any
    ) -> tuple[User, Case]:
        """The procesregisseur opens the case; parents with gezag and the youth get a seat.

        The form lists the pupils the procesregisseur may choose from, each logged.
        """
        actor = self.user(coordinator)
        self.history.login(actor)
        with self.step(actor, "casusoverleg:case_create"):
            selectors.youth_choices_logged(user=actor)
        with self.step(actor, "casusoverleg:case_create"):
            case = services.case_open(
                actor=actor,
                youth=self.youth(youth),
                consultation_type=ConsultationType.objects.get(code=type_code),
                purpose_specification=purpose,
                **kwargs,
            )
        self.history.cases[youth] = case.uuid
        return actor, case

    def add(self, actor: User, case: Case, username: str, role: str) -> Participant:
        """The procesregisseur invites a professional to the table in a role."""
        with self.step(actor, "casusoverleg:participant_add", uuid=case.uuid):
            return services.participant_add(
                actor=actor, case=case, user=self.user(username), role=role
            )

    def accept(self, participant: Participant, when: datetime) -> None:
        """At `when` the professional reads the invitation and accepts, and so gets access."""
        self.at(when)
        user = self.history.by_id[participant.user_id]
        self.history.login(user)
        with self.step(user, "casusoverleg:invitation_detail", uuid=participant.uuid):
            selectors.invitation_get(user=user, uuid=participant.uuid)
        with self.step(user, "casusoverleg:invitation_respond", uuid=participant.uuid):
            services.participant_respond(actor=user, participant=participant, accept=True)

    def tick(self, actor: User, case: Case, transition: str) -> None:
        """The procesregisseur ticks every checklist item of the step to `transition`."""
        for item in services.checklist_items(case=case):
            if item.transition == transition:
                with self.step(
                    actor, "casusoverleg:checklist_toggle", uuid=case.uuid, item=item.uuid
                ):
                    services.checklist_set(
                        actor=actor,
                        case=case,
                        item=item,
                        checked=True,
                        note=CHECKLIST_NOTES.get(item.code, ""),
                    )

    def advance(self, actor: User, case: Case) -> Case:
        """The procesregisseur moves the case to its next step (R-PR-2); the page then shows
        the case again (a redirect to the case page, logged as viewed)."""
        with self.step(actor, "casusoverleg:case_advance", uuid=case.uuid):
            case = services.case_advance(actor=actor, case=case)
        self.history.open_case(actor, case.uuid)
        return case

    def invite(self, actor: User, case: Case) -> None:
        """The procesregisseur sends the invitations; they are delivered before the next step.

        The service queues delivery until its transaction commits, but the demo cases are made
        in one transaction (all or nothing, so a rerun starts clean) and moving to 'gepland'
        needs delivered invitations (R-AGE-2). So the command delivers them itself, through the
        worker's own idempotent service; the task that runs after commit finds them sent.
        """
        with self.step(actor, "casusoverleg:invitations_send", uuid=case.uuid):
            services.invitations_send(actor=actor, case=case)
            queued = Invitation.objects.filter(meeting__case=case, status=DeliveryStatus.QUEUED)
            for invitation_id in queued.values_list("pk", flat=True):
                services.invitation_deliver(invitation_id=invitation_id)

    # --- the three cases, in the order their days came -----------------------------------------

    def make(self) -> None:
        """Make all three cases, with the demo users' everyday visits in between."""
        self.history.plan_routine()
        daan = self.daan_prepared()
        self.lotte()
        self.daan_held(*daan)
        self.noor()
        token = consent_services.notifications_enabled.set(False)
        try:
            self.daan_consent(daan[0], daan[1])
        finally:
            consent_services.notifications_enabled.reset(token)
        self.clock.finish()

    def lotte(self) -> None:
        """Lotte de Boer (10), MDO: scheduled in six days; the wijkteam has not answered yet."""
        day = self.history.workday
        self.at(_at(day(12), 8, 40))
        actor, case = self.open(
            "procesregisseur",
            "Lotte",
            "mdo",
            purpose=(
                "Lotte loopt achter met lezen en kan zich in de klas moeilijk concentreren. "
                "Afstemmen welke extra ondersteuning in de klas nodig is en of een arrangement "
                "van het samenwerkingsverband past."
            ),
            target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
            coordinator_role=ConsultationRoleCode.CARE_COORDINATOR,
        )
        teacher = self.add(actor, case, "leerkracht", ConsultationRoleCode.TEACHER_MENTOR)
        consultant = self.add(actor, case, "swv", ConsultationRoleCode.SWV_CONSULTANT)
        self.add(actor, case, "wijkteam", ConsultationRoleCode.NEIGHBOURHOOD_TEAM)
        # Lotte is under 12: she is not invited, her view is heard and recorded (R-AGE-3).
        with self.step(actor, "casusoverleg:hearing", uuid=case.uuid):
            services.case_record_hearing(
                actor=actor,
                case=case,
                hearing_note="Gesprek met de intern begeleider aan de hand van tekeningen",
                not_possible_reason="",
            )
        self.tick(actor, case, Transition.PREPARED)
        case = self.advance(actor, case)
        # The next day the meeting is planned and the invitations go out.
        self.at(_at(day(11), 13, 0))
        self.look(actor, case)
        with self.step(actor, "casusoverleg:meeting_schedule", uuid=case.uuid):
            services.meeting_schedule(
                actor=actor,
                case=case,
                starts_at=_at(_weekday_from(self.today + timedelta(days=6), +1), 10),
                duration_minutes=60,
                location="Basisschool De Regenboog, kamer IB",
                video_url="",
                agenda=MDO_AGENDA,
            )
        self.tick(actor, case, Transition.SCHEDULED)
        self.invite(actor, case)
        # Both parents read the invitation in the portal, that evening and the next morning.
        self.history.plan(_at(day(11), 21, 5), "ouder", "portal")
        self.history.plan(_at(day(10), 7, 45), "ouder2", "portal")
        # The wijkteam reads the invitation and tries the case page before answering: refused.
        self.history.plan(_at(day(10), 16, 5), "wijkteam", "attempt", "Lotte")
        self.accept(teacher, _at(day(10), 9, 30))
        self.accept(consultant, _at(day(8), 10, 20))
        self.at(_at(day(8), 14, 30))
        self.look(actor, case)
        self.advance(actor, case)

    def daan_prepared(self) -> tuple[User, Case, Meeting, list[Participant]]:
        """Daan Yilmaz (14), ZAT: opened four weeks ago, planned for last week; all accepted."""
        day = self.history.workday
        self.at(_at(day(21), 9, 10))
        actor, case = self.open(
            "zorgcoordinator",
            "Daan",
            "zat",
            purpose=(
                "Zorgen over toenemend verzuim en terugtrekken in de klas. Breed bekijken wat er "
                "speelt en afspreken wie de casus oppakt."
            ),
            target_group=TargetGroup.YOUTH_CARE_SUSPECTED,
            coordinator_role=ConsultationRoleCode.CARE_COORDINATOR,
        )
        professionals = [
            self.add(actor, case, "jeugdarts", ConsultationRoleCode.YOUTH_DOCTOR),
            self.add(actor, case, "wijkteam", ConsultationRoleCode.SCHOOL_SOCIAL_WORK),
            self.add(actor, case, "swv", ConsultationRoleCode.SWV_CONSULTANT),
            self.add(actor, case, "leerplicht", ConsultationRoleCode.ATTENDANCE_OFFICER),
        ]
        self.tick(actor, case, Transition.PREPARED)
        case = self.advance(actor, case)
        # The next morning the meeting is planned (it took place last week) and the invitations
        # go out; no write outside the services moves anything into the past.
        self.at(_at(day(20), 10, 30))
        self.look(actor, case)
        starts_at = _at(_weekday_from(self.today - timedelta(days=7), -1), 14)
        with self.step(actor, "casusoverleg:meeting_schedule", uuid=case.uuid):
            meeting = services.meeting_schedule(
                actor=actor,
                case=case,
                starts_at=starts_at,
                duration_minutes=60,
                location="Het Eemcollege, zorgkamer",
                video_url="",
                agenda=ZAT_AGENDA,
            )
        self.tick(actor, case, Transition.SCHEDULED)
        self.invite(actor, case)
        # Daan's mother reads the invitation that evening and again before the meeting; Daan
        # looks after school the next day.
        eve = _weekday_from(starts_at.date() - timedelta(days=1), -1)
        self.history.plan(_at(day(20), 20, 40), "ouder3", "portal")
        self.history.plan(_at(day(19), 16, 10), "jongere", "portal")
        self.history.plan(_at(eve, 19, 30), "ouder3", "portal")
        # The professionals answer over the next days.
        for participant, when in zip(
            professionals,
            [
                _at(day(19), 8, 50),
                _at(day(19), 11, 15),
                _at(day(18), 13, 40),
                _at(day(17), 9, 25),
            ],
            strict=True,
        ):
            self.accept(participant, when)
        self.at(_at(day(17), 15, 0))
        self.look(actor, case)
        case = self.advance(actor, case)
        return actor, case, meeting, professionals

    def daan_held(
        self, actor: User, case: Case, meeting: Meeting, professionals: list[Participant]
    ) -> None:
        """Daan's ZAT was held last week without Daan; the minutes are being written."""
        held_on = timezone.localtime(meeting.starts_at).date()
        next_day = _weekday_from(held_on + timedelta(days=1), +1)
        self.at(_at(held_on, 13, 40))
        self.look(actor, case)
        # After the meeting the zorgcoördinator records who came and writes the minutes.
        self.at(_at(held_on, 15, 5))
        meeting = Meeting.objects.select_related("case").get(pk=meeting.pk)
        with self.step(actor, "casusoverleg:attendance", uuid=case.uuid):
            services.attendance_record(
                actor=actor,
                meeting=meeting,
                entries=[
                    (p, False, "Had een toets")
                    if p.kind == ParticipantKind.YOUTH
                    else (p, True, "")
                    for p in case.participants.invited()
                ],
            )
        self.tick(actor, case, Transition.HELD)
        case = self.advance(actor, case)
        orgs = {p.user.username: p.organisation for p in professionals}
        for kind, owner, text in [
            (
                EntryKind.FACT,
                case.organisation,
                "Daan was de afgelopen zes weken 14 lesuren ongeoorloofd afwezig "
                "(leerlingadministratie).",
            ),
            (
                EntryKind.FACT,
                orgs["wijkteam"],
                "Het wijkteam heeft sinds september contact met moeder over de thuissituatie.",
            ),
            (
                EntryKind.OPINION,
                orgs["swv"],
                "De onderwijsconsulent verwacht dat een vast wekelijks gesprek met de mentor Daan "
                "helpt om weer op school te komen.",
            ),
            (
                EntryKind.AGREEMENT,
                orgs["wijkteam"],
                "Het wijkteam pakt de casus op en bespreekt met moeder en Daan welke hulp past; "
                "school start een wekelijks mentorgesprek.",
            ),
        ]:
            with self.step(actor, "casusoverleg:minutes", uuid=case.uuid):
                services.minutes_entry_add(
                    actor=actor, case=case, kind=kind, text=text, owner=owner
                )
        with self.step(actor, "casusoverleg:action_add", uuid=case.uuid):
            services.action_add(
                actor=actor,
                case=case,
                description="Huisbezoek bij moeder en Daan plannen en de uitkomst terugkoppelen.",
                assignee=next(p for p in professionals if p.user.username == "wijkteam"),
                due_on=self.today + timedelta(days=10),
            )
        with self.step(actor, "casusoverleg:follow_up", uuid=case.uuid):
            services.minutes_set_follow_up(
                actor=actor,
                case=case,
                follow_up_on=_weekday_from(self.today + timedelta(weeks=6), +1),
            )
        # The wijkteam prepares the home visit the evening after, from home (outside office
        # hours: one of the FG's signals).
        self.history.plan(_at(next_day, 21, 40), "wijkteam", "from_home", "Daan")
        self.daan_shared(
            actor, case, {p.user.username: p for p in professionals}, next_day=next_day
        )

    def daan_shared(
        self, actor: User, case: Case, seats: dict[str, Participant], *, next_day: date
    ) -> None:
        """What the parties shared in Daan's ZAT, through the sharing rules (issue 4): the school
        right after the meeting, the SWV and the youth doctor the next working day."""

        def share(author: User, code: str, basis: str, kind: str, text: str, **kw: Any) -> None:
            with self.step(author, "casusoverleg:shared_item_create", uuid=case.uuid):
                services.shared_item_add(
                    actor=author,
                    case=case,
                    category=DataCategory.objects.get(code=code),
                    kind=kind,
                    text=text,
                    legal_basis=LegalBasis.objects.get(code=basis),
                    audience_all=kw.get("audience_all", True),
                    recipients=kw.get("recipients", []),
                    withhold_reason=kw.get("withhold_reason", ""),
                )

        # The school's attendance record, for everyone at the table (WPO, Leerplichtwet).
        share(
            actor,
            "C3a",
            "school-ordinary",
            EntryKind.FACT,
            "14 lesuren ongeoorloofd afwezig in de afgelopen zes weken, vooral op maandag.",
        )
        # Health data only to readers with a ground and secrecy: not to leerplicht (R-T-3).
        share(
            actor,
            "C4",
            "school-health",
            EntryKind.OPINION,
            "De mentor ziet dat Daan zich in de klas terugtrekt en weinig contact zoekt.",
            audience_all=False,
            recipients=[seats["jeugdarts"], seats["wijkteam"], seats["swv"]],
        )
        consultant = seats["swv"].user
        self.at(_at(next_day, 10, 15))
        self.look(consultant, case)
        share(
            consultant,
            "C2",
            "swv-ordinary",
            EntryKind.FACT,
            "Geen arrangement of TLV; basisondersteuning van de school loopt sinds oktober.",
        )
        # The youth doctor keeps the medical content (M@ZL): recorded, not provided (R-6-3).
        doctor = seats["jeugdarts"].user
        self.at(_at(next_day, 11, 30))
        self.look(doctor, case)
        share(
            doctor,
            "C5",
            "jgz-health",
            EntryKind.FACT,
            "Medische gegevens uit het M@ZL-consult.",
            withhold_reason="Medische inhoud blijft bij de jeugdarts; advies volgt mondeling.",
        )

    def noor(self) -> None:
        """Noor Hendriks (17), thuiszittersoverleg: prepared; she objected to her mother coming."""
        day = self.history.workday
        self.at(_at(day(3), 10, 0))
        actor, case = self.open(
            "zorgcoordinator",
            "Noor",
            "thuiszittersoverleg",
            purpose=(
                "Noor gaat al ruim drie maanden niet naar school. Samen een plan maken voor haar "
                "terugkeer naar passend onderwijs."
            ),
            target_group=TargetGroup.HOME_SITTER,
            out_of_education_since=self.today - timedelta(days=95),
            coordinator_role=ConsultationRoleCode.SCHOOL_BOARD,
        )
        # Invited to the table; they answer once the meeting is planned and the invitations
        # (with the privacy notice) go out.
        self.add(actor, case, "leerplicht", ConsultationRoleCode.ATTENDANCE_OFFICER)
        self.add(actor, case, "swv", ConsultationRoleCode.SWV)
        # Noor (17) may object to her mother's presence; the procesregisseur records the
        # objection and decides (SPEC §10 Q3). Here she invites the mother anyway.
        mother = case.participants.get(kind=ParticipantKind.PARENT)
        with self.step(
            actor, "casusoverleg:participant_family", uuid=case.uuid, participant=mother.uuid
        ):
            services.participant_set_invitation(
                actor=actor, participant=mother, is_invited=True, reason="", youth_objected=True
            )
        self.tick(actor, case, Transition.PREPARED)
        self.advance(actor, case)
        # The next morning she reads the case again, to plan the meeting.
        self.at(_at(day(2), 8, 45))
        self.look(actor, case)
        # The zorgcoördinator mailed the leerplichtambtenaar the case's link before the
        # invitations went out: she has no access yet, so the page is refused (and logged).
        self.history.plan(_at(day(2), 11, 20), "leerplicht", "attempt", "Noor")

    def daan_consent(self, actor: User, case: Case) -> None:
        """Consent in Daan's ZAT (issue 6). The youth doctor (professional secrecy) asks Daan (14)
        and his mother for two consents on his wellbeing (C4): her advice for everyone at the
        table, which both gave in the portal and on which she shared it; and a follow-up report
        for the school, which Daan gave and his mother has yet to decide on. His mother also asked
        the school for inzage. Replayed history: nobody is e-mailed about it now."""
        day = self.history.workday
        doctor = self.user("jeugdarts")
        daan, mother = self.user("jongere"), self.user("ouder3")
        guardian = Guardian.objects.get(user=mother, youth=case.youth)
        swv = self.user("swv").professional.organisation
        wijkteam = self.user("wijkteam").professional.organisation
        until = self.today + timedelta(days=365)
        self.at(_at(day(2), 13, 5))
        self.look(doctor, case)
        consents = []
        for recipients in ([case.organisation, swv, wijkteam], [case.organisation]):
            with self.step(doctor, "casusoverleg:consent_request", uuid=case.uuid):
                consents.append(
                    consent_services.consent_request(
                        actor=doctor,
                        case=case,
                        categories=[DataCategory.objects.get(code="C4")],
                        recipients=recipients,
                        valid_from=day(2),
                        valid_until=until,
                        covers_special=True,
                        items_description=(
                            "Het advies van de jeugdarts na het consult"
                            if len(recipients) > 1
                            else "Het verslag van het vervolgconsult"
                        ),
                    )
                )
        for_the_table = consents[0]
        # That evening Daan and his mother read the requests in the portal and decide.
        self.at(_at(day(2), 19, 40))
        for user, consenter, decided in (
            (daan, Consenter(ConsenterKind.YOUTH), consents),
            (mother, Consenter(ConsenterKind.PARENT, guardian.pk), [for_the_table]),
        ):
            self.history.login(user, home=True)
            for consent in decided:
                with self.step(user, "portal:consent_decide", uuid=consent.uuid):
                    consent_services.consent_decide(
                        actor=user, consent=consent, consenter=consenter, kind=DecisionKind.GIVEN
                    )
        # The next morning the youth doctor shares her advice with the table; the school's
        # consent for the follow-up report still waits for the mother.
        self.at(_at(day(1), 9, 20))
        self.look(doctor, case)
        with self.step(doctor, "casusoverleg:shared_item_create", uuid=case.uuid):
            services.shared_item_add(
                actor=doctor,
                case=case,
                category=DataCategory.objects.get(code="C4"),
                kind=EntryKind.OPINION,
                text="Advies jeugdarts: geen medische reden voor het verzuim; wel begeleiding bij "
                "slaapproblemen via de huisarts.",
                legal_basis=LegalBasis.objects.get(code="jgz-health"),
                audience_all=True,
                recipients=[],
            )
        # His mother asks the school what it holds about Daan.
        self.at(_at(day(1), 20, 30))
        self.history.login(mother, home=True)
        with self.step(mother, "portal:request_create", youth=case.youth.uuid):
            consent_services.rights_request_file(
                actor=mother,
                youth=case.youth,
                case=case,
                kind=RequestKind.ACCESS,
                organisations=[case.organisation],
                identity_method="portaal, inloggen met tweede stap",
            )


class Command(BaseCommand):
    """`manage.py seed_demo`: the demo region, a user for every role, three demo cases and the
    weeks of use that led to them, in the access log (issue 5)."""

    help = (
        "Load the demo region, its covenant, a user for every role, demo cases and their history "
        "in the access log (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """`--force`: run without DEBUG, on a throw-away database only."""
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never do this on a system with real data.",
        )

    # The demo password's hash, made once per run (see `_user`).
    _password_hash: str | None = None

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        """Seed the base data, then the demo cases with their history; seal the logs; print.

        A database that has the demo cases already keeps them and their history: a rerun adds
        nothing but what is missing of the base data.
        """
        self._password_hash = None
        if not settings.DEMO_ALLOWED and not force:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG off: demo passwords must never reach a "
                "production system. Use --force only on a throw-away database."
            )
        today = timezone.localdate()
        made = not Case.objects.filter(youth__region__name=REGION).exists()
        if made:
            covenant = self._seed_with_history(today)
        else:
            with transaction.atomic():
                covenant = self._seed()
        sealed = self._seal()
        self._print_logins()
        self._print_cases(covenant, made=made)
        if made:
            self._print_history(_history_start(today), today)
        if sealed:
            self.stdout.write(
                f"Sealed {sum(b.event_count for b in sealed)} log entries in "
                f"{len(sealed)} hash-chained blocks (manage.py verify_audit checks them)."
            )

    def _seal(self) -> list[SealBlock]:
        """Seal what is not sealed yet in both logs, as the beat job does every few minutes.

        The sealer's own log line is kept out of the output, which is the login table.
        """
        log = logging.getLogger("audit.sealing")
        level = log.level
        log.setLevel(logging.WARNING)
        try:
            return [block for stream in Stream for block in seal(stream)]
        finally:
            log.setLevel(level)

    def _seed_with_history(self, today: date) -> Covenant:
        """The base data on the morning the region was set up, then the cases and the weeks of
        use since, each at its hour (`_Clock`); returns the covenant.

        Base data and cases are separate transactions: when a rule of the services refuses a
        step, no half-made case or history stays behind, and a rerun starts clean.
        """
        start = _history_start(today)
        try:
            with _quiet_delivery(), time_machine.travel(start, tick=False) as traveller:
                with transaction.atomic():
                    covenant = self._seed()
                with transaction.atomic():
                    history = _History(covenant.region, _Clock(traveller, start), today)
                    _DemoCases(covenant.region, history).make()
        except ValidationError as exc:
            # A rule of the services refused a step: say which, instead of a traceback.
            raise CommandError(f"The demo cases could not be made: {exc.messages}") from exc
        return covenant

    def _user(self, username: str, first: str, last: str, role: str) -> User:
        """The demo user `username`, created with the demo password and an e-mail address."""
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "email": f"{username}@{EMAIL_DOMAIN}",
            },
        )
        fields = []
        if created:
            # Password hashing is slow on purpose (about a second with Argon2). Every demo account
            # has the same published password, so one hash serves them all.
            if self._password_hash is None:
                self._password_hash = make_password(DEMO_PASSWORD)
            user.password = self._password_hash
            fields.append("password")
        if not user.email:
            # Users of an older demo database had none; invitations need one.
            user.email = f"{username}@{EMAIL_DOMAIN}"
            fields.append("email")
        if fields:
            user.save(update_fields=fields)
        return user

    def _seed_governance(
        self, region: Region, covenant: Covenant, orgs: dict[str, Organisation]
    ) -> None:
        """Covenant governance (issue 7): the acceded parties' signed forms and the DPIA that
        the gemeente (also the host) carried out and every other party adopted (R-18-1,
        R-DPIA-1), so that every active demo party passes the gates. Idempotent."""
        from django.core.files.base import ContentFile

        from convenant.choices import EndorsementKind, ResidualRisk
        from convenant.models import DPIAEndorsement, DPIARecord

        for party in CovenantParty.objects.filter(
            covenant=covenant, status=CovenantPartyStatus.ACCEDED, signed_document=""
        ):
            party.signed_document.save(
                f"toetreding-{party.uuid}.pdf",
                ContentFile(b"%PDF-1.4\n% demo Toetredingsformulier\n%%EOF\n"),
                save=True,
            )
        fg = User.objects.get(username="fg")
        dpia, created = DPIARecord.objects.get_or_create(
            region=region,
            version="1.0",
            defaults={
                "performed_on": date(2025, 11, 15),
                "fg_advice_on": date(2025, 12, 1),
                "fg_advice_summary": (
                    "Positief advies, mits 2FA voor professionals en bewaartermijnen worden "
                    "afgedwongen."
                ),
                "residual_risk": ResidualRisk.LOW,
                "prior_consultation": False,
                "recorded_by": fg,
            },
        )
        if created:
            dpia.controllers.set([orgs["Gemeente Eemstad"]])
        for name, _status, _mandate, _fg, _email in PARTIES:
            if name == "Gemeente Eemstad":
                continue
            DPIAEndorsement.objects.get_or_create(
                dpia=dpia,
                organisation=orgs[name],
                defaults={
                    "kind": EndorsementKind.ADOPTED,
                    "reference": f"Bestuursbesluit DPIA 1.0 ({name})",
                    "endorsed_on": date(2025, 12, 15),
                },
            )

    def _seed(self) -> Covenant:
        """The region, its organisations, covenant, staff and families; returns the covenant."""
        today = timezone.localdate()
        region, _ = Region.objects.get_or_create(name=REGION)
        orgs: dict[str, Organisation] = {}
        for name, party_type, capacities, parent in ORGANISATIONS:
            orgs[name], _ = Organisation.objects.get_or_create(
                region=region,
                name=name,
                defaults={
                    "party_type": party_type,
                    "capacities": list(capacities),
                    "parent": orgs.get(parent) if parent else None,
                },
            )
        covenant, _ = Covenant.objects.get_or_create(
            region=region,
            version="1.0",
            defaults={
                "title": (
                    "Privacyconvenant Samenwerking Onderwijs-Gemeenten-Jeugdhulp Regio Eemland"
                ),
                "effective_from": date(2026, 1, 1),
                "hosting_organisation": orgs["Gemeente Eemstad"],
                "processor_agreement_reference": "Verwerkersovereenkomsten VO-2026-01 t/m 06",
            },
        )
        for name, status, mandate, fg_name, fg_email in PARTIES:
            CovenantParty.objects.get_or_create(
                covenant=covenant,
                organisation=orgs[name],
                defaults={
                    "status": status,
                    "joined_on": date(2026, 1, 1),
                    "mandate_reference": mandate,
                    "privacy_officer_name": fg_name,
                    "privacy_officer_email": fg_email,
                    "accession_approved_at": timezone.now()
                    if status == CovenantPartyStatus.ACCEDED
                    else None,
                    "accession_notified_at": timezone.now()
                    if status == CovenantPartyStatus.ACCEDED
                    else None,
                },
            )
        for (
            username,
            first,
            last,
            role,
            org,
            function,
            capacity,
            secrecy,
            register,
            number,
        ) in STAFF:
            user = self._user(username, first, last, role)
            Professional.objects.get_or_create(
                user=user,
                defaults={
                    "organisation": orgs[org],
                    "function": function,
                    "capacity": capacity,
                    "secrecy": secrecy,
                    "professional_register": register,
                    "register_number": number,
                },
            )
        self._seed_governance(region, covenant, orgs)
        for (given, family, age, school, portal), parents in FAMILIES:
            youth_user = self._user(portal, given, family, Role.YOUTH) if portal else None
            youth, _ = Youth.objects.get_or_create(
                region=region,
                given_name=given,
                family_name=family,
                defaults={
                    "date_of_birth": _birthday(age, today),
                    "school": orgs[school],
                    "user": youth_user,
                },
            )
            for username, p_given, p_family, authority in parents:
                Guardian.objects.get_or_create(
                    youth=youth,
                    given_name=p_given,
                    family_name=p_family,
                    defaults={
                        "has_authority": authority,
                        "authority_source": AuthoritySource.REGISTER if authority else "",
                        "authority_checked_on": today - timedelta(days=30) if authority else None,
                        "user": self._user(username, p_given, p_family, Role.PARENT),
                    },
                )
        self._second_factors()
        self._declarations()
        return covenant

    # Issue 7 (R-11-1): every demo professional accepted the geheimhoudingsverklaring when the
    # region was set up, except DEMO_UNDECLARED, who is asked for it at the first case page.
    def _declarations(self) -> None:
        """Each demo professional and procesregisseur but one accepted the declaration (through
        the service, so the acceptance is in the access log too); a rerun adds nothing."""
        usernames = [row[0] for row in STAFF]
        for user in User.objects.select_related("professional__organisation").filter(
            username__in=[u for u in usernames if u != DEMO_UNDECLARED],
            role__in=confidentiality.DECLARING_ROLES,
        ):
            if declaration_in_force(user=user) is not None:
                continue
            # The request context the middleware would give the page, from the office network
            # and browser the history gives this user (without drawing from its generator).
            index = usernames.index(user.username)
            token = current.set(
                RequestContext(
                    client_ip=f"{OFFICE_NETWORK}"
                    f"{10 + ORGANISATION_INDEX[user.professional.organisation.name]}",
                    user_agent=BROWSERS[index % (len(BROWSERS) - 1)],
                    request_id=f"{uuid5(NAMESPACE_URL, 'declaration:' + user.username).hex}",
                    path=reverse("casusoverleg:declaration"),
                )
            )
            try:
                with set_actor(user):
                    declaration_accept(actor=user)
            finally:
                current.reset(token)

    def _second_factors(self) -> None:
        """Every demo parent and youth can pass the portal's second step: the demo app key, or
        a code by e-mail (printed by the console backend)."""
        usernames = [youth[4] for youth, _ in FAMILIES if youth[4]]
        usernames += [parent[0] for _, parents in FAMILIES for parent in parents]
        for user in User.objects.filter(username__in=usernames):
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )
            EmailDevice.objects.get_or_create(user=user, name="demo", defaults={"confirmed": True})
        # Issue 7: the workplace's second step is mandatory; every demo professional, FG and
        # beheerder has an authenticator app with the same published demo key (DEBUG only:
        # seed_demo refuses to run otherwise; `manage.py demo_code` prints the current code).
        for user in User.objects.filter(username__in=[row[0] for row in STAFF]):
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
            )

    def _print_logins(self) -> None:
        """The password and one line per demo account: username, role, name, organisation."""
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo region '{REGION}' is ready. Password for every account: {DEMO_PASSWORD}"
            )
        )
        rows = [(u, f"{f} {la}", str(Role(r).label), o) for u, f, la, r, o, *_ in STAFF]
        rows += [("jongere", "Daan Yilmaz (14)", str(Role.YOUTH.label), "—")]
        rows += [
            (u, f"{g} {fa}", str(Role.PARENT.label) + ("" if a else " (zonder gezag)"), "—")
            for _, parents in FAMILIES
            for u, g, fa, a in parents
        ]
        width = max(len(r[0]) for r in rows)
        role_width = max(len(r[2]) for r in rows)
        for username, name, role, org in rows:
            self.stdout.write(
                f"  {username:<{width}}  {role:<{role_width}}  {name}"
                + (f", {org}" if org != "—" else "")
            )
        secret = b32encode(unhexlify(DEMO_TOTP_KEY)).decode()
        self.stdout.write(
            "Parents and youths log in at /portaal/inloggen/, then type a code: press 'Send me a "
            "code' (the e-mail appears in this terminal), or add the key "
            f"{secret} to an authenticator app."
        )
        # Issue 7: the workplace's second step.
        self.stdout.write(
            "Professionals, the FG and the beheerder log in at /inloggen/, then type the code of "
            f"an authenticator app with the same key {secret}, or run "
            "`manage.py demo_code` for the current code."
        )

    def _print_cases(self, covenant: Covenant, *, made: bool) -> None:
        """One line per demo case: its procesregisseur, status, type and youth."""
        self.stdout.write(
            "Demo cases (log in as their procesregisseur):"
            if made
            else "Demo cases (already there, left as they were):"
        )
        cases = covenant.cases.select_related("coordinator", "consultation_type", "youth")
        for case in cases.order_by("created_at"):
            self.stdout.write(
                f"  {case.coordinator.username:<16}  {case.get_status_display():<12}  "
                f"{case.youth}: {case.consultation_type.name}"
            )

    def _print_history(self, start: datetime, today: date) -> None:
        """How much history the access log holds now: events, days, first and last day."""
        times = AccessEvent.objects.filter(
            occurred_at__gte=start, occurred_at__lt=_at(today, 0)
        ).values_list("occurred_at", flat=True)
        days = sorted({timezone.localtime(t).date() for t in times})
        if days:
            self.stdout.write(
                f"Access log history: {len(times)} events by the demo users on {len(days)} days, "
                f"{days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d}."
            )
