"""Every write of the casusoverleg app (STYLE §4.5): one use case per function, one transaction.

Each service checks permission (`ensure` → 403), validates (ValidationError → a message next to
the field or at the top of the form), saves, writes its access event in the same transaction and
queues side effects (e-mail, PDFs) only after commit.
"""

import calendar
import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.services import record
from convenant.choices import ConsultationRoleCode, Transition
from convenant.models import (
    ChecklistItem,
    ConsultationType,
    DataCategory,
    LegalBasis,
    RetentionRule,
)
from convenant.selectors import (
    covenant_in_force,
    covenant_party_of,
    participation_refusal,
)
from core.permissions import ensure, grant, has_grant, holders, revoke
from parties.choices import Role
from parties.models import Organisation, User, Youth

from .choices import (
    NEXT_STATUS,
    Audience,
    CaseStatus,
    DeliveryStatus,
    DocumentKind,
    DocumentStatus,
    EntryKind,
    InvitationMethod,
    MeetingStatus,
    ParticipantKind,
    Response,
    TargetGroup,
)
from .models import (
    ActionItem,
    Attendance,
    Case,
    CaseDocument,
    ChecklistAnswer,
    CoordinatorHandover,
    Invitation,
    Meeting,
    Minutes,
    MinutesEntry,
    Participant,
    PrivacyNotice,
    SharedItem,
    Statement,
)
from .permissions import CaseAction, ItemAction, can, can_item, can_respond, can_revoke
from .querysets import VIEW_CASE
from .rules import add_working_days, family_rules
from .selectors import current_meeting, youth_choices
from .sharing import check_share, errors_of, has_professional_secrecy, is_owner

# Reasons the application itself records for not inviting a family member (SPEC §6); the
# procesregisseur's own reasons replace them.
UNDER_AGE_REASON = "Jonger dan 12 jaar: de mening van het kind wordt gehoord en vastgelegd."
ADULT_REASON = "De jongere is 18 jaar of ouder: ouders alleen als gast met toestemming."
AUTOMATIC_REASONS = (UNDER_AGE_REASON, ADULT_REASON)

CASE_MINUTES_RETENTION = "casusoverleg-verslag"

logger = logging.getLogger(__name__)


def _case_event(actor: Any, action: Action, case: Case, target: Any = None, **kwargs: Any) -> None:
    """Write the access event of a case action: the youth is the subject, the case the scope."""
    record(
        actor=actor,
        action=action,
        target=target if target is not None else case,
        youth=case.youth,
        case_uuid=case.uuid,
        purpose=case.purpose.code,
        **kwargs,
    )


def _locked(case: Case) -> Case:
    """The case row, locked until the caller's transaction ends.

    Two requests on one case (a double submit, two tabs) then run one after the other, and each
    checks permission and state on what the other left, not on what it read before.
    """
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("consultation_type", "purpose", "youth", "covenant", "organisation")
        .get(pk=case.pk)
    )


def _professional_organisation(user: User) -> Organisation:
    """The organisation a professional acts for; a user without one cannot act in a case."""
    professional = getattr(user, "professional", None)
    if professional is None:
        raise PermissionDenied
    return professional.organisation


# --- Opening a case and choosing participants -------------------------------------------------


@transaction.atomic
def case_open(
    *,
    actor: User,
    youth: Youth | None,
    consultation_type: ConsultationType,
    purpose_specification: str,
    target_group: str,
    out_of_education_since: date | None = None,
    coordinator_role: str = "",
) -> Case:
    """Open a Casusoverleg with `actor` as its procesregisseur (SPEC R-0-1, R-3-1, R-PR-1).

    The parents with gezag and the youth are put at the table at once: they are always invited
    (invariant 6); the age rules are applied again when the meeting date is known.
    Raises PermissionDenied unless `actor` is a procesregisseur of an organisation, and
    ValidationError for a disabled type, a missing covenant or invalid fields.
    """
    ensure(actor.role == Role.COORDINATOR)
    organisation = _professional_organisation(actor)
    today = timezone.localdate()
    covenant = covenant_in_force(region_id=organisation.region_id, on=today)
    if covenant is None:
        raise ValidationError(_("No covenant is in force in your region today."))
    if not consultation_type.enabled:
        raise ValidationError({"consultation_type": _("This consultation type is not enabled.")})
    refusal = participation_refusal(covenant=covenant, organisation=organisation, on=today)
    if refusal:
        raise ValidationError(refusal)
    if target_group != TargetGroup.HOME_SITTER:
        out_of_education_since = None
    elif out_of_education_since is None:
        raise ValidationError(
            {"out_of_education_since": _("Enter the first day without education.")}
        )
    if youth is not None and (
        youth.region_id != covenant.region_id
        or not youth_choices(user=actor).filter(pk=youth.pk).exists()
    ):
        # Need to know: a procesregisseur opens cases for their own organisation's pupils only.
        raise ValidationError({"youth": _("Choose a youth of your own organisation.")})
    case = Case(
        youth=youth,
        covenant=covenant,
        consultation_type=consultation_type,
        purpose=consultation_type.purpose,
        purpose_specification=purpose_specification.strip(),
        target_group=target_group,
        coordinator=actor,
        coordinator_role=coordinator_role,
        organisation=organisation,
        out_of_education_since=out_of_education_since,
    )
    case.full_clean()
    case.save()
    _case_event(actor, Action.CASE_OPENED, case)
    # The procesregisseur's access is a grant like everyone's (ADR 0003).
    grant(actor, VIEW_CASE, case)
    _case_event(actor, Action.GRANT_ADDED, case, reason="procesregisseur")
    if youth is not None:
        _family_seat(case=case, actor=actor, on=today)
    return case


def _family_seat(*, case: Case, actor: User, on: date) -> None:
    """Put every parent with gezag and the youth at the table, with the age rules on `on`."""
    youth = case.youth
    rules = family_rules(youth, on)
    for guardian in youth.guardians.filter(has_authority=True).select_related("user"):
        participant, created = Participant.objects.get_or_create(
            case=case,
            kind=ParticipantKind.PARENT,
            guardian=guardian,
            defaults={
                "user": guardian.user,
                "is_invited": rules.invite_parents,
                "not_invited_reason": "" if rules.invite_parents else ADULT_REASON,
            },
        )
        if created:
            _case_event(actor, Action.PARTICIPANT_ADDED, case, target=participant)
    participant, created = Participant.objects.get_or_create(
        case=case,
        kind=ParticipantKind.YOUTH,
        defaults={
            "user": youth.user,
            "is_invited": rules.invite_youth,
            "not_invited_reason": "" if rules.invite_youth else UNDER_AGE_REASON,
        },
    )
    if created:
        _case_event(actor, Action.PARTICIPANT_ADDED, case, target=participant)


def _family_apply_age_rules(*, case: Case, on: date, actor: User) -> None:
    """Re-apply the age rules at the meeting date to the reasons the application recorded.

    A child who turns 12 before the meeting is invited after all; a reason the procesregisseur
    wrote is never overwritten (SPEC §6: age at the date of the action).
    """
    if case.youth is None:
        return
    rules = family_rules(case.youth, on)
    for participant in case.participants.active().filter(
        kind__in=[ParticipantKind.PARENT, ParticipantKind.YOUTH]
    ):
        should_invite = (
            rules.invite_parents
            if participant.kind == ParticipantKind.PARENT
            else rules.invite_youth
        )
        automatic = participant.is_invited or participant.not_invited_reason in AUTOMATIC_REASONS
        if not automatic or participant.is_invited == should_invite:
            continue
        participant.is_invited = should_invite
        if should_invite:
            participant.not_invited_reason = ""
        elif participant.kind == ParticipantKind.PARENT:
            participant.not_invited_reason = ADULT_REASON
        else:
            participant.not_invited_reason = UNDER_AGE_REASON
        participant.save(update_fields=["is_invited", "not_invited_reason", "updated_at"])
        _case_event(actor, Action.PARTICIPANT_UPDATED, case, target=participant, reason="age")
        if should_invite:
            _invitations_outdated(actor=actor, case=case)


@transaction.atomic
def case_update(
    *,
    actor: User,
    case: Case,
    purpose_specification: str,
    target_group: str,
    out_of_education_since: date | None,
) -> Case:
    """Change the purpose specification, doelgroep or thuiszitter date of an open case.

    Raises PermissionDenied unless `actor` directs the case.
    """
    ensure(can(actor, CaseAction.DIRECT, case))
    case.purpose_specification = purpose_specification.strip()
    case.target_group = target_group
    case.out_of_education_since = (
        out_of_education_since if target_group == TargetGroup.HOME_SITTER else None
    )
    case.full_clean()
    case.save(
        update_fields=[
            "purpose_specification",
            "target_group",
            "out_of_education_since",
            "updated_at",
        ]
    )
    _case_event(actor, Action.CASE_UPDATED, case)
    return case


