"""The FG reviews events: one event in full, append-only reviews that are logged, and a random
sample that is drawn again identically from its uuid."""

import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
import time_machine

from audit import signal_queries
from audit.choices import Action, ActionKind, Finding, Outcome, actions_of_kind
from audit.context import RequestContext, current
from audit.models import AccessEvent, EventReview
from audit.services import event_review_add, record
from audit.signal_queries import day_bounds, previous_month, sample_events, sample_ids
from parties.choices import Role
from tests.factories.parties import ProfessionalFactory, UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def fg(world):
    return world.users["privacy_officer"]


@pytest.fixture
def school_fg(world):
    user = UserFactory(username="school_fg", role=Role.PRIVACY_OFFICER)
    ProfessionalFactory(user=user, organisation=world.school, capacity="")
    return user


@pytest.fixture
def own_event(world):
    """An event of the FG's organisation (the municipality) about the world's youth."""
    with_request = current.set(RequestContext(request_id="req-1", path="/casussen/x/"))
    try:
        event = record(
            actor=world.users["leerplicht"],
            action=Action.CASE_VIEWED,
            target=world.case,
            youth=world.youth,
            case_uuid=world.case.uuid,
            purpose="zorg",
        )
        record(actor=world.users["leerplicht"], action=Action.YOUTH_LISTED, youth=world.youth)
    finally:
        current.reset(with_request)
    return event


@pytest.fixture
def other_event(world):
    """An event of another organisation (the school)."""
    return record(actor=world.users["professional"], action=Action.CASE_VIEWED, youth=world.youth)


