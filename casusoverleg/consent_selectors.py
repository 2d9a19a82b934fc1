"""Reads of consents and rights requests for the professional's workplace (issue 6).

Every selector takes the acting user and starts from `visible_to(user)` of the consent app's
models (a consent is visible exactly when its case is; a rights request to the procesregisseurs
and FGs of the organisation it is routed to). Selectors that show a youth's data write the access
event themselves, in the same transaction as the read (DESIGN invariant 2); a miss is logged as
a denied access without revealing whether the object exists (STYLE rule 5).

The inzage report reads across every case of a youth; it has its own audited entry point in
`casusoverleg.inzage`, never here.
"""

from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audit.choices import Action, Outcome
from audit.models import AccessEvent
from audit.services import record, record_shown
from consent.choices import RequestStatus
from consent.models import (
    Consent,
    ConsentDecision,
    ConsentReceipt,
    IncapacityJudgement,
    RightsRequest,
)
from core.permissions import AnyUser
from parties.choices import Role
from parties.models import Guardian, Organisation, Youth

from .models import Case, SharedItem

# Open requests due within this many days are "due soon" (the 7-day reminder, R-RIGHTS-1).
DUE_SOON_DAYS = 7


def _denied(user: AnyUser) -> None:
    """Log a miss as a denied access; outside any atomic block, so it survives the 404."""
    record(actor=user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="404")


def _consent_event(user: AnyUser, consent: Consent) -> dict[str, Any]:
    """The keyword arguments of the access event of one consent shown to `user`."""
    return {
        "target": consent,
        "youth": consent.youth,
        "case_uuid": consent.case.uuid,
        "purpose": consent.purpose.code,
    }


# --- Consents (SPEC R-6-2, R-AGE-1) --------------------------------------------------------------


def _consents(user: AnyUser) -> QuerySet[Consent]:
    """Consents `user` may see, with what the consent pages show of each, in a fixed number of
    queries: scope, recipients, decisions (with the parent), and the items shared on it that
    `user` may read (a withdrawn consent's items are gone from everyone but their owner)."""
    return (
        Consent.objects.visible_to(user)
        .select_related("youth", "case", "source_organisation", "agreed_with", "purpose")
        .prefetch_related(
            "categories",
            "recipients",
            Prefetch(
                "decisions",
                queryset=ConsentDecision.objects.select_related("guardian", "recorded_by").order_by(
                    "decided_at", "id"
                ),
            ),
            Prefetch(
                "shared_items",
                queryset=SharedItem.objects.visible_to(user)
                .select_related("category", "owner")
                .order_by("created_at"),
                to_attr="readable_items",
            ),
        )
    )


def consent_list(*, user: AnyUser, case: Case) -> list[Consent]:
    """Every consent of `case` that `user` may see, newest first; each one shown is logged."""
    with transaction.atomic():
        consents = list(_consents(user).filter(case=case).order_by("-created_at", "-id"))
        for consent in consents:
            # The case at hand, with its youth: no query per row.
            consent.case = case
            consent.youth = case.youth
        record_shown(
            actor=user,
            action=Action.CONSENT_VIEWED,
            shown=[_consent_event(user, consent) for consent in consents],
        )
    return consents


def consent_get(*, user: AnyUser, uuid: UUID, log: bool = True) -> Consent:
    """One consent `user` may see, with its receipts, logged as viewed; Consent.DoesNotExist
    (→ 404, logged) otherwise."""
    consent = (
        _consents(user)
        .select_related("case__consultation_type", "case__purpose")
        .prefetch_related(
            Prefetch(
                "receipts",
                queryset=ConsentReceipt.objects.select_related("decision").order_by(
                    "created_at", "id"
                ),
            )
        )
        .filter(uuid=uuid)
        .first()
    )
    if consent is None:
        _denied(user)
        raise Consent.DoesNotExist
    if log:
        consent_viewed(user=user, consent=consent)
    return consent


def consent_viewed(*, user: AnyUser, consent: Consent) -> None:
    """Record that `user` looked at `consent` (for pages that check permission first)."""
    with transaction.atomic():
        record(actor=user, action=Action.CONSENT_VIEWED, **_consent_event(user, consent))


