"""Consent in a case, the professional's side (SPEC R-6-2, R-AGE-1, R-AGE-4, DESIGN invariant 7).

The consents of a case and what is still needed; asking for consent; recording a signed paper
form (give, refuse, withdraw: a withdrawal goes through `casusoverleg.services.consent_withdraw`,
which tells the readers); the uploaded forms and receipts, served only through logged downloads;
and the judgement that a youth cannot judge their own interests.

Each view: role gate → selector (404 when invisible, logged) → policy (403, logged by the audit
middleware) → form → service (field errors, status 400) → redirect with a message.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.choices import Action
from audit.services import record
from casusoverleg import consent_selectors as selectors
from casusoverleg import services
from casusoverleg.forms.consents import (
    RECORDABLE,
    ConsentRecordForm,
    ConsentRequestForm,
    IncapacityEndForm,
    IncapacityRecordForm,
)
from casusoverleg.models import Case, SharedItem
from casusoverleg.permissions import CaseAction, can
from casusoverleg.selectors import case_viewed
from casusoverleg.sharing import category_choices
from consent import services as consent_services
from consent.age import Consenter, RequiredConsenters, required_consenters
from consent.choices import (
    AgeRule,
    ConsenterKind,
    ConsentMethod,
    ConsentStatus,
    DecisionKind,
)
from consent.models import Consent, ConsentDecision, ConsentReceipt
from consent.uploads import sniffed_type
from core.permissions import AnyUser
from parties.models import Guardian, Youth

from .common import call_service, professional_required, visible_case

SECTION = "consents"
AGREEING = (DecisionKind.GIVEN, DecisionKind.RECONFIRMED)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
STATUS_ORDER = [
    ConsentStatus.PENDING,
    ConsentStatus.VALID,
    ConsentStatus.RECONFIRM,
    ConsentStatus.REFUSED,
    ConsentStatus.WITHDRAWN,
    ConsentStatus.EXPIRED,
]
YOUTH_LABEL = gettext_lazy("the youth")


# --- Presenting consents --------------------------------------------------------------------------


def consenter_key(consenter: Consenter, family: Youth) -> str:
    """A stable form value for a person: "youth", or "guardian-<uuid>" (never a database id)."""
    if consenter.is_youth:
        return "youth"
    guardian = _guardian(family, consenter.guardian_id)
    return f"guardian-{guardian.uuid}" if guardian else f"guardian-{consenter.guardian_id}"


def _guardian(family: Youth, guardian_id: int | None) -> Guardian | None:
    """The youth's guardian row with `guardian_id`, from the prefetched guardians."""
    return next((g for g in family.guardians.all() if g.pk == guardian_id), None)


def consenter_label(consenter: Consenter, family: Youth) -> str:
    """A person as the consent pages name them: 'Name (the youth)', 'Name (Parent)'."""
    if consenter.is_youth:
        return f"{family} ({YOUTH_LABEL})"
    guardian = _guardian(family, consenter.guardian_id)
    if guardian is None:
        return str(ConsenterKind(consenter.kind).label)
    return f"{guardian} ({guardian.get_relation_display()})"


def age_rule_text() -> str:
    """The age table in one plain sentence, with the configured ages (SPEC §6, R-AGE-1)."""
    ages = settings.AGE_THRESHOLDS
    return _(
        "Under %(participates)s: the parents with parental authority; %(participates)s to "
        "%(last_together)s: the youth and the parents; from %(alone)s: the youth."
    ) % {
        "participates": ages["participates"],
        "last_together": ages["decides_alone"] - 1,
        "alone": ages["decides_alone"],
    }


@dataclass
class DecisionRow:
    """One decision on a consent, with who took it."""

    decision: ConsentDecision
    who: str


@dataclass
class ConsentRow:
    """One consent as the pages show it: scope, decisions, items on it and what is missing."""

    consent: Consent
    decisions: list[DecisionRow] = field(default_factory=list)
    items: list[SharedItem] = field(default_factory=list)
    needed: list[str] = field(default_factory=list)


