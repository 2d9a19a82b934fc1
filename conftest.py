"""Shared pytest fixtures: a small generated world with a user for every role."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from casusoverleg.choices import ParticipantKind
from casusoverleg.models import ActionItem, Case, CaseDocument, Meeting, Participant, SharedItem
from convenant.models import Covenant
from core.permissions import grant
from parties.choices import Capacity, Role
from parties.models import Guardian, Organisation, User, Youth
from tests.factories.casusoverleg import (
    ActionItemFactory,
    CaseDocumentFactory,
    CaseFactory,
    InvitationFactory,
    MeetingFactory,
    MinutesEntryFactory,
    MinutesFactory,
    ParticipantFactory,
    PrivacyNoticeFactory,
    SharedItemFactory,
)
from tests.factories.convenant import (
    CovenantFactory,
    CovenantPartyFactory,
    DPIAEndorsementFactory,
    DPIARecordFactory,
)
from tests.factories.parties import (
    GuardianFactory,
    OrganisationFactory,
    ProfessionalFactory,
    RegionFactory,
    UserFactory,
    YouthFactory,
)


@dataclass
class World:
    """Everything a permission or audit test needs, with names that say who is involved."""

    covenant: Covenant
    school: Organisation
    municipality: Organisation
    youth: Youth  # the data subject whose data must not leak
    other_youth: Youth
    guardian: Guardian  # parent of `youth` with gezag
    case: Case  # about `youth`, held, directed by users["case_coordinator"]
    meeting: Meeting
    action: ActionItem
    document: CaseDocument
    shared: dict[str, SharedItem] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    # The school asked the family's consent to share C2 with the municipality; the youth (14) and
    # the parent with gezag gave it in the portal: valid, with two decisions and two receipts.
    consent: Any = None
    # The parent asked the school for inzage about `youth` (open, due in a month).
    rights_request: Any = None

    def pii(self) -> list[str]:
        """Strings that identify `youth` or its parents, and what was shared about the youth; no
        page may show them to an outsider."""
        people = [self.youth, *self.youth.guardians.all()]
        names = [p.given_name for p in people] + [p.family_name for p in people]
        born = self.youth.date_of_birth
        shared = [item.text for item in self.shared.values()]
        return [*names, born.isoformat(), born.strftime("%d-%m-%Y"), *shared]


def _load_reference_data() -> None:
    import importlib

    from django.apps import apps

    from core.querysets import bulk_writes_allowed

    # The loaders are data migrations, written for historical models; with the real registry
    # their set-wise updates meet the bulk-write guard (core.querysets).
    with bulk_writes_allowed("reloading the model covenant's reference data after a flush"):
        for migration in (
            "0002_seed_model_covenant",
            "0003_legalbasis_consent_basis",
            "0006_i7_ret_retention_rules",  # retention (issue 7)
        ):
            importlib.import_module(f"convenant.migrations.{migration}").load(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_after_a_flush(request: pytest.FixtureRequest) -> None:
    """Put the model covenant back for a database test that runs after a transactional one.

    A transactional test (browser, worker) ends with a flush that empties the tables the data
    migrations filled. pytest-django runs those tests last, but pytest-xdist can still hand a
    worker an ordinary database test afterwards; it then finds no reference data. Reloading
    inside the test's own transaction costs nothing when the data is there.
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    transactional = (
        "transactional_db" in names
        or "live_server" in names
        or (marker is not None and bool(marker.kwargs.get("transaction")))
    )
    if transactional or (marker is None and "db" not in names):
        return
    request.getfixturevalue("db")
    from convenant.models import ConsultationType

    if not ConsultationType.objects.exists():
        _load_reference_data()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """The model covenant's reference data, for tests that run in transactional mode.

    A flush between transactional tests empties the tables the data migration filled; its
    idempotent loader puts them back. Request it before `world`.
    """
    _load_reference_data()


