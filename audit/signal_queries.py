"""The FG's saved queries: the five signals, the chart counts, the review sample (issue 5).

Every query starts from `audit.selectors.access_event_list(user=...)`, so it sees only the
events of the FG's own organisation, and every query is bounded by a period: on a log of ten
million events nothing here scans or sorts the whole table. The period walks the
`accessevent_org_time` index (or `accessevent_org_denied` for denials).

`audit` sits below `casusoverleg` (DESIGN layers): the two signals that need case facts (who
took part, which case holds health data) reach its models by name through `apps.get_model`,
never by import, and only read them to decide which of the organisation's events to show.
"""

import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parties.choices import Role
from parties.models import User

from .choices import ACTION_KIND, Action, ActionKind, Outcome, actions_of_kind
from .models import AccessEvent, EventReview
from .selectors import access_event_list

# A count on the overview stops here: "more than 999" says enough, and the count stays cheap.
COUNT_CAP = 1000
# The rows one signal page shows at a time (events: keyset pages; day rows: the first ones).
PAGE_SIZE = 50
# Signal 1 turns each ended participation into a time window. One query tests at most this
# many windows (keeps its OR list within SQLite's expression depth); more windows are tested
# in batches of this size, so that none is left out.
WINDOW_BATCH = 400
# With several batches, the signal keeps the ids of at most this many of the newest events
# found (each one should not exist at all; ten thousand means a fault, not a review list).
MAX_HITS = 10_000
# The case's grant events: access starts with `grant.added`, ends with revoked or expired.
GRANT_START = (Action.GRANT_ADDED,)
GRANT_END = (Action.GRANT_REVOKED, Action.GRANT_EXPIRED)
# Roles whose access to a youth's data the working-hours signal looks at.
CASE_WORKER_ROLES = (Role.COORDINATOR, Role.PROFESSIONAL)
# Values casusoverleg stores, named here because audit may not import it (DESIGN layers): the
# data class of health (special) data (convenant.choices.DataClass.SPECIAL_HEALTH) and a
# participant's "does not attend" (casusoverleg.choices.Response.DECLINED).
SPECIAL_HEALTH = "special_health"
DECLINED = "declined"


# --- Periods ----------------------------------------------------------------------------------


def local_zone() -> Any:
    """The zone the FG thinks in (settings.TIME_ZONE, Europe/Amsterdam): days start there."""
    return timezone.get_default_timezone()


def day_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """[start of `since`, start of the day after `until`) in local time, as aware datetimes."""
    zone = local_zone()
    start = timezone.make_aware(datetime.combine(since, time.min), zone)
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min), zone)
    return start, end


def local_today() -> date:
    """Today in local time."""
    return timezone.localdate(timezone.now(), local_zone())


def last_days(days: int) -> tuple[date, date]:
    """The last `days` days up to and including today (local)."""
    today = local_today()
    return today - timedelta(days=days - 1), today


def previous_month() -> tuple[date, date]:
    """The calendar month before this one: a closed period, the default of a sample."""
    first_of_this_month = local_today().replace(day=1)
    last = first_of_this_month - timedelta(days=1)
    return last.replace(day=1), last


def _events(user: User, since: datetime, until: datetime) -> QuerySet[AccessEvent]:
    """The FG's organisation's events in [since, until), newest first."""
    return access_event_list(user=user).filter(occurred_at__gte=since, occurred_at__lt=until)


