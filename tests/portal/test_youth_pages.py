"""The portal's pages about one youth (issue 6): what is shared, and who looked at the data.

Who sees them: the youth and a parent with gezag; a parent without gezag and the family of
another youth get a logged 404; a parent of a youth of 16 or older sees the page of their own
child with the explanation and none of the data, unless the youth allows it (R-AGE-5, R-AGE-6).
"""

from django.urls import reverse
from django.utils import timezone

import pytest

from audit.choices import Action
from audit.models import AccessEvent
from audit.services import record
from casusoverleg.models import Case
from tests.factories.casusoverleg import SharedItemFactory

from .family import allow_parent, client_for, set_age

pytestmark = pytest.mark.django_db

YOUTH_PAGES = ["portal:youth_shared", "portal:youth_access_log", "portal:consent_list"]
EDUCATION = "Zoë leest op AVI-niveau E4"


def _url(world, name: str) -> str:
    return reverse(name, kwargs={"youth": world.youth.uuid})


def _looked(world, who: str = "leerplicht"):
    """A professional's look at the youth's case, as the case page records it."""
    return record(
        actor=world.users[who],
        action=Action.CASE_VIEWED,
        target=world.case,
        youth=world.youth,
        case_uuid=world.case.uuid,
        purpose=world.case.purpose.code,
    )


# --- Who sees the pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*YOUTH_PAGES, "portal:request_list", "portal:request_create"])
@pytest.mark.parametrize("who", ["parent_without_authority", "other_parent", "other_youth"])
def test_others_get_a_logged_404(world, name, who):
    """R-1-2, R-7-2, invariant 1: without gezag, or for another family, the youth does not exist
    here; the miss is logged and nothing of the youth is shown."""
    user = world.users[who]
    response = client_for(world, who).get(_url(world, name))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(actor=user, action=Action.ACCESS_DENIED).exists()
    assert not AccessEvent.objects.filter(actor=user, youth_uuid=world.youth.uuid).exists()
    body = response.content.decode()
    assert not [text for text in world.pii() if text in body]


@pytest.mark.parametrize("name", YOUTH_PAGES)
def test_professionals_are_refused_by_role(world, name):
    """Invariant 1: the portal is for parents and youths; a professional gets a logged 403."""
    response = client_for(world, "involved_professional").get(_url(world, name))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_shared_page_shows_each_item_with_its_source_basis_and_readers(world, who):
    """R-8-1, R-2-1, R-4-2, issue 6: category, organisation, basis, readers, date and kind."""
    response = client_for(world, who).get(_url(world, "portal:youth_shared"))
    assert response.status_code == 200
    body = response.content.decode()
    item = world.shared["education"]
    assert f'data-testid="shared-{item.uuid}"' in body
    assert item.text in body
    assert item.category.name in body
    assert item.owner.name in body
    assert item.legal_basis.label in body
    assert "everyone at the table" in body
    assert item.get_kind_display() in body
    event = AccessEvent.objects.get(actor=world.users[who], action=Action.YOUTH_VIEWED)
    assert event.youth_uuid == world.youth.uuid


def test_health_items_are_collapsed(world):
    """R-DPIA-4, R-6-1: a health item's text sits in a closed <details>, as for professionals."""
    body = client_for(world, "parent").get(_url(world, "portal:youth_shared")).content.decode()
    health = world.shared["health"]
    start = body.index(f'data-testid="shared-{health.uuid}"')
    fragment = body[start : body.index("</li>", start)]
    assert "<details" in fragment
    assert fragment.index("<details") < fragment.index(health.text)
    assert "<details open" not in fragment


def test_a_withheld_item_is_not_listed(world):
    """R-6-3: "niet verstrekken": not provided, so not shared; the family does not see it."""
    item = world.shared["education"]
    item.withheld_at = timezone.now()
    item.withheld_by = world.users["involved_professional"]
    item.withheld_reason = "Goed hulpverlenerschap"
    item.save()
    body = client_for(world, "youth").get(_url(world, "portal:youth_shared")).content.decode()
    assert item.text not in body
    assert world.shared["health"].text in body


