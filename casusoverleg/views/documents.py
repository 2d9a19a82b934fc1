"""PDFs of a case: ask for one, watch it being made, download it (R-11-2).

Every PDF is made for the person who asks and carries their name and the time on every page; a
download is recorded as an export (DESIGN invariant 2).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.choices import Action
from audit.services import record
from casusoverleg import services
from casusoverleg.choices import DocumentStatus
from casusoverleg.forms.cases import DocumentRequestForm
from casusoverleg.models import CaseDocument
from casusoverleg.selectors import document_get

from .common import non_field_errors, professional_required, visible_case


def _document(request: HttpRequest, uuid: UUID) -> CaseDocument:
    """The user's own PDF of a case they still see, else 404 (logged)."""
    try:
        return document_get(user=request.user, uuid=uuid)
    except CaseDocument.DoesNotExist as exc:
        raise Http404 from exc


@require_POST
@professional_required
def document_request(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Ask for a PDF; the page then shows its progress."""
    case = visible_case(request, uuid, log=False)
    form = DocumentRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a document."))
        return redirect("casusoverleg:case_detail", uuid=case.uuid)
    try:
        document = services.document_request(
            actor=request.user, case=case, kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        for message in non_field_errors(error):
            messages.error(request, message)
        return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return redirect("casusoverleg:document_status", uuid=document.uuid)


@professional_required
def document_status(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Progress of one PDF; htmx polls the status fragment until it is ready or failed."""
    document = _document(request, uuid)
    template = "casusoverleg/document_status.html"
    if request.htmx and not request.htmx.boosted:
        template += "#status"
    response = render(
        request,
        template,
        {
            "document": document,
            "case": document.case,
            "waiting": document.status in (DocumentStatus.PENDING, DocumentStatus.RUNNING),
        },
    )
    response["Vary"] = "HX-Request"
    return response


@professional_required
def document_download(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Download one's own ready PDF; recorded as an export of the youth's data."""
    document = _document(request, uuid)
    if document.status != DocumentStatus.READY or not document.file:
        raise Http404
    case = document.case
    with transaction.atomic():
        record(
            actor=request.user,
            action=Action.DOCUMENT_DOWNLOADED,
            target=document,
            youth=case.youth,
            case_uuid=case.uuid,
            purpose=case.purpose.code,
        )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.get_kind_display()}-{document.created_at:%Y%m%d-%H%M}.pdf",
        content_type="application/pdf",
    )
    # A PDF of a child's case must not linger in shared caches or the browser's cache.
    response["Cache-Control"] = "no-store"
    return response
