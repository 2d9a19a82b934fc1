"""Factories of the audit app."""

import factory
from factory.django import DjangoModelFactory

from audit.choices import Action, Outcome
from audit.models import AccessEvent


class AccessEventFactory(DjangoModelFactory[AccessEvent]):
    class Meta:
        model = AccessEvent

    action = Action.LOGIN
    outcome = Outcome.ALLOWED
    actor_name = factory.Faker("name", locale="nl_NL")
