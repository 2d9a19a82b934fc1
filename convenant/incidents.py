"""The breach register (datalekken, SPEC §7.2 R-BREACH-1..6, R-10-5, R-DPIA-3): policy, reads
and writes of `Incident`.

Who may do what:
- **report**: every professional, procesregisseur, FG and beheerder (they work for a party and
  can cause or notice a breach). Parents and youths do not report here: a complaint of theirs is
  a rights request or goes to the FG of the organisation (docs/breaches.md).
- **see the register**: the FG of the reporting party or of an affected party (R-DPIA-3), with
  the free text; a beheerder of such a party sees the dates and the steps only (they are warned
  with the FG, R-BREACH-3, but read no content); a reporter sees their own reports.
- **handle** (assess, record the AP and subject notifications, close): the FGs who see it.

Every write is one transaction with its access event; e-mails (a link, no content, R-10-3) leave
after commit through Celery.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import Action, Outcome
from audit.services import record
from core.permissions import AnyUser
from parties.choices import Role
from parties.models import Organisation, User

from .choices import RiskAssessment, SubjectsException
from .models import EARLIEST_YEAR, ESCALATION_BEFORE, CovenantParty, DataCategory, Incident

# Who works for a party and may report a breach (module docstring).
REPORTER_ROLES = (Role.COORDINATOR, Role.PROFESSIONAL, Role.PRIVACY_OFFICER, Role.ADMINISTRATOR)
# Who sees the register of their party: the FG with content, the beheerder without.
REGISTER_ROLES = (Role.PRIVACY_OFFICER, Role.ADMINISTRATOR)
# A moment "now" typed in a form may run a little ahead of the server's clock.
CLOCK_SKEW = timedelta(minutes=5)


# --- Policy -------------------------------------------------------------------------------------


def _organisation_id(user: AnyUser) -> int | None:
    professional = getattr(user, "professional", None) if user.is_authenticated else None
    return professional.organisation_id if professional is not None else None


def may_report(user: AnyUser) -> bool:
    """Whether `user` may report a breach: staff of a party, never a parent or youth."""
    return (
        user.is_authenticated
        and getattr(user, "role", None) in REPORTER_ROLES
        and _organisation_id(user) is not None
    )


def _party_rule(organisation_id: int) -> Q:
    """Incidents that concern an organisation: reported by it or touching its data, also through
    its parent (a school's FG may sit with the school board)."""
    return (
        Q(organisation_id=organisation_id)
        | Q(organisation__parent_id=organisation_id)
        | Q(affected_parties=organisation_id)
        | Q(affected_parties__parent_id=organisation_id)
    )


def incidents_visible_to(user: AnyUser) -> QuerySet[Incident]:
    """The one VIEW rule of the register (R-DPIA-3): the FG's and beheerder's party's incidents;
    for anyone else their own reports. Nobody sees another region's or party's incidents."""
    organisation_id = _organisation_id(user)
    if organisation_id is None or not user.is_active:
        return Incident.objects.none()
    if user.role in REGISTER_ROLES:
        matching = Incident.objects.filter(_party_rule(organisation_id)).values("pk")
        return Incident.objects.filter(pk__in=matching)
    if user.role in REPORTER_ROLES:
        return Incident.objects.filter(reported_by=user)
    return Incident.objects.none()


def can_read_content(user: AnyUser, incident: Incident) -> bool:
    """The free text (what happened, the reasons) is for the FG and the reporter only."""
    return getattr(user, "role", None) == Role.PRIVACY_OFFICER or incident.reported_by_id == user.pk


def can_handle(user: AnyUser, incident: Incident) -> bool:
    """Only an FG who sees the incident records its steps (AVG art. 39: the FG advises and
    keeps the register); a closed incident is done."""
    return getattr(user, "role", None) == Role.PRIVACY_OFFICER and incident.is_open


# --- Reads --------------------------------------------------------------------------------------


def _with_relations(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    return queryset.select_related("organisation", "reported_by", "assessed_by").prefetch_related(
        "affected_parties", "data_categories"
    )


def incident_list(*, user: AnyUser) -> list[Incident]:
    """The register as `user` may see it, open ones first (logged as one list event)."""
    with transaction.atomic():
        incidents = list(
            _with_relations(incidents_visible_to(user)).order_by(
                F("closed_at").desc(nulls_first=True), "ap_deadline", "-id"
            )
        )
        record(actor=user, action=Action.INCIDENT_LISTED, reason=f"{len(incidents)} shown")
    return incidents


def incident_get(*, user: AnyUser, uuid: UUID | str, log: bool = True) -> Incident:
    """One incident `user` may see, logged as viewed; Incident.DoesNotExist (→ 404, logged as a
    denial without saying whether it exists) otherwise."""
    incident = _with_relations(incidents_visible_to(user)).filter(uuid=uuid).first()
    if incident is None:
        record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")
        raise Incident.DoesNotExist
    if log:
        with transaction.atomic():
            record(actor=user, action=Action.INCIDENT_VIEWED, target=incident)
    return incident


@dataclass(frozen=True)
class Countdown:
    """The time left to report to the AP, as the register shows it (R-BREACH-3)."""

    hours_left: int  # whole hours left; 0 in the last hour and once overdue
    hours_overdue: int  # whole hours since the deadline passed
    urgent: bool  # less than 24 hours left (or overdue): shown in red
    overdue: bool


def countdown(incident: Incident, now: datetime | None = None) -> Countdown | None:
    """Hours until `ap_deadline`, or None when no countdown applies (closed, reported to the
    AP, or assessed as no risk)."""
    if not incident.is_open or incident.ap_notified_at or not incident.needs_ap_notification:
        return None
    left = incident.ap_deadline - (now or timezone.now())
    seconds = left.total_seconds()
    return Countdown(
        hours_left=max(int(seconds // 3600), 0),
        hours_overdue=int(-seconds // 3600) if seconds < 0 else 0,
        urgent=left < ESCALATION_BEFORE,
        overdue=seconds < 0,
    )


def closure_blockers(incident: Incident, *, ap_not_notified_reason: str = "") -> dict[str, str]:
    """Why `incident` cannot be closed yet, per field (R-BREACH-4); empty when it can."""
    blockers: dict[str, str] = {}
    if not incident.risk_assessment:
        blockers["risk_assessment"] = _("Assess the risk before closing.")
        return blockers
    if incident.risk_assessment in (RiskAssessment.RISK, RiskAssessment.HIGH_RISK) and not (
        incident.ap_notified_at or ap_not_notified_reason.strip()
    ):
        blockers["ap_not_notified_reason"] = _(
            "Record the report to the Autoriteit Persoonsgegevens, or explain here why it was "
            "not reported."
        )
    if (
        incident.risk_assessment == RiskAssessment.HIGH_RISK
        and not incident.subjects_notified_at
        and not (incident.subjects_exception_ground and incident.subjects_exception.strip())
    ):
        blockers["subjects"] = _(
            "With a high risk, record that the people concerned were told, or the AVG 34(3) "
            "exception that applies, before closing."
        )
    return blockers


# --- Writes -------------------------------------------------------------------------------------


def _locked(incident: Incident) -> Incident:
    """The incident row, locked until the transaction ends (two FGs, a double submit)."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _notify(incident: Incident, kind: str) -> None:
    from .tasks import incident_notify_task

    incident_notify_task.delay_on_commit(incident_id=incident.pk, kind=kind)


@transaction.atomic
def incident_report(
    *,
    actor: User,
    discovered_at: datetime | None,
    description: str,
    n_subjects: int | None,
    affected_parties: Iterable[Organisation],
    data_categories: Iterable[DataCategory] = (),
    containment: str = "",
    shared_item: Any = None,
) -> Incident:
    """Register a breach and tell the FGs of the reporting and every affected party at once
    (R-BREACH-1, R-BREACH-2): the e-mail leaves after commit and holds a link only.

    `ap_deadline` is discovery + 72 hours (AVG 33(1)). Raises PermissionDenied for a user who may
    not report, ValidationError (per field) for bad input; nothing is written then.
    """
    if not may_report(actor):
        raise PermissionDenied
    organisation = actor.professional.organisation
    parties = list(affected_parties)
    errors: dict[str, list[str]] = {}
    if not description.strip():
        errors["description"] = [_("Describe what happened.")]
    if n_subjects is None or n_subjects < 0:
        errors["n_subjects"] = [_("Give an estimate of the number of people (0 or more).")]
    if not parties:
        errors["affected_parties"] = [_("Choose at least one organisation whose data it is.")]
    elif any(p.region_id != organisation.region_id for p in parties):
        errors["affected_parties"] = [_("Choose organisations of your own region.")]
    if discovered_at is None:
        errors["discovered_at"] = [_("Say when the breach was discovered.")]
    if errors:
        raise ValidationError(errors)
    incident = Incident(
        region_id=organisation.region_id,
        organisation=organisation,
        reported_by=actor,
        discovered_at=discovered_at,
        n_subjects=n_subjects,
        description=description.strip(),
        containment=containment.strip(),
        shared_item=shared_item,
    )
    incident.full_clean(exclude=["ap_deadline"])
    incident.save()
    incident.affected_parties.set(parties)
    incident.data_categories.set(list(data_categories))
    record(actor=actor, action=Action.INCIDENT_REPORTED, target=incident)
    _notify(incident, "reported")
    return incident


def _handled(actor: User, incident: Incident) -> Incident:
    """The locked incident if `actor` may handle it; PermissionDenied otherwise."""
    if not incidents_visible_to(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied
    locked = _locked(incident)
    if not can_handle(actor, locked):
        raise PermissionDenied
    return locked


def _not_in_future(moment: datetime | None, field: str) -> None:
    if moment is None:
        raise ValidationError({field: [_("Give the date and time.")]})
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValidationError({field: [_("This moment cannot lie in the future.")]})
    if moment.year < EARLIEST_YEAR:
        raise ValidationError({field: [_("Give a date from the year 2000 on.")]})


@transaction.atomic
def incident_assess(
    *, actor: User, incident: Incident, risk_assessment: str, risk_notes: str
) -> Incident:
    """Record the FG's risk assessment (AVG 33/34); it decides which steps closing needs."""
    incident = _handled(actor, incident)
    errors: dict[str, list[str]] = {}
    if risk_assessment not in RiskAssessment.values:
        errors["risk_assessment"] = [_("Choose the risk.")]
    if not risk_notes.strip():
        errors["risk_notes"] = [_("Give the reasons for this assessment.")]
    if errors:
        raise ValidationError(errors)
    incident.risk_assessment = risk_assessment
    incident.risk_notes = risk_notes.strip()
    incident.assessed_at = timezone.now()
    incident.assessed_by = actor
    incident.save(
        update_fields=["risk_assessment", "risk_notes", "assessed_at", "assessed_by", "updated_at"]
    )
    record(
        actor=actor,
        action=Action.INCIDENT_UPDATED,
        target=incident,
        reason=f"risk {risk_assessment}",
    )
    return incident


@transaction.atomic
def incident_record_ap_notification(
    *, actor: User, incident: Incident, notified_at: datetime | None, reference: str
) -> Incident:
    """Record the report to the Autoriteit Persoonsgegevens, with its reference (AVG 33)."""
    incident = _handled(actor, incident)
    _not_in_future(notified_at, "notified_at")
    if not reference.strip():
        raise ValidationError({"reference": [_("Give the reference the AP gave the report.")]})
    incident.ap_notified_at = notified_at
    incident.ap_reference = reference.strip()[:100]
    incident.save(update_fields=["ap_notified_at", "ap_reference", "updated_at"])
    record(actor=actor, action=Action.INCIDENT_UPDATED, target=incident, reason="ap notified")
    return incident


@transaction.atomic
def incident_record_subject_notification(
    *,
    actor: User,
    incident: Incident,
    notified_at: datetime | None = None,
    exception_ground: str = "",
    exception: str = "",
) -> Incident:
    """Record that the people concerned were told (AVG 34(1)), or the documented exception of
    AVG 34(3) that applies instead: one of the two, never neither."""
    incident = _handled(actor, incident)
    if notified_at is None and not exception_ground:
        raise ValidationError(
            {"notified_at": [_("Give when the people were told, or choose an exception.")]}
        )
    if notified_at is not None and exception_ground:
        raise ValidationError(
            {"exception_ground": [_("Either the people were told, or an exception applies.")]}
        )
    if notified_at is not None:
        _not_in_future(notified_at, "notified_at")
        incident.subjects_notified_at = notified_at
        reason = "subjects notified"
    else:
        if exception_ground not in SubjectsException.values:
            raise ValidationError({"exception_ground": [_("Choose the exception.")]})
        if not exception.strip():
            raise ValidationError(
                {"exception": [_("Explain why this exception applies (it is your record).")]}
            )
        incident.subjects_exception_ground = exception_ground
        incident.subjects_exception = exception.strip()
        reason = f"exception {exception_ground}"
    incident.save(
        update_fields=[
            "subjects_notified_at",
            "subjects_exception_ground",
            "subjects_exception",
            "updated_at",
        ]
    )
    record(actor=actor, action=Action.INCIDENT_UPDATED, target=incident, reason=reason)
    return incident


@transaction.atomic
def incident_close(
    *, actor: User, incident: Incident, ap_not_notified_reason: str = ""
) -> Incident:
    """Close an incident once its steps are done (R-BREACH-4); it stays in the register
    (R-BREACH-5). Raises ValidationError with a message per missing step."""
    incident = _handled(actor, incident)
    blockers = closure_blockers(incident, ap_not_notified_reason=ap_not_notified_reason)
    if blockers:
        raise ValidationError({field: [message] for field, message in blockers.items()})
    if ap_not_notified_reason.strip() and not incident.ap_notified_at:
        incident.ap_not_notified_reason = ap_not_notified_reason.strip()
    incident.closed_at = timezone.now()
    incident.closed_by = actor
    incident.save(update_fields=["ap_not_notified_reason", "closed_at", "closed_by", "updated_at"])
    record(actor=actor, action=Action.INCIDENT_CLOSED, target=incident)
    return incident


def incidents_escalate(*, now: datetime | None = None) -> int:
    """Beat job (R-BREACH-3): warn the FGs and beheerders of every open incident that may need
    an AP report (not assessed, or a risk) and is not reported 24 hours before its deadline.

    Once per incident (`escalated_at`, set under a row lock): a second run, or two at once,
    send nothing more. Returns the number escalated.
    """
    moment = now or timezone.now()
    due = (
        Incident.objects.filter(
            closed_at__isnull=True,
            ap_notified_at__isnull=True,
            escalated_at__isnull=True,
            ap_deadline__lte=moment + ESCALATION_BEFORE,
        )
        .exclude(risk_assessment=RiskAssessment.NONE)
        .values_list("pk", flat=True)
    )
    return sum(_escalate_one(pk=pk, now=moment) for pk in list(due))


@transaction.atomic
def _escalate_one(*, pk: int, now: datetime) -> bool:
    incident = Incident.objects.select_for_update().get(pk=pk)
    if (
        incident.escalated_at
        or incident.ap_notified_at
        or incident.closed_at
        or not incident.needs_ap_notification
    ):
        return False
    incident.escalated_at = now
    incident.save(update_fields=["escalated_at", "updated_at"])
    record(actor=None, action=Action.INCIDENT_ESCALATED, target=incident)
    _notify(incident, "escalated")
    return True


# --- Who is told --------------------------------------------------------------------------------


def _concerned_organisation_ids(incident: Incident) -> set[int]:
    """The reporting party and every affected party, with their parents (a school's board)."""
    organisations = [incident.organisation, *incident.affected_parties.all()]
    ids = {o.pk for o in organisations}
    ids |= {o.parent_id for o in organisations if o.parent_id}
    return ids


def recipients(incident: Incident, kind: str) -> list[tuple[str, User | None]]:
    """Addresses to tell about `incident`, each once: the FG contact of every concerned party in
    the covenant (R-15-1) and its FG users; for an escalation its beheerders too (R-BREACH-3)."""
    ids = _concerned_organisation_ids(incident)
    roles = [Role.PRIVACY_OFFICER]
    if kind == "escalated":
        roles.append(Role.ADMINISTRATOR)
    found: dict[str, User | None] = {}
    users = User.objects.filter(
        role__in=roles, is_active=True, professional__organisation_id__in=ids
    ).exclude(email="")
    for user in users.order_by("pk"):
        found.setdefault(user.email.lower(), user)
    today = timezone.localdate()
    contacts = (
        CovenantParty.objects.filter(
            organisation_id__in=ids,
            covenant__region_id=incident.region_id,
            joined_on__lte=today,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .exclude(privacy_officer_email="")
        .values_list("privacy_officer_email", flat=True)
    )
    for email in contacts:
        found.setdefault(email.lower(), None)
    return sorted(found.items(), key=lambda pair: pair[0])


def parties_notified(*, incident_id: int) -> None:
    """Record when the FGs were told (R-BREACH-1 `parties_notified_at`); the first time counts."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if incident.parties_notified_at:
            return
        incident.parties_notified_at = timezone.now()
        incident.save(update_fields=["parties_notified_at", "updated_at"])
