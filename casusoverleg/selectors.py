"""Reads of the casusoverleg app. Every selector takes the acting user and starts from
`visible_to(user)`; selectors that show a youth's data write the access event themselves, in the
same transaction as the read (DESIGN invariant 2, STYLE §4.6).
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from audit.choices import Action, Outcome
from audit.services import record, record_shown
from core.permissions import AnyUser
from parties.choices import Role
from parties.models import Youth

from .choices import MeetingStatus, ParticipantKind, Response
from .models import (
    ActionItem,
    Case,
    CaseDocument,
    Meeting,
    Minutes,
    MinutesEntry,
    Participant,
    SharedItem,
)


def current_meeting(case: Case) -> Meeting | None:
    """The meeting the case's steps are about: the latest one that was not cancelled.

    Takes a case the caller can already see; reads no personal data of its own.
    """
    return case.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at").first()


def case_list(*, user: AnyUser) -> QuerySet[Case]:
    """Cases `user` may see now, with what list pages show; newest first. Not logged: a query."""
    return (
        Case.objects.visible_to(user)
        .select_related("youth", "consultation_type", "coordinator", "organisation", "purpose")
        .order_by("-created_at")
    )


def _log_youths_shown(*, user: AnyUser, cases: list[Case], action: Action) -> None:
    """One event per case shown whose youth is named: a list of N youths is N accesses."""
    record_shown(
        actor=user,
        action=action,
        shown=[
            {
                "target": case,
                "youth": case.youth,
                "case_uuid": case.uuid,
                "purpose": case.purpose.code,
            }
            for case in cases
            if case.youth_id is not None
        ],
    )


def case_overview(*, user: AnyUser) -> dict[str, list[Case]]:
    """The workplace's case lists: those `user` directs and those they take part in (logged)."""
    with transaction.atomic():
        cases = list(case_list(user=user))
        _log_youths_shown(user=user, cases=cases, action=Action.CASE_LISTED)
    return {
        "directed": [c for c in cases if c.coordinator_id == user.pk],
        "participating": [c for c in cases if c.coordinator_id != user.pk],
    }


def case_get(*, user: AnyUser, uuid: UUID, log: bool = True) -> Case:
    """One case `user` may see, logged as viewed; Case.DoesNotExist (→ 404) otherwise.

    A miss is logged as a denied access without revealing whether the case exists.
    """
    case = case_list(user=user).filter(uuid=uuid).first()
    if case is None:
        # Outside any atomic block: the denial must survive the 404 that follows.
        record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")
        raise Case.DoesNotExist
    if log:
        case_viewed(user=user, case=case)
    return case


def case_viewed(*, user: AnyUser, case: Case) -> None:
    """Record that `user` viewed `case` (for pages that check permission before showing it)."""
    with transaction.atomic():
        record(
            actor=user,
            action=Action.CASE_VIEWED,
            target=case,
            youth=case.youth,
            case_uuid=case.uuid,
            purpose=case.purpose.code,
        )


def minutes_entries(*, user: AnyUser, minutes: Minutes) -> list[MinutesEntry]:
    """The entries of `minutes` that `user` may read: all of them for everyone who may open the
    case, except that a party that left the covenant reads only its own (R-19-1)."""
    return list(
        MinutesEntry.objects.filter(minutes=minutes)
        .visible_to(user)
        .select_related("owner", "author")
    )


def participant_list(*, case: Case) -> list[Participant]:
    """Everyone at the table of a case the caller can already see, family first."""
    return list(
        case.participants.select_related("user", "organisation", "guardian").order_by(
            "left_at", "kind", "created_at"
        )
    )


def invitation_list(*, user: AnyUser) -> QuerySet[Participant]:
    """The professional's open invitations: what they were asked to join and not yet answered.

    An invitation shows no personal data of the youth (only type, time, place, procesregisseur),
    so reading it needs no grant.
    """
    return (
        Participant.objects.own_invitations(user)
        .filter(left_at__isnull=True, is_invited=True, response=Response.PENDING)
        # Only what was actually sent: a seat without an invitation is not yet an invitation.
        .filter(invitations__method="REQUEST")
        .distinct()
        .exclude(case__status="afgesloten")
        .select_related("case__consultation_type", "case__coordinator", "case__organisation")
        .prefetch_related(
            Prefetch(
                "case__meetings",
                queryset=Meeting.objects.exclude(status=MeetingStatus.CANCELLED),
                to_attr="active_meetings",
            )
        )
        .order_by("created_at")
    )