@transaction.atomic
def case_record_hearing(
    *, actor: User, case: Case, hearing_note: str, not_possible_reason: str
) -> Case:
    """Record how a child under 12 was heard, or why that was not possible (SPEC R-AGE-3)."""
    ensure(can(actor, CaseAction.DIRECT, case))
    hearing_note, not_possible_reason = hearing_note.strip(), not_possible_reason.strip()
    if not (hearing_note or not_possible_reason):
        raise ValidationError(
            {
                "hearing_note": _(
                    "Describe how the child's view was heard, or why that was not possible."
                )
            }
        )
    case.hearing_note = hearing_note
    case.hearing_not_possible_reason = not_possible_reason
    case.save(update_fields=["hearing_note", "hearing_not_possible_reason", "updated_at"])
    _case_event(actor, Action.CASE_UPDATED, case)
    return case


def _action_date(case: Case) -> date:
    """The date the age rules apply at: the meeting's, or today before one is planned (§6)."""
    meeting = current_meeting(case)
    return timezone.localtime(meeting.starts_at).date() if meeting else timezone.localdate()


def _invitations_outdated(*, actor: User | None, case: Case) -> None:
    """Someone new is invited to a scheduled case: it goes back to prepared until they are.

    R-AGE-2 and R-12-1 hold for everyone at the table, also for who joins after scheduling.
    """
    if case.status != CaseStatus.SCHEDULED:
        return
    case.status = CaseStatus.PREPARED
    case.save(update_fields=["status", "updated_at"])
    _case_event(actor, Action.CASE_UPDATED, case, reason="invitations outdated")


@transaction.atomic
def participant_add(*, actor: User, case: Case, user: User, role: str) -> Participant:
    """Invite a professional to the table in a role of the consultation type (need to know).

    Only professionals of organisations that joined the covenant take part (SPEC R-P-3,
    R-18-1). Access is granted only when they accept (DESIGN invariant 1).
    Raises PermissionDenied unless `actor` directs the case; ValidationError otherwise.
    """
    ensure(can(actor, CaseAction.DIRECT, case))
    professional = getattr(user, "professional", None)
    if professional is None or not user.is_active or not user.is_professional:
        raise ValidationError({"user": _("Choose a professional.")})
    if user.pk == case.coordinator_id:
        raise ValidationError({"user": _("The procesregisseur is already at the table.")})
    refusal = participation_refusal(
        covenant=case.covenant, organisation=professional.organisation, on=timezone.localdate()
    )
    if refusal:
        raise ValidationError({"user": refusal})
    if role not in ConsultationRoleCode.values or role in (
        ConsultationRoleCode.PARENTS,
        ConsultationRoleCode.YOUTH,
    ):
        raise ValidationError({"role": _("Choose a role for a professional.")})
    if case.participants.active().filter(user=user).exists():
        raise ValidationError({"user": _("This professional is already at the table.")})
    participant = Participant(
        case=case,
        kind=ParticipantKind.PROFESSIONAL,
        user=user,
        organisation=professional.organisation,
        role=role,
    )
    participant.full_clean()
    participant.save()
    _case_event(actor, Action.PARTICIPANT_ADDED, case, target=participant)
    _invitations_outdated(actor=actor, case=case)
    return participant


@transaction.atomic
def participant_set_invitation(
    *,
    actor: User,
    participant: Participant,
    is_invited: bool,
    reason: str,
    youth_objected: bool,
) -> Participant:
    """Decide whether a parent or the youth is invited; not inviting needs a reason (invariant 6).

    A youth of 16 or 17 may object to the parents' presence: the procesregisseur records the
    objection and the decision (SPEC §10 Q3); the FG can see both in the log.
    """
    case = participant.case
    ensure(can(actor, CaseAction.DIRECT, case))
    if not participant.is_family:
        raise ValidationError(_("Only the invitation of a parent or the youth is decided here."))
    if youth_objected and participant.kind != ParticipantKind.PARENT:
        raise ValidationError(
            {"youth_objected": _("Only the parents' invitation can be objected to.")}
        )
    if youth_objected and not family_rules(case.youth, _action_date(case)).youth_may_object:
        # SPEC §10 Q3: the objection right is the 16- and 17-year-old's.
        raise ValidationError({"youth_objected": _("Only a youth of 16 or 17 can object.")})
    was_invited = participant.is_invited
    participant.is_invited = is_invited
    participant.not_invited_reason = "" if is_invited else reason.strip()
    participant.youth_objected = youth_objected
    participant.full_clean()
    participant.save(
        update_fields=["is_invited", "not_invited_reason", "youth_objected", "updated_at"]
    )
    _case_event(
        actor,
        Action.PARTICIPANT_UPDATED,
        case,
        target=participant,
        reason="youth objected" if youth_objected else "",
    )
    meeting = current_meeting(case)
    if (
        was_invited
        and not is_invited
        and meeting is not None
        and participant.invitations.filter(meeting=meeting).exists()
    ):
        # Whoever had the meeting in their calendar gets the cancellation.
        _queue_invitation(
            actor=actor, meeting=meeting, participant=participant, method=InvitationMethod.CANCEL
        )
    if is_invited and not was_invited:
        _invitations_outdated(actor=actor, case=case)
    return participant


@transaction.atomic
def participant_remove(*, actor: User, participant: Participant) -> Participant:
    """Take a professional from the table: the row stays as history, access ends at once.

    A professional who was sent an invitation gets a cancellation for their calendar.
    """
    case = participant.case
    ensure(can(actor, CaseAction.DIRECT, case))
    if participant.kind != ParticipantKind.PROFESSIONAL or not participant.is_active:
        raise ValidationError(_("Only an active professional can be removed."))
    if participant.actions.open().exists():
        raise ValidationError(_("This participant still has open actions; reassign them first."))
    participant.left_at = timezone.now()
    participant.save(update_fields=["left_at", "updated_at"])
    _revoke_access(actor=actor, participant=participant)
    _case_event(actor, Action.PARTICIPANT_REMOVED, case, target=participant)
    meeting = current_meeting(case)
    if meeting is not None and participant.invitations.filter(meeting=meeting).exists():
        _queue_invitation(
            actor=actor, meeting=meeting, participant=participant, method=InvitationMethod.CANCEL
        )
    return participant


def _grant_access(*, actor: User, participant: Participant) -> None:
    """Give a professional who joins the case the grant that is their access (invariant 1).

    Logged only when access actually changes, so the log replays to the grants held.
    """
    if has_grant(participant.user, VIEW_CASE, participant.case):
        return
    grant(participant.user, VIEW_CASE, participant.case)
    _case_event(actor, Action.GRANT_ADDED, participant.case, target=participant)


def _revoke_access(*, actor: User, participant: Participant) -> None:
    """Take the grant away in the same transaction as the change that ends the need to know."""
    if participant.user_id is None or participant.kind != ParticipantKind.PROFESSIONAL:
        return
    if not has_grant(participant.user, VIEW_CASE, participant.case):
        return  # never granted (a pending invitation): nothing changes, nothing to log
    revoke(participant.user, VIEW_CASE, participant.case)
    _case_event(actor, Action.GRANT_REVOKED, participant.case, target=participant)


@transaction.atomic
def participant_respond(*, actor: User, participant: Participant, accept: bool) -> Participant:
    """Accept or decline one's own invitation; a professional who accepts gets access now.

    Raises PermissionDenied unless `actor` is the invitation's addressee and it is still open.
    """
    # Lock the seat, then check: a removal committed meanwhile must win over an acceptance.
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("case", "user")
        .get(pk=participant.pk)
    )
    ensure(can_respond(actor, participant))
    participant.response = Response.ACCEPTED if accept else Response.DECLINED
    participant.responded_at = timezone.now()
    participant.save(update_fields=["response", "responded_at", "updated_at"])
    _case_event(actor, Action.INVITATION_ANSWERED, participant.case, target=participant)
    if participant.kind == ParticipantKind.PROFESSIONAL:
        if accept:
            _grant_access(actor=actor, participant=participant)
        else:
            _revoke_access(actor=actor, participant=participant)
    return participant


@transaction.atomic
def coordinator_hand_over(*, actor: User, case: Case, to_user: User, reason: str) -> Case:
    """Hand the case to another procesregisseur; there is always exactly one (SPEC R-PR-1).

    The successor must be an active professional at the table who accepted; the previous
    procesregisseur stays at the table as a participant, so nothing they wrote loses its author.
    """
    ensure(can(actor, CaseAction.DIRECT, case))
    successor = (
        case.participants.active()
        .filter(user=to_user, kind=ParticipantKind.PROFESSIONAL, response=Response.ACCEPTED)
        .first()
    )
    if successor is None or not to_user.is_active or to_user.role != Role.COORDINATOR:
        raise ValidationError(
            {"to_user": _("Choose a procesregisseur at the table who accepted the invitation.")}
        )
    if successor.actions.open().exists():
        raise ValidationError(
            {"to_user": _("This professional still has open actions; reassign them first.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the handover.")})
    previous = case.coordinator
    handover = CoordinatorHandover(
        case=case, from_user=previous, to_user=to_user, reason=reason.strip()
    )
    handover.full_clean()
    handover.save()
    # The successor's seat becomes the procesregisseur's chair; the grant they hold as a
    # participant is the same grant a procesregisseur holds, so it stays (ADR 0003).
    successor.left_at = timezone.now()
    successor.save(update_fields=["left_at", "updated_at"])
    previous_role = case.coordinator_role or successor.role
    case.coordinator = to_user
    case.coordinator_role = successor.role
    case.organisation = to_user.professional.organisation
    case.save(update_fields=["coordinator", "coordinator_role", "organisation", "updated_at"])
    former = Participant(
        case=case,
        kind=ParticipantKind.PROFESSIONAL,
        user=previous,
        organisation=previous.professional.organisation,
        role=previous_role,
        response=Response.ACCEPTED,
        responded_at=timezone.now(),
    )
    former.save()
    # The predecessor keeps the grant they held as procesregisseur, now as a participant.
    # The reason stays on the handover row; the access log keeps a reference, not the text.
    _case_event(actor, Action.CASE_HANDED_OVER, case, target=handover)
    return case


