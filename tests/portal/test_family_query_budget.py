"""Query budgets of the portal's family pages (STYLE §4.8): each page reads in a fixed, small
number of queries (session, user, second factor, the selector's reads and the access event).
The lists' growth tests sit with their pages; this pins the level, so an N+1 shows at once."""

from django.urls import reverse

import pytest

from .family import client_for

pytestmark = pytest.mark.django_db

# (who, URL name, kwargs from the world, query string, budget)
PAGES = [
    ("parent", "portal:home", lambda w: {}, "", 25),
    ("parent", "portal:youth_shared", lambda w: {"youth": w.youth.uuid}, "", 16),
    ("parent", "portal:youth_access_log", lambda w: {"youth": w.youth.uuid}, "", 17),
    ("parent", "portal:consent_list", lambda w: {"youth": w.youth.uuid}, "", 19),
    ("parent", "portal:consent_detail", lambda w: {"uuid": w.consent.uuid}, "", 19),
    ("parent", "portal:consent_decide", lambda w: {"uuid": w.consent.uuid}, "?action=withdraw", 19),
    ("parent", "portal:request_list", lambda w: {"youth": w.youth.uuid}, "", 15),
    ("parent", "portal:request_create", lambda w: {"youth": w.youth.uuid}, "", 17),
    ("parent", "portal:request_detail", lambda w: {"uuid": w.rights_request.uuid}, "", 15),
    ("youth", "portal:parent_access", lambda w: {}, "", 15),
]


@pytest.mark.parametrize(("who", "name", "kwargs", "query", "budget"), PAGES)
def test_page_stays_within_its_query_budget(
    world, django_assert_max_num_queries, who, name, kwargs, query, budget
):
    """STYLE §4.8, R-10-2: a fixed number of queries per page, the access event included."""
    client = client_for(world, who)
    url = reverse(name, kwargs=kwargs(world)) + query
    assert client.get(url).status_code == 200  # warm the session
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200