def family_of(*, youth: Youth) -> Youth:
    """`youth` with the guardians, judgements and region the age table reads, fetched once, so
    that `required_consenters` asks nothing more of the database (R-AGE-1). The caller can
    already see a case of the youth."""
    return (
        Youth.objects.select_related("region")
        .prefetch_related(
            Prefetch("guardians", queryset=Guardian.objects.order_by("pk")),
            "incapacity_judgements",
        )
        .get(pk=youth.pk)
    )


def decision_form_get(*, user: AnyUser, uuid: UUID) -> ConsentDecision:
    """A decision with an uploaded signed form, of a consent `user` may see;
    ConsentDecision.DoesNotExist (→ 404, logged) otherwise."""
    decision = (
        ConsentDecision.objects.filter(
            uuid=uuid, consent__in=Consent.objects.visible_to(user).values("pk")
        )
        .exclude(signed_form="")
        .select_related("consent__youth", "consent__case", "consent__purpose")
        .first()
    )
    professional = getattr(user, "professional", None)
    if decision is not None and not (
        (
            professional is not None
            and professional.organisation_id == decision.consent.source_organisation_id
        )
        or user.pk == decision.consent.case.coordinator_id
    ):
        # The signed form is for the organisation that asked and the procesregisseur only.
        decision = None
    if decision is None:
        _denied(user)
        raise ConsentDecision.DoesNotExist
    return decision


def receipt_get(*, user: AnyUser, uuid: UUID) -> ConsentReceipt:
    """A receipt of a consent `user` may see; ConsentReceipt.DoesNotExist (→ 404, logged)."""
    receipt = (
        ConsentReceipt.objects.filter(
            uuid=uuid, consent__in=Consent.objects.visible_to(user).values("pk")
        )
        .select_related("consent__youth", "consent__case", "consent__purpose")
        .first()
    )
    if receipt is None:
        _denied(user)
        raise ConsentReceipt.DoesNotExist
    return receipt


def incapacity_list(*, case: Case, user: AnyUser) -> list[IncapacityJudgement]:
    """The judgements recorded in a case the caller can already see, newest first.

    Only this case's: a judgement made at another table stays there (need to know). Its reason
    says something about the youth's health, so it is read only by professionals bound by
    secrecy (R-6-1); others see that a judgement holds, and from when, with `reason` blanked.
    """
    if case.youth_id is None:
        return []
    judgements = list(
        IncapacityJudgement.objects.filter(case=case)
        .select_related("judged_by", "organisation")
        .order_by("-judged_on", "-id")
    )
    professional = getattr(user, "professional", None)
    if professional is None or not professional.bound_by_secrecy:
        for judgement in judgements:
            judgement.reason = ""
    return judgements


