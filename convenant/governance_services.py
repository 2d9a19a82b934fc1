"""Writes of covenant governance (issue 7): versions, accession, leaving, the DPIA gate.

Every write is validated, runs in one transaction and is logged (`audit.record`); e-mails are
queued only when the transaction commits. SPEC art. 17–19, R-18-1, R-19-1, R-DPIA-1, R-DPIA-2.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.services import record
from parties.choices import Capacity, Role
from parties.models import Organisation, Professional, User

from .choices import CovenantPartyStatus, DPIAReviewTrigger, EndorsementKind
from .governance_selectors import dpia_activation_refusal
from .models import (
    ConsultationType,
    Covenant,
    CovenantParty,
    DataCategory,
    DPIAEndorsement,
    DPIARecord,
    DPIAReviewPrompt,
    LegalBasis,
)
from .selectors import covenant_party_list
from .uploads import check_pdf

# --- Covenant versions (R-17-1) -------------------------------------------------------------


@transaction.atomic
def covenant_version_add(
    *,
    actor: User,
    region_id: int,
    title: str,
    version: str,
    effective_from: date,
    hosting_organisation: Organisation | None,
    processor_agreement_reference: str = "",
) -> Covenant:
    """Add a new version of the region's covenant; the previous one ends the day before.

    The parties of the previous version that have not left by then carry over with their
    accession history: a case opened under the new version needs them (R-P-3). Cases keep the
    version they were opened under (`Case.covenant`, R-17-1). A changed hosting party prompts a
    DPIA review (R-DPIA-2). Raises ValidationError (at the field) for a start date that does not
    follow the current version's, or a version number already used.
    """
    previous = (
        Covenant.objects.select_for_update()
        .filter(region_id=region_id)
        .order_by("-effective_from")
        .first()
    )
    if previous is not None and effective_from <= previous.effective_from:
        raise ValidationError(
            {
                "effective_from": _(
                    "A new version starts after the current one (in force from %(date)s)."
                )
                % {"date": previous.effective_from.strftime("%d-%m-%Y")}
            }
        )
    covenant = Covenant(
        region_id=region_id,
        title=title.strip(),
        version=version.strip(),
        effective_from=effective_from,
        hosting_organisation=hosting_organisation,
        processor_agreement_reference=processor_agreement_reference.strip(),
    )
    covenant.full_clean()
    if previous is not None:
        end = effective_from - timedelta(days=1)
        if previous.effective_until is None or previous.effective_until > end:
            previous.effective_until = end
            previous.full_clean()
            previous.save(update_fields=["effective_until", "updated_at"])
    covenant.save()
    if previous is not None:
        _carry_parties_over(previous, covenant)
    record(actor=actor, action=Action.COVENANT_VERSION_ADDED, target=covenant)
    hosting_changed = (
        previous is not None
        and previous.hosting_organisation_id != covenant.hosting_organisation_id
    )
    if hosting_changed:
        dpia_review_prompt(
            actor=actor,
            region_id=region_id,
            trigger=DPIAReviewTrigger.HOSTING,
            subject=str(covenant),
        )
    return covenant


_CARRIED_FIELDS = (
    "organisation_id",
    "status",
    "joined_on",
    "left_on",
    "mandate_reference",
    "signed_document",
    "accession_approved_at",
    "accession_approved_by_id",
    "accession_notified_at",
    "privacy_officer_name",
    "privacy_officer_email",
)


def _carry_parties_over(previous: Covenant, covenant: Covenant) -> None:
    """Copy the party rows still in force when `covenant` starts (row by row: audited)."""
    for party in previous.parties.filter(
        models.Q(left_on__isnull=True) | models.Q(left_on__gte=covenant.effective_from)
    ):
        copy = CovenantParty(covenant=covenant, **{f: getattr(party, f) for f in _CARRIED_FIELDS})
        copy.full_clean()
        copy.save()


# --- Accession (R-18-1, R-P-3) -------------------------------------------------------------


def _checked_pdf(upload: UploadedFile | None, field: str = "signed_document") -> UploadedFile:
    if upload is None:
        raise ValidationError({field: _("Choose the signed form (PDF).")})
    refusal = check_pdf(upload)
    if refusal:
        raise ValidationError({field: refusal})
    return upload


@transaction.atomic
def accession_create(
    *,
    actor: User,
    covenant: Covenant,
    organisation: Organisation,
    joined_on: date,
    privacy_officer_name: str,
    privacy_officer_email: str,
    signed_document: UploadedFile | None,
) -> CovenantParty:
    """Register an acceding party with its signed Toetredingsformulier (step 1 of R-18-1).

    The party takes part only after the FG approved and the other parties were notified
    (`accession_approve`). Raises ValidationError at the field for a file that is not a PDF
    (by its first bytes), too large or empty, or an organisation already party.
    """
    upload = _checked_pdf(signed_document)
    if organisation.region_id != covenant.region_id:
        raise ValidationError({"organisation": _("Choose an organisation of your region.")})
    if covenant.parties.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("This organisation is already a party to the covenant.")}
        )
    party = CovenantParty(
        covenant=covenant,
        organisation=organisation,
        status=CovenantPartyStatus.ACCEDED,
        joined_on=joined_on,
        privacy_officer_name=privacy_officer_name.strip(),
        privacy_officer_email=privacy_officer_email.strip(),
    )
    party.full_clean(exclude=["signed_document"])
    party.signed_document.save(_form_name(party), upload, save=False)
    party.save()
    record(actor=actor, action=Action.ACCESSION_UPLOADED, target=party)
    return party


def _form_name(party: CovenantParty) -> str:
    """A stored name that says nothing about the sender's file name."""
    return f"toetreding-{party.uuid}.pdf"


