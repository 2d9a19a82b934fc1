"""Audit coverage: every page that shows a youth's data writes an AccessEvent for that youth.

DESIGN invariant 2; issue 2 item 7. The test finds the pages by itself: it requests every URL as
every user of the world, and wherever a youth's personal data appears in the answer, an event
naming that youth must have been written by that very request.
"""

from django.test import Client

import pytest

from audit.models import AccessEvent
from parties.models import Youth
from tests.helpers import login_verified
from tests.urls import routes

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    """The answer's text; a download streams its bytes (a PDF holds no plain-text names)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _identifying(youth: Youth) -> list[str]:
    """What identifies the youth or tells something about them: their name, date of birth,
    their parents' names, and what was shared about them in a case."""
    from casusoverleg.models import SharedItem

    born = youth.date_of_birth
    parents = [g.family_name for g in youth.guardians.all() if g.family_name != youth.family_name]
    shared = list(SharedItem.objects.filter(case__youth=youth).values_list("text", flat=True))
    return [
        youth.given_name + " " + youth.family_name,
        youth.family_name,
        born.strftime("%d-%m-%Y"),
        born.isoformat(),
        *parents,
        *shared,
    ]


def test_every_page_showing_a_youth_logs_it(world):
    """R-10-2, invariant 2: a page that shows a youth's data (name, birth date, parents, what was
    shared) records who saw which youth, in the same request."""
    youths = [(youth, _identifying(youth)) for youth in Youth.objects.all()]
    shown = 0
    missing = []
    for who, user in world.users.items():
        client = login_verified(Client(), user)
        for route in routes(world):
            last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            response = client.get(route.path)
            body = _body(response)
            new = AccessEvent.objects.filter(id__gt=last)
            for youth, identifying in youths:
                if any(text in body for text in identifying):
                    shown += 1
                    if not new.filter(youth_uuid=youth.uuid, actor=user).exists():
                        missing.append((who, str(route), str(youth)))
    assert not missing, f"pages showed a youth without logging it: {missing}"
    # The test must have seen personal data at least once, or it proves nothing.
    assert shown > 0


def test_a_denied_request_writes_no_youth_access_event(world):
    """Saleor rule: a refused request leaves no 'viewed' event behind, only the denial."""
    client = Client()
    login_verified(client, world.users["privacy_officer"])
    response = client.get("/portaal/")
    assert response.status_code == 403
    assert not AccessEvent.objects.filter(action="youth.viewed").exists()
    assert AccessEvent.objects.filter(
        action="access.denied", actor=world.users["privacy_officer"]
    ).exists()