def _standing(consent: Consent) -> dict[Consenter, str]:
    """Each person's last decision, from the prefetched decisions (oldest first)."""
    standing: dict[Consenter, str] = {}
    for decision in consent.decisions.all():
        standing[Consenter(decision.consenter_kind, decision.guardian_id)] = decision.kind
    return standing


def _still_needed(consent: Consent, required: RequiredConsenters, family: Youth) -> list[str]:
    """Who still has to give a waiting consent today (R-AGE-1), or the youth's confirmation at
    16 (R-AGE-4); nothing for a consent that is in force or has ended."""
    if consent.status == ConsentStatus.RECONFIRM:
        return [
            _("The youth's confirmation: the parents gave this consent before the youth turned 16.")
        ]
    if consent.status != ConsentStatus.PENDING:
        return []
    if not required.possible:
        return [_("Nobody can consent: record a parent with parental authority first.")]
    standing = _standing(consent)
    needed = []
    for group in required.groups:
        if any(standing.get(member) in AGREEING for member in group.members):
            continue
        labels = [consenter_label(member, family) for member in group.members]
        if len(labels) == 1:
            needed.append(labels[0])
        else:
            needed.append(_("One of: %(names)s") % {"names": ", ".join(labels)})
    return needed


def consent_rows(
    consents: list[Consent], family: Youth | None, required: RequiredConsenters | None
) -> list[ConsentRow]:
    """The rows of `consents` (all about `family`), in a fixed number of queries."""
    rows = []
    for consent in consents:
        decisions = [
            DecisionRow(
                decision=d,
                who=consenter_label(Consenter(d.consenter_kind, d.guardian_id), family)
                if family is not None
                else str(d.get_consenter_kind_display()),
            )
            for d in consent.decisions.all()
        ]
        needed = (
            _still_needed(consent, required, family)
            if family is not None and required is not None
            else []
        )
        rows.append(
            ConsentRow(
                consent=consent,
                decisions=decisions,
                items=list(getattr(consent, "readable_items", [])),
                needed=needed,
            )
        )
    return rows


def _age_context(family: Youth | None, today: date) -> dict[str, Any]:
    """What the pages say about the age table today."""
    if family is None:
        return {"required": None, "age_rule_text": age_rule_text()}
    required = required_consenters(family, today)
    return {
        "required": required,
        "required_rule": AgeRule(required.rule).label,
        "required_people": [consenter_label(c, family) for c in required.consenters],
        "age_rule_text": age_rule_text(),
    }


def consent_summary(user: AnyUser, case: Case) -> dict[str, Any]:
    """The case page's consent section: counts per status and whether the user may ask."""
    counts = selectors.consent_counts(user=user, case=case)
    return {
        "consent_counts": [
            (ConsentStatus(status).label, counts[status])
            for status in STATUS_ORDER
            if counts.get(status)
        ],
        "consent_total": sum(counts.values()),
        "can_ask_consent": case.youth_id is not None and can(user, CaseAction.SHARE, case),
    }


# --- Finding things -------------------------------------------------------------------------------


def _consent(request: HttpRequest, uuid: UUID, *, log: bool = True) -> Consent:
    """A consent the user may see (logged), else 404 (logged)."""
    try:
        return selectors.consent_get(user=request.user, uuid=uuid, log=log)
    except Consent.DoesNotExist as exc:
        raise Http404 from exc


def _family(youth: Youth | None) -> Youth | None:
    return selectors.family_of(youth=youth) if youth is not None else None


def _status(request: HttpRequest) -> int:
    """A re-rendered POST carries errors: 400, so that nothing looks saved (invariant 9)."""
    return 400 if request.method == "POST" else 200


# --- Pages ----------------------------------------------------------------------------------------