@transaction.atomic
def accession_upload(
    *, actor: User, party: CovenantParty, signed_document: UploadedFile | None
) -> CovenantParty:
    """Upload (or replace, before approval) the signed Toetredingsformulier of a party.

    Raises ValidationError for a wrong file, or once the accession has been approved: the
    approved form is the record and is not replaced.
    """
    upload = _checked_pdf(signed_document)
    party = CovenantParty.objects.select_for_update().get(pk=party.pk)
    if party.accession_approved_at is not None:
        raise ValidationError(
            {"signed_document": _("The accession was approved; its form cannot be replaced.")}
        )
    party.signed_document.save(_form_name(party), upload, save=False)
    party.save(update_fields=["signed_document", "updated_at"])
    record(actor=actor, action=Action.ACCESSION_UPLOADED, target=party)
    return party


def accession_recipients(party: CovenantParty, on: date) -> list[str]:
    """E-mail addresses of the other parties' FGs and of the region's FGs and beheerders.

    The FG contact of every other party in force (R-15-1) and the accounts of the region's
    privacy officers and functioneel beheerders; each address once.
    """
    others = covenant_party_list(covenant=party.covenant, on=on).exclude(pk=party.pk)
    addresses = [p.privacy_officer_email for p in others]
    addresses += list(
        Professional.objects.filter(
            organisation__region_id=party.covenant.region_id,
            user__is_active=True,
            user__role__in=[Role.PRIVACY_OFFICER, Role.ADMINISTRATOR],
        )
        .exclude(user__email="")
        .exclude(organisation_id=party.organisation_id)
        .values_list("user__email", flat=True)
    )
    seen: dict[str, str] = {}
    for address in addresses:
        if address:
            seen.setdefault(address.strip().lower(), address.strip())
    return sorted(seen.values())


