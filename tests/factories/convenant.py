"""Factories of the convenant app."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from convenant.choices import CovenantPartyStatus, DataClass, EndorsementKind, ResidualRisk
from convenant.models import Covenant, CovenantParty, DPIAEndorsement, DPIARecord, LegalBasis
from parties.choices import Capacity, PartyType, Role

from .parties import OrganisationFactory, RegionFactory, UserFactory


class CovenantFactory(DjangoModelFactory[Covenant]):
    class Meta:
        model = Covenant

    region = factory.SubFactory(RegionFactory)
    title = "Privacyconvenant"
    version = factory.Sequence(lambda n: f"1.{n}")
    effective_from = date(2026, 1, 1)


class CovenantPartyFactory(DjangoModelFactory[CovenantParty]):
    class Meta:
        model = CovenantParty

    covenant = factory.SubFactory(CovenantFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, region=factory.SelfAttribute("..covenant.region")
    )
    status = CovenantPartyStatus.SIGNATORY
    joined_on = date(2026, 1, 1)
    privacy_officer_name = "F. G. Functionaris"
    privacy_officer_email = "fg@example.org"


class LegalBasisFactory(DjangoModelFactory[LegalBasis]):
    class Meta:
        model = LegalBasis

    code = factory.Sequence(lambda n: f"basis-{n}")
    label = "Testgrondslag"
    party_type = PartyType.SCHOOL_BOARD
    capacity = Capacity.EDUCATION
    data_class = DataClass.ORDINARY
    avg_article = "6(1)(e)"
    statute_reference = "WPO art. 40"


# --- Covenant governance (issue 7) ----------------------------------------------------------


class DPIARecordFactory(DjangoModelFactory[DPIARecord]):
    """A DPIA with the FG's advice; pass `controllers=[...]` (R-DPIA-1)."""

    class Meta:
        model = DPIARecord
        skip_postgeneration_save = True

    region = factory.SubFactory(RegionFactory)
    performed_on = date(2025, 11, 15)
    version = factory.Sequence(lambda n: f"DPIA-{n}")
    fg_advice_on = date(2025, 12, 1)
    fg_advice_summary = "Positief advies met maatregelen."
    residual_risk = ResidualRisk.LOW
    prior_consultation = False
    recorded_by = factory.SubFactory(UserFactory, role=Role.PRIVACY_OFFICER)

    @factory.post_generation
    def controllers(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.controllers.set(extracted)


class DPIAEndorsementFactory(DjangoModelFactory[DPIAEndorsement]):
    class Meta:
        model = DPIAEndorsement

    dpia = factory.SubFactory(DPIARecordFactory)
    organisation = factory.SubFactory(
        OrganisationFactory, region=factory.SelfAttribute("..dpia.region")
    )
    kind = EndorsementKind.ADOPTED
    reference = factory.Sequence(lambda n: f"Besluit {n}")
    endorsed_on = date(2025, 12, 15)