def test_an_item_on_a_withdrawn_consent_is_listed_as_no_longer_shared(world):
    """Invariant 7: after a withdrawal the family sees the item under 'No longer shared'."""
    from consent.choices import ConsentStatus

    item = SharedItemFactory(
        case=world.case,
        author=world.users["involved_professional"],
        shared_on_consent=True,
        consent=world.consent,
        text="Gedeeld op toestemming.",
    )
    client = client_for(world, "parent")
    page = client.get(_url(world, "portal:youth_shared")).context["page"]
    assert [r.item for r in page.shared if r.item == item] == [item]
    assert page.shared[0].consent_recipients == [world.municipality.name]
    world.consent.status = ConsentStatus.WITHDRAWN
    world.consent.save(update_fields=["status"])
    page = client.get(_url(world, "portal:youth_shared")).context["page"]
    assert item not in [r.item for r in page.shared]
    assert [r.item for r in page.no_longer_shared] == [item]


def test_items_of_another_youths_case_are_not_shown(world):
    """R-7-2: only items about this youth, in the cases the user sees."""
    other_case = Case.objects.get(youth=world.other_youth)
    SharedItemFactory(
        case=other_case, author=world.users["involved_professional"], text="Niet van Zoë."
    )
    body = client_for(world, "parent").get(_url(world, "portal:youth_shared")).content.decode()
    assert "Niet van Zoë." not in body


# --- From 16 the youth decides (R-AGE-5, R-AGE-6) ------------------------------------------------


@pytest.mark.parametrize("name", YOUTH_PAGES)
def test_parent_of_a_sixteen_year_old_sees_the_explanation_and_no_data(world, name):
    """R-AGE-5: from 16, without the youth's permission, the parent's page of their own child
    explains that the youth decides and shows nothing of the data; the look is logged."""
    set_age(world, 16)
    _looked(world)
    response = client_for(world, "parent").get(_url(world, name))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="restricted"' in body
    for item in world.shared.values():
        assert item.text not in body
    assert world.municipality.name not in body  # no consent, no access-log row
    assert 'data-testid="access-log"' not in body
    event = AccessEvent.objects.get(actor=world.users["parent"], action=Action.YOUTH_VIEWED)
    assert "nothing shown" in event.reason


@pytest.mark.parametrize("name", YOUTH_PAGES)
def test_with_the_youths_permission_the_parent_sees_again(world, name):
    """R-AGE-5: the youth (16) allows the parent to look along: the data is shown again."""
    set_age(world, 16)
    allow_parent(world)
    _looked(world)
    body = client_for(world, "parent").get(_url(world, name)).content.decode()
    assert 'data-testid="restricted"' not in body
    # Shared items of the school, the look of leerplicht, the consent for the municipality.
    assert world.shared["education"].text in body or name != "portal:youth_shared"
    assert world.municipality.name in body or name == "portal:youth_shared"


def test_the_youth_of_sixteen_sees_everything(world):
    """SPEC §6: from 16 the youth decides; they see their own data."""
    set_age(world, 16)
    body = client_for(world, "youth").get(_url(world, "portal:youth_shared")).content.decode()
    assert world.shared["education"].text in body
    assert 'data-testid="restricted"' not in body


def test_at_eighteen_the_parent_sees_nothing_by_default(world):
    """R-AGE-6: at 18 parents lose default visibility of the youth's data."""
    set_age(world, 18)
    body = client_for(world, "parent").get(_url(world, "portal:youth_shared")).content.decode()
    assert 'data-testid="restricted"' in body
    assert world.shared["education"].text not in body


# --- Who looked at my data -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_access_log_shows_who_looked_when_and_why(world, who):
    """Issue 6, R-10-2: organisation, role, when, why, what; the look at the log is logged."""
    event = _looked(world)
    response = client_for(world, who).get(_url(world, "portal:youth_access_log"))
    assert response.status_code == 200
    rows = list(response.context["page"].page.object_list)
    mine = [r for r in rows if r["when"] == event.occurred_at]
    assert mine
    assert mine[0]["organisation_name"] == world.municipality.name
    assert mine[0]["action"] == "Viewed a case"
    assert mine[0]["purpose_name"] == world.case.purpose.name
    body = response.content.decode()
    assert world.municipality.name in body
    assert world.case.purpose.name in body
    logged = AccessEvent.objects.get(actor=world.users[who], action=Action.ACCESS_LOG_VIEWED)
    assert logged.youth_uuid == world.youth.uuid


