"""The authorization matrix: every URL, as anonymous and as every role without involvement.

DESIGN invariant 1; issue 2 item 7. No answer may contain the youth's personal data; anonymous
users are sent to the login page except on the public URLs; nothing answers with a server error.
"""

from django.test import Client

import pytest

from tests.helpers import login_verified
from tests.urls import PUBLIC, all_url_names, routes

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "anonymous",
    "coordinator",
    "professional",
    "youth_care",
    "leerplicht",
    "privacy_officer",
    "administrator",
    "parent_without_authority",
    "other_parent",
    "other_youth",
    # Invited to the case but has not accepted: sees the invitation, never the youth.
    "invited_professional",
    # Involved in another case, about another youth.
    "other_case_coordinator",
    "other_case_professional",
    # Took part in the case, which was closed; their access expired (issue 4).
    "former_participant",
]


def _former_participant(world):
    """The accepted participant of the world's case, after the case closed and their access
    expired: the beat job ran CASE_ACCESS_DAYS_AFTER_CLOSE days after closing."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from casusoverleg import services
    from core.permissions import revoke

    case = world.case
    case.status = "afgesloten"
    case.closed_at = timezone.now() - timedelta(days=settings.CASE_ACCESS_DAYS_AFTER_CLOSE + 1)
    case.save(update_fields=["status", "closed_at"])
    assert services.case_access_expire() >= 1
    user = world.users["involved_professional"]
    # Their involvement with the youth ended with the case.
    revoke(user, "parties.view_youth", world.youth)
    return user


def _user(world, who: str):
    if who == "former_participant":
        return _former_participant(world)
    return world.users[who]


def _client(world, who: str, user=None) -> Client:
    client = Client()
    if who != "anonymous":
        login_verified(client, user or _user(world, who))
    return client


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


# Pages where an uninvolved user legitimately sees a youth's name, each with its reason. The
# audit coverage test still demands an access event for every youth they show.
OWN_ORGANISATION_DATA = {
    # A school's procesregisseur chooses among the school's own pupils when opening a case: the
    # school holds these pupils' data already (its own pupil file); no case data is shown.
    ("coordinator", "casusoverleg:case_create"),
    ("other_case_coordinator", "casusoverleg:case_create"),
}


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_url_shows_the_youth_to_an_outsider(world, who, method):
    """R-7-2, R-1-2, R-DPIA-3: no URL shows a youth's data to anyone not involved (GET, POST)."""
    leaks = []
    user = None if who == "anonymous" else _user(world, who)
    for route in routes(world):
        client = _client(world, who, user)
        response = getattr(client, method)(route.path)
        assert response.status_code < 500, f"{route} answered {response.status_code} to {who}"
        if (who, route.name) in OWN_ORGANISATION_DATA:
            continue
        body = _body(response)
        leaks += [(str(route), text) for text in world.pii() if text in body]
    assert not leaks, f"{who} saw personal data: {leaks}"


def test_anonymous_is_sent_to_login_everywhere_but_public_urls(world):
    """LoginRequiredMiddleware: every non-public URL redirects an anonymous user to login."""
    for route in routes(world):
        response = Client().get(route.path)
        if route.name in PUBLIC:
            assert response.status_code in (200, 302, 405), route
        else:
            assert response.status_code == 302, route
            assert response.url.startswith("/inloggen/"), route


def test_public_urls_are_exactly_these():
    """The allow-list of URLs reachable without login is pinned; growing it needs a review."""
    names = {name for name, _ in all_url_names()}
    assert {"login", "health", "set_language"} <= names
    from django.urls import get_resolver

    from tests.urls import _patterns

    # Every pattern's view, those with arguments too (the portal's invitation link is public).
    open_views = set()
    for name, pattern in _patterns(get_resolver().url_patterns):
        func = pattern.callback
        if (
            getattr(func, "login_required", True) is False
            or getattr(getattr(func, "view_class", None), "login_required", True) is False
        ):
            open_views.add(name)
    assert open_views == PUBLIC