@transaction.atomic
def accession_approve(*, actor: User, party: CovenantParty) -> CovenantParty:
    """Approve an accession and notify the existing parties (steps 2 and 3 of R-18-1).

    Only the FG (the privacy admin) approves, never the beheerder who uploaded the form: four
    eyes. In the same transaction the notification is recorded (`accession_notified_at`, an
    access event with the number of recipients) and one e-mail per address is queued for after
    the commit; from then on the organisation can be chosen for new cases (R-P-3).
    Raises PermissionDenied for another role, ValidationError without a form or when approved.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise PermissionDenied
    party = (
        CovenantParty.objects.select_for_update(of=("self",))
        .select_related("covenant", "organisation")
        .get(pk=party.pk)
    )
    if not party.signed_document:
        raise ValidationError(_("Upload the signed accession form first."))
    if party.accession_approved_at is not None:
        raise ValidationError(_("This accession has already been approved."))
    now = timezone.now()
    party.accession_approved_at = now
    party.accession_approved_by = actor
    party.accession_notified_at = now
    party.save(
        update_fields=[
            "accession_approved_at",
            "accession_approved_by",
            "accession_notified_at",
            "updated_at",
        ]
    )
    record(actor=actor, action=Action.ACCESSION_APPROVED, target=party)
    recipients = accession_recipients(party, timezone.localdate())
    # The log holds how many were told, not who: the addresses are in the party table.
    record(
        actor=actor,
        action=Action.ACCESSION_NOTIFIED,
        target=party,
        reason=f"{len(recipients)} recipients",
    )
    from .tasks import accession_mail_task

    for address in recipients:
        accession_mail_task.delay_on_commit(party_id=party.pk, address=address)
    return party


# --- Leaving (R-19-1) ----------------------------------------------------------------------


@transaction.atomic
def party_leave(*, actor: User, party: CovenantParty, left_on: date) -> int:
    """Record that a party leaves the covenant on `left_on`; returns the rows changed.

    Every party row of the organisation in the region's covenant versions gets the end date,
    so from that day it cannot be added to new cases under any version (R-P-3 refusal) and its
    people see only their own party's cases and data (the read rules, R-19-1). Its own data
    stays with it and follows retention; the duty of confidentiality persists.
    Raises ValidationError (field `left_on`) for a date before the party joined, or when the
    party has already left.
    """
    party = CovenantParty.objects.select_for_update().get(pk=party.pk)
    today = timezone.localdate()
    if party.left_on is not None and party.left_on <= today:
        raise ValidationError({"left_on": _("This party has already left the covenant.")})
    if left_on < party.joined_on:
        raise ValidationError({"left_on": _("The end date lies before the start date.")})
    rows = (
        CovenantParty.objects.select_for_update()
        .filter(covenant__region_id=party.covenant.region_id, organisation_id=party.organisation_id)
        .filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=left_on))
        .exclude(joined_on__gt=left_on)
    )
    changed = 0
    for row in rows:
        row.left_on = left_on
        row.full_clean()
        row.save(update_fields=["left_on", "updated_at"])
        changed += 1
    record(
        actor=actor, action=Action.PARTY_LEFT, target=party, reason=f"left on {left_on:%Y-%m-%d}"
    )
    return changed


# --- The DPIA gate (R-DPIA-1) and review prompts (R-DPIA-2) --------------------------------


@transaction.atomic
def dpia_record(
    *,
    actor: User,
    region_id: int,
    data: dict[str, Any],
    controllers: list[Organisation],
    document: UploadedFile | None = None,
) -> DPIARecord:
    """Record a DPIA with the FG's advice (R-DPIA-1); it closes the review prompts of changes
    dated on or before it (R-DPIA-2).

    Raises ValidationError at the field: controllers from another region, a document that is
    not a PDF, a high residual risk without the AP's prior consultation.
    """
    if not controllers:
        raise ValidationError({"controllers": _("Choose the parties that carried out the DPIA.")})
    if any(org.region_id != region_id for org in controllers):
        raise ValidationError({"controllers": _("Choose organisations of your region.")})
    if document is not None:
        refusal = check_pdf(document)
        if refusal:
            raise ValidationError({"document": refusal})
    dpia = DPIARecord(region_id=region_id, recorded_by=actor, **data)
    dpia.full_clean(exclude=["document"])
    if document is not None:
        dpia.document.save(f"dpia-{dpia.uuid}.pdf", document, save=False)
    dpia.save()
    dpia.controllers.set(controllers)
    record(actor=actor, action=Action.DPIA_RECORDED, target=dpia)
    return dpia


@transaction.atomic
def dpia_endorse(
    *,
    actor: User,
    dpia: DPIARecord,
    organisation: Organisation,
    kind: str,
    reference: str,
    endorsed_on: date,
) -> DPIAEndorsement:
    """Record that `organisation` adopted or endorsed `dpia` (R-DPIA-1).

    Raises ValidationError at the field for an organisation of another region, one that already
    has a decision on this DPIA, or an unknown kind.
    """
    if organisation.region_id != dpia.region_id:
        raise ValidationError({"organisation": _("Choose an organisation of your region.")})
    if dpia.endorsements.filter(organisation=organisation).exists():
        raise ValidationError(
            {"organisation": _("This party's decision on this DPIA is already recorded.")}
        )
    if kind not in EndorsementKind.values:
        raise ValidationError({"kind": _("Choose adopted or endorsed.")})
    endorsement = DPIAEndorsement(
        dpia=dpia,
        organisation=organisation,
        kind=kind,
        reference=reference.strip(),
        endorsed_on=endorsed_on,
    )
    endorsement.full_clean()
    endorsement.save()
    record(actor=actor, action=Action.DPIA_ENDORSED, target=endorsement)
    return endorsement


def dpia_review_prompt(
    *, actor: User | None, region_id: int | None, trigger: str, subject: str
) -> DPIAReviewPrompt:
    """Record that a change needs a DPIA review (R-DPIA-2); runs in the caller's transaction."""
    prompt = DPIAReviewPrompt(
        region_id=region_id, trigger=trigger, subject=subject[:300], raised_by=actor
    )
    prompt.full_clean()
    prompt.save()
    record(actor=actor, action=Action.DPIA_REVIEW_PROMPTED, target=prompt, reason=trigger)
    return prompt


