"""The casusoverleg policy: what a user may do to a case they can already see (STYLE §4.4).

The VIEW rule is `CaseQuerySet.visible_to`; everything here is a predicate on a visible case.
Unknown actions are denied, never allowed by default.
"""

from django.db import models

from core.permissions import AnyUser
from parties.choices import Secrecy

from .choices import CaseStatus, InvitationMethod, ParticipantKind, Response
from .models import Case, Participant, SharedItem


class CaseAction(models.TextChoices):
    """What can be done to a case besides looking at it."""

    DIRECT = "direct"  # participants, scheduling, checklist, state machine, minutes
    SHARE = "share"  # record data one's party shares (SharedItem)
    ADD_STATEMENT = "add_statement"  # a parent's or youth's own statement (R-8-3)
    REQUEST_PDF = "request_pdf"


def is_coordinator(user: AnyUser, case: Case) -> bool:
    """Whether `user` is the case's procesregisseur now (exactly one, R-PR-1)."""
    return user.is_authenticated and case.coordinator_id == user.pk


def can(user: AnyUser, action: CaseAction, case: Case) -> bool:
    """Whether `user` may perform `action` on `case`, which they can already see."""
    if action == CaseAction.DIRECT:
        # A closed case is frozen: closing started the retention period (SPEC art. 9).
        if not case.is_open:
            return False
        # Only the procesregisseur directs the case (SPEC §5.2, R-PR-2).
        return is_coordinator(user, case)
    if action == CaseAction.SHARE:
        # Nothing is added to a closed case (SPEC art. 9: closing starts the retention period).
        if not case.is_open:
            return False
        # The procesregisseur, or a professional at the table who accepted (R-7-2).
        return is_coordinator(user, case) or is_seated_professional(user, case)
    if action == CaseAction.ADD_STATEMENT:
        # Only the parent or youth at the table adds their own statement (SPEC R-8-3).
        return (
            case.participants.invited()
            .filter(user=user, kind__in=[ParticipantKind.PARENT, ParticipantKind.YOUTH])
            .exists()
        )
    if action == CaseAction.REQUEST_PDF:
        # Anyone who sees the case may ask for their own watermarked copy (R-11-2).
        return user.is_authenticated
    # Unknown actions are denied.
    return False


def is_seated_professional(user: AnyUser, case: Case) -> bool:
    """Whether `user` is an active professional participant of `case` who accepted."""
    return (
        user.is_authenticated
        and case.participants.active()
        .filter(user=user, kind=ParticipantKind.PROFESSIONAL, response=Response.ACCEPTED)
        .exists()
    )


class ItemAction(models.TextChoices):
    """What can be done to a shared item besides reading it."""

    MANAGE = "manage"  # correct or delete it (R-8-2)
    WITHHOLD = "withhold"  # mark or unmark "niet verstrekken" (R-6-3)


def can_item(user: AnyUser, action: ItemAction, item: SharedItem) -> bool:
    """Whether `user` may perform `action` on a shared item they can already read."""
    case = item.case
    # A closed case is frozen, its items too.
    if not case.is_open:
        return False
    # Only the owner party changes its own data (R-2-1, R-8-2).
    professional = getattr(user, "professional", None)
    if professional is None:
        return False
    # ... in the capacity it was shared in: a municipality acts in several (SPEC §4, R-P-4).
    if professional.organisation_id != item.owner_id:
        return False
    if professional.capacity != item.owner_capacity:
        return False
    # Only while at the table: the procesregisseur or a seated professional.
    if not (is_coordinator(user, case) or is_seated_professional(user, case)):
        return False
    if action == ItemAction.MANAGE:
        return True
    if action == ItemAction.WITHHOLD:
        # Jeugdwet 7.3.11 lid 3: a youth-care professional (professional secrecy) decides.
        return professional.secrecy == Secrecy.PROFESSIONAL_SECRECY
    # Unknown actions are denied.
    return False


def can_revoke(user: AnyUser, item: SharedItem) -> bool:
    """Whether `user` may revoke an item they can read as mis-shared (SPEC R-BREACH-6).

    Its author, a professional of its owner party, or the case's procesregisseur: whoever sees
    that it went to the wrong people can stop it at once, also in a closed case. Only an item
    others still read; one already withheld is hidden from them. No queries: the caller's item
    and case are at hand.
    """
    if not user.is_authenticated or item.is_withheld:
        return False
    professional = getattr(user, "professional", None)
    if professional is None:
        return False
    return (
        item.author_id == user.pk
        or professional.organisation_id == item.owner_id
        or item.case.coordinator_id == user.pk
    )


def can_respond(user: AnyUser, participant: Participant) -> bool:
    """Whether `user` may accept or decline this invitation: only its addressee, while open."""
    return (
        user.is_authenticated
        and participant.user_id == user.pk
        and participant.is_active
        and participant.is_invited
        # Answering makes sense only before the meeting has been held, and only once the
        # invitation (with its privacy notice, R-12-1) has been sent: before that, accepting
        # would open the case to someone the procesregisseur has not yet checked.
        and participant.case.status in (CaseStatus.PREPARED, CaseStatus.SCHEDULED)
        and participant.invitations.filter(method=InvitationMethod.REQUEST).exists()
    )
