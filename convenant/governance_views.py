"""Covenant governance pages (issue 7): versions, accession, leaving and the DPIA gate.

The beheerder and the FG of the region only; reference data, never case content. Every page
that shows the region's governance data is logged (`reference.viewed`), every change by its
service. SPEC art. 17–19, R-18-1, R-19-1, R-DPIA-1, R-DPIA-2.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.choices import Action
from audit.decorators import role_required
from audit.services import record
from parties.choices import Role
from parties.selectors import organisation_list, professional_of

from . import governance_selectors as selectors
from . import governance_services as services
from .governance_forms import (
    AccessionForm,
    AccessionUploadForm,
    CovenantVersionForm,
    DPIAEndorsementForm,
    DPIARecordForm,
    PartyLeaveForm,
)
from .models import Covenant, CovenantParty
from .selectors import covenant_in_force

BOTH = (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)


def _region_id(request: HttpRequest) -> int:
    professional = professional_of(user=request.user)
    if professional is None:
        # Without an organisation there is no region to govern.
        raise Http404
    return professional.organisation.region_id


def _covenant_now(region_id: int) -> Covenant:
    covenant = covenant_in_force(region_id=region_id, on=timezone.localdate())
    if covenant is None:
        raise Http404
    return covenant


def _party(request: HttpRequest, uuid: Any) -> tuple[int, CovenantParty]:
    region_id = _region_id(request)
    party = selectors.governance_party_get(region_id=region_id, uuid=uuid)
    if party is None:
        raise Http404
    return region_id, party


def _apply(form: Any, exc: ValidationError) -> None:
    """A service's refusal goes next to its field when it names one the form has."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@role_required(*BOTH)
def overview(request: HttpRequest) -> HttpResponse:
    """Versions, parties and their accession, DPIA records, open review prompts and warnings."""
    region_id = _region_id(request)
    today = timezone.localdate()
    with transaction.atomic():
        versions = list(selectors.covenant_versions(region_id=region_id))
        current = next(
            (
                v
                for v in versions
                if v.effective_from <= today
                and (v.effective_until is None or v.effective_until >= today)
            ),
            None,
        )
        parties = list(selectors.governance_parties(covenant=current)) if current else []
        context = {
            "versions": versions,
            "current": current,
            "parties": parties,
            "today": today,
            "dpias": list(selectors.dpia_records(region_id=region_id)),
            "prompts": list(selectors.open_review_prompts(region_id=region_id)),
            "without_dpia": selectors.active_parties_without_dpia(region_id=region_id),
            "is_administrator": request.user.role == Role.ADMINISTRATOR,
        }
        record(actor=request.user, action=Action.REFERENCE_VIEWED, purpose="governance")
    return render(request, "convenant/governance/overview.html", context)


