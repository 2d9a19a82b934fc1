"""Query counts of the case list with 1 and with 50 cases (issue 4 "Proof", STYLE §4.8).

A professional's case list must cost the same number of queries whatever the number of cases
they take part in: visibility is one semi-join on the grant table, the related rows come with
the list query, and the N access events of a page of N youths are one INSERT. The case page's
count with 1 and 50 shared items is in test_sharing_views.py.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from core.permissions import grant
from tests.factories.casusoverleg import CaseFactory, ParticipantFactory
from tests.factories.parties import YouthFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> list[str]:
    """The SQL of one request, without transaction control statements."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]


def _take_part_in(world, user, n: int) -> None:
    """Give `user` n more cases about other youths, each accepted with its grant."""
    for _ in range(n):
        case = CaseFactory(
            youth=YouthFactory(region=world.covenant.region, school=world.school),
            covenant=world.covenant,
            coordinator=world.users["case_coordinator"],
            organisation=world.school,
        )
        ParticipantFactory(case=case, user=user, organisation=world.school, accepted=True)
        grant(user, "casusoverleg.view_case", case)


@pytest.mark.parametrize("who", ["involved_professional", "case_coordinator"])
def test_case_list_costs_the_same_with_1_and_50_cases(world, who):
    """R-7-2, invariant 1: the workplace's case list of 1 case and of 50 cases costs the same
    number of queries, and shows (and logs) all 50."""
    from audit.models import AccessEvent

    user = world.users[who]
    client = Client()
    login_verified(client, user)
    url = reverse("casusoverleg:dashboard")
    client.get(url)  # warm the session and the content-type cache
    one = _queries(client, url)
    _take_part_in(world, user, 49)
    before = AccessEvent.objects.filter(actor=user, action="case.listed").count()
    fifty = _queries(client, url)

    def reads(queries: list[str]) -> list[str]:
        return [q for q in queries if not q.startswith('INSERT INTO "audit_accessevent"')]

    assert len(reads(fifty)) == len(reads(one)), "\n".join(q[:120] for q in fifty)
    # The access events of a page are one bulk INSERT (SQLite splits it at its limit of 999
    # bound parameters, so 50 rows of 20 columns take two statements there).
    assert len(fifty) - len(reads(fifty)) <= (1 if connection.vendor == "postgresql" else 2)
    listed = AccessEvent.objects.filter(actor=user, action="case.listed").count() - before
    assert listed >= 50  # one access event per youth shown (invariant 2)
