"""The FG's signals and charts: each signal finds what it should and nothing else, only in the
FG's own organisation and period; the pages are FG-only, logged and bounded in queries."""

import re
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

import pytest
import time_machine

from audit.choices import ACTION_KIND, Action, Outcome
from audit.models import AccessEvent
from audit.services import record
from audit.signal_queries import (
    SIGNALS,
    access_after_participation_ended,
    day_bounds,
    denied_attempts,
    events_per_day,
    exports_of_special_data,
    last_days,
    many_youths_in_a_day,
    outside_working_hours,
)
from parties.choices import Role
from tests.factories.casusoverleg import CaseFactory, SharedItemFactory
from tests.factories.parties import ProfessionalFactory, UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
MARCH = day_bounds(date(2025, 3, 1), date(2025, 3, 31))
JUNE = day_bounds(date(2025, 6, 1), date(2025, 6, 30))


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in 2025, Amsterdam time."""
    return datetime(2025, month, day, hour, minute, tzinfo=AMS)


def event(when: datetime, **kwargs) -> AccessEvent:
    """An access event written as the services write it, at `when`."""
    with time_machine.travel(when, tick=False):
        return record(**kwargs)


@pytest.fixture
def fg(world):
    """The FG of the municipality (the world's privacy officer)."""
    return world.users["privacy_officer"]


@pytest.fixture
def school_fg(world):
    """An FG of the school: another organisation than `fg`."""
    user = UserFactory(username="school_fg", role=Role.PRIVACY_OFFICER)
    ProfessionalFactory(user=user, organisation=world.school, capacity="")
    return user


def fg_client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


# --- 1. Access after the participation ended ------------------------------------------------


def test_access_after_leaving_the_case_with_the_real_services(world, fg):
    """R-10-2, invariant 1: the professional accepts (grant added), is removed by the
    procesregisseur (grant revoked, seat left) and afterwards still reads the case: that read
    is the signal; the reads while they took part are not."""
    from casusoverleg import services
    from casusoverleg.choices import CaseStatus

    case = world.case
    case.status = CaseStatus.SCHEDULED  # invitations can be answered until the meeting
    case.save(update_fields=["status"])
    pro = world.users["invited_professional"]  # municipality, invited to the case
    seat = world.participants["invited_professional"]

    def read(when):
        return event(when, actor=pro, action=Action.CASE_VIEWED, target=case, case_uuid=case.uuid)

    with time_machine.travel(at(3, 3, 9), tick=False):
        services.participant_respond(actor=pro, participant=seat, accept=True)
    while_in = read(at(3, 3, 10))
    with time_machine.travel(at(3, 4, 9), tick=False):
        services.participant_remove(actor=world.users["case_coordinator"], participant=seat)
    after = read(at(3, 4, 10))
    assert AccessEvent.objects.filter(action=Action.GRANT_REVOKED, case_uuid=case.uuid).exists()
    found = list(access_after_participation_ended(fg, *MARCH))
    assert found == [after]
    assert while_in not in found


def test_access_after_the_grant_was_revoked_or_expired(world, fg, school_fg):
    """R-10-2, R-DPIA-3, invariant 1: allowed events on a case by someone whose grant to it was
    revoked or expired, until a new grant, are found; denied events, events while the grant
    held, and colleagues who never had a grant are not; another organisation's FG sees none."""
    case = world.case
    pro = world.users["invited_professional"]  # municipality, a seat at the case
    seat = world.participants["invited_professional"]
    coordinator = world.users["case_coordinator"]  # school

    def grant(action, when, actor=coordinator, target=seat):
        event(
            when, actor=actor, action=action, target=target, youth=case.youth, case_uuid=case.uuid
        )

    def look(when, actor=pro, outcome=Outcome.ALLOWED, case_uuid=case.uuid):
        return event(
            when,
            actor=actor,
            action=Action.CASE_VIEWED,
            target=case,
            youth=case.youth,
            case_uuid=case_uuid,
            outcome=outcome,
        )

    # What the services leave behind when access ends: the seat left, the case expired.
    seat.left_at = at(3, 4, 9)
    seat.save(update_fields=["left_at"])
    school_seat = world.participants["involved_professional"]
    school_seat.left_at = at(3, 7, 9)
    school_seat.save(update_fields=["left_at"])
    case.access_expired_at = at(3, 6, 3)
    case.save(update_fields=["access_expired_at"])

    grant(Action.GRANT_ADDED, at(3, 3, 9))
    while_granted = look(at(3, 3, 10))
    grant(Action.GRANT_REVOKED, at(3, 4, 9))
    after_revoke = look(at(3, 4, 10))
    denied = look(at(3, 4, 11), outcome=Outcome.DENIED)
    other_case = look(at(3, 4, 12), case_uuid=uuid.uuid4())
    never_granted = look(at(3, 4, 13), actor=world.users["leerplicht"])
    grant(Action.GRANT_ADDED, at(3, 5, 9))
    granted_again = look(at(3, 5, 10))
    # The nightly expiry has no actor and names the user when the seat is unknown.
    grant(Action.GRANT_EXPIRED, at(3, 6, 3), actor=None, target=pro)
    after_expiry = look(at(3, 6, 10))
    # The school's own professional after their revoke: the school's FG sees it, ours not.
    grant(Action.GRANT_REVOKED, at(3, 7, 9), target=school_seat)
    school_after = look(at(3, 7, 10), actor=world.users["involved_professional"])

    found = set(access_after_participation_ended(fg, *MARCH))
    assert found == {after_revoke, after_expiry}
    assert not found & {while_granted, denied, other_case, never_granted, granted_again}
    assert set(access_after_participation_ended(school_fg, *MARCH)) == {school_after}


def test_access_after_an_end_before_the_period_counts(world, fg):
    """R-10-2: a grant revoked long before the period still makes a later access a signal; an
    access outside the period is not shown."""
    case = world.case
    pro = world.users["invited_professional"]
    seat = world.participants["invited_professional"]
    seat.left_at = at(1, 10)
    seat.save(update_fields=["left_at"])
    event(
        at(1, 10),
        actor=world.users["case_coordinator"],
        action=Action.GRANT_REVOKED,
        target=seat,
        case_uuid=case.uuid,
    )
    kwargs = {"actor": pro, "action": Action.CASE_VIEWED, "target": case, "case_uuid": case.uuid}
    in_march = event(at(3, 20), **kwargs)
    event(at(4, 2), **kwargs)
    assert list(access_after_participation_ended(fg, *MARCH)) == [in_march]


def test_access_after_participation_ended_uses_a_bounded_number_of_queries(
    world, fg, django_assert_max_num_queries
):
    """Issue 5 (10 million events): pairs, ended cases (two), grants, seats, users, events:
    seven queries however many windows there are."""
    case = world.case
    seat = world.participants["invited_professional"]
    seat.left_at = at(3, 19, 9)
    seat.save(update_fields=["left_at"])
    for day in range(3, 20):
        event(
            at(3, day, 9),
            actor=world.users["case_coordinator"],
            action=Action.GRANT_REVOKED if day % 2 else Action.GRANT_ADDED,
            target=seat,
            case_uuid=case.uuid,
        )
        event(
            at(3, day, 10),
            actor=world.users["invited_professional"],
            action=Action.CASE_VIEWED,
            case_uuid=case.uuid,
        )
    with django_assert_max_num_queries(7):
        found = list(access_after_participation_ended(fg, *MARCH))
    assert len(found) == 9  # the odd days: revoked that morning


def test_access_after_participation_ended_tests_every_window_in_batches(world, fg, monkeypatch):
    """Issue 5, R-10-2: more windows than one query tests are tested in batches; none is left
    out (before, only the most recent windows were looked at, silently)."""
    from audit import signal_queries

    monkeypatch.setattr(signal_queries, "WINDOW_BATCH", 2)
    case = world.case
    seat = world.participants["invited_professional"]
    seat.left_at = at(3, 19, 9)
    seat.save(update_fields=["left_at"])
    for day in range(3, 20):
        event(
            at(3, day, 9),
            actor=world.users["case_coordinator"],
            action=Action.GRANT_REVOKED if day % 2 else Action.GRANT_ADDED,
            target=seat,
            case_uuid=case.uuid,
        )
        event(
            at(3, day, 10),
            actor=world.users["invited_professional"],
            action=Action.CASE_VIEWED,
            case_uuid=case.uuid,
        )
    found = list(access_after_participation_ended(fg, *MARCH))
    assert [e.occurred_at for e in found] == [at(3, day, 10) for day in range(19, 2, -2)]
    # The page pages through all of them, newest first.
    client = fg_client(fg)
    response = client.get(
        reverse("audit:signal_detail", kwargs={"slug": "toegang-na-einde-deelname"}),
        {"since": "2025-03-01", "until": "2025-03-31"},
    )
    assert len(response.context["rows"]) == 9


def test_signal_queries_name_the_values_casusoverleg_stores():
    """Issue 5: audit may not import casusoverleg, so it names two of its stored values; a
    rename there must fail here instead of silently emptying signals 1 and 5."""
    from audit import signal_queries
    from casusoverleg.choices import Response
    from casusoverleg.models import Participant, SharedItem
    from convenant.choices import DataClass

    assert DataClass.SPECIAL_HEALTH.value == signal_queries.SPECIAL_HEALTH
    assert Response.DECLINED.value == signal_queries.DECLINED
    # And the fields the signals read still take those values.
    assert signal_queries.SPECIAL_HEALTH in dict(SharedItem._meta.get_field("data_class").choices)
    assert signal_queries.DECLINED in dict(Participant._meta.get_field("response").choices)


# --- 2. Denied attempts ----------------------------------------------------------------------


def test_denied_attempts_of_the_organisation_in_the_period(world, fg):
    """R-10-2, invariant 1: refusals of the FG's organisation in the period; not allowed
    events, not other organisations' refusals, not refusals outside the period."""
    leerplicht, school_pro = world.users["leerplicht"], world.users["professional"]
    denied = event(at(3, 3), actor=leerplicht, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED)
    event(at(3, 3), actor=leerplicht, action=Action.CASE_VIEWED)
    event(at(3, 3), actor=school_pro, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED)
    event(at(4, 1), actor=leerplicht, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED)
    assert list(denied_attempts(fg, *MARCH)) == [denied]


# --- 3. Many different youths in a day -------------------------------------------------------


def test_many_youths_in_one_local_day(world, fg, settings):
    """R-10-2: per employee and local (Amsterdam) day, the number of different youths viewed or
    listed; shown from the threshold in settings. Repeat views of one youth, changes and
    other days do not add up; just after midnight belongs to the new local day."""
    settings.AUDIT_SIGNAL_MANY_YOUTHS = 3
    pro, other = world.users["leerplicht"], world.users["invited_professional"]
    youths = [uuid.uuid4() for _ in range(4)]

    # 00:30 local on 4 March is 3 March in UTC: it must count for the 4th.
    _with_youth(at(3, 4, 0, 30), pro, Action.YOUTH_VIEWED, youths[0])
    _with_youth(at(3, 4, 0, 40), pro, Action.CASE_VIEWED, youths[1])
    _with_youth(at(3, 4, 14), pro, Action.YOUTH_LISTED, youths[2])
    _with_youth(at(3, 4, 15), pro, Action.YOUTH_VIEWED, youths[2])  # the same youth again
    # 23:30 local on 3 March: another day, and only two youths that day.
    _with_youth(at(3, 3, 23, 30), pro, Action.YOUTH_VIEWED, youths[3])
    _with_youth(at(3, 3, 22, 0), pro, Action.YOUTH_VIEWED, youths[0])
    # Another employee with three youths, but one of them was a change, not a look.
    _with_youth(at(3, 4, 10), other, Action.YOUTH_VIEWED, youths[0])
    _with_youth(at(3, 4, 11), other, Action.YOUTH_VIEWED, youths[1])
    _with_youth(at(3, 4, 12), other, Action.CASE_UPDATED, youths[2])

    rows = list(many_youths_in_a_day(fg, *MARCH))
    assert rows == [
        {
            "actor_id": pro.pk,
            "day": date(2025, 3, 4),
            "youths": 3,
            "events": 4,
            "actor_name": pro.get_full_name(),
            "actor_uuid": pro.uuid,
        }
    ]
    settings.AUDIT_SIGNAL_MANY_YOUTHS = 4
    assert list(many_youths_in_a_day(fg, *MARCH)) == []


def _with_youth(when, actor, action, youth_uuid) -> AccessEvent:
    """An event about a youth known only by uuid (the signal counts uuids)."""
    return event(when, actor=actor, action=action, youth=SimpleNamespace(uuid=youth_uuid))


# --- 4. Outside working hours ----------------------------------------------------------------


def test_outside_working_hours_in_local_time(world, fg, settings):
    """R-10-2: allowed access to a youth's data by a procesregisseur or professional before 7,
    from 19 or at the weekend, in Amsterdam time (summer time here: UTC+2). Not: inside the
    hours, denied, other roles, events about no youth or case."""
    pro = world.users["leerplicht"]
    youth = world.youth

    def look(when, actor=pro, outcome=Outcome.ALLOWED, about=youth):
        return event(when, actor=actor, action=Action.YOUTH_VIEWED, youth=about, outcome=outcome)

    early = look(at(6, 2, 6, 59))  # Monday
    look(at(6, 2, 7, 0))
    look(at(6, 2, 7, 30))  # 05:30 UTC: inside the hours in local time
    look(at(6, 2, 18, 59))
    late = look(at(6, 2, 19, 0))
    saturday = look(at(6, 7, 12))
    look(at(6, 2, 22), outcome=Outcome.DENIED)
    look(at(6, 2, 22), actor=fg)  # the FG's own work is not this signal
    event(at(6, 2, 22), actor=pro, action=Action.LOGIN)  # no youth, no case
    look(at(6, 2, 22), actor=world.users["professional"])  # the school: another organisation

    assert set(outside_working_hours(fg, *JUNE)) == {early, late, saturday}
    settings.AUDIT_WORKING_HOURS = (8, 17)
    assert len(outside_working_hours(fg, *JUNE)) == 6  # 07:00, 07:30 and 18:59 count too


# --- 5. Exports of special data --------------------------------------------------------------


def test_exports_of_cases_that_held_health_data(world, fg):
    """R-6-1, R-10-2, issue 5: exports, prints and downloads of a case in which health data had
    been shared by then are found; a document made before the health item existed, a case
    without health data, a mere view, an export that names no case and the FG's own exports of
    the log (audit.*) are not: those would tell the FG where health data was shared."""
    pro = world.users["leerplicht"]
    assert world.shared["health"].data_class == "special_health"
    now = datetime.now(AMS)
    period = (now - timedelta(days=1), now + timedelta(days=1))

    def export(case, action=Action.DOCUMENT_DOWNLOADED, youth=None):
        return record(
            actor=pro,
            action=action,
            target=case,
            youth=youth or case.youth,
            case_uuid=case.uuid if case else None,
        )

    health_case = world.case
    downloaded = export(health_case)
    generated = export(health_case, Action.DOCUMENT_GENERATED)
    record(actor=pro, action=Action.CASE_VIEWED, target=health_case, case_uuid=health_case.uuid)
    ordinary_case = CaseFactory(organisation=world.school, covenant=world.covenant)
    SharedItemFactory(case=ordinary_case, author=world.users["involved_professional"])
    export(ordinary_case)
    later_case = CaseFactory(organisation=world.school, covenant=world.covenant)
    before_health = export(later_case)
    SharedItemFactory(case=later_case, author=world.users["involved_professional"], health=True)
    after_health = export(later_case)
    # No case named: the youth's other cases are not looked at.
    without_case = record(actor=pro, action=Action.DOCUMENT_DOWNLOADED, youth=world.youth)
    # The FG's own export of the log, filtered on the youth or even the case: never counted.
    fg_export = record(actor=fg, action=Action.AUDIT_EXPORTED, youth=world.youth)
    fg_case_export = record(
        actor=fg, action=Action.AUDIT_EXPORTED, youth=world.youth, case_uuid=health_case.uuid
    )

    found = set(exports_of_special_data(fg, *period))
    assert found == {downloaded, generated, after_health}
    assert not found & {before_health, without_case, fg_export, fg_case_export}
    # Another organisation's FG sees none of the municipality's exports.
    school_fg = UserFactory(role=Role.PRIVACY_OFFICER)
    ProfessionalFactory(user=school_fg, organisation=world.school, capacity="")
    assert not exports_of_special_data(school_fg, *period).exists()


# --- The pages --------------------------------------------------------------------------------


def test_signal_list_shows_every_signal_with_its_count_and_is_logged(
    world, fg, django_assert_max_num_queries
):
    """Issue 5, R-DPIA-3: five signals with their explanation and last week's count; the visit
    is an access event of the FG's own."""
    for _ in range(3):
        record(actor=world.users["leerplicht"], action=Action.ACCESS_DENIED, outcome=Outcome.DENIED)
    client = fg_client(fg)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("audit:signals"))
    assert response.status_code == 200
    body = response.content.decode()
    for signal in SIGNALS.values():
        assert str(signal.title) in body
        assert reverse("audit:signal_detail", kwargs={"slug": signal.slug}) in body
    counts = {item["signal"].slug: item["count"] for item in response.context["signals"]}
    assert counts["geweigerd"] == 3
    assert AccessEvent.objects.filter(
        actor=fg, action=Action.ACCESS_LOG_VIEWED, reason="signals"
    ).exists()


