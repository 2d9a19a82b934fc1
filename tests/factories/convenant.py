"""Factories of the convenant app."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from convenant.choices import CovenantPartyStatus, DataClass
from convenant.models import Covenant, CovenantParty, LegalBasis
from parties.choices import Capacity, PartyType

from .parties import OrganisationFactory, RegionFactory


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
