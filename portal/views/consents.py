"""Consents from the family's side: the list, one consent, deciding on it, and its receipts.

Give, refuse and (the youth at 16) confirm go through `consent.services.consent_decide`;
withdrawing through `casusoverleg.services.consent_withdraw`, which also tells the readers of
what was shared on it (DESIGN invariant 7). Every decision is one clear action on a
confirmation page ("Are you sure?") that says its effect in plain words; after it the user gets
a message and the receipt. An invisible consent or receipt answers 404, a refused decision 403
or the page again with the reason (400); all logged.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.choices import Action
from audit.services import record
from casusoverleg.services import consent_withdraw
from consent import services as consent_services
from consent.models import Consent, ConsentReceipt
from portal.forms import ConsentDecisionForm, add_service_errors
from portal.selectors import (
    DECISION_OF_ACTION,
    WITHDRAW,
    ConsentPage,
    portal_consent_get,
    portal_consent_list,
    portal_receipt_get,
)

from .common import INVALID_FORM_STATUS, family_required, log_denied, standing_or_404

RECEIPT_PARAMETER = "ontvangstbewijs"


def _consent_or_404(request: HttpRequest, uuid: UUID, *, log: bool = True) -> ConsentPage:
    try:
        return portal_consent_get(user=request.user, uuid=uuid, log=log)
    except Consent.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@family_required
def consent_list(request: HttpRequest, youth: UUID) -> HttpResponse:
    """'My consents': what waits for the user first, then the rest."""
    standing = standing_or_404(request, youth)
    page = portal_consent_list(user=request.user, standing=standing)
    return render(
        request,
        "portal/consent_list.html",
        {"page": page, "standing": standing, "is_youth": standing.is_youth},
    )


@require_GET
@family_required
def consent_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One consent: who asked, what, to whom, why, until when, who decided, the receipts."""
    page = _consent_or_404(request, uuid)
    wanted = request.GET.get(RECEIPT_PARAMETER, "")
    new_receipt = next((r for r in page.row.receipts if str(r.uuid) == wanted), None)
    return render(
        request,
        "portal/consent_detail.html",
        {
            "page": page,
            "row": page.row,
            "consent": page.consent,
            "standing": page.standing,
            "is_youth": page.standing.is_youth,
            "new_receipt": new_receipt,
        },
    )


def _render_decide(
    request: HttpRequest,
    page: ConsentPage,
    action: str,
    form: ConsentDecisionForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "portal/consent_decide.html",
        {
            "page": page,
            "row": page.row,
            "consent": page.consent,
            "standing": page.standing,
            "is_youth": page.standing.is_youth,
            "action": action,
            "form": form,
        },
        status=status,
    )


SUCCESS = {
    "give": lambda: _("Thank you. Your consent is recorded."),
    "refuse": lambda: _("Your refusal is recorded. This data is not shared on this consent."),
    "withdraw": lambda: _(
        "Your consent is withdrawn. From now on, the receivers no longer see what was shared on it."
    ),
    "confirm": lambda: _("Thank you. You have confirmed the consent."),
}


@require_http_methods(["GET", "POST"])
@family_required
def consent_decide(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """GET: 'Are you sure?' with the effect in plain words. POST: give, refuse, withdraw or
    confirm; then the consent's page with a message and the receipt."""
    if request.method == "GET":
        page = _consent_or_404(request, uuid)
        action = request.GET.get("action", "")
        if action not in page.row.actions:
            # Nothing to confirm: the consent's page shows what can be done.
            return redirect("portal:consent_detail", uuid=page.consent.uuid)
        return _render_decide(
            request, page, action, ConsentDecisionForm(initial={"action": action})
        )

    page = _consent_or_404(request, uuid, log=False)
    form = ConsentDecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, uuid, form)
    action = form.cleaned_data["action"]
    consent = page.consent
    consenter = page.standing.consenter
    youth = page.standing.youth
    if consenter is None:
        log_denied(request, reason="no consenter", target=consent, youth=youth)
        raise PermissionDenied
    try:
        if action == WITHDRAW:
            decision = consent_withdraw(
                actor=request.user,
                consent=consent,
                consenter=consenter,
                reason=form.cleaned_data["reason"],
            )
        else:
            decision = consent_services.consent_decide(
                actor=request.user,
                consent=consent,
                consenter=consenter,
                kind=DECISION_OF_ACTION[action],
                reason=form.cleaned_data["reason"],
            )
    except PermissionDenied:
        log_denied(
            request,
            reason=f"consent {action} refused",
            target=consent,
            youth=youth,
            case_uuid=consent.case.uuid,
        )
        raise
    except ValidationError as error:
        add_service_errors(form, error, fallback=None)
        return _refused(request, uuid, form)
    messages.success(request, SUCCESS[action]())
    detail = reverse("portal:consent_detail", kwargs={"uuid": consent.uuid})
    return redirect(f"{detail}?{RECEIPT_PARAMETER}={decision.receipt.uuid}#receipt")


def _refused(request: HttpRequest, uuid: UUID, form: ConsentDecisionForm) -> HttpResponse:
    """The confirmation page again with the reason (400); it shows the consent, so it is logged."""
    page = _consent_or_404(request, uuid)
    action = form.data.get("action", "")
    return _render_decide(request, page, action, form, status=INVALID_FORM_STATUS)


@require_GET
@family_required
def receipt_download(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The receipt of one decision as a PDF (ISO/IEC TS 27560 fields); rendered now if the
    background job has not made it yet. Logged as a download about the youth."""
    try:
        receipt = portal_receipt_get(user=request.user, uuid=uuid)
    except ConsentReceipt.DoesNotExist as exc:
        raise Http404 from exc
    if not receipt.pdf:
        receipt.pdf = consent_services.receipt_render(receipt_id=receipt.pk).pdf
    consent = receipt.consent
    with transaction.atomic():
        record(
            actor=request.user,
            action=Action.DOCUMENT_DOWNLOADED,
            target=receipt,
            youth=consent.youth,
            case_uuid=consent.case.uuid,
            purpose=consent.purpose.code,
        )
    response = FileResponse(
        receipt.pdf.open("rb"),
        as_attachment=True,
        filename=f"ontvangstbewijs-{receipt.created_at:%Y%m%d-%H%M}.pdf",
        content_type="application/pdf",
    )
    # A receipt names the child and what is shared about them: never in a cache.
    response["Cache-Control"] = "no-store"
    return response