def test_access_log_leaves_out_the_familys_own_looks_and_pages_newest_first(world):
    """Issue 6: the family's own use is no 'someone looked'; long logs come in pages."""
    for _ in range(30):
        _looked(world)
    client = client_for(world, "youth")
    client.get(_url(world, "portal:youth_shared"))  # the youth's own look
    first = client.get(_url(world, "portal:youth_access_log")).context["page"].page
    assert first.paginator.count == 30
    assert len(first.object_list) == 25
    whens = [r["when"] for r in first.object_list]
    assert whens == sorted(whens, reverse=True)
    second = client.get(_url(world, "portal:youth_access_log") + "?pagina=2").context["page"]
    assert len(second.page.object_list) == 5


# --- Home page -----------------------------------------------------------------------------------


def test_home_links_to_the_youths_pages_with_counts(world):
    """Issue 6: per youth the pages and what waits for the user ('1 request open')."""
    body = client_for(world, "parent").get(reverse("portal:home")).content.decode()
    for name in [*YOUTH_PAGES, "portal:request_list"]:
        assert _url(world, name) in body
    assert 'data-testid="requests-open"' in body
    assert "1 request open" in body
    assert 'data-testid="consents-waiting"' not in body  # the world's consent is valid


def test_home_counts_a_consent_waiting_for_the_user(world):
    """Issue 6: a consent asked of the parent shows as '1 consent waits for you'."""
    from consent.services import consent_request
    from convenant.models import DataCategory

    consent_request(
        actor=world.users["case_coordinator"],
        case=world.case,
        categories=[DataCategory.objects.get(code="C2")],
        recipients=[world.municipality],
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate().replace(year=timezone.localdate().year + 1),
    )
    body = client_for(world, "youth").get(reverse("portal:home")).content.decode()
    assert "1 consent waits for you" in body
    assert reverse("portal:parent_access") not in body  # the youth is 14


def test_home_of_a_youth_of_sixteen_links_to_who_may_look_along(world):
    """R-AGE-5: from 16 the youth's home page leads to 'Who may look along?'."""
    set_age(world, 16)
    body = client_for(world, "youth").get(reverse("portal:home")).content.decode()
    assert reverse("portal:parent_access") in body


# --- Query counts --------------------------------------------------------------------------------


def _warm(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", YOUTH_PAGES)
def test_youth_pages_do_not_grow_with_the_data(world, name, django_assert_max_num_queries):
    """STYLE §4.8: the number of queries does not grow with items, consents or log rows."""
    client = client_for(world, "parent")
    url = _url(world, name)
    _warm(client, url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    baseline = len(before)  # now: the next request resets the connection's query log
    for i in range(5):
        SharedItemFactory(
            case=world.case, author=world.users["involved_professional"], text=f"Item {i}"
        )
        _looked(world)
    from consent.services import consent_request
    from convenant.models import DataCategory

    for _ in range(3):
        consent_request(
            actor=world.users["case_coordinator"],
            case=world.case,
            categories=[DataCategory.objects.get(code="C2")],
            recipients=[world.municipality],
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate(),
        )
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert response.status_code == 200


def test_home_query_count_does_not_grow_with_consents(world, django_assert_max_num_queries):
    """STYLE §4.8: the home page's counts cost a fixed number of queries."""
    from consent.services import consent_request
    from convenant.models import DataCategory

    client = client_for(world, "parent")
    home = reverse("portal:home")
    _warm(client, home)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(home)
    baseline = len(before)  # now: the next request resets the connection's query log
    for _ in range(4):
        consent_request(
            actor=world.users["case_coordinator"],
            case=world.case,
            categories=[DataCategory.objects.get(code="C2")],
            recipients=[world.municipality],
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate(),
        )
    with django_assert_max_num_queries(baseline):
        assert "4 consents wait for you" in client.get(home).content.decode()