@pytest.mark.parametrize("slug", list(SIGNALS))
def test_each_signal_page_opens_and_is_logged(world, fg, slug, django_assert_max_num_queries):
    """Issue 5, R-DPIA-3: every signal page answers for a period and logs which signal."""
    client = fg_client(fg)
    with django_assert_max_num_queries(16):
        response = client.get(
            reverse("audit:signal_detail", kwargs={"slug": slug}),
            {"since": "2025-03-01", "until": "2025-03-31"},
        )
    assert response.status_code == 200
    assert AccessEvent.objects.filter(
        actor=fg, action=Action.ACCESS_LOG_VIEWED, reason=f"signal {slug}"
    ).exists()


def test_signal_page_shows_metadata_only(world, fg):
    """R-DPIA-3: the youth appears as a pseudonym, never by name or birth date."""
    record(
        actor=world.users["leerplicht"],
        action=Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        youth=world.youth,
        case_uuid=world.case.uuid,
    )
    response = fg_client(fg).get(reverse("audit:signal_detail", kwargs={"slug": "geweigerd"}))
    body = response.content.decode()
    assert f"J-{world.youth.uuid.hex[:8].upper()}" in body
    for text in world.pii():
        assert text not in body


def test_unknown_signal_is_404_and_logged(world, fg):
    """Invariant 1: an unknown signal answers 404 and the refusal is logged."""
    response = fg_client(fg).get(reverse("audit:signal_detail", kwargs={"slug": "bestaat-niet"}))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        actor=fg, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED
    ).exists()