def client_for(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def detail_url(event) -> str:
    return reverse("audit:event_detail", kwargs={"event_id": event.event_id})


# --- The service ------------------------------------------------------------------------------


def test_a_review_is_added_and_logged_in_one_transaction(world, fg, own_event):
    """Issue 5, R-10-2: the review is stored with reviewer, finding and note, and the FG's
    review is itself an access event naming the reviewed event."""
    review = event_review_add(
        actor=fg, event=own_event, finding=Finding.ASK, note=" Waarom 's nachts? "
    )
    assert (review.reviewer, review.finding, review.note) == (fg, Finding.ASK, "Waarom 's nachts?")
    logged = AccessEvent.objects.get(action=Action.AUDIT_REVIEWED)
    assert logged.actor == fg
    assert logged.organisation == world.municipality
    assert (logged.object_type, logged.object_id) == ("audit.accessevent", str(own_event.pk))


def test_reviews_are_appended_and_the_newest_counts(world, fg, own_event):
    """Issue 5, invariant 3: a second look adds a review; the first one stays as it was."""
    first = event_review_add(actor=fg, event=own_event, finding=Finding.ASK, note="Navragen.")
    second = event_review_add(actor=fg, event=own_event, finding=Finding.IN_ORDER)
    assert list(own_event.reviews.order_by("-reviewed_at", "-id")) == [second, first]
    first.refresh_from_db()
    assert first.finding == Finding.ASK
    assert AccessEvent.objects.filter(action=Action.AUDIT_REVIEWED).count() == 2


@pytest.mark.postgres
def test_a_review_cannot_be_changed_afterwards(world, fg, own_event):
    """Invariant 3: even through the ORM, the database refuses to change or delete a review."""
    from django.db import transaction
    from django.db.utils import DatabaseError

    review = event_review_add(actor=fg, event=own_event, finding=Finding.ASK, note="Navragen.")
    review.finding = Finding.IN_ORDER
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        review.save()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        review.delete()


@pytest.mark.parametrize("who", ["school_fg", "coordinator", "leerplicht", "administrator"])
def test_only_an_fg_of_the_event_organisation_may_review(world, own_event, school_fg, who):
    """R-DPIA-3: another organisation's FG and non-FGs are refused; nothing is written."""
    actor = school_fg if who == "school_fg" else world.users[who]
    before = AccessEvent.objects.count()
    with pytest.raises(PermissionDenied):
        event_review_add(actor=actor, event=own_event, finding=Finding.IN_ORDER)
    assert not EventReview.objects.exists()
    assert AccessEvent.objects.count() == before


def test_a_bad_finding_is_refused_and_nothing_is_written(world, fg, own_event):
    """Invariant 9: an unknown finding or a note of more than 500 characters is refused
    whole: no review, no event."""
    before = AccessEvent.objects.count()
    with pytest.raises(ValidationError):
        event_review_add(actor=fg, event=own_event, finding="maybe")
    with pytest.raises(ValidationError):
        event_review_add(actor=fg, event=own_event, finding=Finding.ASK, note="x" * 501)
    assert not EventReview.objects.exists()
    assert AccessEvent.objects.count() == before


# --- The event page ---------------------------------------------------------------------------


def test_event_page_shows_all_metadata_but_no_personal_data(
    world, fg, own_event, django_assert_max_num_queries
):
    """Issue 5, R-DPIA-3, R-10-2: every field of the event, the other events of its request
    and the earlier reviews; the youth and case as pseudonyms, never names or content; the
    visit is logged naming the event."""
    event_review_add(actor=fg, event=own_event, finding=Finding.IN_ORDER, note="Klopt.")
    client = client_for(fg)
    with django_assert_max_num_queries(14):
        response = client.get(detail_url(own_event))
    assert response.status_code == 200
    body = response.content.decode()
    for value in (
        str(own_event.event_id),
        "req-1",
        "/casussen/x/",
        "zorg",
        own_event.actor_name,
        world.municipality.name,
        f"J-{world.youth.uuid.hex[:8].upper()}",
        f"C-{world.case.uuid.hex[:8].upper()}",
        "Klopt.",
    ):
        assert value in body
    assert [e.action for e, _ in response.context["related"]] == [Action.YOUTH_LISTED]
    for text in world.pii():
        assert text not in body
    assert AccessEvent.objects.filter(
        actor=fg,
        action=Action.ACCESS_LOG_VIEWED,
        object_type="audit.accessevent",
        object_id=str(own_event.pk),
    ).exists()


def test_another_organisations_event_is_404_and_the_attempt_logged(world, fg, other_event):
    """Invariant 1, R-DPIA-3: the FG cannot tell another organisation's event from none; the
    attempt is one denied event naming what was asked for."""
    client = client_for(fg)
    for event_id in (other_event.event_id, uuid.uuid4()):
        response = client.get(reverse("audit:event_detail", kwargs={"event_id": event_id}))
        assert response.status_code == 404
        denial = AccessEvent.objects.get(
            actor=fg, outcome=Outcome.DENIED, reason__contains=event_id
        )
        assert denial.action == Action.ACCESS_DENIED
    # One denial per request: the view's own, not a second one from the middleware.
    assert AccessEvent.objects.filter(actor=fg, outcome=Outcome.DENIED).count() == 2
    assert not AccessEvent.objects.filter(actor=fg, action=Action.ACCESS_LOG_VIEWED).exists()
    response = client.post(
        reverse("audit:event_detail", kwargs={"event_id": other_event.event_id}),
        {"finding": Finding.IN_ORDER},
    )
    assert response.status_code == 404
    assert not EventReview.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "leerplicht", "administrator", "parent"])
def test_event_page_is_for_the_fg_only(world, own_event, who):
    """R-DPIA-3: other roles get 403 and the refusal is logged; they cannot post a review."""
    client = client_for(world.users[who])
    assert client.get(detail_url(own_event)).status_code == 403
    assert client.post(detail_url(own_event), {"finding": "in_order"}).status_code == 403
    assert not EventReview.objects.exists()
    assert AccessEvent.objects.filter(actor=world.users[who], outcome=Outcome.DENIED).count() == 2


def test_review_in_the_browser_flow(world, fg, own_event):
    """Issue 5: post a finding, get redirected (PRG) with a success message; the review and
    its log event exist."""
    client = client_for(fg)
    response = client.post(
        detail_url(own_event), {"finding": Finding.INCIDENT, "note": "Geen reden gevonden."}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(own_event)
    page = client.get(response["Location"])
    assert "Geen reden gevonden." in page.content.decode()
    assert [str(m) for m in page.context["messages"]]
    review = EventReview.objects.get()
    assert (review.finding, review.sample) == (Finding.INCIDENT, None)
    assert AccessEvent.objects.filter(actor=fg, action=Action.AUDIT_REVIEWED).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "finding"),
        ({"finding": "maybe"}, "finding"),
        ({"finding": Finding.ASK, "note": ""}, "note"),
        ({"finding": Finding.INCIDENT, "note": "x" * 501}, "note"),
        ({"finding": Finding.IN_ORDER, "note": "Zie BSN 111222333."}, "note"),
    ],
)
def test_bad_review_input_is_refused_at_the_field(world, fg, own_event, data, field):
    """Invariant 9, R-5-3: the message stands at the field, nothing is saved or logged as a
    review, and the page (which shows the event again) is logged as a view."""
    response = client_for(fg).post(detail_url(own_event), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not EventReview.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.AUDIT_REVIEWED).exists()


