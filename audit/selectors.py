"""Reads of the access log. The FG sees the events of their own organisation, never case content.

Every list here is keyset-paged on (occurred_at, id), newest first, and walks one of the indexes
declared on `AccessEvent` (org_time, actor_time, youth_time, case_time, org_denied): a page reads
`page_size + 1` rows and stops. There is no OFFSET and no COUNT over an unbounded set, so a page
costs the same on the first day and after ten million events.
"""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from parties.choices import Role
from parties.models import User, Youth

from .choices import ACTION_KIND, Action, ActionKind, Outcome, actions_of_kind
from .display import CASE_PREFIX, pseudonym
from .models import AccessEvent, SealBlock

# The FG reads days and months as they are in the Netherlands, whatever the server's clock says.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

PAGE_SIZE = 50
# The dashboard counts at most this many events of the last days: enough to see that something
# happens, bounded so that a busy organisation's home page never scans a week of events.
SUMMARY_CAP = 10_000

# Kinds of access a youth or parent sees on "who looked at my data": reading, not writing.
LOOK_KINDS = (
    ActionKind.VIEW,
    ActionKind.LIST,
    ActionKind.SEARCH,
    ActionKind.EXPORT,
    ActionKind.PRINT,
    ActionKind.DOWNLOAD,
)
LOOK_ACTIONS = tuple(action for kind in LOOK_KINDS for action in actions_of_kind(kind))
# The FG's own work on the workbench: reading the log is logged, but it is no use of the youth's
# data by the organisation.
AUDIT_ACTION_PREFIX = "audit."
# The family's own use of the portal is not "someone looked at my data".
FAMILY_ROLES = (Role.PARENT, Role.YOUTH)


def _organisation_id(user: User) -> int | None:
    professional = getattr(user, "professional", None)
    return professional.organisation_id if professional is not None else None


def _is_fg(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.PRIVACY_OFFICER
        and _organisation_id(user) is not None
    )


def access_event_list(*, user: User) -> QuerySet[AccessEvent]:
    """Events of the FG's own organisation, newest first (SPEC R-DPIA-3).

    Anyone who is not an FG with an organisation gets nothing.
    """
    organisation_id = _organisation_id(user)
    if user.role != Role.PRIVACY_OFFICER or organisation_id is None:
        return AccessEvent.objects.none()
    return AccessEvent.objects.filter(organisation_id=organisation_id).order_by(
        "-occurred_at", "-id"
    )


def access_event_summary(
    *, user: User, days: int = 7, cap: int | None = SUMMARY_CAP
) -> dict[str, Any]:
    """Counts over the last `days` days of the FG's organisation: all, denied, logins.

    With `cap`, only the newest `cap` events of the period are counted (one bounded index walk);
    `capped` then says that there were at least that many and the counts cover those.
    """
    since = timezone.now() - timedelta(days=days)
    events = access_event_list(user=user).filter(occurred_at__gte=since)
    if cap is not None:
        # Aggregating a sliced queryset wraps it in a subquery: the LIMIT bounds the scan.
        events = events[:cap]
    summary: dict[str, Any] = events.aggregate(
        total=Count("id"),
        denied=Count("id", filter=Q(outcome=Outcome.DENIED)),
        logins=Count("id", filter=Q(action=Action.LOGIN)),
    )
    summary["capped"] = cap is not None and summary["total"] >= cap
    summary["cap"] = cap
    return summary


# A cursor names a row id (a bigint: at most 19 digits) and a moment in the log (none before 2000).
MAX_CURSOR_DIGITS = 18
EARLIEST_YEAR = 2000