@pytest.mark.parametrize("name", ["audit:signals", "audit:charts"])
@pytest.mark.parametrize("who", ["coordinator", "professional", "administrator", "parent"])
def test_signals_and_charts_are_for_the_fg_only(world, name, who):
    """R-DPIA-3, invariant 1: other roles get 403, and the refusal is logged."""
    user = world.users[who]
    response = fg_client(user).get(reverse(name))
    assert response.status_code == 403
    assert AccessEvent.objects.filter(actor=user, outcome=Outcome.DENIED).exists()
    assert not AccessEvent.objects.filter(actor=user, action=Action.ACCESS_LOG_VIEWED).exists()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "2025-03-10", "until": "2025-03-01"}, "until", "op of na de eerste dag"),
        ({"since": "2025-01-01", "until": "2025-06-30"}, "since", "maximaal 92 dagen"),
        ({"since": "2025-03-01", "until": "morgen"}, "until", ""),
        (
            {"since": "2025-03-01", "until": "2999-01-01"},
            "until",
            "vandaag of een dag vóór vandaag",
        ),
    ],
)
def test_a_bad_period_is_refused_at_the_field(world, fg, params, field, message):
    """Invariant 9: a bad period gets a message at its field, and nothing is searched."""
    response = fg_client(fg).get(
        reverse("audit:signal_detail", kwargs={"slug": "geweigerd"}), params
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert response.context["rows"] == []
    assert 'aria-invalid="true"' in response.content.decode()


def test_signal_events_are_paged_by_keyset(world, fg, django_assert_max_num_queries):
    """Issue 5: 50 events a page, newest first; "older" continues exactly after the last one
    (no OFFSET): no event twice, none skipped."""
    with time_machine.travel(at(3, 10), tick=False):
        made = [
            record(
                actor=world.users["leerplicht"],
                action=Action.ACCESS_DENIED,
                outcome=Outcome.DENIED,
            )
            for _ in range(60)
        ]  # all at the same moment: only the id tells them apart
    client = fg_client(fg)
    url = reverse("audit:signal_detail", kwargs={"slug": "geweigerd"})
    first = client.get(url, {"since": "2025-03-01", "until": "2025-03-31"})
    page_one = [row[0] for row in first.context["rows"]]
    assert len(page_one) == 50
    assert first.context["next_url"]
    with django_assert_max_num_queries(12):
        second = client.get(url + first.context["next_url"])
    page_two = [row[0] for row in second.context["rows"]]
    assert not second.context["next_url"]
    assert [e.pk for e in page_one + page_two] == sorted((e.pk for e in made), reverse=True)


# --- Charts -------------------------------------------------------------------------------------


def _rendered_table(body: str, table_id: str) -> dict[str, list[int]]:
    """day (ISO) → numbers of one row of a rendered table."""
    table = body.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in table.split("<tr")[1:]:
        day = re.search(r'datetime="(\d{4}-\d\d-\d\d)"', row)
        if day:
            rows[day.group(1)] = [int(n) for n in re.findall(r"--numeric\">(\d+)</td>", row)]
    return rows


def test_chart_numbers_equal_the_table_and_the_database(world, fg):
    """Issue 5: the SVG bars, the table beside them and a COUNT in the database agree, per day,
    allowed and denied and per kind; day boundaries are local; other organisations not."""
    client = fg_client(fg)  # logging in is an event of today too
    today = last_days(1)[1]
    local = [
        (today - timedelta(days=2), 0, 20, Action.YOUTH_VIEWED, Outcome.ALLOWED),
        (today - timedelta(days=2), 0, 30, Action.ACCESS_DENIED, Outcome.DENIED),
        (today - timedelta(days=2), 23, 50, Action.DOCUMENT_DOWNLOADED, Outcome.ALLOWED),
        (today - timedelta(days=9), 12, 0, Action.LOGIN, Outcome.ALLOWED),
        (today - timedelta(days=29), 8, 0, Action.CASE_UPDATED, Outcome.ALLOWED),
        (today - timedelta(days=30), 8, 0, Action.CASE_UPDATED, Outcome.ALLOWED),  # too old
    ]
    for day, hour, minute, action, outcome in local:
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)
        event(moment, actor=world.users["leerplicht"], action=action, outcome=outcome)
        event(moment, actor=world.users["professional"], action=action, outcome=outcome)
    since, until = last_days(30)
    start, end = day_bounds(since, until)
    expected: Counter = Counter()
    kinds: Counter = Counter()
    for e in AccessEvent.objects.filter(
        organisation=world.municipality, occurred_at__gte=start, occurred_at__lt=end
    ):
        day = e.occurred_at.astimezone(AMS).date().isoformat()
        expected[(day, e.outcome)] += 1
        kinds[(day, ACTION_KIND[e.action])] += 1
    assert sum(expected.values()) == 6  # five made here, and the login

    response = client.get(reverse("audit:charts"))
    assert response.status_code == 200
    body = response.content.decode()
    chart = response.context["outcome_chart"]
    drawn = {(b.day.isoformat(), b.series): b.value for b in chart.bars}
    table = _rendered_table(body, "outcome-table")
    assert len(table) == 30
    for day, (allowed, denied, total) in table.items():
        assert allowed == expected[(day, "allowed")] == drawn.get((day, "allowed"), 0)
        assert denied == expected[(day, "denied")] == drawn.get((day, "denied"), 0)
        assert total == allowed + denied
    kind_table = _rendered_table(body, "kind-table")
    labels = [k["slug"] for k in response.context["kinds"]]
    assert labels == ["view", "update", "download", "login", "access_denied"]
    assert response.context["totals"]["total"] == 6
    for k in response.context["kinds"]:
        bars = {b.day.isoformat(): b.value for b in k["chart"].bars}
        column = labels.index(k["slug"])
        for day, numbers in kind_table.items():
            assert numbers[column] == kinds[(day, k["slug"])] == bars.get(day, 0)
    # Every bar is drawn, and the two swatches of the legend.
    assert body.count('<rect class="co-chart__bar ') == 2 + len(chart.bars) + sum(
        len(k["chart"].bars) for k in response.context["kinds"]
    )