# --- Samples ----------------------------------------------------------------------------------


def _at(day, minute: int) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=9, tzinfo=AMS) + timedelta(
        minutes=minute
    )


@pytest.fixture
def last_month(world):
    """Events last month: 40 of the municipality interleaved with 40 of the school (so the
    municipality's ids are spread over a range twice as wide), and 5 downloads."""
    since, _until = previous_month()
    made: dict[str, list[AccessEvent]] = {"own": [], "other": [], "downloads": []}
    for i in range(40):
        with time_machine.travel(_at(since + timedelta(days=i % 20), i), tick=False):
            made["own"].append(record(actor=world.users["leerplicht"], action=Action.CASE_VIEWED))
            made["other"].append(
                record(actor=world.users["professional"], action=Action.CASE_VIEWED)
            )
    for i in range(5):
        with time_machine.travel(_at(since + timedelta(days=i), 50 + i), tick=False):
            made["downloads"].append(
                record(actor=world.users["leerplicht"], action=Action.DOCUMENT_DOWNLOADED)
            )
    return made


def _ids(user, seed, size, kind=""):
    since, until = previous_month()
    return [
        e.pk
        for e in sample_events(user=user, seed=seed, since=since, until=until, kind=kind, size=size)
    ]


@pytest.mark.parametrize(("batch", "probes"), [(4, 60), (4, 4), (5000, 20000)])
def test_a_sample_is_reproducible_and_stays_in_scope(
    world, fg, last_month, monkeypatch, batch, probes
):
    """Issue 5, R-DPIA-3: the same uuid draws the same events, another uuid others; only the
    FG's organisation, the period and the kind; no event twice. Both methods (probing ids,
    and drawing from all ids when probing finds too few) and the small-range path."""
    monkeypatch.setattr(signal_queries, "PROBE_BATCH", batch)
    monkeypatch.setattr(signal_queries, "MAX_PROBES", probes)
    seed = uuid.uuid4()
    first = _ids(fg, seed, 10)
    assert len(first) == len(set(first)) == 10
    assert _ids(fg, seed, 10) == first
    assert any(_ids(fg, uuid.uuid4(), 10) != first for _ in range(5))
    own = {e.pk for e in last_month["own"] + last_month["downloads"]}
    assert set(first) <= own
    downloads = _ids(fg, seed, 10, kind=ActionKind.DOWNLOAD)
    assert set(downloads) == {e.pk for e in last_month["downloads"]}  # fewer than asked: all
    assert _ids(world.users["coordinator"], seed, 10) == []


def test_sampling_never_reads_the_whole_period(world, fg, last_month, monkeypatch):
    """Issue 5 (10 million events): while probing, every query is a short index walk or a
    lookup of drawn ids; none reads all events of the period."""
    monkeypatch.setattr(signal_queries, "PROBE_BATCH", 4)
    since, until = previous_month()
    events = AccessEvent.objects.filter(
        organisation=world.municipality, occurred_at__range=day_bounds(since, until)
    )
    with CaptureQueriesContext(connection) as queries:
        assert len(sample_ids(events, uuid.uuid4(), 5)) == 5
    for query in queries.captured_queries:
        sql = query["sql"]
        assert "LIMIT" in sql or re.search(r'"id" IN \(', sql), sql


def test_sample_is_uniform_enough(world, fg, last_month):
    """Issue 5: over many uuids every event of the period gets drawn, none favoured wildly."""
    counts: dict[int, int] = {}
    for _ in range(200):
        for pk in _ids(fg, uuid.uuid4(), 9):
            counts[pk] = counts.get(pk, 0) + 1
    assert len(counts) == 45  # all 40 views and 5 downloads
    assert max(counts.values()) < 4 * (200 * 9 / 45)