def recipient_organisations(*, case: Case, user: AnyUser) -> QuerySet[Organisation]:
    """The organisations at the table of a case the caller can see (the procesregisseur's and
    those of the participants who have not left), without the user's own: the recipients a
    consent can name (R-6-2; `consent.services.consent_request` checks the same)."""
    ids = set(
        case.participants.filter(left_at__isnull=True, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    ids.add(case.organisation_id)
    professional = getattr(user, "professional", None)
    own = professional.organisation_id if professional is not None else None
    return Organisation.objects.filter(pk__in=ids).exclude(pk=own).order_by("name")


def consent_counts(*, user: AnyUser, case: Case) -> dict[str, int]:
    """How many consents of `case` `user` sees, per status (the case page's summary)."""
    counts: dict[str, int] = {}
    for status in (
        Consent.objects.visible_to(user).filter(case=case).values_list("status", flat=True)
    ):
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- Rights requests (SPEC R-13-1..5, R-RIGHTS-1..3) --------------------------------------------


def _requests(user: AnyUser) -> QuerySet[RightsRequest]:
    """Requests routed to the organisation of `user` (a procesregisseur or FG), with what the
    request pages show. Parents and youths see their own requests in the portal, not here."""
    if getattr(user, "role", None) not in (Role.COORDINATOR, Role.PRIVACY_OFFICER):
        return RightsRequest.objects.none()
    return RightsRequest.objects.visible_to(user).select_related(
        "youth",
        "case",
        "organisation",
        "forwarded_from",
        "closed_by",
        "requester",
        "guardian",
    )


def request_list(*, user: AnyUser, state: str = "") -> list[RightsRequest]:
    """The requests routed to the user's organisation: open ones by deadline, then the answered
    ones, newest first; `state` "open" or "closed" keeps one group. Each row is logged (a list
    of N requests about N youths is N accesses, even when the page shows only pseudonyms)."""
    requests = _requests(user)
    if state == "open":
        requests = requests.open()
    elif state == "closed":
        requests = requests.filter(status=RequestStatus.CLOSED)
    with transaction.atomic():
        rows = list(requests.order_by("due_on", "filed_at", "pk"))
        record_shown(
            actor=user,
            action=Action.REQUEST_LISTED,
            shown=[
                {
                    "target": request,
                    "youth": request.youth,
                    "case_uuid": request.case.uuid if request.case_id else None,
                }
                for request in rows
            ],
        )
    open_rows = [r for r in rows if r.status != RequestStatus.CLOSED]
    open_rows.sort(key=lambda r: (r.deadline or date.max, r.filed_at))
    closed_rows = [r for r in rows if r.status == RequestStatus.CLOSED]
    closed_rows.sort(key=lambda r: r.closed_at or r.filed_at, reverse=True)
    return open_rows + closed_rows


def request_get(*, user: AnyUser, uuid: UUID, log: bool = True) -> RightsRequest:
    """One request routed to the user's organisation, logged as viewed;
    RightsRequest.DoesNotExist (→ 404, logged) otherwise."""
    request = _requests(user).filter(uuid=uuid).first()
    if request is None:
        _denied(user)
        raise RightsRequest.DoesNotExist
    if log:
        request_viewed(user=user, request=request)
    return request


def request_viewed(*, user: AnyUser, request: RightsRequest) -> None:
    """Record that `user` looked at `request` (for pages that check permission first)."""
    with transaction.atomic():
        record(
            actor=user,
            action=Action.REQUEST_VIEWED,
            target=request,
            youth=request.youth,
            case_uuid=request.case.uuid if request.case_id else None,
        )


def youths_known_to(*, user: AnyUser, youth_ids: set[int]) -> set[int]:
    """Of `youth_ids`, the youths of whom `user` holds a case now (DESIGN invariant 1): only to
    them does a request page show the youth's name; the FG and the other procesregisseurs of
    the organisation see a pseudonym (metadata only, SPEC R-DPIA-3)."""
    if not youth_ids:
        return set()
    return set(
        Case.objects.visible_to(user)
        .filter(youth_id__in=youth_ids)
        .values_list("youth_id", flat=True)
        .distinct()
    )


def request_history(*, request: RightsRequest) -> list[AccessEvent]:
    """The access events of one request the caller can already see, oldest first: filed,
    viewed, extended, forwarded, reminded, answered. Metadata only (who, role, organisation,
    what, when). Narrowed by the youth first, so the youth's index does the work."""
    return list(
        AccessEvent.objects.filter(
            youth_uuid=request.youth.uuid,
            object_type=RightsRequest._meta.label_lower,
            object_id=str(request.uuid),
        )
        .only(
            "occurred_at",
            "action",
            "actor_name",
            "actor_role",
            "organisation_name",
            "reason",
            "outcome",
        )
        .order_by("occurred_at", "id")
    )


def forward_choices(*, request: RightsRequest) -> QuerySet[Organisation]:
    """The organisations of the request's region it can be forwarded to (R-13-3)."""
    return (
        Organisation.objects.filter(region_id=request.organisation.region_id)
        .exclude(pk=request.organisation_id)
        .order_by("name")
    )


def due_soon(request: RightsRequest, today: date | None = None) -> bool:
    """Whether an open request is due within a week (or overdue)."""
    today = today or timezone.localdate()
    deadline = request.deadline
    return (
        request.status == RequestStatus.OPEN
        and deadline is not None
        and (deadline - today).days <= DUE_SOON_DAYS
    )
