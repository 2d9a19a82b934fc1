"""What the hostile-input tests need beside the shared world: another region's rows, the
business tables to count, and the strings that must never leak."""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection

# Rows a refused request may still write: the access log records the refusal itself (a denial
# is an event, DESIGN invariant 2), sessions change on every login, and login throttling
# (django-axes) counts failed attempts. Every other table must be untouched by a refusal.
LOG_TABLES = {"audit.AccessEvent", "sessions.Session"}
LOG_APPS = {"axes"}


def business_models() -> list[Any]:
    """Every concrete model whose rows a refused form must leave alone."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label not in LOG_TABLES
        and model._meta.app_label not in LOG_APPS
    ]


def row_counts() -> dict[str, int]:
    """The number of rows of every business table, in one query."""
    models = business_models()
    # Table names from the model registry, quoted by the backend.
    selects = ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)})"  # noqa: S608
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}")
        counts = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, counts, strict=True)}


@dataclass
class Foreign:
    """Rows of another region (a case with a shared item, its youth and parent) whose ids the
    tests post into every field, and whose names must never appear in an answer."""

    ids: list[str]
    names: list[str]


def foreign_region() -> Foreign:
    """Build another region with a case about another youth; return its ids and names."""
    from tests.factories.casusoverleg import CaseFactory, MeetingFactory, SharedItemFactory
    from tests.factories.parties import (
        GuardianFactory,
        OrganisationFactory,
        ProfessionalFactory,
        RegionFactory,
        UserFactory,
        YouthFactory,
    )

    region = RegionFactory(name="Andere regio")
    school = OrganisationFactory(region=region, name="Andere school")
    youth = YouthFactory(region=region, school=school, given_name="Quirijn", family_name="Ypma")
    guardian = GuardianFactory(youth=youth, given_name="Xaviera", family_name="Wolters")
    author = UserFactory(role="professional")
    ProfessionalFactory(user=author, organisation=school)
    case = CaseFactory(youth=youth, organisation=school, coordinator=author, held=True)
    meeting = MeetingFactory(case=case, past=True)
    item = SharedItemFactory(
        case=case, meeting=meeting, author=author, text="Geheim van de andere regio: Quirijn."
    )
    ids = [str(x.uuid) for x in (case, meeting, item, youth, school, region, guardian, author)]
    ids += [str(x.pk) for x in (case, item, youth, school, author)]
    return Foreign(ids=ids, names=["Quirijn", "Ypma", "Xaviera", "Wolters"])