# --- Meetings and invitations -----------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Someone at the table who already has another meeting at that time."""

    who: str
    starts_at: datetime


def meeting_conflicts(*, case: Case, starts_at: datetime, duration_minutes: int) -> list[Conflict]:
    """People of `case` (participants and the procesregisseur) with an overlapping meeting.

    Only the fact of a clash and its time are reported; the other meeting's case stays hidden.
    """
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    # Professionals only: a parent's or youth's other meetings would reveal other cases about
    # the family (a sibling's, say) to this procesregisseur.
    people = {
        p.user_id: str(p.user)
        for p in case.participants.invited()
        .filter(kind=ParticipantKind.PROFESSIONAL, user__isnull=False)
        .exclude(response=Response.DECLINED)
        .select_related("user")
    }
    people[case.coordinator_id] = str(case.coordinator)
    # A meeting lasts at most 8 hours (Meeting constraint), which bounds the search window.
    others = (
        Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - timedelta(minutes=480),
        )
        .exclude(case=case)
        .select_related("case")
        .prefetch_related("case__participants")
    )
    conflicts = []
    for meeting in others:
        if meeting.ends_at <= starts_at:
            continue
        attendees = {
            p.user_id
            for p in meeting.case.participants.all()
            if p.is_active and p.is_invited and p.kind == ParticipantKind.PROFESSIONAL
        }
        attendees.add(meeting.case.coordinator_id)
        conflicts.extend(
            Conflict(who=name, starts_at=meeting.starts_at)
            for user_id, name in people.items()
            if user_id in attendees
        )
    return conflicts


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    case: Case,
    starts_at: datetime,
    duration_minutes: int,
    location: str,
    video_url: str,
    agenda: str,
) -> Meeting:
    """Schedule the case's meeting, or move it; participants already invited get the change.

    A change raises the .ics SEQUENCE so calendars replace the old entry (RFC 5545).
    Raises PermissionDenied unless `actor` directs the case; ValidationError for a date in the
    past or a meeting without place or link.
    """
    case = _locked(case)
    ensure(can(actor, CaseAction.DIRECT, case))
    if case.status not in (CaseStatus.CONCEPT, CaseStatus.PREPARED, CaseStatus.SCHEDULED):
        raise ValidationError(_("The meeting of this case has already been held."))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a moment in the future.")})
    meeting = current_meeting(case)
    rescheduled = meeting is not None
    if meeting is None:
        meeting = Meeting(case=case)
    else:
        meeting.sequence += 1
    meeting.starts_at = starts_at
    meeting.duration_minutes = duration_minutes
    meeting.location = location.strip()
    meeting.video_url = video_url.strip()
    meeting.agenda = agenda.strip()
    meeting.full_clean()
    meeting.save()
    _family_apply_age_rules(case=case, on=timezone.localtime(starts_at).date(), actor=actor)
    _case_event(
        actor,
        Action.MEETING_RESCHEDULED if rescheduled else Action.MEETING_SCHEDULED,
        case,
        target=meeting,
    )
    if rescheduled:
        # Everyone who had the old time in their calendar gets the new one.
        invited = {i.participant_id for i in meeting.invitations.all()}
        for participant in case.participants.invited().filter(pk__in=invited):
            _queue_invitation(
                actor=actor,
                meeting=meeting,
                participant=participant,
                method=InvitationMethod.REQUEST,
            )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel the meeting; every invited participant gets a cancellation for their calendar.

    A scheduled case goes back to prepared, so a new meeting can be planned and invited for.
    """
    case = _locked(meeting.case)
    ensure(can(actor, CaseAction.DIRECT, case))
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Only a scheduled meeting can be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    _case_event(actor, Action.MEETING_CANCELLED, case, target=meeting)
    invited = {i.participant_id for i in meeting.invitations.all()}
    for participant in case.participants.filter(pk__in=invited):
        _queue_invitation(
            actor=actor, meeting=meeting, participant=participant, method=InvitationMethod.CANCEL
        )
    if case.status == CaseStatus.SCHEDULED:
        case.status = CaseStatus.PREPARED
        case.save(update_fields=["status", "updated_at"])
    return meeting


def privacy_notice_content(*, case: Case) -> dict[str, Any]:
    """What the privacy notice says, drawn from the case (SPEC R-12-1).

    Raises ValidationError when something the notice must say is missing: an FG contact of a
    party at the table, or the retention period of the minutes.
    """

    today = timezone.localdate()
    professionals = list(
        case.participants.invited()
        .filter(kind=ParticipantKind.PROFESSIONAL)
        .select_related("user", "organisation")
    )
    organisations = {case.organisation.pk: case.organisation}
    organisations.update({p.organisation.pk: p.organisation for p in professionals})
    parties, missing = [], []
    for organisation in sorted(organisations.values(), key=lambda o: o.name):
        party = covenant_party_of(covenant=case.covenant, organisation=organisation, on=today)
        if party is None or not party.privacy_officer_email:
            missing.append(organisation.name)
            continue
        parties.append(
            {
                "organisation": organisation.name,
                "party_type": organisation.get_party_type_display(),
                "privacy_officer": party.privacy_officer_name,
                "privacy_officer_email": party.privacy_officer_email,
                "legal_bases": [
                    f"{basis.label} ({basis.statute_reference})"
                    for basis in _legal_bases_of(organisation)
                ],
            }
        )
    if missing:
        raise ValidationError(
            _("The privacy notice needs the FG contact of: %(orgs)s.")
            % {"orgs": ", ".join(missing)}
        )
    rule = RetentionRule.objects.filter(code=CASE_MINUTES_RETENTION).first()
    if rule is None or rule.period_months is None:
        raise ValidationError(_("The privacy notice needs the retention period of the minutes."))
    categories = case.consultation_type.allowed_categories.filter(
        never_shared=False, excluded=False
    )
    return {
        "consultation_type": case.consultation_type.name,
        "purpose": case.purpose.name,
        "purpose_specification": case.purpose_specification,
        "coordinator": str(case.coordinator),
        "coordinator_organisation": case.organisation.name,
        "participants": [
            {
                "name": str(p.user),
                "organisation": p.organisation.name,
                "role": p.get_role_display(),
            }
            for p in professionals
        ],
        # The snapshot is the notice as sent, in the notice's language, whatever language the
        # sender's session uses.
        "family_invited": _family_labels(case),
        "categories": [
            {"code": c.code, "name": c.name, "special": c.is_special} for c in categories
        ],
        "parties": parties,
        "retention_months": rule.period_months,
        "covenant": str(case.covenant),
    }


def _family_labels(case: Case) -> list[str]:
    """Who of the family is invited, as Dutch labels ("Ouder met gezag", "Jongere")."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            str(p.get_kind_display())
            for p in case.participants.invited().exclude(kind=ParticipantKind.PROFESSIONAL)
        ]


def _legal_bases_of(organisation: Organisation) -> list[Any]:
    """The enabled legal bases of an organisation's party type and capacities (SPEC §4)."""

    return list(
        LegalBasis.objects.filter(
            enabled=True,
            party_type=organisation.party_type,
            capacity__in=organisation.capacities or [],
        ).order_by("data_class", "code")
    )


def _notice_for(*, actor: User, case: Case) -> PrivacyNotice:
    """The current privacy notice: a new version whenever what it says has changed."""
    content = privacy_notice_content(case=case)
    latest = case.privacy_notices.order_by("-version").first()
    if latest is not None and latest.content == content:
        return latest
    notice = PrivacyNotice(
        case=case,
        version=(latest.version + 1) if latest else 1,
        content=content,
        generated_by=actor,
    )
    notice.full_clean()
    notice.save()
    _case_event(actor, Action.NOTICE_GENERATED, case, target=notice)
    return notice


def _queue_invitation(
    *,
    actor: User,
    meeting: Meeting,
    participant: Participant,
    method: str,
    notice: PrivacyNotice | None = None,
) -> None:
    """Create the Invitation row and send it by e-mail after commit (Celery)."""
    from .tasks import invitation_deliver_task

    if notice is None:
        notice = meeting.case.privacy_notices.order_by("-version").first()
    if notice is None:
        notice = _notice_for(actor=actor, case=meeting.case)
    invitation = participant.invitations.create(
        meeting=meeting, notice=notice, method=method, sequence=meeting.sequence
    )
    _case_event(actor, Action.INVITATION_SENT, meeting.case, target=invitation)
    invitation_deliver_task.delay_on_commit(invitation_id=invitation.pk)


