"""Load a demo region with a user for every role and three cases. Idempotent; never in production.

The cases are made through the casusoverleg services, exactly as the procesregisseurs and
professionals would make them in the browser: every rule is checked and the access log gets a real
history.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from casusoverleg import services
from casusoverleg.choices import DeliveryStatus, EntryKind, ParticipantKind, TargetGroup
from casusoverleg.models import Case, Invitation, Meeting, Participant
from convenant.choices import ConsultationRoleCode, CovenantPartyStatus, Transition
from convenant.models import (
    ConsultationType,
    Covenant,
    CovenantParty,
    DataCategory,
    LegalBasis,
)
from parties.choices import (
    AuthoritySource,
    Capacity,
    PartyType,
    ProfessionalRegister,
    Role,
    Secrecy,
)
from parties.models import Guardian, Organisation, Professional, Region, User, Youth

DEMO_PASSWORD = "demo-casusoverleg"
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


def _at(day: date, hour: int) -> datetime:
    """`day` at `hour` o'clock in the application's time zone (Europe/Amsterdam)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


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


class _DemoCases:
    """Makes the three demo cases through the services, each actor doing their own part.

    Lotte's MDO is scheduled (invitations out, one answer still open), Daan's ZAT was held last
    week and its minutes are being written, Noor's thuiszittersoverleg is being prepared.
    """

    def __init__(self, region: Region) -> None:
        self.region = region
        self.today = timezone.localdate()

    # --- helpers: one service call each, named after what the person does ------------------

    def user(self, username: str) -> User:
        """A demo user by username."""
        return User.objects.select_related("professional__organisation").get(username=username)

    def youth(self, given_name: str) -> Youth:
        """A demo youth of the region by given name."""
        return Youth.objects.get(region=self.region, given_name=given_name)

    def open(
        self, coordinator: str, youth: str, type_code: str, *, purpose: str, **kwargs: Any
    ) -> tuple[User, Case]:
        """The procesregisseur opens the case; parents with gezag and the youth get a seat."""
        actor = self.user(coordinator)
        case = services.case_open(
            actor=actor,
            youth=self.youth(youth),
            consultation_type=ConsultationType.objects.get(code=type_code),
            purpose_specification=purpose,
            **kwargs,
        )
        return actor, case

    def add(self, actor: User, case: Case, username: str, role: str) -> Participant:
        """The procesregisseur invites a professional to the table in a role."""
        return services.participant_add(actor=actor, case=case, user=self.user(username), role=role)

    def accept(self, participant: Participant) -> None:
        """The professional accepts the invitation and so gets access to the case."""
        services.participant_respond(actor=participant.user, participant=participant, accept=True)

    def tick(self, actor: User, case: Case, transition: str) -> None:
        """The procesregisseur ticks every checklist item of the step to `transition`."""
        for item in services.checklist_items(case=case):
            if item.transition == transition:
                services.checklist_set(
                    actor=actor,
                    case=case,
                    item=item,
                    checked=True,
                    note=CHECKLIST_NOTES.get(item.code, ""),
                )

    def invite(self, actor: User, case: Case) -> None:
        """The procesregisseur sends the invitations; they are delivered before the next step.

        The service queues delivery until its transaction commits, but the demo cases are made
        in one transaction (all or nothing, so a rerun starts clean) and moving to 'gepland'
        needs delivered invitations (R-AGE-2). So the command delivers them itself, through the
        worker's own idempotent service; the task that runs after commit finds them sent.
        """
        services.invitations_send(actor=actor, case=case)
        queued = Invitation.objects.filter(meeting__case=case, status=DeliveryStatus.QUEUED)
        for invitation_id in queued.values_list("pk", flat=True):
            services.invitation_deliver(invitation_id=invitation_id)

    # --- the three cases ---------------------------------------------------------------------

    def make(self) -> None:
        """Make all three cases."""
        self.lotte()
        self.daan()
        self.noor()

    def lotte(self) -> None:
        """Lotte de Boer (10), MDO: scheduled in six days; the wijkteam has not answered yet."""
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
        services.case_record_hearing(
            actor=actor,
            case=case,
            hearing_note="Gesprek met de intern begeleider aan de hand van tekeningen",
            not_possible_reason="",
        )
        self.tick(actor, case, Transition.PREPARED)
        case = services.case_advance(actor=actor, case=case)
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
        self.accept(teacher)
        self.accept(consultant)
        services.case_advance(actor=actor, case=case)

    def daan(self) -> None:
        """Daan Yilmaz (14), ZAT: held last week without Daan; the minutes are being written."""
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
        case = services.case_advance(actor=actor, case=case)
        meeting = services.meeting_schedule(
            actor=actor,
            case=case,
            starts_at=_at(_weekday_from(self.today + timedelta(days=1), +1), 14),
            duration_minutes=60,
            location="Het Eemcollege, zorgkamer",
            video_url="",
            agenda=ZAT_AGENDA,
        )
        self.tick(actor, case, Transition.SCHEDULED)
        self.invite(actor, case)
        for participant in professionals:
            self.accept(participant)
        case = services.case_advance(actor=actor, case=case)
        # The demo's history: the meeting took place last week. No service moves a meeting into
        # the past (rightly), so this is the one write outside the services.
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=_at(_weekday_from(self.today - timedelta(days=7), -1), 14)
        )
        meeting = Meeting.objects.select_related("case").get(pk=meeting.pk)
        services.attendance_record(
            actor=actor,
            meeting=meeting,
            entries=[
                (p, False, "Had een toets") if p.kind == ParticipantKind.YOUTH else (p, True, "")
                for p in case.participants.invited()
            ],
        )
        self.tick(actor, case, Transition.HELD)
        case = services.case_advance(actor=actor, case=case)
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
            services.minutes_entry_add(actor=actor, case=case, kind=kind, text=text, owner=owner)
        services.action_add(
            actor=actor,
            case=case,
            description="Huisbezoek bij moeder en Daan plannen en de uitkomst terugkoppelen.",
            assignee=next(p for p in professionals if p.user.username == "wijkteam"),
            due_on=self.today + timedelta(days=10),
        )
        services.minutes_set_follow_up(
            actor=actor,
            case=case,
            follow_up_on=_weekday_from(self.today + timedelta(weeks=6), +1),
        )
        self.daan_shared(actor, case, {p.user.username: p for p in professionals})

    def daan_shared(self, actor: User, case: Case, seats: dict[str, Participant]) -> None:
        """What the parties shared in Daan's ZAT, through the sharing rules (issue 4)."""

        def share(author: User, code: str, basis: str, kind: str, text: str, **kw: Any) -> None:
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
        share(
            seats["swv"].user,
            "C2",
            "swv-ordinary",
            EntryKind.FACT,
            "Geen arrangement of TLV; basisondersteuning van de school loopt sinds oktober.",
        )
        # The youth doctor keeps the medical content (M@ZL): recorded, not provided (R-6-3).
        share(
            seats["jeugdarts"].user,
            "C5",
            "jgz-health",
            EntryKind.FACT,
            "Medische gegevens uit het M@ZL-consult.",
            withhold_reason="Medische inhoud blijft bij de jeugdarts; advies volgt mondeling.",
        )

    def noor(self) -> None:
        """Noor Hendriks (17), thuiszittersoverleg: prepared; she objected to her mother coming."""
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
        services.participant_set_invitation(
            actor=actor, participant=mother, is_invited=True, reason="", youth_objected=True
        )
        self.tick(actor, case, Transition.PREPARED)
        services.case_advance(actor=actor, case=case)


class Command(BaseCommand):
    """`manage.py seed_demo`: the demo region, a user for every role and three demo cases."""

    help = "Load the demo region, its covenant, a user for every role and demo cases (idempotent)."

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
        """Seed the base data in one transaction, then the demo cases, then print the logins."""
        self._password_hash = None
        if not settings.DEMO_ALLOWED and not force:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG off: demo passwords must never reach a "
                "production system. Use --force only on a throw-away database."
            )
        with transaction.atomic():
            covenant = self._seed()
        made = self._seed_cases(covenant)
        self._print_logins()
        self._print_cases(covenant, made=made)

    def _seed_cases(self, covenant: Covenant) -> bool:
        """Make the demo cases unless the demo covenant has cases already; whether it made them.

        One transaction: either all three cases exist or none, so a failed run can simply be
        repeated.
        """
        if covenant.cases.exists():
            return False
        try:
            with _quiet_delivery(), transaction.atomic():
                _DemoCases(covenant.region).make()
        except ValidationError as exc:
            # A rule of the services refused a step: say which, instead of a traceback.
            raise CommandError(f"The demo cases could not be made: {exc.messages}") from exc
        return True

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
        return covenant

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
