"""Rights requests, the handler's side (SPEC R-13-1..5, R-RIGHTS-1..3, §7.1).

The procesregisseurs and FGs of the organisation a request is routed to see it with its legal
deadline; only the procesregisseurs handle it (extend, forward, answer), the FG watches the
metadata (SPEC R-DPIA-3). The youth is named only to a procesregisseur who holds a case of the
youth (DESIGN invariant 1); everyone else reads the pseudonym the FG's workbench uses
(audit.display). An inzage request is answered with the inzage report (`casusoverleg.inzage`):
the handler checks the draft first, and answering stores the final PDF on the request for the
requester to download in the portal.

Each view: role gate (403, logged) → selector (404 when invisible, logged) → handler check (403,
logged by the audit middleware) → form → service (field errors, status 400) → redirect.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import Action
from audit.decorators import role_required
from audit.display import pseudonym
from audit.models import AccessEvent
from audit.services import record
from casusoverleg import consent_selectors as selectors
from casusoverleg.forms.requests import (
    NEEDS_GROUND,
    CloseForm,
    ExtendForm,
    ForwardForm,
    RequestFilterForm,
)
from casusoverleg.inzage import inzage_report_for_handler, is_request_handler
from consent import services as consent_services
from consent.choices import ConsenterKind, RequestKind, RequestOutcome, RequestStatus
from consent.deadlines import latest_extension
from consent.models import RightsRequest
from core.permissions import AnyUser
from parties.choices import Role

from .common import call_service

# The requests page belongs to the procesregisseurs and FGs (DESIGN "Who uses it").
handlers_only = role_required(Role.COORDINATOR, Role.PRIVACY_OFFICER)
FAMILY_ROLES = (Role.PARENT, Role.YOUTH)


@dataclass
class RequestRow:
    """One request as the pages show it: the youth named or pseudonymised, and its deadline."""

    request: RightsRequest
    knows_youth: bool
    youth_label: str
    requester_label: str
    days_left: int | None
    overdue: bool
    due_soon: bool

    @property
    def overdue_days(self) -> int:
        """How many days past the deadline an open request is (0 when it is not)."""
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _requester_label(request: RightsRequest, knows_youth: bool) -> str:
    """The requester by name for who knows the youth, else as what they are (parent, youth)."""
    kind = str(ConsenterKind(request.requester_kind).label)
    if not knows_youth:
        return kind
    if request.requester_kind == ConsenterKind.YOUTH:
        return f"{request.youth} ({kind})"
    # The name the organisation knows the parent by: their guardian row, not the account.
    return f"{request.guardian or request.requester} ({kind})"


def request_rows(user: AnyUser, requests: list[RightsRequest], today: date) -> list[RequestRow]:
    """The rows of `requests`; one query decides whose youth the user may see named."""
    known = selectors.youths_known_to(user=user, youth_ids={r.youth_id for r in requests})
    rows = []
    for request in requests:
        knows = request.youth_id in known
        deadline = request.deadline
        is_open = request.status == RequestStatus.OPEN
        days_left = (deadline - today).days if deadline is not None and is_open else None
        rows.append(
            RequestRow(
                request=request,
                knows_youth=knows,
                youth_label=str(request.youth) if knows else pseudonym(request.youth.uuid),
                requester_label=_requester_label(request, knows),
                days_left=days_left,
                overdue=days_left is not None and days_left < 0,
                due_soon=selectors.due_soon(request, today),
            )
        )
    return rows


def _history(events: list[AccessEvent], knows_youth: bool) -> list[dict[str, Any]]:
    """The request's events as metadata: when, what, who (a parent or youth by role only,
    unless the reader knows the youth)."""
    rows = []
    for event in events:
        family = event.actor_role in FAMILY_ROLES
        who = (
            event.actor_role_display
            if family and not knows_youth
            else ", ".join(
                part
                for part in (event.actor_name, event.actor_role_display, event.organisation_name)
                if part
            )
        )
        rows.append({"when": event.occurred_at, "action": event.get_action_display(), "who": who})
    return rows


def _request(request: HttpRequest, uuid: UUID, *, log: bool = True) -> RightsRequest:
    """A request routed to the user's organisation (logged), else 404 (logged)."""
    try:
        return selectors.request_get(user=request.user, uuid=uuid, log=log)
    except RightsRequest.DoesNotExist as exc:
        raise Http404 from exc


def _handled(request: HttpRequest, uuid: UUID) -> RightsRequest:
    """A request the user handles: visible (else 404) and theirs to answer (else 403, which
    the FG gets: they watch, they do not handle). The look is logged once allowed."""
    rights_request = _request(request, uuid, log=False)
    if not is_request_handler(request.user, rights_request):
        raise PermissionDenied  # audit.middleware logs the refusal
    selectors.request_viewed(user=request.user, request=rights_request)
    return rights_request


def _row(request: HttpRequest, rights_request: RightsRequest) -> RequestRow:
    (row,) = request_rows(request.user, [rights_request], timezone.localdate())
    return row


def _status(request: HttpRequest) -> int:
    """A re-rendered POST carries errors: 400, so that nothing looks saved (invariant 9)."""
    return 400 if request.method == "POST" else 200


def _detail(rights_request: RightsRequest) -> HttpResponse:
    return redirect("casusoverleg:request_detail", uuid=rights_request.uuid)


# --- Pages ----------------------------------------------------------------------------------------


