"""Reads for the parent and youth portal; every youth shown is recorded in the access log.

Each selector starts from what the user may see (`Case.objects.visible_to`, through the
casusoverleg selectors) and returns plain data for the templates, so that templates make no
queries and hold no rules (STYLE §4.3).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audit.choices import Action, Outcome
from audit.selectors import who_looked
from audit.services import record, record_shown
from casusoverleg.choices import EntryKind, MeetingStatus, ParticipantKind
from casusoverleg.models import (
    ActionItem,
    Case,
    Meeting,
    Minutes,
    MinutesEntry,
    Participant,
    PrivacyNotice,
    SharedItem,
    Statement,
)
from casusoverleg.permissions import can_respond
from casusoverleg.selectors import case_get, family_cases_logged
from casusoverleg.services import minutes_family_recipients
from consent.age import Consenter, RequiredConsenters, decides_alone, required_consenters
from consent.choices import (
    COVERING_STATUSES,
    LIVE_STATUSES,
    ConsenterKind,
    ConsentStatus,
    DecisionKind,
    RequestKind,
    RequestStatus,
)
from consent.models import Consent, ConsentDecision, ConsentReceipt, ParentAccess, RightsRequest
from consent.services import (
    consenter_of,
    parent_may_see,
    request_kinds_for,
    request_organisation_choices,
)
from convenant.models import DataCategory, Purpose
from core.permissions import AnyUser
from parties.choices import Role
from parties.models import Guardian, Organisation, Youth
from parties.selectors import youth_list

FAMILY_KINDS = (ParticipantKind.PARENT, ParticipantKind.YOUTH)
# The family reads the table as: the professionals, then the parents, then the youth.
KIND_ORDER = {ParticipantKind.PROFESSIONAL: 0, ParticipantKind.PARENT: 1, ParticipantKind.YOUTH: 2}


# --- Meetings -----------------------------------------------------------------------------------


def _meetings_of(*, user: AnyUser, cases: list[Case]) -> dict[int, list[Meeting]]:
    """The meetings of `cases` that `user` may see, per case id, in date order (one query)."""
    by_case: dict[int, list[Meeting]] = {case.pk: [] for case in cases}
    if not cases:
        return by_case
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(case__in=[case.pk for case in cases])
        .order_by("starts_at")
    )
    for meeting in meetings:
        by_case[meeting.case_id].append(meeting)
    return by_case


def next_meeting(meetings: list[Meeting]) -> Meeting | None:
    """The meeting the family should know about: the first one still to come, else the latest.

    `meetings` is in date order. A cancelled meeting is only the answer when nothing else is
    left, so that the family sees it was cancelled instead of seeing nothing.
    """
    now = timezone.now()
    upcoming = [m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.ends_at >= now]
    if upcoming:
        return upcoming[0]
    not_cancelled = [m for m in meetings if m.status != MeetingStatus.CANCELLED]
    if not_cancelled:
        return not_cancelled[-1]
    return meetings[-1] if meetings else None


def _current_meeting(meetings: list[Meeting]) -> Meeting | None:
    """The meeting a case's steps are about: the latest one that was not cancelled.

    The same choice as `casusoverleg.services` makes for minutes and statements, so the page
    offers the statement form under the minutes the service will write to.
    """
    not_cancelled = [m for m in meetings if m.status != MeetingStatus.CANCELLED]
    return not_cancelled[-1] if not_cancelled else None


# --- Home page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """One line of the portal's 'Consultations' list: the user's seat and the meeting to know."""

    seat: Participant
    case: Case
    meeting: Meeting | None


def portal_case_summaries(*, user: AnyUser) -> list[CaseSummary]:
    """The user's consultations for the home page, with the next meeting; each youth is logged.

    Two queries whatever the number of cases: the seats (logged by `family_cases_logged`) and
    the meetings of their cases.
    """
    seats = family_cases_logged(user=user)
    meetings = _meetings_of(user=user, cases=[seat.case for seat in seats])
    return [
        CaseSummary(seat=seat, case=seat.case, meeting=next_meeting(meetings[seat.case.pk]))
        for seat in seats
    ]


# --- Case page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone at the table as the portal shows them: name, organisation, role, answer."""

    name: str
    organisation: str
    role: str
    response: str
    is_professional: bool
    is_you: bool


@dataclass(frozen=True)
class SharedMinutes:
    """Minutes shared with the family: entries kept apart by kind (R-8-1), actions, statements."""

    minutes: Minutes
    meeting: Meeting
    facts: list[MinutesEntry]
    opinions: list[MinutesEntry]
    agreements: list[MinutesEntry]
    actions: list[tuple[ActionItem, Person]]
    statements: list[Statement]
    # Statements are added to the current meeting's minutes only (statement_add).
    takes_statements: bool


@dataclass(frozen=True)
class CasePage:
    """Everything the portal's case page shows to one parent or youth."""

    case: Case
    seat: Participant | None
    is_youth: bool
    meetings: list[Meeting]
    next_meeting: Meeting | None
    invitees: list[Person]
    can_answer: bool
    notice: PrivacyNotice | None
    receives_minutes: bool
    minutes: list[SharedMinutes] = field(default_factory=list)

    @property
    def statement_minutes(self) -> SharedMinutes | None:
        """The shared minutes a new statement is added to, if they are shown."""
        return next((m for m in self.minutes if m.takes_statements), None)