@transaction.atomic
def invitations_send(*, actor: User, case: Case) -> list[Participant]:
    """Send the invitation, with the privacy notice, to everyone invited who has not had it.

    The notice is generated from the case first: without it nothing is sent (SPEC R-12-1).
    Returns the participants invited now. Raises ValidationError when there is no meeting to
    invite for or the notice cannot be made.
    """
    case = _locked(case)
    ensure(can(actor, CaseAction.DIRECT, case))
    if case.status not in (CaseStatus.PREPARED, CaseStatus.SCHEDULED):
        raise ValidationError(_("Invitations are sent once the case is prepared."))
    meeting = current_meeting(case)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(_("Schedule the meeting before sending invitations."))
    notice = _notice_for(actor=actor, case=case)
    invited_now = []
    for participant in case.participants.invited().select_related("user"):
        already = participant.invitations.filter(
            meeting=meeting,
            sequence=meeting.sequence,
            method=InvitationMethod.REQUEST,
            notice=notice,
        ).exists()
        if already:
            continue
        _queue_invitation(
            actor=actor,
            meeting=meeting,
            participant=participant,
            method=InvitationMethod.REQUEST,
            notice=notice,
        )
        invited_now.append(participant)
    if not invited_now:
        raise ValidationError(_("Everyone invited already has the current invitation."))
    return invited_now


def invitation_deliver(*, invitation_id: int) -> None:
    """Send one invitation e-mail with its .ics; record whether it left (idempotent).

    Runs in a worker. An invitation already sent is not sent again; a participant without an
    e-mail address makes the invitation fail with a message the procesregisseur sees.
    """
    from .mail import invitation_message

    with transaction.atomic():
        invitation = (
            # of=self: the joined user row may be missing, and PostgreSQL cannot lock that side.
            Invitation.objects.select_for_update(of=("self",))
            .select_related(
                "meeting__case__consultation_type",
                "meeting__case__coordinator",
                "meeting__case__organisation",
                "participant__user",
            )
            .get(pk=invitation_id)
        )
        if invitation.status == DeliveryStatus.SENT:
            return
        participant = invitation.participant
        try:
            message = invitation_message(invitation, link=_link_for(participant))
        except ValueError as exc:
            invitation.status = DeliveryStatus.FAILED
            invitation.error = str(exc)[:300]
            invitation.save(update_fields=["status", "error", "updated_at"])
            return
        # Sent inside the row lock: a retry after a crash between send and save may send twice,
        # which a calendar absorbs (same UID and SEQUENCE); never sending is worse.
        message.send()
        invitation.status = DeliveryStatus.SENT
        invitation.sent_at = timezone.now()
        invitation.error = ""
        invitation.save(update_fields=["status", "sent_at", "error", "updated_at"])


def _link_for(participant: Participant) -> str:
    """The link in an e-mail: the professional's invitation page or the portal."""

    if participant.kind == ParticipantKind.PROFESSIONAL:
        path = reverse("casusoverleg:invitation_detail", kwargs={"uuid": participant.uuid})
    else:
        path = reverse("portal:case_detail", kwargs={"uuid": participant.case.uuid})
    return settings.SITE_URL.rstrip("/") + path


# --- The checklist and the state machine ------------------------------------------------------


def checklist_items(*, case: Case) -> list[ChecklistItem]:
    """The checklist of the case's type: the general items plus the type's own (R-CHK-1)."""

    return list(
        ChecklistItem.objects.filter(
            Q(consultation_type__isnull=True) | Q(consultation_type=case.consultation_type)
        ).order_by("order", "code")
    )


@transaction.atomic
def checklist_set(
    *, actor: User, case: Case, item: ChecklistItem, checked: bool, note: str = ""
) -> None:
    """Tick or untick one checklist item of the case (SPEC §5.3, R-CHK-1)."""
    ensure(can(actor, CaseAction.DIRECT, case))
    if item.consultation_type_id not in (None, case.consultation_type_id):
        raise ValidationError(_("This item is not on this case's checklist."))
    if len(note.strip()) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    if checked:
        ChecklistAnswer.objects.update_or_create(
            case=case, item=item, defaults={"checked_by": actor, "note": note.strip()}
        )
    else:
        ChecklistAnswer.objects.filter(case=case, item=item).delete()
    _case_event(actor, Action.CHECKLIST_UPDATED, case, reason=item.code)


def transition_blockers(*, case: Case, target: str) -> list[str]:
    """Everything that stops `case` from moving to `target`, in Dutch, for the procesregisseur.

    The checklist items for the step must be ticked (R-CHK-1), and the rules the application can
    check itself must hold (R-TYPE-2, R-AGE-2, R-AGE-3, R-P-3, R-12-1, R-12-3). Empty: allowed.
    """
    blockers: list[str] = []
    ticked = set(case.checklist_answers.values_list("item_id", flat=True))
    blockers.extend(
        _("Checklist: %(item)s") % {"item": item.text}
        for item in checklist_items(case=case)
        if item.transition == target and item.pk not in ticked
    )
    checks = {
        Transition.PREPARED: _blockers_prepared,
        Transition.SCHEDULED: _blockers_scheduled,
        Transition.HELD: _blockers_held,
        Transition.MINUTES_ADOPTED: _blockers_minutes,
        Transition.CLOSED: _blockers_closed,
    }
    blockers.extend(checks[target](case))
    return blockers


def _blockers_prepared(case: Case) -> list[str]:
    """Need to know: professionals at the table, all of them from joined parties (R-P-3)."""
    blockers = []
    professionals = case.participants.active().filter(kind=ParticipantKind.PROFESSIONAL)
    if not professionals.exists():
        blockers.append(_("Invite at least one professional."))
    today = timezone.localdate()
    for participant in professionals.select_related("organisation"):
        refusal = participation_refusal(
            covenant=case.covenant, organisation=participant.organisation, on=today
        )
        if refusal:
            blockers.append(refusal)
    return blockers


def _blockers_scheduled(case: Case) -> list[str]:
    """A meeting, the required roles (R-TYPE-2) and the family invited (R-AGE-2, R-12-1)."""
    blockers = []
    meeting = current_meeting(case)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return [_("Schedule the meeting.")]
    if meeting.starts_at <= timezone.now():
        blockers.append(_("The meeting's moment has passed; choose a new one."))
    invited = case.participants.invited()
    if case.consultation_type.requires_roles_to_schedule:
        filled = set(
            invited.filter(kind=ParticipantKind.PROFESSIONAL)
            .exclude(response=Response.DECLINED)
            .values_list("role", flat=True)
        )
        # The procesregisseur sits at the table too, in their own role.
        filled.add(case.coordinator_role)
        family = {ConsultationRoleCode.PARENTS, ConsultationRoleCode.YOUTH}
        for role in case.consultation_type.roles.filter(required=True):
            if role.role in family or role.role in filled:
                continue
            blockers.append(
                _("Required role not filled: %(role)s.") % {"role": role.get_role_display()}
            )
    if case.consultation_type.is_anonymous:
        return blockers
    for participant in invited.select_related("guardian"):
        sent = participant.invitations.filter(
            meeting=meeting,
            sequence=meeting.sequence,
            method=InvitationMethod.REQUEST,
            status=DeliveryStatus.SENT,
        ).exists()
        if not sent:
            blockers.append(_("No invitation has been sent to %(who)s.") % {"who": participant})
    return blockers


def _blockers_held(case: Case) -> list[str]:
    """The meeting has taken place, attendance is recorded, the child under 12 heard (R-AGE-3)."""
    blockers = []
    meeting = current_meeting(case)
    if meeting is None:
        return [_("Schedule the meeting.")]
    if meeting.starts_at > timezone.now():
        blockers.append(_("The meeting has not started yet."))
    recorded = set(meeting.attendance.values_list("participant_id", flat=True))
    missing = case.participants.invited().exclude(pk__in=recorded)
    if missing.exists():
        blockers.append(_("Record who was present, and why anyone was absent."))
    if case.youth is not None:
        rules = family_rules(case.youth, timezone.localtime(meeting.starts_at).date())
        if rules.hearing_required and not (
            case.hearing_note.strip() or case.hearing_not_possible_reason.strip()
        ):
            blockers.append(
                _("Record how the child's view was heard, or why that was not possible.")
            )
    return blockers


def _blockers_minutes(case: Case) -> list[str]:
    """The minutes hold entries and a follow-up date (R-8-1)."""
    meeting = current_meeting(case)
    minutes = getattr(meeting, "minutes", None) if meeting else None
    if minutes is None or not minutes.entries.exists():
        return [_("Write the minutes: facts, opinions and agreements.")]
    if minutes.follow_up_on is None:
        return [_("Set a follow-up or evaluation date.")]
    return []


