"""The FG's youth lookup, youth timeline and employee-month view; no youth's name on any page.

Issue 5 ("a timeline per youth and per professional"; "an FG can answer who looked at this
child's data, when and why, in the browser"); DESIGN invariants 1, 2 and 9.
"""

from datetime import UTC, date, datetime

from django.test import Client
from django.urls import reverse

import pytest
import time_machine

from audit import selectors
from audit.choices import Action, Outcome
from audit.models import AccessEvent
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _fg(world) -> Client:
    client = Client()
    login_verified(client, world.users["privacy_officer"])
    return client


def _events(world, count: int, *, who: str = "leerplicht", **kwargs) -> list[AccessEvent]:
    user = world.users[who]
    organisation = kwargs.pop("organisation", user.professional.organisation)
    return AccessEvent.objects.bulk_create(
        AccessEvent(
            action=kwargs.get("action", Action.CASE_VIEWED),
            outcome=kwargs.get("outcome", Outcome.ALLOWED),
            actor=user,
            actor_name=user.get_full_name(),
            actor_role=user.role,
            organisation=organisation,
            organisation_name=organisation.name,
            youth_uuid=kwargs.get("youth_uuid"),
            case_uuid=kwargs.get("case_uuid"),
        )
        for _ in range(count)
    )


def _work(captured) -> list[str]:
    """The page's own queries: without the session (read and renewed on every request, R-10-1)
    and the test transaction's savepoints."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" not in q["sql"]
        and "SAVEPOINT" not in q["sql"]
        # The session's second-factor device (django-otp, every verified request; issue 7).
        and "otp_totp_totpdevice" not in q["sql"]
    ]


def _lookup(client: Client, given: str, family: str, born: str):
    return client.post(
        reverse("audit:youth_lookup"),
        {"given_name": given, "family_name": family, "date_of_birth": born},
    )


# --- Youth lookup -------------------------------------------------------------------------------


def test_youth_lookup_by_post_finds_the_youth_and_redirects_to_the_timeline(world):
    """Issue 5: the FG finds a youth by name and birth date (any case) with a POST, lands on
    the youth's timeline, and the search is logged for that youth without the typed names."""
    _events(world, 2, youth_uuid=world.youth.uuid)
    client = _fg(world)
    response = _lookup(client, "zoë", "VANDERSTEEN", "2012-05-17")
    timeline = reverse("audit:youth_timeline", kwargs={"uuid": world.youth.uuid})
    assert response.status_code == 302
    assert response["Location"] == timeline
    event = AccessEvent.objects.get(action=Action.AUDIT_SEARCHED)
    assert event.youth_uuid == world.youth.uuid
    assert event.reason == "youth lookup: 1 found"
    assert event.path == reverse("audit:youth_lookup")  # no names in the logged path
    for text in world.pii():
        assert text.lower() not in str(vars(event)).lower()
    # Dutch-style dates are accepted too.
    assert _lookup(client, "Zoë", "Vandersteen", "17-05-2012")["Location"] == timeline


def test_youth_lookup_is_a_post_form_and_ignores_names_in_the_url(world):
    """Issue 5: names never travel in a URL: the form posts, and a GET with names looks up
    nothing."""
    _events(world, 1, youth_uuid=world.youth.uuid)
    client = _fg(world)
    page = client.get(reverse("audit:youth_lookup"))
    body = page.content.decode()
    assert 'method="post"' in body
    assert 'autocomplete="off"' in body
    response = client.get(
        reverse("audit:youth_lookup"),
        {"given_name": "Zoë", "family_name": "Vandersteen", "date_of_birth": "2012-05-17"},
    )
    assert response.status_code == 200
    assert not AccessEvent.objects.filter(action=Action.AUDIT_SEARCHED).exists()
    assert response.context["matches"] == []


def test_youth_lookup_without_a_match_is_neutral_and_echoes_nothing(world):
    """Issue 5, invariant 1: no match gives a neutral message; the typed names and date are not
    shown back, and the attempt is logged without a youth."""
    client = _fg(world)
    response = _lookup(client, "Zoë", "Vandersteen", "2012-05-18")
    assert response.status_code == 200
    assert response.context["searched"]
    assert response.context["matches"] == []
    body = response.content.decode()
    for text in ("Zoë", "Vandersteen", "2012-05-18", "18-05-2012"):
        assert text not in body
    event = AccessEvent.objects.get(action=Action.AUDIT_SEARCHED)
    assert event.youth_uuid is None
    assert event.reason == "youth lookup: 0 found"


def test_youth_lookup_finds_only_youths_in_the_organisations_log(world):
    """Invariant 1: a youth only another organisation worked with stays unknown to this FG."""
    _events(world, 3, who="involved_professional", youth_uuid=world.youth.uuid)  # the school
    response = _lookup(_fg(world), "Zoë", "Vandersteen", "2012-05-17")
    assert response.status_code == 200
    assert response.context["matches"] == []
    assert (
        selectors.youth_lookup(world.users["coordinator"], "Zoë", "Vandersteen", date(2012, 5, 17))
        == []
    )