def _person(participant: Participant, *, case: Case, user: AnyUser) -> Person:
    """How a participant is named to the family; family members by name, no account details."""
    is_you = participant.user_id is not None and participant.user_id == user.pk
    if participant.kind == ParticipantKind.PROFESSIONAL:
        name = str(participant.user) if participant.user_id else ""
        organisation = participant.organisation.name if participant.organisation_id else ""
        role = participant.get_role_display()
    elif participant.kind == ParticipantKind.PARENT and participant.guardian_id:
        name, organisation = str(participant.guardian), ""
        role = str(participant.get_kind_display())
    elif participant.kind == ParticipantKind.YOUTH and case.youth_id:
        name, organisation = f"{case.youth.given_name} {case.youth.family_name}", ""
        role = str(participant.get_kind_display())
    else:
        name = str(participant.user) if participant.user_id else ""
        organisation, role = "", str(participant.get_kind_display())
    return Person(
        name=name,
        organisation=organisation,
        role=role,
        response=str(participant.get_response_display()),
        is_professional=participant.kind == ParticipantKind.PROFESSIONAL,
        is_you=is_you,
    )


def case_invited_participants(*, user: AnyUser, case: Case) -> list[Participant]:
    """Who is invited to `case` now (active and invited), professionals first; one query.

    Going through the case's own manager keeps `participant.case` the very object the caller
    holds, so services called with a seat need no extra query for it.
    """
    participants = (
        case.participants.invited()
        .filter(case__in=Case.objects.visible_to(user))
        .select_related("user", "organisation", "guardian")
        .order_by("created_at")
    )
    return sorted(participants, key=lambda p: KIND_ORDER.get(p.kind, len(KIND_ORDER)))


def own_seat(*, user: AnyUser, participants: list[Participant]) -> Participant | None:
    """The user's own seat (as parent or youth) among a case's invited participants."""
    return next((p for p in participants if p.user_id == user.pk and p.kind in FAMILY_KINDS), None)


def case_seat(*, user: AnyUser, case: Case) -> Participant | None:
    """The user's own seat at the table of `case`, a case they can see; None if they have none."""
    return own_seat(user=user, participants=case_invited_participants(user=user, case=case))


def latest_privacy_notice(*, user: AnyUser, case: Case) -> PrivacyNotice | None:
    """The newest version of the case's privacy notice (SPEC R-12-1), if one was made."""
    return (
        PrivacyNotice.objects.filter(case=case, case__in=Case.objects.visible_to(user))
        .order_by("-version")
        .first()
    )


def _shared_minutes(
    *, user: AnyUser, case: Case, current: Meeting | None, takes_statements: bool = True
) -> list[SharedMinutes]:
    """Minutes of `case` shared with the family, newest meeting first, with all they show.

    Four queries whatever the size: minutes, entries, actions, statements.
    """
    minutes_list = (
        Minutes.objects.filter(
            meeting__case=case,
            meeting__case__in=Case.objects.visible_to(user),
            shared_with_family_at__isnull=False,
        )
        .select_related("meeting")
        .prefetch_related(
            Prefetch("entries", queryset=MinutesEntry.objects.select_related("owner")),
            Prefetch(
                "actions",
                queryset=ActionItem.objects.select_related(
                    "assignee__user", "assignee__organisation", "assignee__guardian"
                ),
            ),
            Prefetch("statements", queryset=Statement.objects.select_related("author")),
        )
        .order_by("-meeting__starts_at")
    )
    shown = []
    for minutes in minutes_list:
        entries = list(minutes.entries.all())
        # A participant who left stays named on the actions they agreed to.
        actions = [
            (action, _person(action.assignee, case=case, user=user))
            for action in minutes.actions.all()
        ]
        shown.append(
            SharedMinutes(
                minutes=minutes,
                meeting=minutes.meeting,
                facts=[e for e in entries if e.kind == EntryKind.FACT],
                opinions=[e for e in entries if e.kind == EntryKind.OPINION],
                agreements=[e for e in entries if e.kind == EntryKind.AGREEMENT],
                actions=actions,
                statements=list(minutes.statements.all()),
                takes_statements=takes_statements
                and current is not None
                and minutes.meeting_id == current.pk,
            )
        )
    return shown