@handlers_only
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests routed to the user's organisation: open ones by deadline (days left, overdue
    in red and in words, extended), then the answered ones (R-RIGHTS-1)."""
    form = RequestFilterForm(request.GET or None)
    state = form.state_value if form.is_bound else ""
    requests = selectors.request_list(user=request.user, state=state)
    rows = request_rows(request.user, requests, timezone.localdate())
    return render(
        request,
        "casusoverleg/requests/request_list.html",
        {
            "form": form,
            "state": state,
            "open_rows": [r for r in rows if r.request.status != RequestStatus.CLOSED],
            "closed_rows": [r for r in rows if r.request.status == RequestStatus.CLOSED],
        },
    )


@handlers_only
def request_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One request: kind, youth (named or pseudonym), received, due, identity, forwarding and
    its history; the handler's actions for a procesregisseur of the organisation."""
    rights_request = _request(request, uuid)
    row = _row(request, rights_request)
    may_handle = is_request_handler(request.user, rights_request)
    is_open = rights_request.status == RequestStatus.OPEN
    return render(
        request,
        "casusoverleg/requests/request_detail.html",
        {
            "row": row,
            "rights_request": rights_request,
            "may_handle": may_handle,
            "is_open": is_open,
            "is_inzage": rights_request.kind == RequestKind.ACCESS,
            "history": _history(selectors.request_history(request=rights_request), row.knows_youth),
        },
    )


@handlers_only
def request_extend(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Extend the deadline by at most two months, before it passes, with reasons the requester
    reads (AVG art. 12(3), R-13-2)."""
    rights_request = _handled(request, uuid)
    latest = (
        latest_extension(rights_request.kind, timezone.localdate(rights_request.received_at))
        if rights_request.received_at
        else None
    )
    form = ExtendForm(request.POST or None, initial={"until": latest})
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            consent_services.rights_request_extend,
            actor=request.user,
            request=rights_request,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, _("The deadline has been extended. The requester is told."))
            return _detail(rights_request)
    return render(
        request,
        "casusoverleg/requests/request_extend.html",
        {"row": _row(request, rights_request), "form": form, "latest": latest},
        status=_status(request),
    )


@handlers_only
def request_forward(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Forward a request to the organisation that holds the data (R-13-3); the deadline keeps
    running from receipt."""
    rights_request = _handled(request, uuid)
    form = ForwardForm(
        request.POST or None, organisations=selectors.forward_choices(request=rights_request)
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            consent_services.rights_request_forward,
            actor=request.user,
            request=rights_request,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, _("The request has been forwarded."))
            # It is no longer this organisation's: back to the list, not to a 404.
            return redirect("casusoverleg:request_list")
    return render(
        request,
        "casusoverleg/requests/request_forward.html",
        {"row": _row(request, rights_request), "form": form},
        status=_status(request),
    )


@handlers_only
def request_close(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Answer a request. A refusal, also in part, names its legal ground (R-RIGHTS-3); an
    inzage request that is granted, also in part, stores the final inzage report on the request
    for the requester (R-RIGHTS-2)."""
    rights_request = _handled(request, uuid)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = None
        if rights_request.status == RequestStatus.OPEN and _answers_with_report(
            rights_request, data["outcome"]
        ):
            document = inzage_report_for_handler(
                actor=request.user, request=rights_request, final=True
            )
        done = call_service(
            form,
            consent_services.rights_request_close,
            actor=request.user,
            request=rights_request,
            outcome=data["outcome"],
            answer=data["answer"],
            refusal_ground=data["refusal_ground"],
            document=document,
        )
        if done is not None:
            _destroy_if_granted(done)
            messages.success(request, _("The request has been answered. The requester is told."))
            return _detail(rights_request)
    return render(
        request,
        "casusoverleg/requests/request_close.html",
        {
            "row": _row(request, rights_request),
            "form": form,
            "is_inzage": rights_request.kind == RequestKind.ACCESS,
            "needs_ground": [str(o) for o in NEEDS_GROUND],
        },
        status=_status(request),
    )


def _destroy_if_granted(rights_request: RightsRequest) -> None:
    """R-RET-3 (retention, issue 7): a granted Jw 7.3.9 destruction request makes the youth care
    provider's items due at once; the retention job runs now instead of waiting for the night.
    A refusal, also in part, is the recorded exception and deletes nothing."""
    from casusoverleg.tasks import retention_task

    if (
        rights_request.kind == RequestKind.DESTRUCTION
        and rights_request.outcome == RequestOutcome.GRANTED
    ):
        retention_task.delay_on_commit()


def _answers_with_report(rights_request: RightsRequest, outcome: str) -> bool:
    """An inzage request granted, in full or in part, is answered with the report."""
    return rights_request.kind == RequestKind.ACCESS and outcome in (
        RequestOutcome.GRANTED,
        RequestOutcome.PARTLY,
    )


@handlers_only
def request_inzage(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The inzage report of an inzage request: the draft while it is open (for the handler to
    check before answering), the stored answer once it is answered. Logged either way."""
    rights_request = _handled(request, uuid)
    if rights_request.kind != RequestKind.ACCESS:
        raise Http404
    if rights_request.status == RequestStatus.OPEN:
        pdf = inzage_report_for_handler(actor=request.user, request=rights_request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="inzage-concept-{uuid}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    if not rights_request.answer_document:
        raise Http404
    with transaction.atomic():
        record(
            actor=request.user,
            action=Action.DOCUMENT_DOWNLOADED,
            target=rights_request,
            youth=rights_request.youth,
            case_uuid=rights_request.case.uuid if rights_request.case_id else None,
            reason="inzage report",
        )
    response = FileResponse(
        rights_request.answer_document.open("rb"),
        as_attachment=True,
        filename=f"inzage-{uuid}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