@professional_required
def consent_list(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Every consent of the case: status, scope, who decided, what was shared on it, and who
    still has to decide today under the age table (R-6-2, R-AGE-1)."""
    case = visible_case(request, uuid)
    consents = selectors.consent_list(user=request.user, case=case)
    family = _family(case.youth)
    age = _age_context(family, timezone.localdate())
    return render(
        request,
        "casusoverleg/consents/consent_list.html",
        {
            "case": case,
            "rows": consent_rows(consents, family, age["required"]),
            "can_ask_consent": case.youth_id is not None
            and can(request.user, CaseAction.SHARE, case),
            **age,
        },
    )


@professional_required
def consent_request(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Ask the family for consent for the user's organisation to share (R-6-2 (a)–(c))."""
    case = visible_case(request, uuid, log=False)
    if case.youth_id is None or not can(request.user, CaseAction.SHARE, case):
        raise PermissionDenied  # audit.middleware logs the refusal
    form = ConsentRequestForm(
        request.POST or None,
        categories=category_choices(case=case, author=request.user),
        recipients=selectors.recipient_organisations(case=case, user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        consent = call_service(
            form,
            consent_services.consent_request,
            actor=request.user,
            case=case,
            **form.service_kwargs(),
        )
        if consent is not None:
            messages.success(
                request,
                _(
                    "Consent has been asked. The parents and the youth who have an account "
                    "are told."
                ),
            )
            return redirect("casusoverleg:consent_detail", uuid=consent.uuid)
    case_viewed(user=request.user, case=case)
    family = _family(case.youth)
    return render(
        request,
        "casusoverleg/consents/consent_request.html",
        {"case": case, "form": form, **_age_context(family, timezone.localdate())},
        status=_status(request),
    )


@professional_required
def consent_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One consent: scope, decisions, receipts (downloads) and the items shared on it."""
    consent = _consent(request, uuid)
    family = _family(consent.youth)
    age = _age_context(family, timezone.localdate())
    (row,) = consent_rows([consent], family, age["required"])
    return render(
        request,
        "casusoverleg/consents/consent_detail.html",
        {
            "case": consent.case,
            "consent": consent,
            "row": row,
            "receipts": list(consent.receipts.all()),
            **age,
        },
    )


def _record_choices(
    consent: Consent, family: Youth, required: RequiredConsenters
) -> tuple[list[tuple[str, str, Consenter]], list[str]]:
    """Whose form can be recorded, and which decisions: the people the age table asks today
    and anyone who gave the consent (they may withdraw it); give and refuse only while the
    consent waits, withdraw while it waits or is in force."""
    people = list(required.consenters)
    for consenter, kind in _standing(consent).items():
        if kind in AGREEING and consenter not in people:
            people.append(consenter)
    choices = [
        (consenter_key(person, family), consenter_label(person, family), person)
        for person in people
    ]
    if not consent.is_live:
        return choices, []
    if consent.status == ConsentStatus.PENDING:
        return choices, list(RECORDABLE)
    return choices, [DecisionKind.WITHDRAWN]


@professional_required
def consent_record(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Record a signed paper form of one required person: give, refuse or withdraw (R-6-2).

    A withdrawal goes through `services.consent_withdraw`: the consent ends at once, the items
    shared on it disappear from their readers, and the readers are told (invariant 7).
    """
    consent = _consent(request, uuid, log=False)
    family = selectors.family_of(youth=consent.youth)
    required = required_consenters(family, timezone.localdate())
    people, decisions = _record_choices(consent, family, required)
    form = ConsentRecordForm(
        request.POST or None,
        request.FILES or None,
        consenters=people,
        decisions=decisions,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "actor": request.user,
            "consent": consent,
            "consenter": form.chosen_consenter,
            "method": ConsentMethod.SIGNED_FORM,
            "signed_form": data["signed_form"],
            "signed_on": data["signed_on"],
            "reason": data["reason"],
        }
        if data["decision"] == DecisionKind.WITHDRAWN:
            done = call_service(form, services.consent_withdraw, **arguments)
        else:
            done = call_service(
                form, consent_services.consent_decide, kind=data["decision"], **arguments
            )
        if done is not None:
            messages.success(request, _("The signed form has been recorded."))
            return redirect("casusoverleg:consent_detail", uuid=consent.uuid)
    selectors.consent_viewed(user=request.user, consent=consent)
    return render(
        request,
        "casusoverleg/consents/consent_record.html",
        {
            "case": consent.case,
            "consent": consent,
            "form": form,
            "can_record": bool(decisions),
            **_age_context(family, timezone.localdate()),
        },
        status=_status(request),
    )


def _attachment(response: FileResponse) -> FileResponse:
    """A file about a child must not linger in shared caches or the browser's cache."""
    response["Cache-Control"] = "no-store"
    return response


@professional_required
def consent_form_download(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The uploaded signed form of one decision, only through this logged download; its type
    comes from its content, never from the name it was uploaded with."""
    try:
        decision = selectors.decision_form_get(user=request.user, uuid=uuid)
    except ConsentDecision.DoesNotExist as exc:
        raise Http404 from exc
    consent = decision.consent
    with transaction.atomic():
        record(
            actor=request.user,
            action=Action.DOCUMENT_DOWNLOADED,
            target=decision,
            youth=consent.youth,
            case_uuid=consent.case.uuid,
            purpose=consent.purpose.code,
            reason="signed consent form",
        )
    handle = decision.signed_form.open("rb")
    content_type = sniffed_type(UploadedFile(file=handle)) or "application/octet-stream"
    extension = EXTENSIONS.get(content_type, "bin")
    return _attachment(
        FileResponse(
            handle,
            as_attachment=True,
            filename=f"toestemmingsformulier-{decision.uuid}.{extension}",
            content_type=content_type,
        )
    )


@professional_required
def consent_receipt_download(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """A receipt's PDF (made now if the background job has not made it yet), logged."""
    try:
        receipt = selectors.receipt_get(user=request.user, uuid=uuid)
    except ConsentReceipt.DoesNotExist as exc:
        raise Http404 from exc
    if not receipt.pdf:
        receipt = consent_services.receipt_render(receipt_id=receipt.pk)
    consent = receipt.consent
    with transaction.atomic():
        record(
            actor=request.user,
            action=Action.DOCUMENT_DOWNLOADED,
            target=receipt,
            youth=consent.youth,
            case_uuid=consent.case.uuid,
            purpose=consent.purpose.code,
            reason="consent receipt",
        )
    return _attachment(
        FileResponse(
            receipt.pdf.open("rb"),
            as_attachment=True,
            filename=f"ontvangstbewijs-{receipt.uuid}.pdf",
            content_type="application/pdf",
        )
    )


@professional_required
def incapacity(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Record, or end, a professional judgement that the youth cannot reasonably judge their
    own interests: consent and rights then pass to the parents (SPEC §6, R-AGE-1)."""
    case = visible_case(request, uuid, log=False)
    if case.youth_id is None:
        raise Http404
    judgements = selectors.incapacity_list(case=case, user=request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ("record", "end"):
        # Only a forged POST lacks the button's value; say so instead of a silent re-render.
        messages.error(request, _("Choose whether to record or to end a judgement."))
    record_form = IncapacityRecordForm(request.POST if action == "record" else None)
    end_form = IncapacityEndForm(request.POST if action == "end" else None)
    done: Any = None
    if action == "record" and record_form.is_valid():
        done = call_service(
            record_form,
            consent_services.incapacity_record,
            actor=request.user,
            case=case,
            **record_form.cleaned_data,
        )
    elif action == "end" and end_form.is_valid():
        judgement = next(
            (j for j in judgements if j.uuid == end_form.cleaned_data["judgement"]), None
        )
        if judgement is None:
            raise Http404
        done = call_service(
            end_form,
            consent_services.incapacity_end,
            actor=request.user,
            case=case,
            judgement=judgement,
            ended_on=end_form.cleaned_data["ended_on"],
        )
    if done is not None:
        messages.success(request, _("The judgement has been saved."))
        return redirect("casusoverleg:incapacity", uuid=case.uuid)
    case_viewed(user=request.user, case=case)
    today = timezone.localdate()
    return render(
        request,
        "casusoverleg/consents/incapacity.html",
        {
            "case": case,
            "judgements": judgements,
            "in_force": [j for j in judgements if j.ended_on is None or j.ended_on > today],
            "record_form": record_form,
            "end_form": end_form,
            "failed_end": action == "end",
            "age_rule_text": age_rule_text(),
        },
        status=_status(request),
    )