def portal_case_page(*, user: AnyUser, uuid: UUID, log: bool = True) -> CasePage:
    """The portal's case page for a parent or youth; the view is logged (`case_get`).

    Raises Case.DoesNotExist (→ 404, logged as denied) when the user may not see the case.
    The minutes are shown only once shared with the family, and only to the family members
    who receive them by the age table: from 16 not to the parents, unless the youth allows
    it (SPEC R-12-3, §6, R-AGE-5, R-AGE-6).
    """
    case = case_get(user=user, uuid=uuid, log=log)
    participants = case_invited_participants(user=user, case=case)
    seat = own_seat(user=user, participants=participants)
    meetings = _meetings_of(user=user, cases=[case])[case.pk]
    upcoming = next_meeting(meetings)
    recipients = {p.pk for p in minutes_family_recipients(case=case)}
    receives_minutes = _seat_receives_minutes(seat=seat, case=case, recipients=recipients)
    minutes = (
        _shared_minutes(
            user=user,
            case=case,
            current=_current_meeting(meetings),
            # The service adds statements only for the family it sends the minutes to.
            takes_statements=seat is not None and seat.pk in recipients,
        )
        if receives_minutes
        else []
    )
    return CasePage(
        case=case,
        seat=seat,
        is_youth=seat is not None and seat.kind == ParticipantKind.YOUTH,
        meetings=meetings,
        next_meeting=upcoming,
        invitees=[_person(p, case=case, user=user) for p in participants],
        # Answering is about a meeting still to come; the service decides in the end.
        can_answer=(
            seat is not None
            and can_respond(user, seat)
            and upcoming is not None
            and upcoming.status == MeetingStatus.SCHEDULED
            and upcoming.ends_at >= timezone.now()
        ),
        notice=latest_privacy_notice(user=user, case=case),
        receives_minutes=receives_minutes,
        minutes=minutes,
    )


def portal_case_for_action(*, user: AnyUser, uuid: UUID) -> Case:
    """A case the user may see, for a POST that acts on it; not logged as viewed.

    The service called next writes its own event; a miss is logged as denied.
    Raises Case.DoesNotExist (→ 404).
    """
    return case_get(user=user, uuid=uuid, log=False)


def _seat_receives_minutes(*, seat: Participant | None, case: Case, recipients: set[int]) -> bool:
    """Whether the family member in `seat` reads the shared minutes of `case` (SPEC §6, R-12-3).

    The youth from 12, and the parents with gezag while the youth is under 16 (the age table,
    `minutes_family_recipients`); from 16 a parent reads them again only while the youth allows
    it, or when the youth is judged not able to judge (`parent_may_see`, R-AGE-5, R-AGE-6).
    """
    if seat is None:
        return False
    if seat.pk in recipients:
        return True
    if seat.kind != ParticipantKind.PARENT or seat.guardian is None:
        return False
    guardian = seat.guardian
    if guardian.youth_id == case.youth_id:
        guardian.youth = case.youth  # the case's youth, already at hand: no query
    return guardian.has_authority and parent_may_see(guardian=guardian)


def receives_minutes(*, user: AnyUser, case: Case) -> bool:
    """Whether the user's own seat in `case` is among the family who read its minutes (§6).

    From 16 the youth decides who reads the minutes: a parent's seat counts only with the
    youth's permission (`_seat_receives_minutes`).
    """
    seat = case_seat(user=user, case=case)
    recipients = {p.pk for p in minutes_family_recipients(case=case)}
    return _seat_receives_minutes(seat=seat, case=case, recipients=recipients)


# --- One youth: who is asking, and what they may see (SPEC §6, R-AGE-5, R-AGE-6) ----------------
#
# The pages of one youth answer 404 (logged) to anyone who is not the youth or a parent with
# gezag of the youth. A parent of a youth of 16 or older who does not have the youth's
# permission gets the page of their own child with a plain explanation and none of the data
# (200); objects behind that wall (a consent, a receipt) answer 404 to them, as to anyone who
# may not see them. Each page records what it showed, in the transaction of the read.

PORTAL_PURPOSE = "portal"


@dataclass(frozen=True)
class FamilyStanding:
    """How the portal user stands to one youth: the youth, or a parent with gezag."""

    youth: Youth
    is_youth: bool
    guardian: Guardian | None
    consenter: Consenter | None
    # The youth sees their own data; a parent with gezag under 16, or from 16 with the youth's
    # permission (or when the youth is judged not able to judge): `parent_may_see`.
    may_see: bool
    age: int
    decides_alone: bool

    @property
    def restricted(self) -> bool:
        """A parent from whom the youth (16 or older) keeps the data: shown nothing of it."""
        return not self.may_see


def _family_youths(user: AnyUser) -> QuerySet[Youth]:
    """The youths `user` may see, with what the age rules read (no query per youth later)."""
    return (
        youth_list(user=user)
        .select_related("region")
        .prefetch_related("guardians", "incapacity_judgements")
    )


def _standing(user: AnyUser, youth: Youth, today: date) -> FamilyStanding | None:
    """The user's standing towards `youth`, or None when they are neither youth nor parent with
    gezag (a parent without gezag has no access, SPEC R-1-2)."""
    age = youth.age_on(today)
    alone = decides_alone(youth, today)
    if getattr(user, "role", None) == Role.YOUTH and youth.user_id == user.pk:
        return FamilyStanding(
            youth=youth,
            is_youth=True,
            guardian=None,
            consenter=Consenter(ConsenterKind.YOUTH),
            may_see=True,
            age=age,
            decides_alone=alone,
        )
    if getattr(user, "role", None) != Role.PARENT:
        return None
    guardian = next(
        (g for g in youth.guardians.all() if g.user_id == user.pk and g.has_authority), None
    )
    if guardian is None:
        return None
    return FamilyStanding(
        youth=youth,
        is_youth=False,
        guardian=guardian,
        consenter=consenter_of(user, youth),
        may_see=parent_may_see(guardian=guardian, on=today),
        age=age,
        decides_alone=alone,
    )


