"""Every write of the consent app (STYLE §4.5): one use case per function, one transaction.

Consent (SPEC R-6-2, R-AGE-1, R-AGE-4, DESIGN invariant 7): a professional asks for consent with
a scope; each required person gives or refuses it, in the portal or on a signed form that a
professional records; it becomes valid when every required person has given it; any of them can
withdraw it at once. Each decision writes an append-only ConsentDecision and a hashed receipt
(ISO/IEC TS 27560 fields), and its access event, in the same transaction; the receipt's PDF is
rendered after commit.

What a withdrawal hides is decided when reading (`SharedItem.objects.visible_to` asks whether the
item's consent is in force), so nothing has to be copied or touched to make it disappear. The
casusoverleg app wraps `consent_withdraw` to tell the item's readers (it knows the items;
this app sits below it).
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.services import record
from convenant.choices import DataClass
from convenant.models import DataCategory
from core.permissions import has_grant
from parties.choices import Role
from parties.models import Guardian, Organisation, User, Youth

from .age import (
    Consenter,
    RequiredConsenters,
    decides_alone,
    is_incapable,
    may_exercise_rights,
    may_request_destruction,
    required_consenters,
)
from .choices import (
    ConsenterKind,
    ConsentMethod,
    ConsentStatus,
    DecisionKind,
    ReceiptKind,
    RequestKind,
    RequestOutcome,
    RequestStatus,
)
from .deadlines import REMINDER_DAYS, due_on, latest_extension
from .models import (
    Consent,
    ConsentDecision,
    ConsentReceipt,
    IncapacityJudgement,
    ParentAccess,
    RightsRequest,
)
from .uploads import check_upload

logger = logging.getLogger(__name__)

# Whether the services e-mail the family and the handlers. Only the demo's history turns it off:
# it replays decisions of weeks ago, which nobody should be told about again now.
notifications_enabled: ContextVar[bool] = ContextVar("consent_notifications", default=True)

VIEW_CASE = "casusoverleg.view_case"
RECEIPT_SCHEMA = "ISO/IEC TS 27560:2023 (fields), Casusoverleg receipt v1"
# Jeugdwet 7.3.9 applies to youth care files only.
DESTRUCTION_PARTY_TYPES = ("jeugdhulpaanbieder", "jgz")


# --- Who is acting ------------------------------------------------------------------------------


def consenter_of(user: User, youth: Youth) -> Consenter | None:
    """The user as a person of `youth`'s family: the youth, or a guardian with gezag, else None."""
    if user.role == Role.YOUTH and youth.user_id == user.pk:
        return Consenter(ConsenterKind.YOUTH)
    if user.role == Role.PARENT:
        for guardian in youth.guardians.all():
            if guardian.user_id == user.pk and guardian.has_authority:
                kind = (
                    ConsenterKind.REPRESENTATIVE
                    if guardian.relation == "curator"
                    else ConsenterKind.PARENT
                )
                return Consenter(kind, guardian.pk)
    return None


def _is_case_professional(user: User, consent_or_case: Any) -> bool:
    """A professional who holds the case's grant now (DESIGN invariant 1)."""
    case = getattr(consent_or_case, "case", consent_or_case)
    return (
        getattr(user, "professional", None) is not None
        and user.is_professional
        and has_grant(user, VIEW_CASE, case)
    )


def _event(actor: Any, action: str, consent: Consent, **kwargs: Any) -> None:
    """The access event of a consent action: the youth is the subject, the case the scope."""
    record(
        actor=actor,
        action=action,
        target=consent,
        youth=consent.youth,
        case_uuid=consent.case.uuid,
        purpose=consent.purpose.code,
        **kwargs,
    )


# --- Asking for consent -------------------------------------------------------------------------