def invitation_get(*, user: AnyUser, uuid: UUID) -> Participant:
    """One invitation addressed to `user` (logged as viewed); Participant.DoesNotExist otherwise."""
    participant = (
        Participant.objects.own_invitations(user)
        .select_related("case__consultation_type", "case__coordinator", "case__organisation")
        .filter(uuid=uuid)
        .first()
    )
    if participant is None:
        record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")
        raise Participant.DoesNotExist
    with transaction.atomic():
        # The invitation names no youth; the event still ties the look to the case.
        record(
            actor=user,
            action=Action.INVITATION_VIEWED,
            target=participant,
            case_uuid=participant.case.uuid,
        )
    return participant


def meeting_calendar(*, user: AnyUser, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings of cases `user` sees, starting in [start, end); each youth shown is logged.

    Cancelled meetings stay in the calendar, marked, so that nobody wonders where one went.
    """
    with transaction.atomic():
        meetings = list(
            Meeting.objects.visible_to(user)
            .filter(starts_at__gte=start, starts_at__lt=end)
            .select_related(
                "case__youth", "case__consultation_type", "case__purpose", "case__coordinator"
            )
            .order_by("starts_at")
        )
        shown = {m.case.pk: m.case for m in meetings}
        _log_youths_shown(user=user, cases=list(shown.values()), action=Action.CASE_LISTED)
    return meetings


def action_list(*, user: AnyUser) -> list[ActionItem]:
    """Open actions assigned to `user`, soonest first; each youth shown is logged."""
    with transaction.atomic():
        actions = list(
            ActionItem.objects.open()
            .assigned_to(user)
            .select_related(
                "minutes__meeting__case__youth",
                "minutes__meeting__case__consultation_type",
                "minutes__meeting__case__purpose",
            )
            .order_by("due_on")
        )
        cases = {a.minutes.meeting.case.pk: a.minutes.meeting.case for a in actions}
        _log_youths_shown(user=user, cases=list(cases.values()), action=Action.CASE_LISTED)
    return actions


def document_get(*, user: AnyUser, uuid: UUID) -> CaseDocument:
    """A PDF `user` asked for, of a case they still see; CaseDocument.DoesNotExist otherwise.

    Someone else's copy is a 404: each copy carries its own reader's watermark (R-11-2).
    """
    document = (
        CaseDocument.objects.filter(
            uuid=uuid, requested_by=user, case__in=Case.objects.visible_to(user)
        )
        .select_related("case__youth", "case__purpose")
        .first()
    )
    if document is None:
        record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")
        raise CaseDocument.DoesNotExist
    return document


def document_list(*, user: AnyUser, case: Case) -> list[CaseDocument]:
    """The PDFs `user` asked for in `case`, newest first."""
    return list(case.documents.filter(requested_by=user).order_by("-created_at")[:10])


def youth_choices(*, user: AnyUser) -> QuerySet[Youth]:
    """Youths a procesregisseur may open a case for: pupils of their own organisation.

    Need to know: a procesregisseur does not browse the region's children; a school's IB'er sees
    the school's pupils, and a case already directed stays reachable.
    """
    professional = getattr(user, "professional", None)
    if professional is None or getattr(user, "role", "") != Role.COORDINATOR:
        return Youth.objects.none()
    organisation = professional.organisation
    rule = (
        # Pupils of the procesregisseur's own school, or of a school of their board.
        Q(school=organisation)
        | Q(school__parent=organisation)
        # Youths of cases they direct.
        | Q(cases__coordinator=user)
    )
    ids = Youth.objects.filter(rule).values("pk")
    return Youth.objects.filter(pk__in=ids).order_by("family_name", "given_name")


def youth_choices_logged(*, user: AnyUser) -> list[Youth]:
    """`youth_choices`, with one 'listed' event per youth shown in the form."""
    with transaction.atomic():
        youths = list(youth_choices(user=user))
        record_shown(
            actor=user,
            action=Action.YOUTH_LISTED,
            shown=[{"target": youth, "youth": youth} for youth in youths],
        )
    return youths


def family_participations(*, user: AnyUser) -> QuerySet[Participant]:
    """The portal user's own seats at tables: as a parent with gezag or as the youth."""
    if not (user.is_authenticated and user.is_active):
        return Participant.objects.none()
    return (
        Participant.objects.filter(
            user=user,
            kind__in=[ParticipantKind.PARENT, ParticipantKind.YOUTH],
            is_invited=True,
            left_at__isnull=True,
        )
        .select_related("case__youth", "case__consultation_type", "case__purpose")
        .order_by("-case__created_at")
    )


def family_cases_logged(*, user: AnyUser) -> list[Any]:
    """The portal's case list: each case whose youth is shown is logged."""
    with transaction.atomic():
        seats = list(family_participations(user=user))
        _log_youths_shown(user=user, cases=[s.case for s in seats], action=Action.CASE_LISTED)
    return seats


def professional_choices(*, case: Case) -> QuerySet[Any]:
    """Professionals of the case's region who can be invited: not yet at the table.

    Organisations that have not (fully) joined the covenant are listed too: choosing one gives
    the procesregisseur the reason it cannot take part (R-P-3) instead of a silent omission.
    """
    from parties.models import User

    seated = case.participants.active().filter(user__isnull=False).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            role__in=[Role.PROFESSIONAL, Role.COORDINATOR],
            professional__organisation__region_id=case.covenant.region_id,
        )
        .exclude(pk__in=seated)
        .exclude(pk=case.coordinator_id)
        .select_related("professional__organisation")
        .order_by("professional__organisation__name", "last_name", "first_name")
    )