def _denied(user: AnyUser) -> None:
    """Log a miss as denied without telling whether the object exists (→ 404)."""
    record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")


def portal_youth_get(*, user: AnyUser, uuid: UUID) -> FamilyStanding:
    """The user's standing towards the youth `uuid`; not logged as viewed (the page logs).

    Raises Youth.DoesNotExist (→ 404, logged) for a youth the user may not see: someone else's
    child, or their own child when they have no gezag.
    """
    youth = _family_youths(user).filter(uuid=uuid).first()
    standing = _standing(user, youth, timezone.localdate()) if youth is not None else None
    if standing is None:
        _denied(user)
        raise Youth.DoesNotExist
    return standing


def _record_page(
    *, user: AnyUser, youth: Youth, action: Action, shown: list[Any], reason: str = ""
) -> None:
    """One event per object shown about `youth` (a list of N is N accesses), or one event for
    the youth when the page shows no object; one INSERT. Call inside the read's transaction."""
    if shown:
        record_shown(
            actor=user,
            action=action,
            shown=[
                {
                    "target": obj,
                    "youth": youth,
                    "case_uuid": _case_uuid_of(obj),
                    "purpose": PORTAL_PURPOSE,
                    "reason": reason,
                }
                for obj in shown
            ],
        )
    else:
        record(
            actor=user,
            action=Action.YOUTH_VIEWED,
            target=youth,
            youth=youth,
            purpose=PORTAL_PURPOSE,
            reason=reason,
        )


def _case_uuid_of(obj: Any) -> UUID | None:
    """The uuid of the case an object belongs to, when it is at hand without a query."""
    case = obj._state.fields_cache.get("case") if hasattr(obj, "_state") else None
    return case.uuid if case is not None else None


def portal_restricted_page(*, user: AnyUser, standing: FamilyStanding, page: str) -> None:
    """Log the page a parent of a youth of 16 or older sees without the youth's permission: the
    child's name and the explanation, nothing of the data (R-AGE-5)."""
    with transaction.atomic():
        record(
            actor=user,
            action=Action.YOUTH_VIEWED,
            target=standing.youth,
            youth=standing.youth,
            purpose=PORTAL_PURPOSE,
            reason=f"{page}: the youth decides from 16; nothing shown",
        )


# --- What is shared about the youth (SPEC R-2-3, R-8-1, R-6-3, R-6-2) ---------------------------


@dataclass(frozen=True)
class SharedRow:
    """One shared item as the family reads it: what, by whom, on which ground, with whom."""

    item: SharedItem
    # Empty: everyone at the table; otherwise "name (organisation)" of each chosen reader.
    readers: list[str]
    # For an item shared on consent: the organisations the consent names.
    consent_recipients: list[str]
    still_shared: bool


@dataclass(frozen=True)
class SharedPage:
    """The page 'What is shared about me / my child'."""

    standing: FamilyStanding
    shared: list[SharedRow] = field(default_factory=list)
    no_longer_shared: list[SharedRow] = field(default_factory=list)


def _consent_in_force(consent: Consent | None, today: date) -> bool:
    """Whether `consent` carries shares today (state and period), as the read rule asks."""
    return (
        consent is not None
        and consent.status in COVERING_STATUSES
        and consent.valid_from <= today <= consent.valid_until
    )


def portal_shared_items(*, user: AnyUser, standing: FamilyStanding) -> SharedPage:
    """Every item shared about the youth in the cases `user` may see, newest first; logged.

    Withheld items ("niet verstrekken", R-6-3) are not shared, so not listed. An item whose
    consent ended (withdrawn, refused, expired) is listed apart as no longer shared: its
    recipients no longer read it (invariant 7). A fixed number of queries, whatever the number
    of items; one `youth.viewed` event for the youth, in the transaction of the read.
    """
    youth = standing.youth
    if standing.restricted:
        portal_restricted_page(user=user, standing=standing, page="shared items")
        return SharedPage(standing=standing)
    items = (
        SharedItem.objects.filter(
            case__in=Case.objects.visible_to(user).filter(youth=youth),
            withheld_at__isnull=True,
        )
        .select_related(
            "category", "legal_basis", "owner", "case__consultation_type", "consent", "meeting"
        )
        .prefetch_related(
            Prefetch(
                "recipients", queryset=Participant.objects.select_related("user", "organisation")
            ),
            Prefetch("consent__recipients", queryset=Organisation.objects.order_by("name")),
        )
        .order_by("-created_at", "-id")
    )
    today = timezone.localdate()
    with transaction.atomic():
        rows = [_shared_row(item, today) for item in items]
        _record_page(user=user, youth=youth, action=Action.YOUTH_VIEWED, shown=[], reason="shared")
    return SharedPage(
        standing=standing,
        shared=[row for row in rows if row.still_shared],
        no_longer_shared=[row for row in rows if not row.still_shared],
    )


def _shared_row(item: SharedItem, today: date) -> SharedRow:
    readers = (
        []
        if item.audience_all
        else sorted(
            f"{p.user.get_full_name()} ({p.organisation.name})"
            if p.organisation_id and p.user_id
            else (p.user.get_full_name() if p.user_id else str(p.get_kind_display()))
            for p in item.recipients.all()
        )
    )
    consent = item.consent
    return SharedRow(
        item=item,
        readers=readers,
        consent_recipients=[o.name for o in consent.recipients.all()] if consent else [],
        still_shared=not item.shared_on_consent or _consent_in_force(consent, today),
    )