def capped_count(rows: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """How many rows, counting at most `cap` (COUNT over a LIMIT subquery, never the period)."""
    return rows[:cap].count()


# --- Signal 1: access after the participation ended -------------------------------------------


@dataclass(frozen=True)
class Window:
    """A time in which `actor_id` had no access to the case: from an end of their grant until
    it was granted again (`until` None: not granted again)."""

    actor_id: int
    case_uuid: uuid.UUID
    start: datetime
    until: datetime | None


def _uuids(values: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def _grant_subjects(grants: Sequence[tuple[Any, ...]]) -> dict[tuple[str, str], int]:
    """Whose access each grant event changed: (object type, object id) → user id.

    The grant events name the Participant (added, revoked, most expiries), the User (an expiry
    without a seat) or the Case (the procesregisseur's own grant when opening it; then the
    actor is the subject, handled by the caller).
    """
    participant_ids = {g[3] for g in grants if g[2] == "casusoverleg.participant"}
    user_ids = {g[3] for g in grants if g[2] == "parties.user"}
    subjects: dict[tuple[str, str], int] = {}
    if participant_ids:
        participant = apps.get_model("casusoverleg", "Participant")
        rows = participant.objects.filter(
            uuid__in=_uuids(participant_ids), user__isnull=False
        ).values_list("uuid", "user_id")
        subjects.update({("casusoverleg.participant", str(u)): uid for u, uid in rows})
    if user_ids:
        rows = User.objects.filter(uuid__in=_uuids(user_ids)).values_list("uuid", "id")
        subjects.update({("parties.user", str(u)): uid for u, uid in rows})
    return subjects


# Cases per query when reading casusoverleg's tables (keeps every IN list short, also on SQLite).
CASE_BATCH = 2000


def _batches(values: Iterable[Any], size: int = CASE_BATCH) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cases_where_access_ended(pairs: set[tuple[int, uuid.UUID]]) -> set[uuid.UUID]:
    """The cases of `pairs` in which any grant can have ended: the case's access expired, or
    one of these actors left it, was removed or declined after accepting.

    Those are the only ways a case grant ends (casusoverleg.services: participant_remove and
    participant_respond revoke, case_access_expire expires). Reading them from the small case
    and participant tables first keeps the grant replay to a handful of cases, instead of every
    event of every case the organisation touched in the period.
    """
    case = apps.get_model("casusoverleg", "Case")
    participant = apps.get_model("casusoverleg", "Participant")
    actors = {actor for actor, _case in pairs}
    found: set[uuid.UUID] = set()
    for cases in _batches({case_uuid for _actor, case_uuid in pairs}):
        found.update(
            case.objects.filter(uuid__in=cases, access_expired_at__isnull=False).values_list(
                "uuid", flat=True
            )
        )
        found.update(
            participant.objects.filter(case__uuid__in=cases, user_id__in=actors)
            .filter(Q(left_at__isnull=False) | Q(response=DECLINED))
            .values_list("case__uuid", flat=True)
        )
    return found


def ended_windows(
    pairs: set[tuple[int, uuid.UUID]], since: datetime, until: datetime
) -> list[Window]:
    """The windows without access of each (actor, case) pair that overlap [since, until).

    Replays the grant events of the pairs' cases in order: a revoked or expired grant opens a
    window, a new grant closes it. The grant events are read from the case index, only for the
    cases where access can have ended, whichever organisation wrote them (the procesregisseur
    of another party removes a participant; the nightly expiry has no organisation); none of
    them is shown.
    """
    cases = _cases_where_access_ended(pairs)
    grants: list[tuple[Any, ...]] = []
    for batch in _batches(cases):
        grants += AccessEvent.objects.filter(
            case_uuid__in=batch,
            action__in=[*GRANT_START, *GRANT_END],
            occurred_at__lt=until,
        ).values_list(
            "action", "actor_id", "object_type", "object_id", "case_uuid", "occurred_at", "id"
        )
    grants.sort(key=lambda g: (g[5], g[6]))
    subjects = _grant_subjects(grants)
    open_since: dict[tuple[int, uuid.UUID], datetime] = {}
    windows: list[Window] = []
    for action, actor_id, object_type, object_id, case_uuid, at, _pk in grants:
        subject = (
            actor_id
            if object_type == "casusoverleg.case"
            else subjects.get((object_type, object_id))
        )
        key = (subject, case_uuid)
        if subject is None or key not in pairs:
            continue
        if action in GRANT_END:
            open_since.setdefault(key, at)
        elif key in open_since:
            start = open_since.pop(key)
            if at > since:
                windows.append(Window(subject, case_uuid, start, at))
    windows += [Window(s, c, start, None) for (s, c), start in open_since.items()]
    windows.sort(key=lambda w: w.start, reverse=True)
    return windows


def access_after_participation_ended(
    user: User, since: datetime, until: datetime
) -> QuerySet[AccessEvent]:
    """Allowed events on a case by someone whose access to that case had ended.

    Access ends when the grant is revoked (they left the case, were removed) or expired (the
    case closed); it starts again with a new grant. Such an event should not exist: the
    application refuses a case to whoever holds no grant, so each one is worth a look.
    """
    base = _events(user, since, until).filter(
        outcome=Outcome.ALLOWED, case_uuid__isnull=False, actor__isnull=False
    )
    pairs = set(base.order_by().values_list("actor_id", "case_uuid").distinct())
    windows = ended_windows(pairs, since, until) if pairs else []
    if not windows:
        return AccessEvent.objects.none()
    if len(windows) <= WINDOW_BATCH:
        return base.filter(_during(windows))
    # Many windows: test them a batch at a time and keep the (newest MAX_HITS) events found.
    found: set[tuple[datetime, int]] = set()
    for batch in _batches(windows, WINDOW_BATCH):
        found.update(
            base.filter(_during(batch))
            .order_by("-occurred_at", "-id")
            .values_list("occurred_at", "id")[:MAX_HITS]
        )
    newest = sorted(found, reverse=True)[:MAX_HITS]
    return base.filter(id__in=[pk for _at, pk in newest])


def _during(windows: Iterable[Window]) -> Q:
    """Events of the windows' actors on the windows' cases inside the windows."""
    during = Q()
    for window in windows:
        inside = Q(
            actor_id=window.actor_id,
            case_uuid=window.case_uuid,
            occurred_at__gt=window.start,
        )
        if window.until is not None:
            inside &= Q(occurred_at__lt=window.until)
        during |= inside
    return during


# --- Signals 2 to 5 ---------------------------------------------------------------------------


def denied_attempts(user: User, since: datetime, until: datetime) -> QuerySet[AccessEvent]:
    """Refused attempts (outcome denied), from the organisation's partial index of denials."""
    return _events(user, since, until).filter(outcome=Outcome.DENIED)


def many_youths_threshold() -> int:
    """How many different youths in one day make the signal (settings, default 25)."""
    return int(getattr(settings, "AUDIT_SIGNAL_MANY_YOUTHS", 25))


def many_youths_in_a_day(user: User, since: datetime, until: datetime) -> QuerySet[Any]:
    """Per employee and local day: how many different youths they viewed or listed, where that
    reaches the threshold. Rows: actor_id, actor_uuid, actor_name, day, youths, events."""
    looked = [*actions_of_kind(ActionKind.VIEW), *actions_of_kind(ActionKind.LIST)]
    return (
        _events(user, since, until)
        .filter(action__in=looked, youth_uuid__isnull=False, actor__isnull=False)
        .annotate(day=TruncDate("occurred_at", tzinfo=local_zone()))
        .order_by()
        .values("actor_id", "day", actor_uuid=F("actor__uuid"))
        .annotate(
            youths=Count("youth_uuid", distinct=True),
            events=Count("id"),
            # The name snapshot of one of the day's events (a rename must not split the row).
            actor_name=Max("actor_name"),
        )
        .filter(youths__gte=many_youths_threshold())
        .order_by("-day", "-youths", "actor_id")
    )


def working_hours() -> tuple[int, int]:
    """(from hour, to hour) of a working day, local time (settings, default 7 to 19)."""
    start, end = getattr(settings, "AUDIT_WORKING_HOURS", (7, 19))
    return int(start), int(end)


def outside_working_hours(user: User, since: datetime, until: datetime) -> QuerySet[AccessEvent]:
    """Allowed access to a youth's data by a procesregisseur or professional before or after
    working hours (local time) or on a Saturday or Sunday."""
    start, end = working_hours()
    zone = local_zone()
    return (
        _events(user, since, until)
        .filter(outcome=Outcome.ALLOWED, actor_role__in=CASE_WORKER_ROLES)
        .filter(Q(youth_uuid__isnull=False) | Q(case_uuid__isnull=False))
        .annotate(
            local_hour=ExtractHour("occurred_at", tzinfo=zone),
            local_weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone),
        )
        .filter(Q(local_hour__lt=start) | Q(local_hour__gte=end) | Q(local_weekday__gte=6))
    )


# The FG's own exports of the log (audit.*) are the supervision of these exports, not one of
# them: counting them would make the signal tell the FG about health data in a youth's cases.
EXPORT_ACTIONS = [
    action
    for action in (
        *actions_of_kind(ActionKind.EXPORT),
        *actions_of_kind(ActionKind.PRINT),
        *actions_of_kind(ActionKind.DOWNLOAD),
    )
    if not action.startswith("audit.")
]


def exports_of_special_data(user: User, since: datetime, until: datetime) -> QuerySet[AccessEvent]:
    """Exports, prints and downloads of a case that held health data at that moment.

    Health items are left out of PDFs now, but a case with health data is still the one
    whose documents leave the application with the most risk. Only events that name the case
    count: an event without a case says nothing about which case was exported, and looking at
    the youth's other cases would tell the FG where health data was shared (an oracle).
    """
    shared_item = apps.get_model("casusoverleg", "SharedItem")
    health = shared_item.objects.filter(
        data_class=SPECIAL_HEALTH,
        created_at__lte=OuterRef("occurred_at"),
        case__uuid=OuterRef("case_uuid"),
    )
    return (
        _events(user, since, until)
        .filter(action__in=EXPORT_ACTIONS, case_uuid__isnull=False)
        .exclude(action__startswith="audit.")
        .filter(Exists(health))
    )


# --- The registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One saved query of the FG: what it looks for, in plain words, and how to find it.

    `rows(user, since, until)` returns events (newest first, `per_day` False) or one row per
    employee and day (`per_day` True).
    """

    slug: str
    title: Promise
    explanation: Promise
    rows: Callable[[User, datetime, datetime], QuerySet[Any]]
    per_day: bool = False


SIGNALS: dict[str, Signal] = {
    signal.slug: signal
    for signal in (
        Signal(
            slug="toegang-na-einde-deelname",
            title=_("Access after the participation ended"),
            explanation=_(
                "Someone of your organisation opened or used a case after their access to it had "
                "ended: they had left the case or were removed, or the case was closed. This "
                "should not be possible, so look at every event."
            ),
            rows=access_after_participation_ended,
        ),
        Signal(
            slug="geweigerd",
            title=_("Denied attempts"),
            explanation=_(
                "The application refused something: a page or a case that the employee may not "
                "see, or a failed login. One refusal is usually a mistake; many refusals by one "
                "person can mean they are looking for data they should not see."
            ),
            rows=denied_attempts,
        ),
        Signal(
            slug="veel-jongeren-per-dag",
            title=_("Many different youths in one day"),
            explanation=_(
                "One employee looked at the data of many different youths on one day. A "
                "procesregisseur with many cases can do this for good reasons; check whether "
                "it fits their work."
            ),
            rows=many_youths_in_a_day,
            per_day=True,
        ),
        Signal(
            slug="buiten-werktijd",
            title=_("Access outside working hours"),
            explanation=_(
                "A procesregisseur or professional looked at or changed a youth's data early in "
                "the morning, late in the evening or at the weekend. That can be fine, but it "
                "can also mean someone else used their account."
            ),
            rows=outside_working_hours,
        ),
        Signal(
            slug="export-bijzondere-gegevens",
            title=_("Exports of special data"),
            explanation=_(
                "A PDF of a case was made, printed or downloaded, and health data (special "
                "personal data) had been shared in that case. Health data is left out of PDFs, "
                "but a document of such a case leaves the application with the most risk."
            ),
            rows=exports_of_special_data,
        ),
    )
}


def signal_counts(user: User, since: datetime, until: datetime) -> dict[str, int]:
    """Each signal's number of rows in the period, capped at COUNT_CAP."""
    return {slug: capped_count(s.rows(user, since, until)) for slug, s in SIGNALS.items()}


# A cursor's row id fits a bigint; no event of the log is older than 2000.
MAX_CURSOR_DIGITS = 18
EARLIEST_CURSOR_YEAR = 2000

# --- Keyset pages over events -------------------------------------------------------------------


def parse_cursor(value: str) -> tuple[datetime, int] | None:
    """The (occurred_at, id) after which the next page starts; None for a bad or no cursor."""
    moment, _sep, pk = value.partition("~")
    # ASCII digits of at most a bigint, a moment that is aware and converts to UTC without
    # leaving the calendar (0001-01-01T00:00+14:00 does not): anything else is the first page,
    # never an error (DESIGN invariant 9).
    if not (pk.isascii() and pk.isdigit()) or len(pk) > MAX_CURSOR_DIGITS:
        return None
    try:
        at = datetime.fromisoformat(moment)
        if timezone.is_naive(at):
            return None
        at = at.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if at.year < EARLIEST_CURSOR_YEAR:
        return None
    return at, int(pk)


def cursor_of(event: AccessEvent) -> str:
    """The cursor that continues after `event`."""
    return f"{event.occurred_at.isoformat()}~{event.pk}"


def events_page(
    events: QuerySet[AccessEvent], after: tuple[datetime, int] | None, size: int = PAGE_SIZE
) -> tuple[list[AccessEvent], str]:
    """One page of events, newest first, after the cursor; and the cursor of the next page
    ("" on the last page). Keyset on (occurred_at, id): no OFFSET, no count."""
    if after is not None:
        at, pk = after
        events = events.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    rows = list(events.order_by("-occurred_at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (cursor_of(rows[-1]) if more else "")


# --- Charts -------------------------------------------------------------------------------------


@dataclass
class DayCounts:
    """Events per local day of a period: in total, allowed and denied, and per kind."""

    days: list[date]
    allowed: list[int]
    denied: list[int]
    per_kind: dict[str, list[int]]

    @property
    def totals(self) -> list[int]:
        """All events per day."""
        return [a + d for a, d in zip(self.allowed, self.denied, strict=True)]


OTHER_KIND = "other"


def events_per_day(user: User, since: date, until: date) -> DayCounts:
    """The organisation's events per local day from `since` to `until`, in one GROUP BY.

    Both charts and their tables come from these numbers, so they cannot disagree.
    """
    start, end = day_bounds(since, until)
    rows = (
        _events(user, start, end)
        .annotate(day=TruncDate("occurred_at", tzinfo=local_zone()))
        .order_by()
        .values_list("day", "action", "outcome")
        .annotate(n=Count("id"))
    )
    days = [since + timedelta(days=i) for i in range((until - since).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    allowed, denied = [0] * len(days), [0] * len(days)
    per_kind: dict[str, list[int]] = {}
    for day, action, outcome, n in rows:
        i = index[day]
        (denied if outcome == Outcome.DENIED else allowed)[i] += n
        kind = ACTION_KIND.get(action, OTHER_KIND)
        per_kind.setdefault(kind, [0] * len(days))[i] += n
    order = [*ActionKind.values, OTHER_KIND]
    per_kind = dict(sorted(per_kind.items(), key=lambda item: order.index(item[0])))
    return DayCounts(days=days, allowed=allowed, denied=denied, per_kind=per_kind)


# --- Reviews and samples ------------------------------------------------------------------------


def event_for_review(*, user: User, event_id: uuid.UUID) -> AccessEvent | None:
    """One event of the FG's organisation by its public id; None when it is not theirs."""
    return access_event_list(user=user).select_related("actor").filter(event_id=event_id).first()


def events_of_request(*, user: User, event: AccessEvent, limit: int = 50) -> list[AccessEvent]:
    """The other events of the same request (and organisation), oldest first."""
    if not event.request_id:
        return []
    return list(
        access_event_list(user=user)
        .filter(request_id=event.request_id)
        .exclude(pk=event.pk)
        .order_by("occurred_at", "id")[:limit]
    )


def event_reviews(*, event: AccessEvent) -> list[EventReview]:
    """Every review of an event the FG may see, newest first (the newest counts)."""
    return list(event.reviews.select_related("reviewer").order_by("-reviewed_at", "-id"))


# A sample probes this many ids per query and gives up probing after MAX_PROBES ids.
PROBE_BATCH = 2000
MAX_PROBES = 20_000
# Ids read at each end of the period to find its id range (ids and times of concurrently
# written events can cross by a few; see `_id_range`).
EDGE = 50


def _generator(seed: uuid.UUID) -> random.Random:
    """The sample's own random generator, seeded by its uuid.

    Not for secrets: a sample must be drawn again identically from its uuid (reproducible),
    which a cryptographic generator cannot do; the uuid itself comes from uuid4.
    """
    return random.Random(seed.int)  # noqa: S311


def _id_range(events: QuerySet[AccessEvent]) -> tuple[int, int] | None:
    """The lowest and highest id among the first and last EDGE events of the period by time.

    Ids follow time except for events written at the same moment by parallel requests, so the
    lowest id of the period is among its first few events; reading a few from each end of the
    organisation's time index is two short index walks, where MIN(id) would read the period.
    """
    first = list(events.order_by("occurred_at", "id").values_list("id", flat=True)[:EDGE])
    if not first:
        return None
    last = list(events.order_by("-occurred_at", "-id").values_list("id", flat=True)[:EDGE])
    return min(first), max(last)


def sample_ids(events: QuerySet[AccessEvent], seed: uuid.UUID, size: int) -> list[int]:
    """A uniform random sample of `size` ids of `events`, the same for the same seed.

    Method (10 million rows: no ORDER BY random(), no hashing or sorting of the period):
    draw ids uniformly from the period's id range with a generator seeded by the sample's
    uuid and keep those that are events of the period (rejection sampling: every matching
    event is equally likely). Each batch of draws is one primary-key lookup query. When the
    organisation's events are too sparse in the range for MAX_PROBES draws to find `size` of
    them, the period holds few events: read their ids (in id order) and draw from those with
    the same seed. Both paths depend only on the seed and the rows, and the rows of a closed
    period do not change (the log is append-only), so the sample is reproducible.
    PostgreSQL's TABLESAMPLE was not used: it samples pages of the whole table before the
    organisation and period filter, and its REPEATABLE result changes with the physical
    layout.
    """
    bounds = _id_range(events)
    if bounds is None or size <= 0:
        return []
    low, high = bounds
    span = high - low + 1
    if span > PROBE_BATCH:
        generator = _generator(seed)
        limit = min(span, MAX_PROBES)
        chosen: list[int] = []
        drawn: set[int] = set()
        while len(chosen) < size and len(drawn) < limit:
            batch: list[int] = []
            while len(batch) < PROBE_BATCH and len(drawn) < limit:
                candidate = low + generator.randrange(span)
                if candidate not in drawn:
                    drawn.add(candidate)
                    batch.append(candidate)
            found = set(events.filter(id__in=batch).values_list("id", flat=True))
            chosen += [pk for pk in batch if pk in found]
            # Too sparse to finish within the probe budget at this hit rate: stop probing.
            needed = (size - len(chosen)) * len(drawn) / max(len(chosen), 1)
            if len(chosen) < size and len(drawn) + needed > limit:
                break
        if len(chosen) >= size:
            return chosen[:size]
    # Few events in the period (or too sparse to find by probing): draw from all their ids.
    everything = list(events.order_by("id").values_list("id", flat=True))
    return _generator(seed).sample(everything, min(size, len(everything)))


def sample_events(
    *,
    user: User,
    seed: uuid.UUID,
    since: date,
    until: date,
    kind: str = "",
    size: int = 20,
) -> list[AccessEvent]:
    """The sample `seed` of `size` events of the FG's organisation in the period (of one kind
    of action, if given), oldest first."""
    start, end = day_bounds(since, until)
    events = _events(user, start, end)
    if kind:
        events = events.filter(action__in=actions_of_kind(kind))
    ids = sample_ids(events, seed, size)
    return list(events.filter(id__in=ids).order_by("occurred_at", "id"))


@dataclass(frozen=True)
class ReviewState:
    """Where an event stands: its newest review in this sample, and its newest review at all."""

    in_sample: EventReview | None
    latest: EventReview | None


def review_states(
    events: Sequence[AccessEvent], sample: uuid.UUID | None
) -> dict[int, ReviewState]:
    """The review state of each event, by event pk, in one query."""
    reviews: dict[int, list[EventReview]] = defaultdict(list)
    for review in EventReview.objects.filter(event__in=[e.pk for e in events]).order_by(
        "-reviewed_at", "-id"
    ):
        reviews[review.event_id].append(review)
    return {
        e.pk: ReviewState(
            in_sample=next((r for r in reviews[e.pk] if r.sample == sample), None)
            if sample
            else None,
            latest=reviews[e.pk][0] if reviews[e.pk] else None,
        )
        for e in events
    }