@role_required(Role.ADMINISTRATOR)
def version_create(request: HttpRequest) -> HttpResponse:
    """Add a covenant version; the previous one ends the day before (R-17-1)."""
    region_id = _region_id(request)
    current = covenant_in_force(region_id=region_id, on=timezone.localdate())
    initial = (
        {"title": current.title, "hosting_organisation": current.hosting_organisation_id}
        if current
        else {}
    )
    form = CovenantVersionForm(
        request.POST or None,
        initial=initial,
        organisations=organisation_list(region_id=region_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            covenant = services.covenant_version_add(
                actor=request.user, region_id=region_id, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": covenant})
            return redirect("governance:overview")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "convenant/governance/version_form.html",
        {"form": form, "current": current},
        status=status,
    )


@role_required(Role.ADMINISTRATOR)
def accession_create(request: HttpRequest) -> HttpResponse:
    """Register an acceding party with its signed form (R-18-1, step 1)."""
    region_id = _region_id(request)
    covenant = _covenant_now(region_id)
    candidates = organisation_list(region_id=region_id).exclude(
        pk__in=covenant.parties.values("organisation_id")
    )
    form = AccessionForm(request.POST or None, request.FILES or None, organisations=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.accession_create(
                actor=request.user, covenant=covenant, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The accession form was saved. The FG can now approve it."))
            return redirect("governance:party_detail", uuid=party.uuid)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "convenant/governance/accession_form.html",
        {"form": form, "covenant": covenant},
        status=status,
    )


def _party_page(
    request: HttpRequest,
    party: CovenantParty,
    *,
    upload_form: Any = None,
    leave_form: Any = None,
    approve_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    is_administrator = request.user.role == Role.ADMINISTRATOR
    approved = party.accession_approved_at is not None
    context = {
        "party": party,
        "steps": selectors.accession_steps(party),
        "is_administrator": is_administrator,
        "may_approve": request.user.role == Role.PRIVACY_OFFICER
        and bool(party.signed_document)
        and not approved,
        "upload_form": upload_form
        or (AccessionUploadForm() if is_administrator and not approved else None),
        "leave_form": leave_form or (PartyLeaveForm() if is_administrator else None),
        "has_left": party.left_on is not None and party.left_on <= timezone.localdate(),
        "approve_errors": approve_errors or [],
    }
    with transaction.atomic():
        record(actor=request.user, action=Action.REFERENCE_VIEWED, target=party, purpose="party")
    return render(request, "convenant/governance/party_detail.html", context, status=status)


@role_required(*BOTH)
def party_detail(request: HttpRequest, uuid: Any) -> HttpResponse:
    """One party: its accession steps, form, approval and end date."""
    _region, party = _party(request, uuid)
    return _party_page(request, party)


@role_required(Role.ADMINISTRATOR)
@require_POST
def accession_upload(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Upload or replace (before approval) the signed Toetredingsformulier."""
    _region, party = _party(request, uuid)
    form = AccessionUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.accession_upload(
                actor=request.user,
                party=party,
                signed_document=form.cleaned_data["signed_document"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The accession form was saved. The FG can now approve it."))
            return redirect("governance:party_detail", uuid=party.uuid)
    return _party_page(request, party, upload_form=form, status=400)


@role_required(Role.PRIVACY_OFFICER)
@require_POST
def accession_approve(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The FG approves; the other parties are notified and the party can take part."""
    _region, party = _party(request, uuid)
    try:
        services.accession_approve(actor=request.user, party=party)
    except ValidationError as exc:
        return _party_page(request, party, approve_errors=exc.messages, status=400)
    messages.success(request, _("The accession was approved and the other parties were notified."))
    return redirect("governance:party_detail", uuid=party.uuid)


@role_required(*BOTH)
def accession_download(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The signed form, to the region's beheerder and FG only; every download is logged."""
    _region, party = _party(request, uuid)
    if not party.signed_document:
        raise Http404
    with transaction.atomic():
        record(actor=request.user, action=Action.ACCESSION_DOWNLOADED, target=party)
    return _pdf_response(party.signed_document, f"toetredingsformulier-{party.uuid}.pdf")


def _pdf_response(file: Any, name: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.ADMINISTRATOR)
@require_POST
def party_leave(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Record the end date of a party's participation (R-19-1)."""
    _region, party = _party(request, uuid)
    form = PartyLeaveForm(request.POST)
    if form.is_valid():
        try:
            services.party_leave(actor=request.user, party=party, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The end date was saved."))
            return redirect("governance:party_detail", uuid=party.uuid)
    return _party_page(request, party, leave_form=form, status=400)


@role_required(*BOTH)
def dpia_create(request: HttpRequest) -> HttpResponse:
    """Record a DPIA with the FG's advice (R-DPIA-1); it closes earlier review prompts."""
    region_id = _region_id(request)
    form = DPIARecordForm(
        request.POST or None,
        request.FILES or None,
        organisations=organisation_list(region_id=region_id),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in DPIARecordForm.MODEL_FIELDS}
        try:
            services.dpia_record(
                actor=request.user,
                region_id=region_id,
                data=data,
                controllers=list(form.cleaned_data["controllers"]),
                document=form.cleaned_data.get("document"),
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The DPIA was recorded."))
            return redirect("governance:overview")
    status = 400 if request.method == "POST" else 200
    return render(request, "convenant/governance/dpia_form.html", {"form": form}, status=status)


@role_required(*BOTH)
def dpia_endorse(request: HttpRequest, uuid: Any) -> HttpResponse:
    """Record a party's decision to adopt or endorse a DPIA (R-DPIA-1)."""
    region_id = _region_id(request)
    dpia = selectors.dpia_get(region_id=region_id, uuid=uuid)
    if dpia is None:
        raise Http404
    form = DPIAEndorsementForm(
        request.POST or None, organisations=organisation_list(region_id=region_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dpia_endorse(actor=request.user, dpia=dpia, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("governance:overview")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "convenant/governance/endorsement_form.html",
        {"form": form, "dpia": dpia},
        status=status,
    )


@role_required(*BOTH)
def dpia_download(request: HttpRequest, uuid: Any) -> HttpResponse:
    """The DPIA document, to the region's beheerder and FG only; logged."""
    dpia = selectors.dpia_get(region_id=_region_id(request), uuid=uuid)
    if dpia is None or not dpia.document:
        raise Http404
    with transaction.atomic():
        record(actor=request.user, action=Action.REFERENCE_VIEWED, target=dpia, purpose="dpia")
    return _pdf_response(dpia.document, f"dpia-{dpia.uuid}.pdf")