ROLE_PAGES = {
    "casusoverleg:dashboard": {
        "coordinator",
        "professional",
        "youth_care",
        "leerplicht",
        "invited_professional",
        "other_case_coordinator",
        "other_case_professional",
        "former_participant",
    },
    "portal:home": {"parent_without_authority", "other_parent", "other_youth"},
    "audit:dashboard": {"privacy_officer"},
    "audit:search": {"privacy_officer"},
    "audit:signals": {"privacy_officer"},
    "audit:charts": {"privacy_officer"},
    "audit:sample": {"privacy_officer"},
    "audit:seals": {"privacy_officer"},
    "convenant:overview": {"administrator"},
    # Rights requests of the organisation: its procesregisseurs and FGs (issue 6, R-RIGHTS-1).
    "casusoverleg:request_list": {"coordinator", "privacy_officer", "other_case_coordinator"},
    # Issue 7 (decl): the declaration for professionals; figures and register for beheerder
    # and FG (R-11-1, R-20-1, R-15-2).
    "casusoverleg:declaration": {
        "coordinator",
        "professional",
        "youth_care",
        "leerplicht",
        "invited_professional",
        "other_case_coordinator",
        "other_case_professional",
        "former_participant",
    },
    "dashboard:overview": {"privacy_officer", "administrator"},
    "dashboard:export_csv": {"privacy_officer", "administrator"},
    "dashboard:register_list": {"privacy_officer", "administrator"},
    # Breaches (issue 7): every professional, procesregisseur, FG and beheerder reports and sees
    # their own reports or their party's register; parents and youths do not (R-BREACH-6).
    "incidents:incident_report": {
        "coordinator",
        "professional",
        "youth_care",
        "leerplicht",
        "privacy_officer",
        "administrator",
        "invited_professional",
        "other_case_coordinator",
        "other_case_professional",
        "former_participant",
    },
}
ROLE_PAGES["incidents:incident_list"] = ROLE_PAGES["incidents:incident_report"]


@pytest.mark.parametrize(("url_name", "allowed"), ROLE_PAGES.items())
def test_role_pages_answer_403_to_other_roles_and_log_it(world, url_name, allowed):
    """Invariant 1: a forbidden page answers 403 and the denial is written to the access log."""
    from django.urls import reverse

    from audit.models import AccessEvent

    for who in OUTSIDERS[1:]:
        user = _user(world, who)
        before = AccessEvent.objects.filter(action="access.denied", actor=user).count()
        response = _client(world, who, user).get(reverse(url_name))
        if who in allowed:
            assert response.status_code == 200, (url_name, who)
        else:
            assert response.status_code == 403, (url_name, who)
            after = AccessEvent.objects.filter(action="access.denied", actor=user).count()
            assert after == before + 1, (url_name, who)


def _data_of_the_youth(world) -> list[str]:
    """What is shared about the youth, the minutes and who looked at it: the data a parent of a
    youth of 16 or older reads only with the youth's permission (the names of the organisations
    at the table and of their own child are not among it: the case page shows those)."""
    from casusoverleg.models import MinutesEntry

    texts = [item.text for item in world.shared.values()]
    texts += list(
        MinutesEntry.objects.filter(minutes__meeting__case=world.case).values_list(
            "text", flat=True
        )
    )
    # The "who looked" list and the receipts are recognised by their markup.
    return [*texts, 'data-testid="access-log"', "application/pdf"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_parent_of_a_16_year_old_sees_nothing_without_the_youths_permission(world, method):
    """R-AGE-5, R-AGE-6, issue 6: on every portal URL a parent with gezag of a youth who is now
    16 reads none of what is shared about the youth and nothing of who looked, until the youth
    allows it; with the permission the same pages show it."""
    from datetime import date

    from django.utils import timezone

    from consent.services import parent_access_give

    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 16, today.month, 1)
    world.youth.save()
    parent = world.users["parent"]
    portal = [route for route in routes(world) if route.name.startswith("portal:")]
    assert len(portal) > 10
    leaks = []
    for route in portal:
        response = getattr(_client(world, "parent", parent), method)(route.path)
        assert response.status_code < 500, route
        body = _body(response) + response.get("Content-Type", "")
        leaks += [(str(route), t) for t in _data_of_the_youth(world) if t in body]
    assert not leaks, f"the parent of a 16-year-old saw: {leaks}"
    parent_access_give(actor=world.users["youth"], guardian=world.guardian)
    shared = _client(world, "parent", parent).get(f"/portaal/jongeren/{world.youth.uuid}/gedeeld/")
    assert world.shared["education"].text in _body(shared)