def test_charts_have_a_text_alternative(world, fg):
    """Issue 5, WCAG 1.1.1: every chart is an SVG image named by its <title> and described by
    its <desc>, with no script on the page."""
    client = fg_client(fg)
    event(datetime.now(AMS), actor=world.users["leerplicht"], action=Action.YOUTH_VIEWED)
    body = client.get(reverse("audit:charts")).content.decode()
    svgs = re.findall(r"<svg class=\"co-chart [^>]*>", body)
    assert len(svgs) == 3  # allowed/denied, and the two kinds (view, and the FG's login)
    for svg in svgs:
        assert 'role="img"' in svg
        title_id, desc_id = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert re.search(rf'<title id="{title_id}">[^<]+</title>', body)
        desc = re.search(rf'<desc id="{desc_id}">([^<]+)</desc>', body).group(1)
        assert re.search(r"\d+ in totaal", desc), desc
    assert "<script>" not in body.split("</head>", 1)[1]
    assert ' style="' not in body


def test_chart_page_is_logged_and_bounded(world, fg, django_assert_max_num_queries):
    """Issue 5, R-DPIA-3: one GROUP BY for both charts whatever the number of events; the
    visit is logged."""
    for hour in range(5):
        event(
            datetime.now(AMS) - timedelta(days=hour, hours=1),
            actor=world.users["leerplicht"],
            action=Action.YOUTH_VIEWED,
        )
    client = fg_client(fg)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit:charts"))
    assert response.status_code == 200
    assert AccessEvent.objects.filter(
        actor=fg, action=Action.ACCESS_LOG_VIEWED, reason="charts"
    ).exists()


def test_events_per_day_reads_only_the_fg_organisation(world, fg):
    """R-DPIA-3: the counts hold the FG's organisation only, and nothing for anyone else."""
    event(datetime.now(AMS), actor=world.users["professional"], action=Action.YOUTH_VIEWED)
    since, until = last_days(30)
    assert sum(events_per_day(fg, since, until).totals) == 0
    coordinator_counts = events_per_day(world.users["coordinator"], since, until)
    assert sum(coordinator_counts.totals) == 0
