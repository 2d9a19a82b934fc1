"""The agenda (casusoverleg:calendar): list, week and month views of the user's meetings.

Issue 3 item 3. The agenda shows only meetings of cases the user sees now (invariant 1), logs each
youth shown (invariant 2), puts every meeting on its Dutch calendar day and keeps its query count
flat however many meetings there are.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
import time_machine

from audit.models import AccessEvent
from casusoverleg.choices import MeetingStatus
from tests.factories.casusoverleg import CaseFactory, MeetingFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
URL = reverse("casusoverleg:calendar")
INVOLVED = ["case_coordinator", "involved_professional"]
# Professionals and coordinators without a grant on world.case; the invited one has not accepted.
UNINVOLVED = ["professional", "coordinator", "youth_care", "leerplicht", "invited_professional"]
DAY_LABEL = re.compile(r'datetime="(\d{4}-\d{2}-\d{2})"')


def _at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall-clock time in the Netherlands."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def _agenda(client, user, **params: str) -> str:
    """The agenda page as `user` sees it; fails unless it answers 200."""
    login_verified(client, user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _day(body: str, day: str, *, required: bool = True) -> str:
    """The part of the page that belongs to `day` (YYYY-MM-DD): from its label to the next day's.

    Each view labels a day with <time datetime="YYYY-MM-DD">; meetings carry full timestamps, so
    they never match the date-only pattern.
    """
    labels = list(DAY_LABEL.finditer(body))
    for index, label in enumerate(labels):
        if label.group(1) == day:
            end = labels[index + 1].start() if index + 1 < len(labels) else len(body)
            return body[label.start() : end]
    if required:
        raise AssertionError(f"the page has no day {day}")
    return ""


def _case_url(case) -> str:
    """The link every meeting of `case` carries: the case page."""
    return reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})


@pytest.mark.parametrize("who", INVOLVED)
@pytest.mark.parametrize(
    ("view", "anchor"),
    [("maand", "2026-10-01"), ("week", "2026-10-12"), ("lijst", "2026-10-01")],
)
def test_meeting_shows_on_its_day_for_those_involved(client, world, who, view, anchor):
    """Issue 3 item 3, R-7-2: the procesregisseur and an involved professional find the meeting
    on its own day, with time, type, youth and a link to the case, in every view."""
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 14, 10, 0))

    body = _agenda(client, world.users[who], weergave=view, datum=anchor)

    cell = _day(body, "2026-10-14")
    assert "10:00" in cell
    assert str(world.case.consultation_type) in cell
    assert str(world.youth) in cell
    assert _case_url(world.case) in cell
    if view != "lijst":  # the list shows only days with meetings
        assert str(world.youth) not in _day(body, "2026-10-13")
        assert str(world.youth) not in _day(body, "2026-10-15")


@pytest.mark.parametrize("who", UNINVOLVED)
@pytest.mark.parametrize("view", ["maand", "week", "lijst"])
def test_the_uninvolved_see_no_meeting_and_no_youth(client, world, who, view):
    """R-7-2, invariant 1: a professional not directly involved (or only invited, not yet
    accepted) sees none of the case's meetings and not the youth's name, and nothing is logged."""
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 14, 10, 0))

    body = _agenda(client, world.users[who], weergave=view, datum="2026-10-12")

    assert _case_url(world.case) not in body
    assert [text for text in world.pii() if text in body] == []
    assert not AccessEvent.objects.filter(action="case.listed", actor=world.users[who]).exists()


def test_cancelled_meeting_is_struck_through_and_says_so(client, world):
    """Issue 3 item 3 (WCAG 1.4.1): a cancelled meeting stays in the agenda, struck through and
    named cancelled in words, not by colour alone."""
    MeetingFactory(
        case=world.case, starts_at=_at(2026, 10, 14, 9, 30), status=MeetingStatus.CANCELLED
    )

    for view in ("maand", "week", "lijst"):
        body = _agenda(client, world.users["case_coordinator"], weergave=view, datum="2026-10-12")
        cell = _day(body, "2026-10-14")
        assert "co-cal__meeting--cancelled" in cell
        assert re.search(r"<s>.*09:30.*</s>", cell, re.DOTALL), view
        assert str(MeetingStatus.CANCELLED.label) in cell, view


@pytest.mark.parametrize("view", ["maand", "week", "lijst"])
def test_times_are_dutch_time_across_the_change_to_winter_time(client, world, view):
    """Issue 3 item 3: on 25 October 2026 (summer time ends at 03:00) a 10:00 meeting shows at
    10:00, and one at 00:30 Dutch time (22:30 UTC the day before) on its Dutch day."""
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 25, 10, 0))
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 25, 0, 30))

    body = _agenda(client, world.users["case_coordinator"], weergave=view, datum="2026-10-19")

    sunday = _day(body, "2026-10-25")
    assert "10:00" in sunday
    assert "09:00" not in sunday
    assert "00:30" in sunday
    assert "00:30" not in _day(body, "2026-10-24", required=False)
    assert sunday.index("00:30") < sunday.index("10:00")


@pytest.mark.parametrize(
    "datum", ["2026-13-45", "gisteren", "2026-1-5", "0001-01-01", "9999-12-31", "", "२०२६-१०-१४"]
)
@pytest.mark.parametrize("view", ["maand", "week", "lijst", "jaar"])
def test_an_unreadable_date_shows_today(client, world, view, datum):
    """Invariant 9: a bad `datum` or `weergave` gets the agenda from today, never an error."""
    body = _agenda(client, world.users["case_coordinator"], weergave=view, datum=datum)

    assert '<h1 class="utrecht-heading-1">' in body


def test_today_is_marked_in_every_view(client, world):
    """Issue 3 item 3: today is marked for assistive technology (aria-current="date")."""
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 14, 15, 0))
    with time_machine.travel(_at(2026, 10, 14, 12, 0), tick=False):
        for view in ("maand", "week", "lijst"):
            body = _agenda(client, world.users["case_coordinator"], weergave=view)
            assert body.count('aria-current="date"') == 1, view
            today = r'aria-current="date">\s*(<h3[^>]*>)?\s*<time[^>]*datetime="2026-10-14"'
            assert re.search(today, body), view


@pytest.mark.parametrize(
    ("view", "anchor", "previous", "following"),
    [
        ("maand", "2026-01-31", "2025-12-01", "2026-02-01"),
        ("maand", "2026-12-15", "2026-11-01", "2027-01-01"),
        ("week", "2026-12-31", "2026-12-21", "2027-01-04"),
        ("lijst", "2026-10-01", "2026-08-06", "2026-11-26"),
    ],
)
def test_previous_and_next_period_links(client, world, view, anchor, previous, following):
    """Issue 3 item 3: previous/next links move by a month, an ISO week or the 8-week list."""
    body = _agenda(client, world.users["case_coordinator"], weergave=view, datum=anchor)

    assert f"weergave={view}&amp;datum={previous}" in body
    assert f"weergave={view}&amp;datum={following}" in body


def test_the_view_switcher_marks_the_current_view(client, world):
    """Issue 3 item 3: the view switcher is links, the current one with aria-current; the
    main menu leads to the agenda."""
    body = _agenda(client, world.users["involved_professional"], weergave="week")

    assert re.search(r'weergave=week[^"]*" aria-current="page"', body)
    assert not re.search(r'weergave=maand[^"]*" aria-current="page"', body)
    assert f'href="{URL}" aria-current="page"' in body


def test_list_is_the_default_view_and_shows_eight_weeks(client, world):
    """Issue 3 item 3: without parameters the agenda is the list of the coming 8 weeks."""
    MeetingFactory(case=world.case, starts_at=_at(2026, 12, 1, 10, 0))
    MeetingFactory(case=world.case, starts_at=_at(2027, 1, 20, 11, 0))
    MeetingFactory(case=world.case, starts_at=_at(2027, 1, 30, 12, 0))
    with time_machine.travel(_at(2026, 11, 28, 12, 0), tick=False):
        body = _agenda(client, world.users["case_coordinator"])

    assert 'datetime="2026-12-01"' in body
    assert 'datetime="2027-01-20"' in body
    # 56 days from 28 November end on 22 January: a meeting after that is on the next page.
    assert 'datetime="2027-01-30"' not in body


def test_each_youth_shown_is_logged_once(client, world):
    """R-10-2, invariant 2: the agenda writes one 'case.listed' event per case shown, naming
    its youth, for the user who looked."""
    coordinator = world.users["case_coordinator"]
    other_case = CaseFactory(
        youth=world.other_youth,
        covenant=world.covenant,
        coordinator=coordinator,
        organisation=world.school,
    )
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 14, 10, 0))
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 15, 10, 0))
    MeetingFactory(case=other_case, starts_at=_at(2026, 10, 16, 10, 0))

    _agenda(client, coordinator, weergave="week", datum="2026-10-12")

    events = AccessEvent.objects.filter(action="case.listed", actor=coordinator)
    assert sorted(str(e.youth_uuid) for e in events) == sorted(
        [str(world.youth.uuid), str(world.other_youth.uuid)]
    )


def _queries(client, **params: str) -> int:
    """How many queries one agenda request makes (the client is already logged in)."""
    with CaptureQueriesContext(connection) as captured:
        client.get(URL, params)
    return len(captured)


@pytest.mark.parametrize("view", ["maand", "week", "lijst"])
def test_query_count_does_not_grow_with_meetings(
    client, world, view, django_assert_max_num_queries
):
    """STYLE §4.8: the agenda's queries do not grow with its meetings (no N+1)."""
    user = world.users["case_coordinator"]
    login_verified(client, user)
    params = {"weergave": view, "datum": "2026-10-12"}
    MeetingFactory(case=world.case, starts_at=_at(2026, 10, 14, 10, 0))
    client.get(URL, params)  # warm up session and caches
    one = _queries(client, **params)

    for day in range(12, 19):
        MeetingFactory(case=world.case, starts_at=_at(2026, 10, day, 9, 0))
        MeetingFactory(case=world.case, starts_at=_at(2026, 10, day, 14, 0))
    with django_assert_max_num_queries(15):
        response = client.get(URL, params)
    # 15 meetings in each period (the list also reaches world.meeting, yesterday).
    assert response.content.decode().count(_case_url(world.case)) >= 15
    assert _queries(client, **params) == one


@pytest.mark.parametrize(
    "who", ["parent", "youth", "parent_without_authority", "privacy_officer", "administrator"]
)
def test_the_agenda_is_not_for_families_or_staff_roles(client, world, who):
    """R-7-2: the agenda is a workplace page; parents, youths, the FG and the beheerder get 403
    (a role page reveals no object) and the refusal is logged."""
    login_verified(client, world.users[who])

    response = client.get(URL)

    assert response.status_code == 403
    assert AccessEvent.objects.filter(action="access.denied", actor=world.users[who]).exists()
    assert not AccessEvent.objects.filter(action="case.listed", actor=world.users[who]).exists()