@pytest.fixture
def world(db: None) -> World:
    """A region with a school, a municipality, two youths with parents and a user for each role.

    Role keys: coordinator, professional, youth_care (beroepsgeheim), leerplicht, privacy_officer,
    administrator (all without involvement), case_coordinator (directs `case`),
    involved_professional (accepted participant of `case`, holds its grant; shared the two
    items of `shared`), invited_professional
    (invited to `case`, has not answered: sees the invitation, not the youth), parent (gezag over
    `youth`, at the table), parent_without_authority (of `youth`), youth (the youth's own
    account), other_parent and other_youth (of `other_youth`), other_case_coordinator and
    other_case_professional (direct and take part in a case about `other_youth`).
    """
    region = RegionFactory(name="Testregio")
    covenant = CovenantFactory(region=region)
    school = OrganisationFactory(region=region, name="Testschool")
    municipality = OrganisationFactory(region=region, name="Testgemeente", municipality=True)
    care = OrganisationFactory(region=region, name="Testjeugdhulp", youth_care=True)
    for org in (school, municipality, care):
        CovenantPartyFactory(covenant=covenant, organisation=org)

    def staff(key: str, role: str, org: Organisation, **kwargs: object) -> User:
        user = UserFactory(username=key, role=role)
        ProfessionalFactory(user=user, organisation=org, **kwargs)
        return user

    users = {
        "coordinator": staff("coordinator", Role.COORDINATOR, school),
        "professional": staff("professional", Role.PROFESSIONAL, school),
        "youth_care": staff(
            "youth_care",
            Role.PROFESSIONAL,
            care,
            capacity=Capacity.YOUTH_CARE,
            professional_secrecy=True,
        ),
        "leerplicht": staff(
            "leerplicht", Role.PROFESSIONAL, municipality, capacity=Capacity.COMPULSORY_EDUCATION
        ),
        "privacy_officer": staff(
            "privacy_officer", Role.PRIVACY_OFFICER, municipality, capacity=""
        ),
        "administrator": staff("administrator", Role.ADMINISTRATOR, municipality, capacity=""),
        "involved_professional": staff("involved_professional", Role.PROFESSIONAL, school),
        "case_coordinator": staff("case_coordinator", Role.COORDINATOR, school),
        "invited_professional": staff(
            "invited_professional",
            Role.PROFESSIONAL,
            municipality,
            capacity=Capacity.COMPULSORY_EDUCATION,
        ),
    }
    # Covenant governance (issue 7): the gemeente's DPIA, adopted by the other parties, so
    # that every active party of the world passes the DPIA gate (R-DPIA-1).
    dpia = DPIARecordFactory(
        region=region, controllers=[municipality], recorded_by=users["privacy_officer"]
    )
    for org in (school, care):
        DPIAEndorsementFactory(dpia=dpia, organisation=org)
    youth_user = UserFactory(username="youth", role=Role.YOUTH)
    youth = YouthFactory(
        region=region,
        given_name="Zoë",
        family_name="Vandersteen",
        date_of_birth=date(2012, 5, 17),
        school=school,
        user=youth_user,
    )
    guardian = GuardianFactory(
        youth=youth, given_name="Wilhelmina", family_name="Oosterbroek", user__username="parent"
    )
    GuardianFactory(
        youth=youth,
        given_name="Bartholomeus",
        family_name="Vandersteen",
        without_authority=True,
        user__username="parent_without_authority",
    )
    other_youth = YouthFactory(
        region=region, user=UserFactory(username="other_youth", role=Role.YOUTH)
    )
    other_guardian = GuardianFactory(youth=other_youth, user__username="other_parent")
    users.update(
        youth=youth_user,
        parent=guardian.user,
        parent_without_authority=User.objects.get(username="parent_without_authority"),
        other_parent=other_guardian.user,
        other_youth=other_youth.user,
    )
    grant(users["involved_professional"], "parties.view_youth", youth)
    case = CaseFactory(
        youth=youth,
        covenant=covenant,
        coordinator=users["case_coordinator"],
        organisation=school,
        held=True,
    )
    participants = {
        "involved_professional": ParticipantFactory(
            case=case, user=users["involved_professional"], organisation=school, accepted=True
        ),
        "invited_professional": ParticipantFactory(
            case=case,
            user=users["invited_professional"],
            organisation=municipality,
            role="leerplicht",
        ),
        "parent": ParticipantFactory(
            case=case,
            kind=ParticipantKind.PARENT,
            user=guardian.user,
            guardian=guardian,
            organisation=None,
            role="",
        ),
        "youth": ParticipantFactory(
            case=case,
            kind=ParticipantKind.YOUTH,
            user=youth_user,
            organisation=None,
            role="",
        ),
    }
    grant(users["involved_professional"], "casusoverleg.view_case", case)
    meeting = MeetingFactory(case=case, past=True)
    minutes = MinutesFactory(meeting=meeting)
    MinutesEntryFactory(minutes=minutes)
    notice = PrivacyNoticeFactory(case=case, version=1)
    # Everyone invited was sent the invitation (with the notice) before the meeting.
    for key in ("involved_professional", "invited_professional", "parent", "youth"):
        InvitationFactory(meeting=meeting, participant=participants[key], notice=notice)
    action = ActionItemFactory(minutes=minutes, assignee=participants["involved_professional"])
    # What the school shared: an education fact for everyone, a health item for everyone bound
    # by secrecy with a ground to receive it (R-6-1).
    shared = {
        "education": SharedItemFactory(
            case=case,
            meeting=meeting,
            author=users["involved_professional"],
            text="Zoë leest op AVI-niveau E4 en krijgt verlengde instructie.",
        ),
        "health": SharedItemFactory(
            case=case,
            meeting=meeting,
            author=users["involved_professional"],
            health=True,
            text="Faalangst bij toetsen; in overleg met moeder besproken.",
        ),
    }
    document = CaseDocumentFactory(case=case, ready=True)
    # Another case, about `other_youth`: its people are involved, but not with `youth`.
    users["other_case_coordinator"] = staff("other_case_coordinator", Role.COORDINATOR, school)
    users["other_case_professional"] = staff(
        "other_case_professional", Role.PROFESSIONAL, municipality, capacity=Capacity.YOUTH_ACT
    )
    other_case = CaseFactory(
        youth=other_youth,
        covenant=covenant,
        coordinator=users["other_case_coordinator"],
        organisation=school,
        held=True,
    )
    ParticipantFactory(
        case=other_case,
        user=users["other_case_professional"],
        organisation=municipality,
        role="wijkteam_jeugdhulp",
        accepted=True,
    )
    grant(users["other_case_professional"], "casusoverleg.view_case", other_case)
    consent, rights_request = _world_consent_and_request(
        case=case, guardian=guardian, users=users, municipality=municipality, school=school
    )
    return World(
        covenant=covenant,
        school=school,
        municipality=municipality,
        youth=youth,
        other_youth=other_youth,
        guardian=guardian,
        case=case,
        meeting=meeting,
        action=action,
        document=document,
        shared=shared,
        participants=participants,
        users=users,
        consent=consent,
        rights_request=rights_request,
    )