def _blockers_closed(case: Case) -> list[str]:
    """The minutes reached the parents and youth before the case closes (R-12-3)."""
    meeting = current_meeting(case)
    minutes = getattr(meeting, "minutes", None) if meeting else None
    if minutes is None:
        return [_("Write the minutes.")]
    if minutes_family_recipients(case=case) and minutes.shared_with_family_at is None:
        return [_("Share the minutes with the parents and the youth.")]
    return []


@transaction.atomic
def case_advance(*, actor: User, case: Case) -> Case:
    """Move the case one step on its path, if everything for that step is done (SPEC R-PR-2).

    Raises PermissionDenied unless `actor` is the procesregisseur (or the case is closed), and
    ValidationError with every blocker otherwise.
    """
    case = _locked(case)
    ensure(can(actor, CaseAction.DIRECT, case))
    target = NEXT_STATUS.get(case.status)
    if target is None:
        raise ValidationError(_("This case has no next step."))
    blockers = transition_blockers(case=case, target=target)
    if blockers:
        raise ValidationError(blockers)
    now = timezone.now()
    meeting = current_meeting(case)
    fields = ["status", "updated_at"]
    if target == CaseStatus.HELD:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
        Minutes.objects.get_or_create(meeting=meeting)
    if target == CaseStatus.MINUTES_ADOPTED:
        minutes = meeting.minutes
        minutes.adopted_at = now
        minutes.family_due_on = add_working_days(
            timezone.localdate(), settings.MINUTES_FAMILY_WORKING_DAYS
        )
        minutes.save(update_fields=["adopted_at", "family_due_on", "updated_at"])
        _case_event(actor, Action.MINUTES_ADOPTED, case, target=minutes)
    if target == CaseStatus.CLOSED:
        # Closing starts the retention clock of the minutes held here (SPEC art. 9, §7.3).
        rule = RetentionRule.objects.filter(code=CASE_MINUTES_RETENTION).first()
        case.closed_at = now
        case.retain_until = _add_months(
            timezone.localdate(), rule.period_months if rule and rule.period_months else 24
        )
        fields += ["closed_at", "retain_until"]
    case.status = target
    case.save(update_fields=fields)
    _case_event(
        actor,
        Action.CASE_CLOSED if target == CaseStatus.CLOSED else Action.CASE_ADVANCED,
        case,
        reason=target,
    )
    return case


def _add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's last day."""

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Holding the meeting: attendance and minutes ----------------------------------------------


@transaction.atomic
def attendance_record(
    *, actor: User, meeting: Meeting, entries: list[tuple[Participant, bool, str]]
) -> None:
    """Record for every invited participant whether they were present, or why not."""
    case = meeting.case
    ensure(can(actor, CaseAction.DIRECT, case))
    if case.status not in (CaseStatus.SCHEDULED, CaseStatus.HELD):
        raise ValidationError(_("Attendance is recorded for a scheduled or held meeting."))
    errors = {}
    for participant, present, reason in entries:
        if participant.case_id != case.pk:
            raise PermissionDenied
        if not present and not reason.strip():
            errors[f"reason_{participant.uuid}"] = _("Give the reason for the absence.")
    if errors:
        raise ValidationError(errors)
    for participant, present, reason in entries:
        Attendance.objects.update_or_create(
            meeting=meeting,
            participant=participant,
            defaults={"present": present, "absence_reason": "" if present else reason.strip()},
        )
    _case_event(actor, Action.ATTENDANCE_RECORDED, case, target=meeting)


def _open_minutes(actor: User, case: Case) -> Minutes:
    """The minutes being written: only after the meeting is held and before adoption."""
    ensure(can(actor, CaseAction.DIRECT, case))
    if case.status != CaseStatus.HELD:
        raise ValidationError(_("Minutes are written after the meeting and before adoption."))
    meeting = current_meeting(case)
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return minutes


@transaction.atomic
def minutes_entry_add(
    *, actor: User, case: Case, kind: str, text: str, owner: Organisation
) -> MinutesEntry:
    """Add a fact, opinion or agreement to the minutes, owned by a party at the table.

    SPEC R-8-1 (kept apart) and R-2-1 (every item has its owner party).
    """
    minutes = _open_minutes(actor, case)
    if kind not in EntryKind.values:
        raise ValidationError({"kind": _("Choose fact, opinion or agreement.")})
    if owner.pk not in minutes_owner_choices(case=case).values_list("pk", flat=True):
        raise ValidationError({"owner": _("Choose a party at the table.")})
    entry = MinutesEntry(minutes=minutes, kind=kind, text=text.strip(), owner=owner, author=actor)
    entry.full_clean()
    entry.save()
    _case_event(actor, Action.MINUTES_UPDATED, case, target=entry)
    return entry


def minutes_owner_choices(*, case: Case) -> Any:
    """Parties that can own an entry: the procesregisseur's and those of professionals present."""
    organisation_ids = set(
        case.participants.active()
        .filter(kind=ParticipantKind.PROFESSIONAL)
        .values_list("organisation_id", flat=True)
    )
    organisation_ids.add(case.organisation_id)
    return Organisation.objects.filter(pk__in=organisation_ids).order_by("name")


@transaction.atomic
def minutes_entry_delete(*, actor: User, entry: MinutesEntry) -> None:
    """Remove an entry from minutes that are not adopted yet."""
    case = entry.minutes.meeting.case
    _open_minutes(actor, case)
    _case_event(actor, Action.MINUTES_UPDATED, case, target=entry, reason="deleted")
    entry.delete()


@transaction.atomic
def minutes_set_follow_up(*, actor: User, case: Case, follow_up_on: date) -> Minutes:
    """Set the follow-up or evaluation date (SPEC §5.3 'after')."""
    minutes = _open_minutes(actor, case)
    if follow_up_on <= timezone.localdate():
        raise ValidationError({"follow_up_on": _("Choose a date in the future.")})
    minutes.follow_up_on = follow_up_on
    minutes.save(update_fields=["follow_up_on", "updated_at"])
    _case_event(actor, Action.MINUTES_UPDATED, case, target=minutes)
    return minutes


@transaction.atomic
def action_add(
    *, actor: User, case: Case, description: str, assignee: Participant, due_on: date
) -> ActionItem:
    """Agree an action with an owner at the table and a due date."""
    minutes = _open_minutes(actor, case)
    # Judge the seat as it is now, not as the caller last read it.
    assignee = Participant.objects.get(pk=assignee.pk)
    errors = {}
    if (
        assignee.case_id != case.pk
        or not assignee.is_active
        or assignee.user_id is None
        # A professional who has not accepted cannot see the case, so not their action either.
        or (
            assignee.kind == ParticipantKind.PROFESSIONAL and assignee.response != Response.ACCEPTED
        )
    ):
        errors["assignee"] = _("Choose someone at the table.")
    if due_on < timezone.localdate():
        errors["due_on"] = _("Choose a date from today on.")
    if not description.strip():
        errors["description"] = _("Describe the action.")
    if errors:
        raise ValidationError(errors)
    action = ActionItem(
        minutes=minutes, description=description.strip(), assignee=assignee, due_on=due_on
    )
    action.full_clean()
    action.save()
    _case_event(actor, Action.ACTION_UPDATED, case, target=action)
    return action


@transaction.atomic
def action_complete(*, actor: User, action: ActionItem) -> ActionItem:
    """Mark an action done: by its owner or by the procesregisseur."""
    case = action.minutes.meeting.case
    ensure(case.is_open)
    ensure(action.assignee.user_id == actor.pk or can(actor, CaseAction.DIRECT, case))
    if action.completed_at is None:
        action.completed_at = timezone.now()
        action.save(update_fields=["completed_at", "updated_at"])
        _case_event(actor, Action.ACTION_UPDATED, case, target=action, reason="completed")
    return action


def minutes_family_recipients(*, case: Case) -> list[Participant]:
    """Who of the family receives the minutes, per the age table (SPEC §6, R-12-3).

    The youth from 12; parents with gezag while the youth is under 16, and from 16 only while
    the youth allows them to see (`consent.services.parent_may_see`, R-AGE-5, R-AGE-6).
    """
    from consent.services import parent_may_see

    if case.youth is None:
        return []
    today = timezone.localdate()
    rules = family_rules(case.youth, today)
    recipients = []
    for participant in (
        case.participants.invited().filter(user__isnull=False).select_related("guardian__youth")
    ):
        if participant.kind == ParticipantKind.YOUTH and rules.invite_youth:
            recipients.append(participant)
        if participant.kind == ParticipantKind.PARENT and (
            rules.age < settings.AGE_THRESHOLDS["decides_alone"]
            or (
                participant.guardian is not None
                and parent_may_see(guardian=participant.guardian, on=today)
            )
        ):
            recipients.append(participant)
    return recipients


