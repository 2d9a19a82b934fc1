"""Rights requests from the family's side (SPEC R-13-1..5, R-AGE-5, §7.1): the list, filing one,
one request, and the inzage report.

The service routes a request to each chosen organisation (one row each), sets its legal
deadline (one month; three for destroying a youth care file) and, for a parent of a youth of 16
or older without the youth's permission, lets it wait for the youth (R-AGE-5). The portal's
login with a second step counts as the identity check.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from audit.choices import Action
from audit.services import record
from consent.choices import RequestKind, RequestStatus
from consent.deadlines import MONTHS_TO_ANSWER
from consent.models import RightsRequest
from consent.services import rights_request_file
from portal.forms import RightsRequestForm, add_service_errors
from portal.selectors import (
    FamilyStanding,
    RequestFormPage,
    RequestPage,
    portal_request_form,
    portal_request_get,
    portal_request_list,
)

from .common import INVALID_FORM_STATUS, family_required, log_denied, standing_or_404

# How the identity of a requester was checked: the portal's login with a second step (R-13-1).
IDENTITY_METHOD = "portaal, inloggen met tweede stap"
CASE_PARAMETER = "casus"


def _request_or_404(request: HttpRequest, uuid: UUID, *, log: bool = True) -> RequestPage:
    try:
        return portal_request_get(user=request.user, uuid=uuid, log=log)
    except RightsRequest.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@family_required
def request_list(request: HttpRequest, youth: UUID) -> HttpResponse:
    """'My requests': status and deadline of each; for the youth also their parents'."""
    standing = standing_or_404(request, youth)
    page = portal_request_list(user=request.user, standing=standing)
    return render(
        request,
        "portal/request_list.html",
        {"page": page, "standing": standing, "is_youth": standing.is_youth},
    )


def _kind_options(page: RequestFormPage) -> list[tuple[str, str]]:
    labels = dict(RequestKind.choices)
    return [(kind, str(labels[kind])) for kind in page.kinds]


def _render_form(
    request: HttpRequest,
    standing: FamilyStanding,
    page: RequestFormPage,
    form: RightsRequestForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "portal/request_form.html",
        {
            "page": page,
            "standing": standing,
            "is_youth": standing.is_youth,
            "form": form,
            "months_for_destruction": MONTHS_TO_ANSWER[RequestKind.DESTRUCTION],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@family_required
def request_create(request: HttpRequest, youth: UUID) -> HttpResponse:
    """File a request: first the consultation (when there are several), then what, to whom and
    why. A parent of a youth of 16 or older is told that it waits for the youth (R-AGE-5)."""
    standing = standing_or_404(request, youth)
    if request.method == "GET":
        page = portal_request_form(
            user=request.user, standing=standing, case_uuid=request.GET.get(CASE_PARAMETER)
        )
        form = RightsRequestForm(kinds=_kind_options(page), organisations=page.organisations)
        return _render_form(request, standing, page, form)

    page = portal_request_form(
        user=request.user,
        standing=standing,
        case_uuid=request.POST.get(CASE_PARAMETER),
        log=False,
    )
    form = RightsRequestForm(
        request.POST, kinds=_kind_options(page), organisations=page.organisations
    )
    if page.case is None or not form.is_valid():
        return _refused(request, standing, form)
    try:
        filed = rights_request_file(
            actor=request.user,
            youth=standing.youth,
            case=page.case,
            kind=form.cleaned_data["kind"],
            organisations=form.chosen_organisations(),
            description=form.cleaned_data["description"],
            identity_method=IDENTITY_METHOD,
        )
    except PermissionDenied:
        log_denied(
            request, reason="rights request refused", youth=standing.youth, case_uuid=page.case.uuid
        )
        raise
    except ValidationError as error:
        add_service_errors(form, error, fallback=None)
        return _refused(request, standing, form)
    messages.success(request, _filed_message(filed))
    return redirect("portal:request_list", youth=standing.youth.uuid)


def _refused(
    request: HttpRequest, standing: FamilyStanding, form: RightsRequestForm
) -> HttpResponse:
    """The form again with the messages next to the fields (400); it names the youth and the
    consultations, so the page is logged."""
    page = portal_request_form(
        user=request.user, standing=standing, case_uuid=request.POST.get(CASE_PARAMETER)
    )
    return _render_form(request, standing, page, form, status=INVALID_FORM_STATUS)


def _filed_message(filed: list[RightsRequest]) -> str:
    names = ", ".join(r.organisation.name for r in filed)
    first = filed[0]
    if first.status == RequestStatus.AWAITING_YOUTH:
        return _(
            "Your request is saved for %(organisations)s. Your child is 16 or older: the "
            "request waits until your child gives permission. The time to answer starts then."
        ) % {"organisations": names}
    return ngettext(
        "Your request is sent to %(organisations)s. You get an answer by %(day)s at the latest.",
        "Your request is sent to %(organisations)s. You get answers by %(day)s at the latest.",
        len(filed),
    ) % {"organisations": names, "day": date_format(first.due_on, "j F Y")}


@require_GET
@family_required
def request_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One request: what, to whom, status, deadline, and the answer when the user may read it."""
    page = _request_or_404(request, uuid)
    return render(
        request,
        "portal/request_detail.html",
        {
            "page": page,
            "rights_request": page.request,
            "is_youth": page.standing.is_youth if page.standing else False,
        },
    )


@require_GET
@family_required
def request_document(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The inzage report (PDF) of an answered request; logged as a download about the youth.

    A parent of a youth of 16 or older reads it only with the youth's permission (R-AGE-5): a
    refusal is a logged 403, the request itself being theirs to see.
    """
    page = _request_or_404(request, uuid, log=False)
    rights_request = page.request
    if not rights_request.answer_document:
        raise Http404
    if not page.may_read_answer:
        log_denied(
            request,
            reason="inzage report: the youth decides from 16",
            target=rights_request,
            youth=rights_request.youth,
        )
        raise PermissionDenied
    with transaction.atomic():
        record(
            actor=request.user,
            action=Action.DOCUMENT_DOWNLOADED,
            target=rights_request,
            youth=rights_request.youth,
            case_uuid=rights_request.case.uuid if rights_request.case_id else None,
            reason=rights_request.kind,
        )
    response = FileResponse(
        rights_request.answer_document.open("rb"),
        as_attachment=True,
        filename=f"inzage-{rights_request.closed_at or rights_request.filed_at:%Y%m%d}.pdf",
        content_type="application/pdf",
    )
    # An inzage report holds everything about the child: never in a cache.
    response["Cache-Control"] = "no-store"
    return response
