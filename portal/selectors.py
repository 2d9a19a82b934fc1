"""Reads for the parent and youth portal; every youth shown is recorded in the access log.

Each selector starts from what the user may see (`Case.objects.visible_to`, through the
casusoverleg selectors) and returns plain data for the templates, so that templates make no
queries and hold no rules (STYLE §4.3).
"""

from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from audit.choices import Action
from audit.services import record
from casusoverleg.choices import EntryKind, MeetingStatus, ParticipantKind
from casusoverleg.models import (
    ActionItem,
    Case,
    Meeting,
    Minutes,
    MinutesEntry,
    Participant,
    PrivacyNotice,
    Statement,
)
from casusoverleg.permissions import can_respond
from casusoverleg.selectors import case_get, family_cases_logged
from casusoverleg.services import minutes_family_recipients
from core.permissions import AnyUser
from parties.models import User, Youth
from parties.selectors import youth_list

FAMILY_KINDS = (ParticipantKind.PARENT, ParticipantKind.YOUTH)
# The family reads the table as: the professionals, then the parents, then the youth.
KIND_ORDER = {ParticipantKind.PROFESSIONAL: 0, ParticipantKind.PARENT: 1, ParticipantKind.YOUTH: 2}


def portal_youths(*, user: User) -> list[Youth]:
    """The youths a parent (with gezag) or youth sees on their home page; each view is logged.

    The query and the access events share one transaction: if the log cannot be written, nothing
    is shown (DESIGN invariant 2).
    """
    with transaction.atomic():
        youths = list(youth_list(user=user))
        for youth in youths:
            record(
                actor=user, action=Action.YOUTH_VIEWED, target=youth, youth=youth, purpose="portal"
            )
    return youths


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


def _shared_minutes(*, user: AnyUser, case: Case, current: Meeting | None) -> list[SharedMinutes]:
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
                takes_statements=current is not None and minutes.meeting_id == current.pk,
            )
        )
    return shown


def portal_case_page(*, user: AnyUser, uuid: UUID, log: bool = True) -> CasePage:
    """The portal's case page for a parent or youth; the view is logged (`case_get`).

    Raises Case.DoesNotExist (→ 404, logged as denied) when the user may not see the case.
    The minutes are shown only once shared with the family, and only to the family members
    who receive them by the age table: from 16 not to the parents (SPEC R-12-3, §6).
    """
    case = case_get(user=user, uuid=uuid, log=log)
    participants = case_invited_participants(user=user, case=case)
    seat = own_seat(user=user, participants=participants)
    meetings = _meetings_of(user=user, cases=[case])[case.pk]
    upcoming = next_meeting(meetings)
    recipients = {p.pk for p in minutes_family_recipients(case=case)}
    receives_minutes = seat is not None and seat.pk in recipients
    minutes = (
        _shared_minutes(user=user, case=case, current=_current_meeting(meetings))
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


def receives_minutes(*, user: AnyUser, case: Case) -> bool:
    """Whether the user's own seat in `case` is among the family who receive its minutes (§6).

    From 16 the youth decides who reads the minutes, so a parent's seat no longer counts.
    """
    seat = case_seat(user=user, case=case)
    if seat is None:
        return False
    return any(p.pk == seat.pk for p in minutes_family_recipients(case=case))