def _world_consent_and_request(
    *, case: Case, guardian: Guardian, users: dict[str, User], municipality: Any, school: Any
) -> tuple[Any, Any]:
    """The world's consent (valid, through the services) and the parent's inzage request."""
    from consent.age import Consenter
    from consent.choices import ConsenterKind, DecisionKind, RequestKind
    from consent.services import consent_decide, consent_request, rights_request_file
    from convenant.models import DataCategory

    today = date.today()  # noqa: DTZ011 - the same local date the services use in tests
    consent = consent_request(
        actor=users["case_coordinator"],
        case=case,
        categories=[DataCategory.objects.get(code="C2")],
        recipients=[municipality],
        valid_from=today,
        valid_until=today.replace(year=today.year + 1),
    )
    consent_decide(
        actor=users["youth"],
        consent=consent,
        consenter=Consenter(ConsenterKind.YOUTH),
        kind=DecisionKind.GIVEN,
    )
    consent_decide(
        actor=guardian.user,
        consent=consent,
        consenter=Consenter(ConsenterKind.PARENT, guardian.pk),
        kind=DecisionKind.GIVEN,
    )
    consent.refresh_from_db()
    (request,) = rights_request_file(
        actor=guardian.user,
        youth=case.youth,
        case=case,
        kind=RequestKind.ACCESS,
        organisations=[school],
        identity_method="portal",
    )
    return consent, request


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests are skipped with a printed reason on SQLite; in CI that is an error."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if on_postgres:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL (see .ci/run).")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