def reference_snapshot(instance: models.Model) -> dict[str, Any]:
    """The stored values a governance rule compares with (before `reference_save` saves)."""
    if instance.pk is None:
        return {}
    fields = {
        Organisation: ("is_active", "party_type", "capacities"),
        LegalBasis: ("enabled",),
        Covenant: ("hosting_organisation_id",),
    }.get(type(instance))
    if not fields:
        return {}
    return type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first() or {}


def reference_activation_check(instance: models.Model, before: dict[str, Any]) -> None:
    """The DPIA gate (R-DPIA-1): an organisation is made active only when it passes it.

    Organisations that were active before the gate existed stay active (nothing is switched
    off); the beheer overview lists them until their DPIA is in order.
    Raises ValidationError on the `is_active` field.
    """
    if not isinstance(instance, Organisation) or not instance.is_active:
        return
    if before.get("is_active"):
        return
    refusal = dpia_activation_refusal(organisation=instance)
    if refusal:
        raise ValidationError({"is_active": refusal})


def reference_change_review(
    *, actor: User, instance: models.Model, created: bool, before: dict[str, Any]
) -> None:
    """Prompt a DPIA review after a change that needs one (R-DPIA-2).

    A new consultation type, a new data category, a party type the region did not have yet,
    Wams enabled (a legal basis or an organisation's capacity) and a changed hosting party.
    """
    trigger, region_id = _review_trigger(instance, created, before)
    if trigger:
        dpia_review_prompt(actor=actor, region_id=region_id, trigger=trigger, subject=str(instance))


def _review_trigger(
    instance: models.Model, created: bool, before: dict[str, Any]
) -> tuple[str, int | None]:
    if isinstance(instance, ConsultationType) and created:
        return DPIAReviewTrigger.CONSULTATION_TYPE, None
    if isinstance(instance, DataCategory) and created:
        return DPIAReviewTrigger.DATA_CATEGORY, None
    if isinstance(instance, LegalBasis):
        enabled_now = instance.enabled and not before.get("enabled", False)
        if instance.capacity == Capacity.WAMS and enabled_now:
            return DPIAReviewTrigger.WAMS, None
    if isinstance(instance, Organisation):
        type_is_new = created or before.get("party_type") != instance.party_type
        if (
            type_is_new
            and not Organisation.objects.filter(
                region_id=instance.region_id, party_type=instance.party_type
            )
            .exclude(pk=instance.pk)
            .exists()
        ):
            return DPIAReviewTrigger.PARTY_TYPE, instance.region_id
        had_wams = Capacity.WAMS in (before.get("capacities") or [])
        if Capacity.WAMS in (instance.capacities or []) and not had_wams:
            return DPIAReviewTrigger.WAMS, instance.region_id
    if (
        isinstance(instance, Covenant)
        and not created
        and before.get("hosting_organisation_id") != instance.hosting_organisation_id
    ):
        return DPIAReviewTrigger.HOSTING, instance.region_id
    return "", None
