"""Factories of the casusoverleg app: one per model, Traits for states.

They build rows directly, for fixtures and permission tests. Tests of behaviour go through the
services instead, which is where the rules live.
"""

from datetime import timedelta

from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from casusoverleg.choices import (
    CaseStatus,
    DeliveryStatus,
    DocumentKind,
    DocumentStatus,
    EntryKind,
    InvitationMethod,
    MeetingStatus,
    ParticipantKind,
    Response,
    TargetGroup,
)
from casusoverleg.models import (
    ActionItem,
    Case,
    CaseDocument,
    Invitation,
    Meeting,
    Minutes,
    MinutesEntry,
    Participant,
    PrivacyNotice,
    SharedItem,
)
from convenant.models import ConsultationType, DataCategory, LegalBasis
from core.permissions import grant

from .convenant import CovenantFactory
from .parties import OrganisationFactory, UserFactory, YouthFactory


def _consultation_type(code: str = "mdo") -> ConsultationType:
    """A consultation type of the seeded model covenant (data migration convenant 0002)."""
    return ConsultationType.objects.get(code=code)


class CaseFactory(DjangoModelFactory[Case]):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    youth = factory.SubFactory(YouthFactory)
    covenant = factory.SubFactory(CovenantFactory)
    consultation_type = factory.LazyFunction(_consultation_type)
    purpose = factory.LazyAttribute(lambda o: o.consultation_type.purpose)
    purpose_specification = "Passende ondersteuning in de klas bespreken."
    target_group = TargetGroup.EDUCATION_AND_YOUTH_CARE
    coordinator = factory.SubFactory(UserFactory, role="coordinator")
    organisation = factory.SubFactory(OrganisationFactory)
    status = CaseStatus.CONCEPT

    @factory.post_generation
    def coordinator_grant(self: Case, create: bool, extracted: object, **kwargs: object) -> None:
        """The procesregisseur's access is the case grant, as `services.case_open` gives it."""
        if create:
            grant(self.coordinator, "casusoverleg.view_case", self)

    class Params:
        held = factory.Trait(status=CaseStatus.HELD)
        closed = factory.Trait(
            status=CaseStatus.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )


class ParticipantFactory(DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    case = factory.SubFactory(CaseFactory)
    kind = ParticipantKind.PROFESSIONAL
    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "leerkracht_mentor"

    class Params:
        accepted = factory.Trait(
            response=Response.ACCEPTED, responded_at=factory.LazyFunction(timezone.now)
        )


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    case = factory.SubFactory(CaseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    duration_minutes = 60
    location = "Vergaderruimte 2"
    agenda = "Ondersteuning in de klas; afspraken."
    status = MeetingStatus.SCHEDULED

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            status=MeetingStatus.HELD,
        )


class PrivacyNoticeFactory(DjangoModelFactory[PrivacyNotice]):
    class Meta:
        model = PrivacyNotice

    case = factory.SubFactory(CaseFactory)
    version = factory.Sequence(lambda n: n + 1)
    content = factory.LazyFunction(dict)
    generated_by = factory.SelfAttribute("case.coordinator")


class InvitationFactory(DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory)
    participant = factory.SubFactory(
        ParticipantFactory, case=factory.SelfAttribute("..meeting.case")
    )
    notice = factory.SubFactory(PrivacyNoticeFactory, case=factory.SelfAttribute("..meeting.case"))
    method = InvitationMethod.REQUEST
    sequence = factory.SelfAttribute("meeting.sequence")
    status = DeliveryStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)


class MinutesFactory(DjangoModelFactory[Minutes]):
    class Meta:
        model = Minutes

    meeting = factory.SubFactory(MeetingFactory, past=True)


class MinutesEntryFactory(DjangoModelFactory[MinutesEntry]):
    class Meta:
        model = MinutesEntry

    minutes = factory.SubFactory(MinutesFactory)
    kind = EntryKind.FACT
    text = "De leerling is sinds september vaker afwezig."
    owner = factory.SelfAttribute("minutes.meeting.case.organisation")
    author = factory.SelfAttribute("minutes.meeting.case.coordinator")


class ActionItemFactory(DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    minutes = factory.SubFactory(MinutesFactory)
    description = "Gesprek met de mentor plannen."
    assignee = factory.SubFactory(
        ParticipantFactory, case=factory.SelfAttribute("..minutes.meeting.case")
    )
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class CaseDocumentFactory(DjangoModelFactory[CaseDocument]):
    class Meta:
        model = CaseDocument

    case = factory.SubFactory(CaseFactory)
    kind = DocumentKind.MINUTES
    requested_by = factory.SelfAttribute("case.coordinator")
    status = DocumentStatus.PENDING

    class Params:
        ready = factory.Trait(
            status=DocumentStatus.READY,
            file=factory.django.FileField(filename="verslag.pdf", data=b"%PDF-1.7 test"),
        )


class SharedItemFactory(DjangoModelFactory[SharedItem]):
    """An item as `services.shared_item_add` would store it; the defaults are a school's
    ordinary education data on the school's own basis, for every participant."""

    class Meta:
        model = SharedItem

    case = factory.SubFactory(CaseFactory)
    category = factory.LazyFunction(lambda: DataCategory.objects.get(code="C2"))
    legal_basis = factory.LazyFunction(lambda: LegalBasis.objects.get(code="school-ordinary"))
    data_class = factory.LazyAttribute(lambda o: o.legal_basis.data_class)
    kind = EntryKind.FACT
    text = "Leesniveau groep 5; heeft extra instructie nodig bij begrijpend lezen."
    owner = factory.LazyAttribute(lambda o: o.author.professional.organisation)
    owner_capacity = factory.LazyAttribute(lambda o: o.author.professional.capacity)
    author = factory.SubFactory(UserFactory)
    audience_all = True

    class Params:
        health = factory.Trait(
            category=factory.LazyFunction(lambda: DataCategory.objects.get(code="C4")),
            legal_basis=factory.LazyFunction(lambda: LegalBasis.objects.get(code="school-health")),
            text="Sociaal-emotioneel: faalangst bij toetsen, in overleg met ouders besproken.",
        )