# --- Who looked at the youth's data (issue 6; audit.selectors.who_looked) ------------------------

ACCESS_LOG_PAGE_SIZE = 25
# who_looked's cap: the page says so when the log holds more.
ACCESS_LOG_LIMIT = 500


@dataclass(frozen=True)
class AccessLogPage:
    """One page of 'Who looked at my data?', most recent first."""

    standing: FamilyStanding
    page: Page | None = None
    # who_looked returns at most its limit: the page says so when that many came back.
    capped: bool = False


def portal_access_log(
    *, user: AnyUser, standing: FamilyStanding, page_number: str | int | None = 1
) -> AccessLogPage:
    """Who looked at the youth's data (organisation, role, when, why, what); logged.

    `who_looked` applies the family rules; the permission a youth of 16 or older gives a parent
    is passed in (R-AGE-5). The look at the log is itself an `audit.viewed` event about the
    youth, in the same transaction as the read.
    """
    youth = standing.youth
    if standing.restricted:
        portal_restricted_page(user=user, standing=standing, page="access log")
        return AccessLogPage(standing=standing)
    with transaction.atomic():
        looked = who_looked(
            actor=user,
            youth=youth,
            limit=ACCESS_LOG_LIMIT,
            parent_allowed=None if standing.is_youth else standing.may_see,
        )
        record(
            actor=user,
            action=Action.ACCESS_LOG_VIEWED,
            target=youth,
            youth=youth,
            purpose=PORTAL_PURPOSE,
        )
    purposes = dict(Purpose.objects.values_list("code", "name"))
    for row in looked:
        row["purpose_name"] = purposes.get(row["purpose"], "")
    page = Paginator(looked, ACCESS_LOG_PAGE_SIZE).get_page(page_number)
    return AccessLogPage(standing=standing, page=page, capped=len(looked) >= ACCESS_LOG_LIMIT)


# --- Consents (SPEC R-6-2, R-AGE-1, R-AGE-4, DESIGN invariant 7) --------------------------------

GIVE, REFUSE, WITHDRAW, CONFIRM = "give", "refuse", "withdraw", "confirm"
DECISION_OF_ACTION = {
    GIVE: DecisionKind.GIVEN,
    REFUSE: DecisionKind.DECLINED,
    WITHDRAW: DecisionKind.WITHDRAWN,
    CONFIRM: DecisionKind.RECONFIRMED,
}


@dataclass(frozen=True)
class ConsenterLine:
    """One person whose decision counts, with their last decision (None: not decided yet)."""

    name: str
    is_youth: bool
    is_you: bool
    decision: str | None


@dataclass(frozen=True)
class ConsentRow:
    """A consent as the family reads it, with what the user may do about it now."""

    consent: Consent
    categories: list[DataCategory]
    recipients: list[Organisation]
    # The age table today: groups of people of whom one consent suffices (R-AGE-1, §10 Q4).
    required: list[list[ConsenterLine]]
    actions: list[str]
    receipts: list[ConsentReceipt]
    my_decision: str | None

    @property
    def waits_for_you(self) -> bool:
        """The user is asked to give (or refuse) it, or as the youth to confirm it."""
        return GIVE in self.actions or REFUSE in self.actions or CONFIRM in self.actions

    @property
    def waits_for_youth(self) -> bool:
        """Given by the parents only and the youth turned 16: the youth confirms (R-AGE-4)."""
        return self.consent.status == ConsentStatus.RECONFIRM

    @property
    def is_live(self) -> bool:
        """Waiting or in force; not refused, withdrawn or expired."""
        return self.consent.is_live

    @property
    def health_items(self) -> bool:
        """Whether it explicitly includes health data (AVG art. 9(2)(a))."""
        return self.consent.covers_special