def test_the_fgs_own_workbench_events_do_not_make_a_youth_findable(world):
    """Issue 5, invariant 1: opening a youth's timeline by uuid logs an audit.* event with the
    youth; that must not make a lookup by name and birth date succeed afterwards (an oracle
    that would confirm any youth's name and birth date). Work of the organisation does."""
    client = _fg(world)
    assert client.get(reverse("audit:youth_timeline", args=[world.youth.uuid])).status_code == 200
    assert AccessEvent.objects.filter(
        action=Action.AUDIT_TIMELINE, youth_uuid=world.youth.uuid
    ).exists()
    fg = world.users["privacy_officer"]
    assert selectors.youth_lookup(fg, "Zoë", "Vandersteen", date(2012, 5, 17)) == []
    assert _lookup(client, "Zoë", "Vandersteen", "2012-05-17").context["matches"] == []
    _events(world, 1, youth_uuid=world.youth.uuid)  # leerplicht, the FG's organisation
    assert selectors.youth_lookup(fg, "Zoë", "Vandersteen", date(2012, 5, 17)) == [world.youth.uuid]


def test_youth_lookup_with_a_bad_date_shows_the_message_at_the_field(world):
    """Invariant 9: an impossible date is a message next to the field, not an error page."""
    response = _lookup(_fg(world), "Zoë", "Vandersteen", "31-02-2012")
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors
    assert 'id="id_date_of_birth_error"' in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.AUDIT_SEARCHED).exists()


# --- Youth timeline -----------------------------------------------------------------------------


def test_youth_timeline_shows_the_organisations_events_about_the_youth(world):
    """Issue 5, invariant 1: the youth's timeline holds this organisation's events about the
    youth only, by pseudonym; opening it is an audit.timeline event for that youth."""
    own = _events(world, 3, youth_uuid=world.youth.uuid)
    _events(world, 2, who="involved_professional", youth_uuid=world.youth.uuid)  # the school
    _events(world, 2, youth_uuid=world.other_youth.uuid)
    client = _fg(world)
    response = client.get(reverse("audit:youth_timeline", kwargs={"uuid": world.youth.uuid}))
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"].events] == [e.pk for e in reversed(own)]
    body = response.content.decode()
    assert f"J-{world.youth.uuid.hex[:8].upper()}" in body
    for text in world.pii():
        assert text not in body
    event = AccessEvent.objects.get(action=Action.AUDIT_TIMELINE)
    assert event.youth_uuid == world.youth.uuid
    assert event.actor == world.users["privacy_officer"]
    # The export links carry the youth, so that the slice exported is the one on screen.
    assert f"{reverse('audit:export_csv')}?youth={world.youth.uuid}" in body


def test_youth_timeline_query_count(world, django_assert_max_num_queries):
    """Issue 5, performance: one page of the youth's events (LIMIT page + 1, no COUNT) and the
    page's own event."""
    _events(world, 70, youth_uuid=world.youth.uuid)
    client = _fg(world)
    url = reverse("audit:youth_timeline", kwargs={"uuid": world.youth.uuid})
    client.get(url)
    # +1 since issue 7: django-otp loads the session's second-factor device.
    with django_assert_max_num_queries(10) as captured:
        response = client.get(url)
    assert len(response.context["page"].events) == 50
    work = _work(captured)
    assert len(work) == 3, work  # the user, the page of events, the INSERT of the page's event
    assert "youth_uuid" in work[1]
    assert "LIMIT 51" in work[1]


def test_youth_timeline_pages_by_cursor(world):
    """Issue 5: the youth timeline pages backwards with a cursor, without overlap."""
    _events(world, 55, youth_uuid=world.youth.uuid)
    fg = world.users["privacy_officer"]
    first = selectors.youth_timeline(fg, youth_uuid=world.youth.uuid)
    second = selectors.youth_timeline(fg, youth_uuid=world.youth.uuid, before=first.next_cursor)
    assert len(first.events) == 50
    assert len(second.events) == 5
    assert second.next_cursor is None
    assert not {e.pk for e in first.events} & {e.pk for e in second.events}


# --- Employee-month view ------------------------------------------------------------------------


def test_user_timeline_shows_one_employee_in_one_month(world):
    """Issue 5: the employee-month view holds all events of one employee in one calendar month
    (Dutch time), for this organisation only; opening it is logged with the employee as object."""
    employee = world.users["leerplicht"]
    with time_machine.travel(datetime(2025, 1, 10, 9, 0, tzinfo=UTC)):
        january = _events(world, 3)
    with time_machine.travel(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)):
        first_of_february = _events(world, 1)  # 00:30 on 1 February in Amsterdam
    with time_machine.travel(datetime(2025, 1, 12, 9, 0, tzinfo=UTC)):
        _events(world, 2, who="invited_professional")
        _events(world, 1, organisation=world.school)  # acting for another organisation
    client = _fg(world)
    url = reverse("audit:user_timeline", kwargs={"uuid": employee.uuid})
    response = client.get(url, {"month": "2025-01"})
    assert response.status_code == 200
    assert {e.pk for e in response.context["page"].events} == {e.pk for e in january}
    assert employee.get_full_name() in response.content.decode()
    february = client.get(url, {"month": "2025-02"})
    assert [e.pk for e in february.context["page"].events] == [first_of_february[0].pk]
    event = AccessEvent.objects.filter(action=Action.AUDIT_TIMELINE).order_by("id").first()
    assert event.object_type == "parties.user"
    assert event.object_id == str(employee.uuid)
    assert event.reason == "employee month=2025-01"
    assert event.youth_uuid is None


