"""Load a demo region with a user for every role. Idempotent; refuses a production configuration."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from convenant.choices import CovenantPartyStatus
from convenant.models import Covenant, CovenantParty
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


class Command(BaseCommand):
    help = "Load the demo region, its covenant and a user for every role (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never do this on a system with real data.",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEMO_ALLOWED and not force:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG off: demo passwords must never reach a "
                "production system. Use --force only on a throw-away database."
            )
        with transaction.atomic():
            self._seed()
        self._print_logins()

    def _user(self, username: str, first: str, last: str, role: str) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "role": role}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _seed(self) -> None:
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

    def _print_logins(self) -> None:
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
        for username, name, role, org in rows:
            self.stdout.write(
                f"  {username:<{width}}  {role:<32} {name}  {org if org != '—' else ''}"
            )
