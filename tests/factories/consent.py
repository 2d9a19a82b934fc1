"""Factories of the consent app. They build rows directly, for fixtures and read-rule tests;
tests of behaviour go through `consent.services`, where the rules live."""

from datetime import timedelta

from django.utils import timezone

import factory
from factory.django import DjangoModelFactory

from consent.choices import ConsentStatus
from consent.models import Consent, IncapacityJudgement

from .casusoverleg import CaseFactory


class ConsentFactory(DjangoModelFactory[Consent]):
    """A consent asked by `agreed_with`'s organisation in `case`; pending unless `given`.

    `categories` and `recipients` are lists of rows, set after creation.
    """

    class Meta:
        model = Consent
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    youth = factory.SelfAttribute("case.youth")
    agreed_with = factory.SelfAttribute("case.coordinator")
    source_organisation = factory.SelfAttribute("agreed_with.professional.organisation")
    purpose = factory.SelfAttribute("case.purpose")
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda o: o.valid_from + timedelta(days=365))
    status = ConsentStatus.PENDING

    class Params:
        given = factory.Trait(
            status=ConsentStatus.VALID, valid_since=factory.LazyFunction(timezone.now)
        )

    @factory.post_generation
    def categories(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def recipients(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.recipients.set(extracted)


class IncapacityJudgementFactory(DjangoModelFactory[IncapacityJudgement]):
    """A judgement in force since a year ago; pass `youth` and `judged_by` (a professional)."""

    class Meta:
        model = IncapacityJudgement

    organisation = factory.SelfAttribute("judged_by.professional.organisation")
    case = None
    reason = "Kan de gevolgen van delen nu niet overzien."
    judged_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