# --- Keyset paging ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in the log: the (occurred_at, id) of the last event of a page.

    Encoded in links as `<UTC ISO time>_<id>`: it names no person, only a moment and a row.
    """

    occurred_at: datetime
    id: int

    def encode(self) -> str:
        """The cursor as a URL parameter value."""
        moment = self.occurred_at.astimezone(UTC).replace(tzinfo=None)
        return f"{moment.isoformat(timespec='microseconds')}Z_{self.id}"

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        """Parse `encode`'s output; ValueError on anything else."""
        moment, sep, row = value.rpartition("_")
        # ASCII digits only ("²" is a digit to str.isdigit but not to int), and no more than a
        # bigint holds: a crafted link is a first page, never an error (DESIGN invariant 9).
        if (
            not sep
            or not (row.isascii() and row.isdigit())
            or len(row) > MAX_CURSOR_DIGITS
            or not moment.endswith("Z")
        ):
            raise ValueError(value)
        occurred_at = datetime.fromisoformat(moment[:-1]).replace(tzinfo=UTC)
        if occurred_at.year < EARLIEST_YEAR:
            raise ValueError(value)
        return cls(occurred_at=occurred_at, id=int(row))

    @classmethod
    def of(cls, event: AccessEvent) -> "Cursor":
        """The cursor just after `event` (older events follow)."""
        return cls(occurred_at=event.occurred_at, id=event.pk)

    def __str__(self) -> str:
        return self.encode()


@dataclass
class EventPage:
    """One page of events, newest first, and the cursor of the next (older) page, if any."""

    events: list[AccessEvent]
    next_cursor: Cursor | None


def label_events(events: Iterable[AccessEvent]) -> list[AccessEvent]:
    """Give each event `youth_pseudonym` and `case_pseudonym` for `_event_table.html`.

    The workbench shows youths and cases by pseudonym only (metadata, never names). Views that
    render the event table with events from elsewhere call this on them first.
    """
    labelled = list(events)
    for event in labelled:
        # A property on the model (if one is added later) wins over these attributes.
        if not isinstance(getattr(type(event), "youth_pseudonym", None), property):
            event.youth_pseudonym = pseudonym(event.youth_uuid)  # type: ignore[attr-defined]
        if not isinstance(getattr(type(event), "case_pseudonym", None), property):
            event.case_pseudonym = pseudonym(event.case_uuid, CASE_PREFIX)  # type: ignore[attr-defined]
    return labelled