@transaction.atomic
def minutes_share_with_family(*, actor: User, case: Case) -> Minutes:
    """Make the adopted minutes available to parents and youth and tell them so (R-12-3).

    The e-mail holds a link only (R-10-3).
    """
    from .tasks import notify_task

    case = _locked(case)
    ensure(can(actor, CaseAction.DIRECT, case))
    if case.status != CaseStatus.MINUTES_ADOPTED:
        raise ValidationError(_("Adopt the minutes before sharing them."))
    minutes = current_meeting(case).minutes
    if minutes.shared_with_family_at is None:
        minutes.shared_with_family_at = timezone.now()
        minutes.save(update_fields=["shared_with_family_at", "updated_at"])
        _case_event(actor, Action.MINUTES_SHARED, case, target=minutes)
        for participant in minutes_family_recipients(case=case):
            notify_task.delay_on_commit(
                user_id=participant.user_id, kind="minutes_shared", case_id=case.pk
            )
    return minutes


@transaction.atomic
def statement_add(*, actor: User, case: Case, text: str) -> Statement:
    """Add a parent's or youth's own statement to the shared minutes (SPEC R-8-3)."""
    ensure(can(actor, CaseAction.ADD_STATEMENT, case))
    meeting = current_meeting(case)
    minutes = getattr(meeting, "minutes", None) if meeting else None
    if minutes is None or minutes.shared_with_family_at is None:
        raise ValidationError(_("You can add your statement once the minutes are shared with you."))
    if actor.pk not in {p.user_id for p in minutes_family_recipients(case=case)}:
        # A parent of a youth of 16 or older does not receive the minutes (SPEC §6), so cannot
        # add to them either.
        raise ValidationError(_("These minutes are not shared with you."))
    if not text.strip():
        raise ValidationError({"text": _("Write your statement.")})
    statement = Statement(minutes=minutes, author=actor, text=text.strip())
    statement.full_clean()
    statement.save()
    _case_event(actor, Action.STATEMENT_ADDED, case, target=statement)
    return statement


# --- PDFs --------------------------------------------------------------------------------------


@transaction.atomic
def document_request(
    *, actor: User, case: Case, kind: str, audience: str = Audience.ADULT
) -> CaseDocument:
    """Ask for a PDF of the case; it is made in the background for `actor` alone (R-11-2)."""
    from .tasks import document_render_task

    ensure(can(actor, CaseAction.REQUEST_PDF, case))
    if kind not in DocumentKind.values or audience not in Audience.values:
        raise ValidationError({"kind": _("Choose a document.")})
    meeting = current_meeting(case)
    if kind == DocumentKind.MINUTES and (meeting is None or not hasattr(meeting, "minutes")):
        raise ValidationError(_("There are no minutes yet."))
    if kind == DocumentKind.INVITATION and meeting is None:
        raise ValidationError(_("There is no meeting yet."))
    if kind in (DocumentKind.PRIVACY_NOTICE, DocumentKind.PRIVACY_NOTICE_YOUTH):
        if not case.privacy_notices.exists():
            raise ValidationError(_("The privacy notice is made when the invitations are sent."))
        audience = Audience.YOUTH if kind == DocumentKind.PRIVACY_NOTICE_YOUTH else Audience.ADULT
    document = CaseDocument.objects.create(
        case=case, kind=kind, meeting=meeting, audience=audience, requested_by=actor
    )
    _case_event(actor, Action.DOCUMENT_REQUESTED, case, target=document)
    document_render_task.delay_on_commit(document_id=document.pk)
    return document


def document_render(*, document_id: int) -> None:
    """Make the PDF of a requested document and store it privately (idempotent).

    The watermark names the requester and the moment (SPEC R-11-2). Permission is checked again
    here: the requester may have lost access since asking (STYLE §4.4).
    """
    from core.pdf import render_pdf

    from .documents import document_context

    with transaction.atomic():
        document = (
            CaseDocument.objects.select_for_update(of=("self",))
            .select_related("case", "requested_by__professional__organisation")
            .get(pk=document_id)
        )
        if document.status == DocumentStatus.READY:
            return
        if not Case.objects.visible_to(document.requested_by).filter(pk=document.case_id).exists():
            document.status = DocumentStatus.FAILED
            document.error = "no access"
            document.save(update_fields=["status", "error", "updated_at"])
            return
        document.status = DocumentStatus.RUNNING
        document.save(update_fields=["status", "updated_at"])
    template, context = document_context(document)
    _html, pdf = render_pdf(template, context, watermark=_watermark(document))
    with transaction.atomic():
        # Another delivery of the same task (acks_late after a lost worker) may have finished
        # first: keep its file and event rather than writing a second (issue 7, idempotence).
        locked = CaseDocument.objects.select_for_update().get(pk=document.pk)
        if locked.status == DocumentStatus.READY:
            return
        document.file.save(f"{document.kind}-{document.uuid}.pdf", ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.status = DocumentStatus.READY
        document.save(update_fields=["file", "sha256", "status", "updated_at"])
        _case_event(
            document.requested_by, Action.DOCUMENT_GENERATED, document.case, target=document
        )


def document_fail(*, document_id: int, error: str) -> None:
    """Mark a document failed so that the page stops waiting and offers to try again."""
    with transaction.atomic():
        document = CaseDocument.objects.select_for_update().get(pk=document_id)
        if document.status == DocumentStatus.READY:
            return
        document.status = DocumentStatus.FAILED
        document.error = error[:300]
        document.save(update_fields=["status", "error", "updated_at"])


def _watermark(document: CaseDocument) -> str:
    """'Gedownload door <name> (<organisation>) op <date time>' for every page (R-11-2)."""
    user = document.requested_by
    professional = getattr(user, "professional", None)
    who = f"{user} ({professional.organisation})" if professional else str(user)
    when = timezone.localtime().strftime("%d-%m-%Y %H:%M")
    return _("Made for %(who)s on %(when)s. Confidential: do not pass on.") % {
        "who": who,
        "when": when,
    }


# --- Beat jobs -----------------------------------------------------------------------------------


def action_reminders_send(*, today: date | None = None) -> int:
    """Remind owners of open actions due within the configured days; once a day at most.

    Runs as the system (no actor); each reminder is logged. Returns how many were sent.
    """
    from .tasks import notify_task

    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ACTION_REMINDER_DAYS)
    due = (
        ActionItem.objects.open()
        .filter(due_on__lte=horizon, assignee__left_at__isnull=True, assignee__user__isnull=False)
        .exclude(minutes__meeting__case__status=CaseStatus.CLOSED)
        .exclude(reminded_on=today)
        .select_related("minutes__meeting__case__purpose", "minutes__meeting__case__youth")
    )
    sent = 0
    for candidate in due:
        with transaction.atomic():
            # The row lock makes two overlapping runs send one reminder, not two.
            action = ActionItem.objects.select_for_update().get(pk=candidate.pk)
            if action.reminded_on == today:
                continue
            action.reminded_on = today
            action.save(update_fields=["reminded_on", "updated_at"])
            case = candidate.minutes.meeting.case
            _case_event(None, Action.ACTION_REMINDED, case, target=action)
            notify_task.delay_on_commit(
                user_id=candidate.assignee.user_id, kind="action_due", case_id=case.pk
            )
            sent += 1
    return sent