def _case_organisations(case: Any) -> set[int]:
    """Organisations with a professional at the case's table now, and the procesregisseur's."""
    ids = set(
        case.participants.filter(left_at__isnull=True, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    ids.add(case.organisation_id)
    return ids


@transaction.atomic
def consent_request(
    *,
    actor: User,
    case: Any,
    categories: Iterable[DataCategory],
    recipients: Iterable[Organisation],
    valid_from: date,
    valid_until: date,
    covers_special: bool = False,
    items_description: str = "",
) -> Consent:
    """Ask the family for consent to share `categories` of the actor's organisation with
    `recipients` in `case` (SPEC R-6-2 (a)–(c)).

    Raises PermissionDenied unless the actor is a professional at the table; ValidationError
    (per field) for an empty scope, a recipient not at the table, the own organisation as
    recipient, a period in the wrong order or past the case's purpose, or a youth for whom
    nobody can consent (a minor without a parent with gezag).
    """
    if not _is_case_professional(actor, case):
        raise PermissionDenied
    source = actor.professional.organisation
    categories = list(categories)
    recipients = list(recipients)
    errors: dict[str, list[str]] = {}
    if not categories:
        errors["categories"] = [_("Choose what may be shared.")]
    elif any(c.never_shared or c.excluded for c in categories):
        errors["categories"] = [_("This kind of data is never shared in a case.")]
    allowed = set(case.consultation_type.allowed_categories.values_list("pk", flat=True))
    if categories and any(c.pk not in allowed for c in categories):
        errors.setdefault("categories", []).append(
            _("A %(type)s does not share this kind of data.")
            % {"type": case.consultation_type.name}
        )
    at_table = _case_organisations(case)
    if not recipients:
        errors["recipients"] = [_("Choose who may receive it.")]
    elif any(o.pk == source.pk for o in recipients):
        errors["recipients"] = [_("Your own organisation holds this data already.")]
    elif any(o.pk not in at_table for o in recipients):
        errors["recipients"] = [_("Choose only organisations at the table.")]
    if valid_until < valid_from:
        errors["valid_until"] = [_("The end date must be on or after the start date.")]
    elif valid_from < timezone.localdate():
        errors["valid_from"] = [_("Consent cannot start in the past.")]
    special_chosen = any(c.data_class == DataClass.SPECIAL_HEALTH for c in categories)
    if special_chosen and not covers_special:
        errors["covers_special"] = [
            _("You chose health data: tick that the consent explicitly includes health data.")
        ]
    required = required_consenters(case.youth, valid_from)
    if not required.possible:
        errors["__all__"] = [
            _("Nobody can consent for this youth: record a parent with parental authority first.")
        ]
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        case=case,
        youth=case.youth,
        source_organisation=source,
        agreed_with=actor,
        covers_special=covers_special,
        items_description=items_description.strip(),
        purpose=case.purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        age_rule=required.rule,
    )
    consent.full_clean(exclude=["case", "youth"])
    consent.save()
    consent.categories.set(categories)
    consent.recipients.set(recipients)
    _event(actor, Action.CONSENT_REQUESTED, consent)
    _notify_family(consent=consent, required=required, kind="consent_requested")
    return consent


def _notify_family(*, consent: Consent, required: RequiredConsenters, kind: str) -> None:
    """E-mail the required people with a portal account: a link, no content (R-10-3)."""
    from .tasks import notify_family_task

    if not notifications_enabled.get():
        return
    user_ids = []
    for consenter in required.consenters:
        user_id = _user_of(consent.youth, consenter)
        if user_id:
            user_ids.append(user_id)
    for user_id in sorted(set(user_ids)):
        notify_family_task.delay_on_commit(user_id=user_id, kind=kind)


def _user_of(youth: Youth, consenter: Consenter) -> int | None:
    """The portal account of a consenter, if they have one."""
    if consenter.is_youth:
        return youth.user_id
    guardian = next((g for g in youth.guardians.all() if g.pk == consenter.guardian_id), None)
    return guardian.user_id if guardian else None


# --- Deciding -----------------------------------------------------------------------------------


def _locked(consent: Consent) -> Consent:
    """The consent row, locked: two decisions on one consent run one after the other."""
    return (
        Consent.objects.select_for_update(of=("self",))
        .select_related("case", "youth__region", "purpose", "source_organisation")
        .get(pk=consent.pk)
    )


def _standing(consent: Consent) -> dict[Consenter, str]:
    """Each person's last decision on `consent`."""
    standing: dict[Consenter, str] = {}
    for decision in consent.decisions.order_by("decided_at", "id"):
        standing[Consenter(decision.consenter_kind, decision.guardian_id)] = decision.kind
    return standing


def _all_given(required: RequiredConsenters, standing: dict[Consenter, str]) -> bool:
    """Every group of required people has someone whose last decision is a consent."""
    agreeing = {DecisionKind.GIVEN, DecisionKind.RECONFIRMED}
    return required.possible and all(
        any(standing.get(member) in agreeing for member in group.members)
        for group in required.groups
    )


def _check_actor(*, actor: User, consent: Consent, consenter: Consenter, method: str) -> None:
    """The person decides in the portal for themselves; a professional at the table records a
    signed form. Anyone else: PermissionDenied."""
    if method == ConsentMethod.PORTAL:
        if consenter_of(actor, consent.youth) != consenter:
            raise PermissionDenied
    elif method == ConsentMethod.SIGNED_FORM:
        # The form goes to the organisation that asked, or to the procesregisseur: another
        # party at the table cannot make someone else's consent valid.
        if not _is_case_professional(actor, consent) or not (
            actor.professional.organisation_id == consent.source_organisation_id
            or actor.pk == consent.case.coordinator_id
        ):
            raise PermissionDenied
    else:
        raise PermissionDenied


@transaction.atomic
def consent_decide(
    *,
    actor: User,
    consent: Consent,
    consenter: Consenter,
    kind: str,
    method: str = ConsentMethod.PORTAL,
    signed_form: UploadedFile | None = None,
    signed_on: date | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> ConsentDecision:
    """Record one person's decision: give, refuse, withdraw, or (the youth at 16) confirm.

    - give: counts only while the consent waits or is in force; when it completes the required
      set (age at the date of the decision, R-AGE-1) the consent becomes valid;
    - refuse: a waiting consent is refused and can carry nothing;
    - withdraw: a valid consent ends at once (invariant 7); its items disappear from their
      recipients' views by the read rule, in this transaction;
    - confirm: the youth takes over a consent their parents gave before they turned 16.
    Raises PermissionDenied when the actor may not decide for `consenter`, ValidationError when
    the decision does not fit (not a required person, a consent already ended, a form missing).
    """
    now = now or timezone.now()
    consent = _locked(consent)
    _check_actor(actor=actor, consent=consent, consenter=consenter, method=method)
    today = timezone.localdate(now)
    required = required_consenters(consent.youth, today)
    errors: dict[str, list[str]] = {}
    if not consent.is_live:
        errors["__all__"] = [_("This consent has ended; nothing can be decided on it any more.")]
    elif kind == DecisionKind.WITHDRAWN:
        # Any required person may withdraw it, and anyone who gave it, also someone the age
        # table no longer asks (a parent after the youth turned 16).
        gave = _standing(consent).get(consenter) in (DecisionKind.GIVEN, DecisionKind.RECONFIRMED)
        if not gave and not required.includes(consenter):
            errors["__all__"] = [_("You did not give this consent.")]
    elif kind == DecisionKind.RECONFIRMED:
        if not consenter.is_youth or consent.status != ConsentStatus.RECONFIRM:
            errors["__all__"] = [_("Only the youth confirms this consent, and only once.")]
    elif kind in (DecisionKind.GIVEN, DecisionKind.DECLINED):
        if _standing(consent).get(consenter) == kind:
            errors["__all__"] = [_("This decision has been recorded already.")]
        elif not required.includes(consenter):
            errors["__all__"] = [_("This person's consent is not asked for at this age.")]
        elif consent.status != ConsentStatus.PENDING:
            errors["__all__"] = [_("This consent has been decided already.")]
        elif kind == DecisionKind.GIVEN and consent.valid_until < today:
            errors["__all__"] = [_("This consent's period has passed.")]
    else:
        errors["__all__"] = [_("Unknown decision.")]
    form_hash = ""
    if method == ConsentMethod.SIGNED_FORM:
        if signed_form is None:
            errors["signed_form"] = [_("Upload the signed form.")]
        else:
            problem = check_upload(signed_form)
            if problem:
                errors["signed_form"] = [problem]
            else:
                form_hash = _sha256_of_file(signed_form)
        if signed_on is None:
            errors["signed_on"] = [_("Enter the date the form was signed.")]
        elif signed_on > today:
            errors["signed_on"] = [_("The form cannot be signed in the future.")]
    if errors:
        raise ValidationError(errors)
    decision = ConsentDecision(
        consent=consent,
        kind=kind,
        consenter_kind=consenter.kind,
        guardian_id=consenter.guardian_id,
        recorded_by=actor,
        method=method,
        signed_on=signed_on,
        signed_form_sha256=form_hash,
        reason=reason.strip()[:500],
        decided_at=now,
    )
    if signed_form is not None:
        decision.signed_form = signed_form
    decision.save()
    _apply(consent=consent, decision=decision, required=required, now=now)
    action = {
        DecisionKind.GIVEN: Action.CONSENT_GIVEN,
        DecisionKind.DECLINED: Action.CONSENT_DECLINED,
        DecisionKind.WITHDRAWN: Action.CONSENT_WITHDRAWN,
        DecisionKind.RECONFIRMED: Action.CONSENT_RECONFIRMED,
    }[kind]
    _event(actor, action, consent, reason=f"{consenter.kind}; {method}")
    _receipt_issue(decision=decision)
    return decision


def _apply(
    *, consent: Consent, decision: ConsentDecision, required: RequiredConsenters, now: datetime
) -> None:
    """Derive the consent's state from its decisions (the state is a cache of them)."""
    fields = ["status", "updated_at"]
    if decision.kind == DecisionKind.WITHDRAWN:
        consent.status = ConsentStatus.WITHDRAWN
        consent.ended_at = now
        fields.append("ended_at")
    elif decision.kind == DecisionKind.DECLINED:
        consent.status = ConsentStatus.REFUSED
        consent.ended_at = now
        fields.append("ended_at")
    elif decision.kind == DecisionKind.RECONFIRMED:
        consent.status = ConsentStatus.VALID
        consent.reconfirm_required_since = None
        fields.append("reconfirm_required_since")
    elif _all_given(required, _standing(consent)):
        consent.status = ConsentStatus.VALID
        consent.valid_since = now
        consent.age_rule = required.rule
        fields += ["valid_since", "age_rule"]
    consent.save(update_fields=fields)


def _sha256_of_file(upload: UploadedFile) -> str:
    """The SHA-256 of an upload, read in chunks; the file is rewound for saving."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# --- Receipts -----------------------------------------------------------------------------------


def _canonical(payload: dict[str, Any]) -> bytes:
    """The receipt fields as canonical JSON (sorted keys, no spaces): what the hash covers."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt_hash(payload: dict[str, Any], previous: str) -> str:
    """SHA-256 over the canonical fields and the previous receipt's hash of the same consent."""
    return hashlib.sha256(previous.encode() + b"\n" + _canonical(payload)).hexdigest()


def _person_label(consent: Consent, decision: ConsentDecision) -> str:
    """The consenter as the receipt names them: their own name and relation to the youth."""
    if decision.consenter_kind == ConsenterKind.YOUTH:
        return f"{consent.youth} ({ConsenterKind.YOUTH.label})"
    guardian = Guardian.objects.get(pk=decision.guardian_id)
    return f"{guardian} ({guardian.get_relation_display()})"


def receipt_payload(decision: ConsentDecision) -> dict[str, Any]:
    """The receipt's fields after ISO/IEC TS 27560 (consent record information structure).

    Who (the principal and who recorded it), what (categories, named items, special data), to
    whom (recipients), why (purpose, case), on which basis (AVG art. 6(1)(a), and 9(2)(a) for
    health data), how (method), when and until when, and the state after the decision.
    """
    consent = decision.consent
    categories = sorted(consent.categories.values_list("code", "name"), key=lambda row: row[0])
    recipients = sorted(consent.recipients.values_list("name", flat=True))
    basis = ["AVG art. 6 lid 1 sub a"]
    if consent.covers_special:
        basis.append("AVG art. 9 lid 2 sub a")
    return {
        "schema": RECEIPT_SCHEMA,
        "receipt_id": "",  # filled with the row's public id
        "record_id": str(consent.uuid),
        "event": decision.kind,
        "event_time": decision.decided_at.isoformat(),
        "state_after": consent.status,
        "pii_principal": {
            "role": decision.consenter_kind,
            "name": _person_label(consent, decision),
            "youth": str(consent.youth),
        },
        "recorded_by": str(decision.recorded_by),
        "method": decision.method,
        "signed_on": decision.signed_on.isoformat() if decision.signed_on else None,
        "signed_form_sha256": decision.signed_form_sha256 or None,
        "controller": consent.source_organisation.name,
        "agreed_with": str(consent.agreed_with),
        "purpose": {"code": consent.purpose.code, "label": consent.purpose.name},
        "case": str(consent.case.uuid),
        "pii_categories": [f"{code} {label}" for code, label in categories],
        "special_category_data": consent.covers_special,
        "named_items": consent.items_description or None,
        "recipients": recipients,
        "legal_basis": basis,
        "valid_from": consent.valid_from.isoformat(),
        "valid_until": consent.valid_until.isoformat(),
        "age_rule": consent.age_rule,
        "withdrawal": "Portaal: Mijn toestemmingen, of bij de professional",
        "jurisdiction": "NL",
        "reason": decision.reason or None,
    }


def _receipt_issue(*, decision: ConsentDecision) -> ConsentReceipt:
    """Write the decision's receipt (fields and hash now, PDF after commit)."""
    from .tasks import receipt_render_task

    consent = decision.consent
    previous = consent.receipts.order_by("-created_at", "-id").first()
    receipt = ConsentReceipt(consent=consent, decision=decision, kind=ReceiptKind(decision.kind))
    payload = receipt_payload(decision)
    payload["receipt_id"] = str(receipt.uuid)
    receipt.payload = payload
    receipt.previous_sha256 = previous.sha256 if previous else ""
    receipt.sha256 = receipt_hash(payload, receipt.previous_sha256)
    receipt.created_at = decision.decided_at
    receipt.save()
    receipt_render_task.delay_on_commit(receipt_id=receipt.pk)
    return receipt


def receipt_verify(receipt: ConsentReceipt) -> bool:
    """Whether the receipt's fields still match its hash (a changed field breaks it)."""
    return receipt_hash(receipt.payload, receipt.previous_sha256) == receipt.sha256


def receipt_render(*, receipt_id: int) -> ConsentReceipt:
    """Render a receipt's PDF once (idempotent: a rendered receipt is left as it is)."""
    from django.core.files.base import ContentFile

    from core.pdf import render_pdf

    receipt = ConsentReceipt.objects.select_related("consent__youth").get(pk=receipt_id)
    if receipt.pdf:
        return receipt
    with translation.override(settings.LANGUAGE_CODE):
        _html, pdf = render_pdf(
            "consent/pdf/receipt.html",
            {"receipt": receipt, "fields": receipt.payload, "title": _("Consent receipt")},
        )
    with transaction.atomic():
        locked = ConsentReceipt.objects.select_for_update().get(pk=receipt_id)
        if locked.pdf:
            return locked
        locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.pdf.save(f"ontvangstbewijs-{locked.uuid}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["pdf", "pdf_sha256"])
    return locked


# --- The calendar: birthdays and end dates ------------------------------------------------------


def _youth_turned(youth: Youth, threshold: int, today: date) -> bool:
    """Whether the youth is at least `threshold` years old today."""
    return youth.age_on(today) >= threshold


def consents_apply_calendar(*, today: date | None = None) -> dict[str, int]:
    """Beat job: apply birthdays and end dates to consents (R-AGE-4, R-AGE-6). Idempotent.

    - a valid consent whose period ended expires;
    - a valid consent given only by the parents, about a youth who is now 16 in an open case, is
      flagged for the youth's confirmation: health data shared on it is hidden from new readers
      until then (the read rule);
    Turning 18 needs no change to any row: what parents see is decided when reading. The
    procesregisseur is told by `casusoverleg` (it knows the cases).
    """
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"expired": 0, "flagged": 0}
    for pk in Consent.objects.filter(
        status__in=(ConsentStatus.VALID, ConsentStatus.RECONFIRM, ConsentStatus.PENDING),
        valid_until__lt=today,
    ).values_list("pk", flat=True):
        with transaction.atomic():
            consent = _locked(Consent(pk=pk))
            if consent.valid_until >= today or not consent.is_live:
                continue
            consent.status = ConsentStatus.EXPIRED
            consent.ended_at = now
            consent.save(update_fields=["status", "ended_at", "updated_at"])
            _event(None, Action.CONSENT_EXPIRED, consent)
            counts["expired"] += 1
    threshold = settings.AGE_THRESHOLDS["decides_alone"]
    candidates = Consent.objects.filter(
        status=ConsentStatus.VALID, case__status__in=_open_statuses()
    ).select_related("youth")
    for consent in candidates:
        if not _youth_turned(consent.youth, threshold, today):
            continue
        if consent.decisions.filter(consenter_kind=ConsenterKind.YOUTH).exists():
            continue  # the youth gave it themselves
        if is_incapable(consent.youth, today):
            continue  # judged not able to judge: the parents still decide (R-AGE-1)
        with transaction.atomic():
            locked = _locked(consent)
            if locked.status != ConsentStatus.VALID:
                continue
            locked.status = ConsentStatus.RECONFIRM
            locked.reconfirm_required_since = now
            locked.save(update_fields=["status", "reconfirm_required_since", "updated_at"])
            _event(None, Action.CONSENT_FLAGGED, locked)
            _notify_family(
                consent=locked,
                required=required_consenters(locked.youth, today),
                kind="consent_reconfirm",
            )
            counts["flagged"] += 1
    return counts


def _open_statuses() -> list[str]:
    """Case statuses before closing (the case model is above this app)."""
    from django.apps import apps

    case_status = apps.get_model("casusoverleg", "Case")._meta.get_field("status")
    return [value for value, _label in case_status.choices if value != "afgesloten"]


# --- Not able to judge (R-AGE-1) ---------------------------------------------------------------


@transaction.atomic
def incapacity_record(
    *, actor: User, case: Any, reason: str, judged_on: date
) -> IncapacityJudgement:
    """Record a professional judgement that the case's youth cannot judge their own interests.

    Raises PermissionDenied unless the actor is a professional at the table; ValidationError
    for an empty reason, a date in the future or a youth under 12 (the parents decide anyway).
    """
    if not _is_case_professional(actor, case) or not actor.professional.bound_by_secrecy:
        # It moves consent and rights to the parents and says something about the youth's
        # health: only a professional bound by secrecy records it (R-6-1).
        raise PermissionDenied
    youth = case.youth
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Describe your professional judgement.")]
    if judged_on > timezone.localdate():
        errors["judged_on"] = [_("The date cannot be in the future.")]
    elif youth.age_on(judged_on) < settings.AGE_THRESHOLDS["participates"]:
        errors["judged_on"] = [_("Under 12 the parents decide already; no judgement is needed.")]
    if errors:
        raise ValidationError(errors)
    judgement = IncapacityJudgement.objects.create(
        youth=youth,
        case=case,
        judged_by=actor,
        organisation=actor.professional.organisation,
        reason=reason.strip(),
        judged_on=judged_on,
    )
    record(
        actor=actor,
        action=Action.INCAPACITY_RECORDED,
        target=judgement,
        youth=youth,
        case_uuid=case.uuid,
        purpose=case.purpose.code,
    )
    return judgement


@transaction.atomic
def incapacity_end(
    *, actor: User, case: Any, judgement: IncapacityJudgement, ended_on: date
) -> IncapacityJudgement:
    """End a judgement from `ended_on` (the youth can judge again)."""
    if (
        not _is_case_professional(actor, case)
        or judgement.case_id != case.pk
        or judgement.organisation_id != actor.professional.organisation_id
    ):
        # Only the judging organisation ends its own judgement, in the case it was made in.
        raise PermissionDenied
    if judgement.ended_on is not None:
        raise ValidationError({"ended_on": _("This judgement has ended already.")})
    if ended_on <= judgement.judged_on:
        raise ValidationError({"ended_on": _("The end date must be after the judgement.")})
    judgement.ended_on = ended_on
    judgement.save(update_fields=["ended_on", "updated_at"])
    record(
        actor=actor,
        action=Action.INCAPACITY_ENDED,
        target=judgement,
        youth=case.youth,
        case_uuid=case.uuid,
        purpose=case.purpose.code,
    )
    return judgement


# --- Parents of a youth of 16 or older (R-AGE-5, R-AGE-6) --------------------------------------


def parent_may_see(*, guardian: Guardian, on: date | None = None) -> bool:
    """Whether a parent sees the youth's data in the portal on `on`.

    Only with gezag (a parent without gezag has no rights functions), under 16 by default, and
    from 16 only while the youth allows it (R-AGE-5); from 18 equally only with the youth's
    permission (R-AGE-6: parents lose default visibility). A youth judged not able to judge
    leaves the parents in place.
    """
    on = on or timezone.localdate()
    youth = guardian.youth
    if not guardian.has_authority:
        return False
    consenter = Consenter(ConsenterKind.PARENT, guardian.pk)
    if not decides_alone(youth, on):
        return True
    minor = youth.age_on(on) < settings.AGE_THRESHOLDS["adult"]
    if minor and may_exercise_rights(youth, consenter, on) and is_incapable(youth, on):
        return True  # judged not able to judge: the parents act for the youth (SPEC §6)
    return ParentAccess.objects.live().filter(guardian=guardian).exists()


@transaction.atomic
def parent_access_give(*, actor: User, guardian: Guardian) -> ParentAccess:
    """The youth (16 or older) allows one parent to see their data and act for them."""
    youth = guardian.youth
    if actor.role != Role.YOUTH or youth.user_id != actor.pk:
        raise PermissionDenied
    if not guardian.has_authority and guardian.relation != "curator":
        raise ValidationError(_("Only a parent with parental authority can be allowed to see."))
    if not decides_alone(youth, timezone.localdate()):
        raise ValidationError(_("Until you are 16 your parents see your data already."))
    # Locked: a double submit waits for the first and then finds its permission.
    Guardian.objects.select_for_update().filter(pk=guardian.pk).first()
    existing = ParentAccess.objects.live().filter(guardian=guardian).first()
    if existing:
        return existing
    access = ParentAccess.objects.create(youth=youth, guardian=guardian)
    record(actor=actor, action=Action.PARENT_ACCESS_GIVEN, target=access, youth=youth)
    _open_waiting_requests(guardian=guardian, now=access.given_at)
    return access


@transaction.atomic
def parent_access_withdraw(*, actor: User, guardian: Guardian) -> None:
    """The youth takes back a parent's permission; it ends at once."""
    youth = guardian.youth
    if actor.role != Role.YOUTH or youth.user_id != actor.pk:
        raise PermissionDenied
    access = ParentAccess.objects.live().select_for_update().filter(guardian=guardian).first()
    if access is None:
        return
    access.withdrawn_at = timezone.now()
    access.save(update_fields=["withdrawn_at", "updated_at"])
    record(actor=actor, action=Action.PARENT_ACCESS_WITHDRAWN, target=access, youth=youth)


# --- Rights requests (R-13-1..5, R-RIGHTS-1..3, R-AGE-5) ---------------------------------------


def request_kinds_for(*, youth: Youth, organisation: Organisation, on: date) -> list[str]:
    """The kinds of request that can be filed with `organisation` about `youth` on `on`."""
    kinds = [k for k in RequestKind.values if k != RequestKind.DESTRUCTION]
    if organisation.party_type in DESTRUCTION_PARTY_TYPES and may_request_destruction(youth, on):
        kinds.append(RequestKind.DESTRUCTION)
    return kinds


@transaction.atomic
def rights_request_file(
    *,
    actor: User,
    youth: Youth,
    case: Any,
    kind: str,
    organisations: Iterable[Organisation],
    description: str = "",
    identity_method: str = "",
) -> list[RightsRequest]:
    """File a request with each chosen owner party (R-13-3); one row per organisation.

    The requester's entitlement follows the age table on the day of filing (R-13-4): a parent
    of a youth of 16 or older files, but the request waits for the youth's permission (R-AGE-5)
    and its month starts counting when the permission comes. Identity counts as verified by the
    portal's two-factor login (`identity_method`).
    Raises PermissionDenied for someone who may not exercise the youth's rights;
    ValidationError per field otherwise.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    consenter = consenter_of(actor, youth)
    if consenter is None:
        raise PermissionDenied
    organisations = list(organisations)
    errors: dict[str, list[str]] = {}
    waits = False
    if not consenter.is_youth and decides_alone(youth, today):
        guardian = Guardian.objects.get(pk=consenter.guardian_id)
        waits = not parent_may_see(guardian=guardian, on=today)
    elif not may_exercise_rights(youth, consenter, today):
        raise PermissionDenied
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose what you ask for.")]
    if not organisations:
        errors["organisations"] = [_("Choose the organisation or organisations.")]
    if case is not None:
        owners = _case_owner_parties(case)
        if any(o.pk not in owners for o in organisations):
            errors["organisations"] = [_("Choose only organisations of this case.")]
    for organisation in organisations:
        if kind == RequestKind.DESTRUCTION and kind not in request_kinds_for(
            youth=youth, organisation=organisation, on=today
        ):
            errors["kind"] = [
                _(
                    "Destroying a file can only be asked of youth care, and not for a youth "
                    "under 12 or who cannot judge this."
                )
            ]
    if kind in (RequestKind.RECTIFICATION, RequestKind.OBJECTION) and not description.strip():
        errors["description"] = [_("Write what should change, or what you object to.")]
    if errors:
        raise ValidationError(errors)
    filing = uuid4()
    created = []
    for organisation in organisations:
        request = RightsRequest(
            filing=filing,
            kind=kind,
            youth=youth,
            case=case,
            organisation=organisation,
            requester=actor,
            requester_kind=consenter.kind,
            guardian_id=consenter.guardian_id,
            description=description.strip(),
            filed_at=now,
            identity_method=identity_method,
            identity_verified_at=now if identity_method else None,
        )
        if waits:
            request.status = RequestStatus.AWAITING_YOUTH
        else:
            request.status = RequestStatus.OPEN
            request.received_at = now
            request.due_on = due_on(kind, today)
        request.full_clean(exclude=["youth", "case", "organisation", "requester", "guardian"])
        request.save()
        created.append(request)
        record(
            actor=actor,
            action=Action.REQUEST_FILED,
            target=request,
            youth=youth,
            case_uuid=case.uuid if case is not None else None,
            reason=kind,
        )
    _notify_handlers(requests=created, kind="request_filed")
    return created


def _case_owner_parties(case: Any) -> set[int]:
    """The organisations holding data of `case`: the procesregisseur's, and every owner of a
    shared item (R-13-3)."""
    owners = set(case.shared_items.values_list("owner_id", flat=True))
    owners.add(case.organisation_id)
    return owners


def request_organisation_choices(*, case: Any) -> list[Organisation]:
    """The owner parties a request about `case` can go to, by name."""
    return list(Organisation.objects.filter(pk__in=_case_owner_parties(case)).order_by("name"))


def _open_waiting_requests(*, guardian: Guardian, now: datetime) -> None:
    """The youth's permission opens the parent's waiting requests; their month starts now."""
    today = timezone.localdate(now)
    for request in RightsRequest.objects.select_for_update().filter(
        guardian=guardian, status=RequestStatus.AWAITING_YOUTH
    ):
        request.status = RequestStatus.OPEN
        request.received_at = now
        request.due_on = due_on(request.kind, today)
        request.save(update_fields=["status", "received_at", "due_on", "updated_at"])
        record(
            actor=None,
            action=Action.REQUEST_UPDATED,
            target=request,
            youth=request.youth,
            reason="youth allowed the parent",
        )
        _notify_handlers(requests=[request], kind="request_filed")


def handlers_of(organisation_id: int) -> list[User]:
    """The procesregisseurs and FGs of an organisation: who handles and watches its requests."""
    return list(
        User.objects.filter(
            is_active=True,
            role__in=(Role.COORDINATOR, Role.PRIVACY_OFFICER),
            professional__organisation_id=organisation_id,
        ).order_by("pk")
    )


def _notify_handlers(*, requests: list[RightsRequest], kind: str) -> None:
    """E-mail each request's handlers a link, without content (R-10-3)."""
    from .tasks import notify_handler_task

    if not notifications_enabled.get():
        return
    for request in requests:
        if request.status != RequestStatus.OPEN:
            continue
        for user in handlers_of(request.organisation_id):
            notify_handler_task.delay_on_commit(user_id=user.pk, request_id=request.pk, kind=kind)


def handles_request(user: Any, request: RightsRequest) -> bool:
    """Whether `user` handles `request`: an active procesregisseur of the organisation it is
    routed to now (after forwarding, the new one). The FG watches and does not handle."""
    if not (user.is_authenticated and user.is_active):
        return False
    professional = getattr(user, "professional", None)
    return (
        getattr(user, "role", None) == Role.COORDINATOR
        and professional is not None
        and professional.organisation_id == request.organisation_id
    )


def _ensure_handler(actor: User, request: RightsRequest) -> None:
    """Only the organisation's procesregisseurs handle its requests: PermissionDenied else."""
    if not handles_request(actor, request):
        raise PermissionDenied


def _locked_request(request: RightsRequest) -> RightsRequest:
    return (
        RightsRequest.objects.select_for_update(of=("self",))
        .select_related("youth", "case", "organisation")
        .get(pk=request.pk)
    )


@transaction.atomic
def rights_request_extend(
    *, actor: User, request: RightsRequest, until: date, reason: str
) -> RightsRequest:
    """Extend the deadline by at most two months, with reasons told to the requester before the
    first deadline passes (AVG art. 12(3), R-13-2)."""
    request = _locked_request(request)
    _ensure_handler(actor, request)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if request.status != RequestStatus.OPEN:
        errors["__all__"] = [_("Only an open request can be extended.")]
    elif request.extended_until is not None:
        errors["__all__"] = [_("This request has been extended already.")]
    elif today > request.due_on:
        errors["__all__"] = [_("The deadline has passed; it can no longer be extended.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason; the requester reads it.")]
    if "__all__" not in errors:
        latest = latest_extension(request.kind, timezone.localdate(request.received_at))
        if until <= request.due_on:
            errors["until"] = [_("The new date must be after the current deadline.")]
        elif until > latest:
            errors["until"] = [
                _("At most two months longer: no later than %(day)s.")
                % {"day": latest.strftime("%d-%m-%Y")}
            ]
    if errors:
        raise ValidationError(errors)
    request.extended_until = until
    request.extension_reason = reason.strip()
    request.extension_notified_at = timezone.now()
    request.reminders_sent = []  # the reminders count down to the new deadline
    request.save(
        update_fields=[
            "extended_until",
            "extension_reason",
            "extension_notified_at",
            "reminders_sent",
            "updated_at",
        ]
    )
    record(
        actor=actor,
        action=Action.REQUEST_UPDATED,
        target=request,
        youth=request.youth,
        reason="extended",
    )
    from .tasks import notify_family_task

    notify_family_task.delay_on_commit(user_id=request.requester_id, kind="request_extended")
    return request


@transaction.atomic
def rights_request_forward(
    *, actor: User, request: RightsRequest, to: Organisation, reason: str
) -> RightsRequest:
    """Forward a request the organisation does not own the data of (R-13-3): logged, with the
    reason; the deadline keeps running from receipt."""
    request = _locked_request(request)
    _ensure_handler(actor, request)
    errors: dict[str, list[str]] = {}
    if request.status != RequestStatus.OPEN:
        errors["__all__"] = [_("Only an open request can be forwarded.")]
    if to.pk == request.organisation_id:
        errors["to"] = [_("Choose another organisation.")]
    elif to.region_id != request.organisation.region_id:
        errors["to"] = [_("Choose an organisation of this region.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for forwarding.")]
    if errors:
        raise ValidationError(errors)
    request.forwarded_from = request.organisation
    request.organisation = to
    request.forwarded_at = timezone.now()
    request.forward_reason = reason.strip()[:500]
    request.save(
        update_fields=[
            "forwarded_from",
            "organisation",
            "forwarded_at",
            "forward_reason",
            "updated_at",
        ]
    )
    record(
        actor=actor,
        action=Action.REQUEST_UPDATED,
        target=request,
        youth=request.youth,
        reason=f"forwarded to {to.name}",
    )
    _notify_handlers(requests=[request], kind="request_filed")
    return request


@transaction.atomic
def rights_request_close(
    *,
    actor: User,
    request: RightsRequest,
    outcome: str,
    answer: str,
    refusal_ground: str = "",
    document: bytes | None = None,
) -> RightsRequest:
    """Answer a request. A refusal, also in part, states its legal ground (R-RIGHTS-3); the
    requester is told by e-mail with a link and reads the answer (and any inzage report) in
    the portal (R-RIGHTS-2)."""
    from django.core.files.base import ContentFile

    request = _locked_request(request)
    _ensure_handler(actor, request)
    errors: dict[str, list[str]] = {}
    if request.status != RequestStatus.OPEN:
        errors["__all__"] = [_("This request is not open.")]
    if outcome not in RequestOutcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if not answer.strip():
        errors["answer"] = [_("Write the answer; the requester reads it.")]
    if outcome in (RequestOutcome.REFUSED, RequestOutcome.PARTLY) and not refusal_ground.strip():
        errors["refusal_ground"] = [_("Name the legal ground for refusing.")]
    if errors:
        raise ValidationError(errors)
    request.status = RequestStatus.CLOSED
    request.outcome = outcome
    request.answer = answer.strip()
    request.refusal_ground = refusal_ground.strip()
    request.closed_at = timezone.now()
    request.closed_by = actor
    fields = ["status", "outcome", "answer", "refusal_ground", "closed_at", "closed_by"]
    if document is not None:
        request.answer_document_sha256 = hashlib.sha256(document).hexdigest()
        request.answer_document.save(
            f"inzage-{request.uuid}.pdf", ContentFile(document), save=False
        )
        fields += ["answer_document", "answer_document_sha256"]
    request.save(update_fields=[*fields, "updated_at"])
    record(
        actor=actor,
        action=Action.REQUEST_CLOSED,
        target=request,
        youth=request.youth,
        reason=outcome,
    )
    from .tasks import notify_family_task

    notify_family_task.delay_on_commit(user_id=request.requester_id, kind="request_answered")
    return request


def rights_requests_remind(*, today: date | None = None) -> int:
    """Beat job: remind the handlers 7 days and 1 day before a deadline (R-RIGHTS-1). Each
    reminder is sent once per request (recorded on the row), so running twice sends nothing."""
    today = today or timezone.localdate()
    sent = 0
    for request in RightsRequest.objects.filter(status=RequestStatus.OPEN).order_by("pk"):
        days_left = (request.deadline - today).days
        due = [d for d in REMINDER_DAYS if days_left <= d and d not in request.reminders_sent]
        if not due:
            continue
        with transaction.atomic():
            locked = RightsRequest.objects.select_for_update().get(pk=request.pk)
            fresh = [d for d in due if d not in locked.reminders_sent]
            if not fresh or locked.status != RequestStatus.OPEN:
                continue
            locked.reminders_sent = sorted({*locked.reminders_sent, *fresh}, reverse=True)
            locked.save(update_fields=["reminders_sent", "updated_at"])
            record(
                actor=None,
                action=Action.REQUEST_REMINDED,
                target=locked,
                youth=locked.youth,
                reason=f"{min(fresh)} days",
            )
            _notify_handlers(requests=[locked], kind="request_due")
            sent += 1
    return sent