def _page(events: QuerySet[AccessEvent], *, before: Cursor | None, page_size: int) -> EventPage:
    """The `page_size` newest events of `events` older than `before`, and the next cursor.

    `occurred_at <= t` is a range condition the index can start from; the exclusion then drops
    the few rows of the same instant that were already shown. One query, no OFFSET.
    """
    if before is not None:
        events = events.filter(occurred_at__lte=before.occurred_at).exclude(
            occurred_at=before.occurred_at, id__gte=before.id
        )
    rows = list(events.select_related("actor").order_by("-occurred_at", "-id")[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    return EventPage(
        events=label_events(rows), next_cursor=Cursor.of(rows[-1]) if more and rows else None
    )


# --- The FG's search ----------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the Netherlands, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def apply_search_filters(
    events: QuerySet[AccessEvent], filters: Mapping[str, Any]
) -> QuerySet[AccessEvent]:
    """`events` narrowed by the FG's filters (the cleaned values of `audit.filters`).

    Keys: youth (UUID), actor (User), case (UUID), kind (ActionKind), action (Action), outcome
    (Outcome), date_from and date_to (dates, inclusive, Dutch days). Empty values are ignored.
    """
    conditions: dict[str, Any] = {}
    if filters.get("youth"):
        conditions["youth_uuid"] = filters["youth"]
    if filters.get("actor"):
        conditions["actor"] = filters["actor"]
    if filters.get("case"):
        conditions["case_uuid"] = filters["case"]
    if filters.get("kind"):
        conditions["action__in"] = actions_of_kind(filters["kind"])
    if filters.get("action"):
        conditions["action"] = filters["action"]
    if filters.get("outcome"):
        conditions["outcome"] = filters["outcome"]
    if filters.get("date_from"):
        conditions["occurred_at__gte"] = day_start(filters["date_from"])
    if filters.get("date_to"):
        conditions["occurred_at__lt"] = day_start(filters["date_to"] + timedelta(days=1))
    return events.filter(**conditions)


def access_event_search(
    user: User,
    *,
    filters: Mapping[str, Any],
    before: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> EventPage:
    """One page of the FG's organisation's events matching `filters`, newest first (issue 5).

    Filtering on a youth walks the youth_time index, on an employee actor_time, on denied
    events the partial org_denied index, otherwise org_time: each stops after one page.
    """
    events = apply_search_filters(access_event_list(user=user), filters)
    return _page(events, before=before, page_size=page_size)


def access_event_export(
    user: User, *, filters: Mapping[str, Any], limit: int
) -> tuple[list[AccessEvent], bool]:
    """At most `limit` newest matching events for an export, and whether more matched.

    The user and organisation are joined for their public uuids (UserID, OrganisationID).
    """
    events = apply_search_filters(access_event_list(user=user), filters)
    rows = list(events.select_related("actor", "organisation")[: limit + 1])
    return label_events(rows[:limit]), len(rows) > limit


def youth_timeline(
    user: User,
    *,
    youth_uuid: uuid.UUID,
    before: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> EventPage:
    """Everything the FG's organisation did with one youth's data, newest first.

    Only events that name the youth as data subject; the youth itself is never read (the FG
    sees a pseudonym, never a name).
    """
    events = access_event_list(user=user).filter(youth_uuid=youth_uuid)
    return _page(events, before=before, page_size=page_size)


def organisation_employees(*, user: User) -> QuerySet[User]:
    """The users who work for the FG's organisation (for the employee filter); none otherwise."""
    if not _is_fg(user):
        return User.objects.none()
    return User.objects.filter(professional__organisation_id=_organisation_id(user)).order_by(
        "last_name", "first_name", "username"
    )


def employee_get(*, user: User, uuid: uuid.UUID) -> User | None:
    """The employee whose timeline the FG may open: one who works for the FG's organisation now,
    or who acted for it before (a former employee's events stay the FG's to review).

    None for anyone else, so that the workbench never names a parent, a youth or someone of
    another organisation.
    """
    if not _is_fg(user):
        return None
    organisation_id = _organisation_id(user)
    acted_for = AccessEvent.objects.filter(organisation_id=organisation_id, actor=OuterRef("pk"))
    return (
        User.objects.filter(uuid=uuid)
        .filter(Q(professional__organisation_id=organisation_id) | Exists(acted_for))
        .first()
    )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of `month` and of the month after it, in the Netherlands."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return day_start(first), day_start(following)


def user_timeline(
    user: User,
    subject_user: User,
    month: date,
    *,
    before: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> EventPage:
    """The employee-month view: all events of one employee in one calendar month, newest first.

    Only events the employee did on behalf of the FG's organisation. Walks the actor_time index
    within the month's range.
    """
    start, end = month_bounds(month)
    events = access_event_list(user=user).filter(
        actor=subject_user, occurred_at__gte=start, occurred_at__lt=end
    )
    return _page(events, before=before, page_size=page_size)


def youth_lookup(
    user: User, given_name: str, family_name: str, date_of_birth: date
) -> list[uuid.UUID]:
    """The uuids of the youths with exactly these names (any case) and birth date, of whom the
    FG's organisation's log holds at least one event.

    The FG needs this to answer "who looked at this child" when a parent asks by name; the
    lookup returns no name, and a youth the organisation never touched stays unknown to the FG.
    """
    if not _is_fg(user) or not given_name.strip() or not family_name.strip():
        return []
    # The FG's own workbench events (audit.*) do not count: opening a youth's timeline by uuid
    # would otherwise make any youth findable by name and birth date afterwards (an oracle).
    in_log = AccessEvent.objects.filter(
        organisation_id=_organisation_id(user), youth_uuid=OuterRef("uuid")
    ).exclude(action__startswith=AUDIT_ACTION_PREFIX)
    return list(
        Youth.objects.filter(
            given_name__iexact=given_name.strip(),
            family_name__iexact=family_name.strip(),
            date_of_birth=date_of_birth,
        )
        .filter(Exists(in_log))
        .order_by("uuid")
        .values_list("uuid", flat=True)[:10]
    )


# --- Seals --------------------------------------------------------------------------------------


@dataclass
class SealPage:
    """One page of seal blocks of one stream, newest first, and the number to continue before."""

    blocks: list[SealBlock]
    next_before: int | None


def seal_block_list(
    *, user: User, stream: str, before: int | None = None, page_size: int = PAGE_SIZE
) -> SealPage:
    """The seal blocks of `stream`, newest first, keyset-paged on the block number.

    Blocks hold hashes and id ranges, no personal data; still only the FG reads them here.
    """
    if not _is_fg(user):
        return SealPage(blocks=[], next_before=None)
    blocks = SealBlock.objects.filter(stream=stream).defer("manifest")
    if before is not None:
        blocks = blocks.filter(number__lt=before)
    rows = list(blocks.order_by("-number")[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    return SealPage(blocks=rows, next_before=rows[-1].number if more and rows else None)


def latest_verification(*, user: User) -> AccessEvent | None:
    """The newest `audit.verified` event (written by `manage.py verify_audit`), if any.

    Verification runs as the system, without an actor: filtering on that walks the actor_time
    index over the few system events instead of the whole log.
    """
    if not _is_fg(user):
        return None
    return (
        AccessEvent.objects.filter(actor__isnull=True, action=Action.AUDIT_VERIFIED)
        .order_by("-occurred_at", "-id")
        .first()
    )


# --- For the parent and youth portal ------------------------------------------------------------


def _relation(actor: User, youth: Youth) -> str | None:
    """ "self" for the youth's own account, "guardian" for a parent or guardian with authority,
    None for anyone else."""
    if not (actor.is_authenticated and actor.is_active):
        return None
    if youth.user_id is not None and youth.user_id == actor.pk:
        return "self"
    # A parent without gezag has no access to the youth's data (SPEC R-1-2), nor to this.
    if youth.guardians.filter(user=actor, has_authority=True).exists():
        return "guardian"
    return None


def _guardian_may_see(youth: Youth) -> bool:
    """Whether a guardian still speaks for the youth: only while the youth is younger than the
    age at which they decide alone (settings.AGE_THRESHOLDS["decides_alone"], 16; SPEC §6)."""
    age = youth.age_on(timezone.localdate(timezone.now(), LOCAL_TZ))
    return age < settings.AGE_THRESHOLDS["decides_alone"]


def who_looked(
    *, actor: User, youth: Youth, limit: int = 500, parent_allowed: bool | None = None
) -> list[dict[str, Any]]:
    """For one youth: which organisation, in which role, looked at their data, when and why.

    Newest first, at most `limit` rows. Only allowed reads (view, list, search, export, print,
    download) by others: the family's own use of the portal is left out.

    The youth's own account sees every such event about them. A parent with authority sees
    only the events of the cases they may see themselves (the case's family rule: invited and
    at the table, so not after the youth objected to their presence) and only while the youth
    is younger than 16 (the age rules of SPEC §6). Anyone else gets []. From 16 the youth may
    allow a parent to see again (R-AGE-5, R-AGE-6): that rule lives in `consent`, above this
    app, so the caller passes its answer as `parent_allowed` (None: the age rule alone).

    The selector records nothing: the portal view that shows the answer must record its own
    `youth.viewed` event for the youth in the same transaction (DESIGN invariant 2).
    """
    relation = _relation(actor, youth)
    if relation is None:
        return []
    events_about = AccessEvent.objects.filter(
        youth_uuid=youth.uuid, outcome=Outcome.ALLOWED, action__in=LOOK_ACTIONS
    )
    if relation == "guardian":
        if not (_guardian_may_see(youth) if parent_allowed is None else parent_allowed):
            return []
        # audit sits below casusoverleg (DESIGN layers): its model is reached by name.
        case = apps.get_model("casusoverleg", "Case")
        events_about = events_about.filter(
            case_uuid__in=case.objects.visible_to(actor).values("uuid")
        )
    events = (
        events_about.exclude(actor_role__in=FAMILY_ROLES)
        .order_by("-occurred_at", "-id")
        .only(
            "occurred_at",
            "action",
            "actor_role",
            "organisation_name",
            "purpose",
            "legal_basis",
        )[:limit]
    )
    kinds = dict(ActionKind.choices)
    looked = []
    for event in events:
        action = event.get_action_display()
        kind = str(kinds.get(ACTION_KIND.get(event.action, ""), ""))
        why = " · ".join(part for part in (str(action), event.purpose, event.legal_basis) if part)
        looked.append(
            {
                "when": event.occurred_at,
                "organisation_name": event.organisation_name,
                "role": event.actor_role_display,
                "action": str(action),
                "kind": kind,
                "purpose": event.purpose,
                "legal_basis": event.legal_basis,
                "why": why,
            }
        )
    return looked