def test_user_timeline_query_count(world, django_assert_max_num_queries):
    """Issue 5, performance: the employee (one query), one page of events, the page's event."""
    _events(world, 60)
    client = _fg(world)
    url = reverse("audit:user_timeline", kwargs={"uuid": world.users["leerplicht"].uuid})
    client.get(url)
    # +1 since issue 7: django-otp loads the session's second-factor device.
    with django_assert_max_num_queries(11) as captured:
        response = client.get(url)
    assert len(response.context["page"].events) == 50
    assert response.context["page"].next_cursor is not None
    work = _work(captured)
    assert len(work) == 4, work  # the user, the employee, the page of events, the INSERT


@pytest.mark.parametrize("who", ["involved_professional", "parent", "youth", "coordinator"])
def test_user_timeline_of_someone_outside_the_organisation_is_404_and_logged(world, who):
    """Invariant 1: the FG cannot open (and so name) a user of another organisation, a parent
    or a youth; the refusal is logged."""
    client = _fg(world)
    response = client.get(reverse("audit:user_timeline", kwargs={"uuid": world.users[who].uuid}))
    assert response.status_code == 404
    assert world.users[who].last_name not in response.content.decode()
    assert AccessEvent.objects.filter(
        actor=world.users["privacy_officer"], action=Action.ACCESS_DENIED, reason="404"
    ).exists()
    assert not AccessEvent.objects.filter(action=Action.AUDIT_TIMELINE).exists()


def test_former_employee_keeps_a_timeline(world):
    """Issue 5: someone who acted for the organisation before and moved on still has a
    timeline of what they did for it."""
    mover = world.users["coordinator"]  # works for the school now
    _events(world, 2, who="coordinator", organisation=world.municipality)
    response = _fg(world).get(reverse("audit:user_timeline", kwargs={"uuid": mover.uuid}))
    assert response.status_code == 200
    assert len(response.context["page"].events) == 2


def test_user_timeline_with_a_bad_month_shows_the_message(world):
    """Invariant 9: a bad month is a message at the field; this month is shown instead."""
    response = _fg(world).get(
        reverse("audit:user_timeline", kwargs={"uuid": world.users["leerplicht"].uuid}),
        {"month": "2025-13"},
    )
    assert response.status_code == 200
    assert "month" in response.context["month_form"].errors
    assert 'id="id_month_error"' in response.content.decode()


# --- No names -----------------------------------------------------------------------------------


def test_no_youth_name_or_birth_date_on_any_workbench_page(world):
    """Invariant 1 (the FG sees metadata only): with events about the youth in the log, no
    workbench page or export shows the youth's or parents' names, birth date or shared text."""
    _events(world, 3, youth_uuid=world.youth.uuid, case_uuid=world.case.uuid)
    _events(world, 1, youth_uuid=world.youth.uuid, action=Action.ACCESS_DENIED, outcome="denied")
    client = _fg(world)
    youth = str(world.youth.uuid)
    pages = [
        (reverse("audit:dashboard"), {}),
        (reverse("audit:search"), {}),
        (reverse("audit:search"), {"youth": youth}),
        (reverse("audit:search"), {"case": str(world.case.uuid)}),
        (reverse("audit:youth_timeline", kwargs={"uuid": world.youth.uuid}), {}),
        (reverse("audit:user_timeline", kwargs={"uuid": world.users["leerplicht"].uuid}), {}),
        (reverse("audit:youth_lookup"), {}),
        (reverse("audit:seals"), {}),
        (reverse("audit:export_csv"), {"youth": youth}),
    ]
    bodies = [client.get(url, params).content.decode() for url, params in pages]
    found = _lookup(client, "Zoë", "Vandersteen", "2012-05-17")
    bodies.append(client.get(found["Location"]).content.decode())
    bodies.append(_lookup(client, "Zoë", "Vandersteen", "2012-01-01").content.decode())
    for body in bodies:
        for text in world.pii():
            assert text not in body


@pytest.mark.parametrize("month", ["0001-01", "1999-12", "9999-12"])
def test_user_timeline_with_a_month_out_of_range_shows_the_message(world, month):
    """Invariant 9, issue 5: a month the log cannot hold (year 1, year 9999) is a message at
    the field and this month's events, never a 500."""
    url = reverse("audit:user_timeline", args=[world.users["leerplicht"].uuid])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    login_verified(client, world.users["privacy_officer"])
    response = client.get(url, {"month": month})
    assert response.status_code == 200
    assert "month" in response.context["month_form"].errors
    assert "Choose a month from January 2000 up to one year from now." in (
        response.content.decode()
    )