def test_sample_flow_draw_review_and_progress(world, fg, last_month, django_assert_max_num_queries):
    """Issue 5: the FG draws a sample (PRG to its own address), opens an event from it,
    reviews it, returns to the sample and sees "1 van 20"; the same address shows the same
    events; each page view is logged, the review carries the sample's uuid."""
    client = client_for(fg)
    page = client.get(reverse("audit:sample"))
    assert page.status_code == 200
    initial = page.context["form"].initial
    response = client.post(
        reverse("audit:sample"),
        {"since": initial["since"], "until": initial["until"], "kind": "", "size": 20},
    )
    assert response.status_code == 302
    address = response["Location"]
    seed = uuid.UUID(parse_qs(urlparse(address).query)["sample"][0])
    with django_assert_max_num_queries(16):
        sample_page = client.get(address)
    rows = sample_page.context["rows"]
    assert len(rows) == 20
    assert sample_page.context["reviewed"] == 0
    assert [r["event"].pk for r in client.get(address).context["rows"]] == [
        r["event"].pk for r in rows
    ]
    first = rows[0]
    assert f"sample={seed}" in first["url"]
    detail = client.get(first["url"])
    assert detail.status_code == 200
    response = client.post(first["url"], {"finding": Finding.IN_ORDER})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:sample"))
    assert f"sample={seed}" in response["Location"]
    review = EventReview.objects.get()
    assert (review.event_id, review.sample) == (first["event"].pk, seed)
    after = client.get(response["Location"])
    assert after.context["reviewed"] == 1
    assert "1 van 20" in after.content.decode()
    logged = AccessEvent.objects.filter(actor=fg, action=Action.ACCESS_LOG_VIEWED)
    assert logged.filter(reason=f"sample {seed}").count() == 3
    assert logged.filter(reason="sample: form").count() == 1


def test_a_review_outside_the_sample_does_not_count_for_it(world, fg, last_month):
    """Issue 5: progress counts reviews made with this sample's uuid; an earlier review of
    the same event shows, but as earlier."""
    since, until = previous_month()
    seed = uuid.uuid4()
    events = sample_events(user=fg, seed=seed, since=since, until=until, size=5)
    event_review_add(actor=fg, event=events[0], finding=Finding.IN_ORDER)
    event_review_add(actor=fg, event=events[1], finding=Finding.ASK, note="?", sample=seed)
    client = client_for(fg)
    page = client.get(
        reverse("audit:sample"),
        {"sample": seed, "since": since, "until": until, "kind": "", "size": 5},
    )
    assert page.context["reviewed"] == 1
    states = {r["event"].pk: r["state"] for r in page.context["rows"]}
    assert states[events[0].pk].in_sample is None
    assert states[events[0].pk].latest.finding == Finding.IN_ORDER
    assert states[events[1].pk].in_sample.finding == Finding.ASK


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"until": "today"}, "until"),
        ({"size": 101}, "size"),
        ({"size": 0}, "size"),
        ({"since": "until+1"}, "until"),
        ({"kind": "everything"}, "kind"),
    ],
)
def test_bad_sample_input_is_refused_at_the_field(world, fg, change, field):
    """Invariant 9: a period that has not ended, a size outside 1..100, a reversed period or
    an unknown kind get a message at the field; nothing is drawn."""
    since, until = previous_month()
    today = signal_queries.local_today()
    data = {"since": since, "until": until, "kind": "", "size": 20}
    for key, value in change.items():
        data[key] = {"today": today, "until+1": until + timedelta(days=1)}.get(value, value)
    response = client_for(fg).post(reverse("audit:sample"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not response.context["drawn"]


def test_sample_page_is_for_the_fg_only(world):
    """R-DPIA-3: other roles get 403, logged."""
    user = world.users["coordinator"]
    assert client_for(user).get(reverse("audit:sample")).status_code == 403
    assert AccessEvent.objects.filter(actor=user, outcome=Outcome.DENIED).exists()


def test_kinds_used_by_the_sample_form_are_real_kinds():
    """Issue 5: every kind offered to filter a sample has actions."""
    assert all(actions_of_kind(kind) for kind in ActionKind.values)