def case_page(*, case: Case) -> dict[str, Any]:
    """Everything the case page shows besides the case itself, fetched in a fixed few queries."""
    from .models import CoordinatorHandover, Invitation

    participants = participant_list(case=case)
    meetings = list(case.meetings.order_by("-starts_at"))
    current = next((m for m in meetings if m.status != MeetingStatus.CANCELLED), None)
    invitations: dict[int, Invitation] = {}
    if current is not None:
        for invitation in Invitation.objects.filter(meeting=current).order_by(
            "participant_id", "-created_at"
        ):
            invitations.setdefault(invitation.participant_id, invitation)
    for participant in participants:
        participant.current_invitation = invitations.get(participant.pk)
    return {
        "participants": participants,
        "meetings": meetings,
        "meeting": current,
        "invitations": invitations,
        "handovers": list(
            CoordinatorHandover.objects.filter(case=case).select_related("from_user", "to_user")
        ),
        "notice": case.privacy_notices.order_by("-version").first(),
    }


def action_get(*, user: AnyUser, uuid: UUID) -> ActionItem:
    """An action `user` may mark done: their own open one, or one in a case they direct.

    Anything else raises ActionItem.DoesNotExist (→ 404, logged), revealing nothing.
    """
    own = ActionItem.objects.open().assigned_to(user)
    directed = ActionItem.objects.filter(
        minutes__meeting__case__in=Case.objects.visible_to(user).filter(coordinator=user)
    )
    action = (
        ActionItem.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=directed.values("pk")))
        .filter(uuid=uuid)
        .select_related(
            "assignee", "minutes__meeting__case__youth", "minutes__meeting__case__purpose"
        )
        .first()
    )
    if action is None:
        record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")
        raise ActionItem.DoesNotExist
    return action


def shared_item_list(
    *, user: AnyUser, case: Case, meeting: Meeting | None = None
) -> list[SharedItem]:
    """The items of a case (or of one meeting) that `user` may read, oldest first, with what
    the page shows of each: source, owner, basis, category and the chosen recipients.

    The case page logs the view of the case (`case_viewed`); the items are part of that view.
    A fixed number of queries, whatever the number of items.
    """
    items = SharedItem.objects.visible_to(user).filter(case=case)
    if meeting is not None:
        items = items.filter(meeting=meeting)
    return list(
        items.select_related("category", "legal_basis", "owner", "author", "withheld_by", "meeting")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Participant.objects.select_related("user", "organisation"),
            )
        )
        .order_by("created_at")
    )


def shared_item_get(*, user: AnyUser, uuid: UUID) -> SharedItem:
    """One item `user` may read, for the pages that change it; SharedItem.DoesNotExist (→ 404,
    logged) otherwise, revealing nothing about whether it exists."""
    item = (
        SharedItem.objects.visible_to(user)
        .filter(uuid=uuid)
        .select_related(
            "case__youth", "case__purpose", "case__consultation_type", "category", "legal_basis"
        )
        .select_related("owner", "author", "withheld_by")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Participant.objects.select_related("user", "organisation"),
            )
        )
        .first()
    )
    if item is None:
        record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")
        raise SharedItem.DoesNotExist
    return item