def _consents(user: AnyUser) -> QuerySet[Consent]:
    """Consents `user` may see, with everything the pages show (a fixed number of queries)."""
    return (
        Consent.objects.visible_to(user)
        .select_related("source_organisation", "agreed_with", "purpose", "case__consultation_type")
        .prefetch_related(
            Prefetch("categories", queryset=DataCategory.objects.order_by("code")),
            Prefetch("recipients", queryset=Organisation.objects.order_by("name")),
            Prefetch("decisions", queryset=ConsentDecision.objects.order_by("decided_at", "id")),
            Prefetch(
                "receipts",
                queryset=ConsentReceipt.objects.select_related("decision").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
    )


def _last_decisions(consent: Consent) -> dict[Consenter, str]:
    """Each person's last decision on `consent` (its decisions are prefetched, in order)."""
    return {
        Consenter(decision.consenter_kind, decision.guardian_id): decision.kind
        for decision in consent.decisions.all()
    }


def _consenter_name(youth: Youth, consenter: Consenter) -> str:
    if consenter.is_youth:
        return youth.given_name
    guardian = next((g for g in youth.guardians.all() if g.pk == consenter.guardian_id), None)
    return str(guardian) if guardian else ""


def _consent_actions(
    consent: Consent,
    me: Consenter | None,
    mine: str | None,
    required: RequiredConsenters,
    today: date,
) -> list[str]:
    """What the user may do about `consent` now; `consent.services` checks it again.

    - give or refuse: the consent waits, the age table asks the user, who has not given it;
    - confirm: the youth, when their parents' consent waits for them at 16 (R-AGE-4);
    - withdraw: a consent still waiting or in force that the user gave, or whose consent the
      age table asks now (any required person can end it at once, invariant 7).
    """
    if me is None or not consent.is_live:
        return []
    agreed = mine in (DecisionKind.GIVEN, DecisionKind.RECONFIRMED)
    asked = required.includes(me)
    actions = []
    if consent.status == ConsentStatus.PENDING and asked and not agreed:
        if consent.valid_until >= today:
            actions.append(GIVE)
        actions.append(REFUSE)
    if consent.status == ConsentStatus.RECONFIRM and me.is_youth:
        actions.append(CONFIRM)
    if agreed or (consent.status != ConsentStatus.PENDING and asked):
        actions.append(WITHDRAW)
    return actions


def _consent_row(consent: Consent, standing: FamilyStanding, today: date) -> ConsentRow:
    youth = standing.youth
    consent.youth = youth  # the same youth, with its guardians at hand: no query per consent
    decisions = _last_decisions(consent)
    required = required_consenters(youth, today)
    me = standing.consenter
    groups = [
        [
            ConsenterLine(
                name=_consenter_name(youth, member),
                is_youth=member.is_youth,
                is_you=member == me,
                decision=decisions.get(member),
            )
            for member in group.members
        ]
        for group in required.groups
    ]
    mine = decisions.get(me) if me is not None else None
    return ConsentRow(
        consent=consent,
        categories=list(consent.categories.all()),
        recipients=list(consent.recipients.all()),
        required=groups,
        actions=_consent_actions(consent, me, mine, required, today),
        receipts=list(consent.receipts.all()),
        my_decision=mine,
    )


@dataclass(frozen=True)
class ConsentListPage:
    """'My consents' for one youth: what waits for the user first."""

    standing: FamilyStanding
    rows: list[ConsentRow] = field(default_factory=list)

    @property
    def waiting(self) -> list[ConsentRow]:
        """Consents the user is asked to decide on now."""
        return [row for row in self.rows if row.waits_for_you]

    @property
    def others(self) -> list[ConsentRow]:
        """The rest: in force, waiting for others, or ended."""
        return [row for row in self.rows if not row.waits_for_you]


def portal_consent_list(*, user: AnyUser, standing: FamilyStanding) -> ConsentListPage:
    """The consents about the youth in the cases `user` may see; each one shown is logged.

    Live ones first (newest first), then the ended ones.
    """
    youth = standing.youth
    today = timezone.localdate()
    if standing.restricted:
        # From 16 the youth decides what the parent sees; a consent the parent gave earlier
        # stays theirs to withdraw (AVG art. 7(3)): only those are listed.
        portal_restricted_page(user=user, standing=standing, page="consents")
        with transaction.atomic():
            own = [
                c
                for c in _consents(user).filter(youth=youth).order_by("-created_at", "-id")
                if c.is_live and _gave_it(standing, c)
            ]
            if own:
                _record_page(user=user, youth=youth, action=Action.CONSENT_VIEWED, shown=own)
        return ConsentListPage(
            standing=standing, rows=[_consent_row(c, standing, today) for c in own]
        )
    with transaction.atomic():
        consents = list(_consents(user).filter(youth=youth).order_by("-created_at", "-id"))
        rows = [_consent_row(consent, standing, today) for consent in consents]
        _record_page(user=user, youth=youth, action=Action.CONSENT_VIEWED, shown=consents)
    rows.sort(key=lambda row: not row.is_live)  # stable: newest first within each group
    return ConsentListPage(standing=standing, rows=rows)


@dataclass(frozen=True)
class ConsentPage:
    """One consent, for its page and its confirmation page."""

    standing: FamilyStanding
    row: ConsentRow

    @property
    def consent(self) -> Consent:
        return self.row.consent


def _gave_it(standing: FamilyStanding, consent: Consent) -> bool:
    """Whether the user's own last decision on `consent` is a consent they gave: they may
    always see and withdraw what they gave (AVG art. 7(3)), also once the youth decides alone."""
    me = standing.consenter
    if me is None:
        return False
    last = (
        consent.decisions.filter(consenter_kind=me.kind, guardian_id=me.guardian_id)
        .order_by("-decided_at", "-id")
        .first()
    )
    return last is not None and last.kind in (DecisionKind.GIVEN, DecisionKind.RECONFIRMED)


def portal_consent_get(*, user: AnyUser, uuid: UUID, log: bool = True) -> ConsentPage:
    """One consent about a youth of the user's family, logged as viewed unless `log` is False.

    Raises Consent.DoesNotExist (→ 404, logged) when the user may not see it: not in a case of
    theirs, a parent without gezag, or a parent of a youth of 16 or older without the youth's
    permission (R-AGE-5).
    """
    consent = _consents(user).filter(uuid=uuid).first()
    standing = None
    if consent is not None:
        youth = _family_youths(user).filter(pk=consent.youth_id).first()
        standing = _standing(user, youth, timezone.localdate()) if youth is not None else None
    if (
        consent is None
        or standing is None
        or (standing.restricted and not _gave_it(standing, consent))
    ):
        _denied(user)
        raise Consent.DoesNotExist
    row = _consent_row(consent, standing, timezone.localdate())
    if log:
        with transaction.atomic():
            record(
                actor=user,
                action=Action.CONSENT_VIEWED,
                target=consent,
                youth=standing.youth,
                case_uuid=consent.case.uuid,
                purpose=consent.purpose.code,
            )
    return ConsentPage(standing=standing, row=row)


def portal_receipt_get(*, user: AnyUser, uuid: UUID) -> ConsentReceipt:
    """A receipt of a consent the user may see (`portal_consent_get`'s rule); not logged here:
    the download logs itself. Raises ConsentReceipt.DoesNotExist (→ 404, logged)."""
    receipt = (
        ConsentReceipt.objects.filter(uuid=uuid, consent__in=Consent.objects.visible_to(user))
        .select_related("consent__case", "consent__purpose", "decision")
        .first()
    )
    standing = None
    if receipt is not None:
        youth = _family_youths(user).filter(pk=receipt.consent.youth_id).first()
        standing = _standing(user, youth, timezone.localdate()) if youth is not None else None
    if (
        receipt is None
        or standing is None
        or (
            standing.restricted
            and not (
                _gave_it(standing, receipt.consent)
                and standing.consenter is not None
                and receipt.decision.guardian_id == standing.consenter.guardian_id
            )
        )
    ):
        # Restricted from 16, a parent keeps only the receipts of their own decisions.
        _denied(user)
        raise ConsentReceipt.DoesNotExist
    receipt.consent.youth = standing.youth
    return receipt


# --- Parents allowed to see (R-AGE-5, R-AGE-6) ---------------------------------------------------


@dataclass(frozen=True)
class ParentLine:
    """A parent with gezag and whether the youth allows them to see now."""

    guardian: Guardian
    allowed_since: Any  # datetime | None


@dataclass(frozen=True)
class ParentAccessPage:
    """'Who may look along?' for the youth themselves."""

    youth: Youth
    age: int
    decides_alone: bool
    parents: list[ParentLine]

    def parent(self, uuid: Any) -> ParentLine | None:
        """The line of the parent with public id `uuid`, if listed."""
        return next((line for line in self.parents if str(line.guardian.uuid) == str(uuid)), None)


def portal_parent_access(*, user: AnyUser, log: bool = True) -> ParentAccessPage:
    """The youth's parents with gezag and whom the youth allows to see; the page is logged.

    Raises Youth.DoesNotExist (→ 404, logged) when the user is no youth with a record.
    """
    youth = (
        _family_youths(user).filter(user=user).first()
        if getattr(user, "role", None) == Role.YOUTH
        else None
    )
    if youth is None:
        _denied(user)
        raise Youth.DoesNotExist
    today = timezone.localdate()
    parents = [g for g in youth.guardians.all() if g.has_authority]
    with transaction.atomic():
        live = {a.guardian_id: a for a in ParentAccess.objects.live().filter(youth=youth)}
        if log:
            record(
                actor=user,
                action=Action.YOUTH_VIEWED,
                target=youth,
                youth=youth,
                purpose=PORTAL_PURPOSE,
                reason="parent access",
            )
    return ParentAccessPage(
        youth=youth,
        age=youth.age_on(today),
        decides_alone=decides_alone(youth, today),
        parents=[
            ParentLine(
                guardian=g,
                allowed_since=live[g.pk].given_at if g.pk in live else None,
            )
            for g in parents
        ],
    )


# --- Rights requests (SPEC R-13-1..5, R-AGE-5, §7.1) --------------------------------------------


@dataclass(frozen=True)
class RequestListPage:
    """'My requests' for one youth: the user's own, and for the youth also their parents'."""

    standing: FamilyStanding
    requests: list[RightsRequest]

    @property
    def open_count(self) -> int:
        return sum(1 for r in self.requests if r.status != RequestStatus.CLOSED)


def _requests(user: AnyUser) -> QuerySet[RightsRequest]:
    return RightsRequest.objects.visible_to(user).select_related(
        "organisation", "case__consultation_type", "requester", "guardian"
    )


def portal_request_list(*, user: AnyUser, standing: FamilyStanding) -> RequestListPage:
    """The rights requests about the youth that `user` may see, newest first; each is logged.

    A parent sees their own requests, also when the youth is 16 or older: filing is their right,
    the request then waits for the youth (R-AGE-5). The youth sees theirs and their parents'.
    """
    youth = standing.youth
    with transaction.atomic():
        requests = list(_requests(user).filter(youth=youth).order_by("-filed_at", "-id"))
        _record_page(user=user, youth=youth, action=Action.REQUEST_LISTED, shown=requests)
    return RequestListPage(standing=standing, requests=requests)


@dataclass(frozen=True)
class RequestPage:
    """One request, and whether the user reads its answer."""

    request: RightsRequest
    standing: FamilyStanding | None
    # The answer tells about the youth: the youth reads it, and a parent who may see (R-AGE-5).
    may_read_answer: bool


def portal_request_get(*, user: AnyUser, uuid: UUID, log: bool = True) -> RequestPage:
    """One rights request the user may see, logged as viewed unless `log` is False.

    Raises RightsRequest.DoesNotExist (→ 404, logged) otherwise.
    """
    request = _requests(user).filter(uuid=uuid).first()
    if request is None:
        _denied(user)
        raise RightsRequest.DoesNotExist
    youth = _family_youths(user).filter(pk=request.youth_id).first()
    standing = _standing(user, youth, timezone.localdate()) if youth is not None else None
    if youth is not None:
        request.youth = youth
    if log:
        with transaction.atomic():
            record(
                actor=user,
                action=Action.REQUEST_VIEWED,
                target=request,
                youth=request.youth,
                case_uuid=request.case.uuid if request.case_id else None,
                reason=request.kind,
            )
    return RequestPage(
        request=request,
        standing=standing,
        may_read_answer=standing is not None and standing.may_see,
    )


@dataclass(frozen=True)
class RequestFormPage:
    """What the request form offers: the cases, the chosen case's organisations and kinds."""

    standing: FamilyStanding
    cases: list[Case]
    case: Case | None
    organisations: list[Organisation]
    kinds: list[str]
    # A parent of a youth of 16 or older without permission: the request waits (R-AGE-5).
    waits_for_youth: bool


def portal_request_form(
    *, user: AnyUser, standing: FamilyStanding, case_uuid: Any = None, log: bool = True
) -> RequestFormPage:
    """The cases about the youth that `user` takes part in, and for the chosen one (or the only
    one) the organisations holding its data and the requests they take (R-13-3, §7.1)."""
    youth = standing.youth
    today = timezone.localdate()
    cases = list(
        Case.objects.visible_to(user)
        .filter(youth=youth)
        .select_related("consultation_type", "organisation")
        .order_by("-created_at")
    )
    case = next((c for c in cases if str(c.uuid) == str(case_uuid)), None)
    if case is None and len(cases) == 1:
        case = cases[0]
    organisations = request_organisation_choices(case=case) if case is not None else []
    if standing.restricted and case is not None:
        # From 16 the parent does not see who shared what: the list of owner parties would tell
        # them. The procesregisseur's organisation takes the request and forwards it (R-13-3).
        organisations = [o for o in organisations if o.pk == case.organisation_id]
    kinds: list[str] = []
    for organisation in organisations:
        kinds += [
            k
            for k in request_kinds_for(youth=youth, organisation=organisation, on=today)
            if k not in kinds
        ]
    if log:
        with transaction.atomic():
            record(
                actor=user,
                action=Action.YOUTH_VIEWED,
                target=youth,
                youth=youth,
                case_uuid=case.uuid if case else None,
                purpose=PORTAL_PURPOSE,
                reason="request form",
            )
    return RequestFormPage(
        standing=standing,
        cases=cases,
        case=case,
        organisations=organisations,
        kinds=[k for k in RequestKind.values if k in kinds],
        waits_for_youth=not standing.is_youth and standing.decides_alone and standing.restricted,
    )


# --- Home page counts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YouthCard:
    """One youth on the home page, with the counts that matter to the user."""

    standing: FamilyStanding
    consents_waiting: int
    consents_to_confirm: int
    requests_open: int

    @property
    def youth(self) -> Youth:
        return self.standing.youth


def portal_home_youths(*, user: AnyUser) -> list[YouthCard]:
    """The youths on the home page (each view logged) with what waits for the user.

    A fixed number of queries for the consents and requests, plus one per youth of 16 or older
    (the youth's permission for the parent).
    """
    today = timezone.localdate()
    with transaction.atomic():
        youths = list(_family_youths(user))
        record_shown(
            actor=user,
            action=Action.YOUTH_VIEWED,
            shown=[{"target": y, "youth": y, "purpose": PORTAL_PURPOSE} for y in youths],
        )
    standings = [s for s in (_standing(user, y, today) for y in youths) if s is not None]
    seen = [s.youth.pk for s in standings if s.may_see]
    consents = list(_consents(user).filter(youth_id__in=seen, status__in=LIVE_STATUSES))
    open_requests: dict[int, int] = {}
    for youth_id in (
        _requests(user)
        .open()
        .filter(youth_id__in=[s.youth.pk for s in standings])
        .values_list("youth_id", flat=True)
    ):
        open_requests[youth_id] = open_requests.get(youth_id, 0) + 1
    cards = []
    for standing in standings:
        rows = [
            _consent_row(c, standing, today) for c in consents if c.youth_id == standing.youth.pk
        ]
        cards.append(
            YouthCard(
                standing=standing,
                consents_waiting=sum(1 for r in rows if r.waits_for_you),
                consents_to_confirm=sum(1 for r in rows if r.waits_for_youth),
                requests_open=open_requests.get(standing.youth.pk, 0),
            )
        )
    return cards


def portal_youths(*, user: AnyUser) -> list[Youth]:
    """The youths of the user's home page, each view logged as the home page logs it (the demo's
    simulated visits call this)."""
    return [card.youth for card in portal_home_youths(user=user)]