def invitation_fail(*, invitation_id: int, error: str) -> None:
    """Mark an invitation that could not be delivered, so the procesregisseur sees it."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
        if invitation.status == DeliveryStatus.SENT:
            return
        invitation.status = DeliveryStatus.FAILED
        invitation.error = error[:300]
        invitation.save(update_fields=["status", "error", "updated_at"])


# --- Access after closing ---------------------------------------------------------------------


def case_access_expire(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """End the participants' access to cases closed CASE_ACCESS_DAYS_AFTER_CLOSE days ago.

    Beat job (DESIGN invariant 1). Every grant but the procesregisseur's is revoked and logged
    as expired, one case per transaction; `access_expired_at` marks a case done, so a second run
    changes nothing and a run that died halfway resumes where it stopped. The Participant rows
    stay: they are the history of who took part. Returns the number of cases handled.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.CASE_ACCESS_DAYS_AFTER_CLOSE)
    handled = 0
    failed: set[int] = set()
    while True:
        due = list(
            Case.objects.filter(
                status=CaseStatus.CLOSED, closed_at__lte=cutoff, access_expired_at__isnull=True
            )
            .exclude(pk__in=failed)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not due:
            return handled
        for pk in due:
            try:
                _case_access_expire_one(pk=pk, now=now)
            except Exception:
                # One broken case must not stop every later case from expiring night after
                # night; it is logged (no case data in the message) and retried tomorrow.
                logger.exception("access expiry failed for case %s", pk)
                failed.add(pk)
                continue
            handled += 1


@transaction.atomic
def _case_access_expire_one(*, pk: int, now: datetime) -> None:
    """Revoke the grants of one closed case, except the procesregisseur's (in one transaction)."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("purpose", "youth").get(pk=pk)
    )
    if case.access_expired_at is not None:
        return  # another worker did it meanwhile
    seats = {
        p.user_id: p
        for p in case.participants.filter(kind=ParticipantKind.PROFESSIONAL).order_by("created_at")
    }
    for user_id in list(holders(VIEW_CASE, case)):
        if user_id == case.coordinator_id:
            continue  # the procesregisseur's party keeps the record until retention ends
        user = User.objects.get(pk=user_id)
        revoke(user, VIEW_CASE, case)
        _case_event(None, Action.GRANT_EXPIRED, case, target=seats.get(user_id) or user)
    case.access_expired_at = now
    case.save(update_fields=["access_expired_at", "updated_at"])


# --- Shared items (verstrekkingen) ------------------------------------------------------------


def _item_readers(item: SharedItem) -> list[User]:
    """The users outside the owner party who can read `item` now, by the one VIEW rule."""
    readers = []
    for user in User.objects.filter(pk__in=list(holders(VIEW_CASE, item.case))).select_related(
        "professional__organisation"
    ):
        professional = getattr(user, "professional", None)
        if is_owner(professional, owner_id=item.owner_id, owner_capacity=item.owner_capacity):
            continue
        if SharedItem.objects.visible_to(user).filter(pk=item.pk).exists():
            readers.append(user)
    return readers


def _notify_readers(*, readers: list[User], actor: User, case: Case) -> None:
    """Tell the readers of an item that it changed or went (SPEC R-8-2): a link, no content."""
    from .tasks import notify_task

    for user in {u.pk: u for u in readers if u.pk != actor.pk}.values():
        notify_task.delay_on_commit(user_id=user.pk, kind="item_changed", case_id=case.pk)


def _minutes_pdfs_outdated(case: Case) -> None:
    """Delete the case's minutes PDFs: each showed the shared items its reader could read, and an
    item was just corrected, withdrawn or deleted (R-8-2, R-6-3, R-9-3). A reader asks for a new
    copy. The files go once the transaction has committed."""
    documents = list(CaseDocument.objects.filter(case=case, kind=DocumentKind.MINUTES))
    for document in documents:
        if document.file:
            name, storage = document.file.name, document.file.storage
            transaction.on_commit(lambda n=name, st=storage: st.delete(n))
    CaseDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()


def _validate_item_text(*, kind: str, text: str) -> dict[str, list[str]]:
    """The tag and the text every item needs (R-8-1)."""
    errors: dict[str, list[str]] = {}
    if kind not in EntryKind.values:
        errors["kind"] = [_("Say whether this is a fact, an opinion or an agreement.")]
    if not text.strip():
        errors["text"] = [_("Write what you share.")]
    return errors


@transaction.atomic
def shared_item_add(
    *,
    actor: User,
    case: Case,
    category: DataCategory | None,
    kind: str,
    text: str,
    legal_basis: LegalBasis | None,
    audience_all: bool,
    recipients: list[Participant],
    withhold_reason: str = "",
) -> SharedItem:
    """Record one item the actor's party shares in the case (a disclosure, SPEC R-2-3).

    Every rule of `sharing.check_share` must hold: the type's categories (R-5-1, R-5-2, R-5-3),
    a basis of the providing party for the class (R-4-2, R-4-4), consent where the source has
    professional secrecy or a reader has no ground (R-6-2, R-T-3), readers bound by secrecy for
    health data (R-6-1). With a `withhold_reason` a youth-care professional records the item as
    "niet verstrekken" (R-6-3): only their own party reads it.
    Raises PermissionDenied unless the actor sits at the table of the open case.
    """
    case = _locked(case)
    ensure(can(actor, CaseAction.SHARE, case))
    withhold = bool(withhold_reason.strip())
    errors = _validate_item_text(kind=kind, text=text)
    if withhold and not has_professional_secrecy(actor):
        errors["withhold_reason"] = [
            _("Only a professional with professional secrecy can mark data as not provided.")
        ]
    check = check_share(
        case=case,
        author=actor,
        category=category,
        legal_basis=legal_basis,
        audience_all=audience_all,
        recipients=recipients,
        withhold=withhold,
    )
    errors.update(errors_of(check))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    item = SharedItem(
        case=case,
        meeting=current_meeting(case),
        category=category,
        data_class=check.data_class,
        kind=kind,
        text=text.strip(),
        owner=actor.professional.organisation,
        owner_capacity=actor.professional.capacity,
        author=actor,
        legal_basis=legal_basis,
        shared_on_consent=check.consent_id is not None,
        consent_id=check.consent_id,
        audience_all=audience_all,
        withheld_at=now if withhold else None,
        withheld_by=actor if withhold else None,
        withheld_reason=withhold_reason.strip()[:300],
    )
    item.full_clean()
    item.save()
    if not audience_all:
        item.recipients.set(recipients)
    _case_event(
        actor,
        Action.SHARE_WITHHELD if withhold else Action.SHARE_ADDED,
        case,
        target=item,
        legal_basis=_basis_reference(item, check.consent_id),
        reason=category.code,
    )
    return item


def _basis_reference(item: SharedItem, consent_id: int | None) -> str:
    """What the access log records as the ground of a disclosure: the basis, and any consent."""
    reference = item.legal_basis.code
    return f"{reference}; consent {consent_id}" if consent_id else reference


def _locked_item(item: SharedItem) -> SharedItem:
    """The item and its case, locked in that order (as every case service locks the case)."""
    _locked(item.case)
    return (
        SharedItem.objects.select_for_update(of=("self",))
        .select_related("case__consultation_type", "case__purpose", "case__youth", "category")
        .select_related("legal_basis", "author__professional__organisation")
        .get(pk=item.pk)
    )


@transaction.atomic
def shared_item_rectify(
    *,
    actor: User,
    item: SharedItem,
    kind: str,
    text: str,
    audience_all: bool,
    recipients: list[Participant],
) -> SharedItem:
    """Correct an item of one's own party, or change who reads it (SPEC R-8-2, AVG art. 16).

    Everyone who read it before or reads it now is told (a link, no content); the change is
    logged, the content itself stays out of the row history. New readers are checked as for a
    new share, on the rules of the item's author and basis.
    """
    item = _locked_item(item)
    ensure(can_item(actor, ItemAction.MANAGE, item))
    errors = _validate_item_text(kind=kind, text=text)
    # The acting owner colleague's rules: the author may have left or changed capacity, and
    # correcting must stay possible (AVG art. 16); `can_item` made sure they are of the owner.
    check = check_share(
        case=item.case,
        author=actor,
        category=item.category,
        legal_basis=item.legal_basis,
        audience_all=audience_all,
        recipients=recipients,
        withhold=item.is_withheld,
    )
    errors.update(errors_of(check))
    if errors:
        raise ValidationError(errors)
    before = _item_readers(item)
    item.kind = kind
    item.text = text.strip()
    item.audience_all = audience_all
    item.rectified_at = timezone.now()
    if not item.is_withheld:
        # New readers may need (another) consent, or none any more (R-6-2).
        item.shared_on_consent = check.consent_id is not None
        item.consent_id = check.consent_id
    item.full_clean()
    item.save(
        update_fields=[
            "kind",
            "text",
            "audience_all",
            "rectified_at",
            "shared_on_consent",
            "consent",
            "updated_at",
        ]
    )
    item.recipients.set([] if audience_all else recipients)
    _case_event(
        actor,
        Action.SHARE_RECTIFIED,
        item.case,
        target=item,
        legal_basis=item.legal_basis.code,
        reason=item.category.code,
    )
    _minutes_pdfs_outdated(item.case)
    _notify_readers(readers=before + _item_readers(item), actor=actor, case=item.case)
    return item


@transaction.atomic
def shared_item_delete(*, actor: User, item: SharedItem) -> None:
    """Delete an item of one's own party; its readers are told (SPEC R-8-2, AVG art. 17, 19).

    The row goes; the access log keeps the reference (type and id), not the content (R-9-3).
    """
    item = _locked_item(item)
    ensure(can_item(actor, ItemAction.MANAGE, item))
    readers = _item_readers(item)
    case = item.case
    _case_event(
        actor,
        Action.SHARE_DELETED,
        case,
        target=item,
        legal_basis=item.legal_basis.code,
        reason=item.category.code,
    )
    item.delete()
    _minutes_pdfs_outdated(case)
    _notify_readers(readers=readers, actor=actor, case=case)


@transaction.atomic
def shared_item_withhold(*, actor: User, item: SharedItem, reason: str) -> SharedItem:
    """Mark an item "niet verstrekken" (Jeugdwet 7.3.11 lid 3, SPEC R-6-3): from now on only the
    owner party reads it, whatever consent says; its readers are told it was withdrawn."""
    item = _locked_item(item)
    ensure(can_item(actor, ItemAction.WITHHOLD, item))
    if item.is_withheld:
        raise ValidationError(_("This item is already marked as not provided."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for not providing it.")]})
    readers = _item_readers(item)
    item.withheld_at = timezone.now()
    item.withheld_by = actor
    item.withheld_reason = reason.strip()[:300]
    item.full_clean()
    item.save(update_fields=["withheld_at", "withheld_by", "withheld_reason", "updated_at"])
    _case_event(
        actor,
        Action.SHARE_WITHHELD,
        item.case,
        target=item,
        legal_basis=item.legal_basis.code,
        reason=item.category.code,
    )
    _minutes_pdfs_outdated(item.case)
    _notify_readers(readers=readers, actor=actor, case=item.case)
    return item


@transaction.atomic
def shared_item_release(*, actor: User, item: SharedItem) -> SharedItem:
    """Lift "niet verstrekken": the item is provided only if it may be shared now, with the
    same checks as a new share (a youth-care source needs consent, R-6-2)."""
    item = _locked_item(item)
    ensure(can_item(actor, ItemAction.WITHHOLD, item))
    if not item.is_withheld:
        raise ValidationError(_("This item is provided already."))
    if item.incidents.exists():
        # Revoked as mis-shared (R-BREACH-6): providing it again would repeat the breach.
        raise ValidationError(
            _("This item was revoked as mis-shared. Share it again as a new item if it may be.")
        )
    check = check_share(
        case=item.case,
        author=actor,
        category=item.category,
        legal_basis=item.legal_basis,
        audience_all=item.audience_all,
        recipients=list(item.recipients.all()),
    )
    if not check.ok:
        raise ValidationError(errors_of(check))
    item.withheld_at = None
    item.withheld_by = None
    item.withheld_reason = ""
    item.shared_on_consent = check.consent_id is not None
    item.consent_id = check.consent_id
    item.save(
        update_fields=[
            "withheld_at",
            "withheld_by",
            "withheld_reason",
            "shared_on_consent",
            "consent",
            "updated_at",
        ]
    )
    _case_event(
        actor,
        Action.SHARE_RELEASED,
        item.case,
        target=item,
        legal_basis=_basis_reference(item, check.consent_id),
        reason=item.category.code,
    )
    return item


@transaction.atomic
def shared_item_revoke(*, actor: User, item: SharedItem, note: str = "") -> Any:
    """Revoke an item that went to the wrong people, in one action (SPEC R-BREACH-6): it is
    hidden from every reader outside its owner party at once (the "niet verstrekken" rule of
    `SharedItemQuerySet.visible_to`), its readers are told it was withdrawn (a link only), the
    minutes PDFs that showed it go, and a data breach is opened for the owner party's FG
    (affected party: the owner; category: the item's; one person concerned).

    Returns the Incident. Raises PermissionDenied unless `permissions.can_revoke`.
    """
    from convenant.incidents import incident_report

    item = _locked_item(item)
    ensure(can_revoke(actor, item))
    readers = _item_readers(item)
    now = timezone.now()
    description = _("Shared data (%(category)s) was shared with the wrong people in a case.") % {
        "category": f"{item.category.code} {item.category.name}"
    }
    if note.strip():
        description = f"{description}\n\n{note.strip()}"
    incident = incident_report(
        actor=actor,
        discovered_at=now,
        description=description,
        n_subjects=1,
        affected_parties=[item.owner],
        data_categories=[item.category],
        containment=_("Revoked in the application: hidden from every reader outside %(owner)s.")
        % {"owner": item.owner.name},
        shared_item=item,
    )
    item.withheld_at = now
    item.withheld_by = actor
    item.withheld_reason = (
        _("Revoked as mis-shared (data breach %(ref)s).") % {"ref": incident.reference}
    )[:300]
    item.full_clean()
    item.save(update_fields=["withheld_at", "withheld_by", "withheld_reason", "updated_at"])
    _case_event(
        actor,
        Action.SHARE_REVOKED,
        item.case,
        target=item,
        legal_basis=item.legal_basis.code,
        reason=f"{item.category.code}; incident {incident.reference}",
    )
    _minutes_pdfs_outdated(item.case)
    _notify_readers(readers=readers, actor=actor, case=item.case)
    return incident


# --- Consent and birthdays (issue 6) ------------------------------------------------------------


@transaction.atomic
def consent_withdraw(
    *,
    actor: User,
    consent: Any,
    consenter: Any,
    method: str = "portal",
    signed_form: Any = None,
    signed_on: date | None = None,
    reason: str = "",
) -> Any:
    """Withdraw a consent and tell the readers of what was shared on it (DESIGN invariant 7).

    The consent ends in this transaction; its items disappear from every recipient's view at
    once because the read rule asks whether their consent is in force. The items stay with
    their owner. The minutes PDFs that showed them are deleted, and each reader gets an e-mail
    with a link and no content (R-6-2, AVG art. 7(3)). Raises as `consent_decide`.
    """
    from consent.choices import DecisionKind
    from consent.services import consent_decide

    case = _locked(consent.case)
    items = list(SharedItem.objects.filter(consent=consent).select_related("case"))
    readers = [user for item in items for user in _item_readers(item)]
    decision = consent_decide(
        actor=actor,
        consent=consent,
        consenter=consenter,
        kind=DecisionKind.WITHDRAWN,
        method=method,
        signed_form=signed_form,
        signed_on=signed_on,
        reason=reason,
    )
    if items:
        _minutes_pdfs_outdated(case)
        _notify_readers(readers=readers, actor=actor, case=case)
    return decision


def family_calendar_apply(*, today: date | None = None) -> dict[str, int]:
    """Beat job: apply birthdays and end dates (SPEC R-AGE-4, R-AGE-6). Idempotent.

    Consents are flagged at 16 and expire past their end (`consent.services`). At 18 the parents
    lose default visibility of the case data, which the portal's read rules apply from that
    day; here each open case of a youth who turned 18 is marked once and its procesregisseur
    told (a link, no content).
    """
    from consent.choices import LIVE_STATUSES
    from consent.models import Consent
    from consent.services import consents_apply_calendar

    from .tasks import notify_task

    today = today or timezone.localdate()
    # Items on a consent that ends now left their readers' views at midnight (the read rule
    # checks the date); the minutes PDFs that showed them go too (invariant 7).
    ending = Consent.objects.filter(
        status__in=LIVE_STATUSES, valid_until__lt=today, shared_items__isnull=False
    ).values("case_id")
    for case in Case.objects.filter(pk__in=ending):
        with transaction.atomic():
            _minutes_pdfs_outdated(case)
    counts = consents_apply_calendar(today=today)
    adult = settings.AGE_THRESHOLDS["adult"]
    born_before = _add_months(today, -12 * adult)
    counts["adult"] = 0
    for pk in (
        Case.objects.open()
        .filter(adulthood_applied_at__isnull=True, youth__date_of_birth__lte=born_before)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            case = _locked(Case(pk=pk))
            if case.adulthood_applied_at is not None:
                continue
            case.adulthood_applied_at = timezone.now()
            case.save(update_fields=["adulthood_applied_at", "updated_at"])
            _case_event(None, Action.ADULTHOOD_APPLIED, case)
            notify_task.delay_on_commit(
                user_id=case.coordinator_id, kind="youth_adult", case_id=case.pk
            )
            counts["adult"] += 1
    return counts


# --- Covenant governance (issue 7): a party that left loses other parties' cases (R-19-1) -----


def departed_party_access_end(*, now: datetime | None = None) -> int:
    """Beat job: revoke the grants that professionals of a party that left the covenant still
    hold on other parties' cases, and end their seats there; returns the grants revoked.

    The read rule (`CaseQuerySet.visible_to`, `convenant.querysets.party_departed`) already
    hides those cases from the end date on; this job makes grants and seats agree with it
    (DESIGN invariant 1), one case per transaction, logged as `grant.revoked`. Idempotent: a
    revoked grant is not found again. Cases of the party itself stay with it (R-19-1).
    """
    from convenant.models import CovenantParty
    from parties.models import Professional

    from .models import CaseUserObjectPermission

    now = now or timezone.now()
    today = timezone.localdate(now)
    left = set(
        CovenantParty.objects.filter(left_on__lte=today).values_list("organisation_id", flat=True)
    )
    staying = set(
        CovenantParty.objects.filter(joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .values_list("organisation_id", flat=True)
    )
    departed = left - staying
    if not departed:
        return 0
    revoked = 0
    professionals = Professional.objects.filter(
        Q(organisation_id__in=departed) | Q(organisation__parent_id__in=departed)
    ).select_related("organisation", "user")
    for professional in professionals:
        root = professional.organisation.parent_id or professional.organisation_id
        own = set(
            Organisation.objects.filter(Q(pk=root) | Q(parent_id=root)).values_list("pk", flat=True)
        )
        grants = (
            CaseUserObjectPermission.objects.filter(
                user=professional.user, permission__codename="view_case"
            )
            .exclude(content_object__organisation_id__in=own)
            .values_list("content_object_id", flat=True)
        )
        for case_id in list(grants):
            revoked += _departed_access_end_one(user=professional.user, case_id=case_id, now=now)
    return revoked


@transaction.atomic
def _departed_access_end_one(*, user: User, case_id: int, now: datetime) -> int:
    """End one departed professional's access to one case of another party."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("purpose", "youth")
        .get(pk=case_id)
    )
    if not has_grant(user, VIEW_CASE, case):
        return 0  # another run did it meanwhile
    for seat in case.participants.active().filter(user=user, kind=ParticipantKind.PROFESSIONAL):
        seat.left_at = now
        seat.save(update_fields=["left_at", "updated_at"])
    revoke(user, VIEW_CASE, case)
    _case_event(None, Action.GRANT_REVOKED, case, target=user, reason="party left the covenant")
    return 1
