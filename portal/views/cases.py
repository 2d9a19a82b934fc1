"""The portal's home page and the page of each consultation (meetings, minutes, statements).

Views are thin (STYLE §4.3): role gate → selector → form → service → render or redirect. A case
the user may not see answers 404, an action they may not take 403; both are logged.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casusoverleg.models import Case
from casusoverleg.services import participant_respond, statement_add
from parties.choices import Role
from portal.forms import ResponseForm, StatementForm
from portal.selectors import (
    case_seat,
    portal_case_for_action,
    portal_case_page,
    portal_case_summaries,
    portal_home_youths,
    receives_minutes,
)

from .common import INVALID_FORM_STATUS, family_required, log_denied


def _log_denied(request: HttpRequest, case: Case, reason: str) -> None:
    """Write the refusal of an action on a visible case to the access log (invariant 1)."""
    log_denied(request, reason=reason, target=case, youth=case.youth, case_uuid=case.uuid)


def _case_for_action(request: HttpRequest, uuid: UUID) -> Case:
    """The visible case a POST acts on, else 404 (the miss is logged by the selector)."""
    try:
        return portal_case_for_action(user=request.user, uuid=uuid)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@family_required
def home(request: HttpRequest) -> HttpResponse:
    """'My child' / 'About me': per youth the pages about them with what waits for the user,
    and the consultations the user is invited to, in plain words."""
    return render(
        request,
        "portal/home.html",
        {
            "cards": portal_home_youths(user=request.user),
            "summaries": portal_case_summaries(user=request.user),
            "is_youth": request.user.role == Role.YOUTH,
        },
    )


def _render_case(
    request: HttpRequest,
    uuid: UUID,
    *,
    statement_form: StatementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the case page; the selector logs the view or answers 404 (logged)."""
    try:
        page = portal_case_page(user=request.user, uuid=uuid)
    except Case.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/case_detail.html",
        {
            "page": page,
            "case": page.case,
            "is_youth": page.is_youth,
            "statement_form": statement_form or StatementForm(),
        },
        status=status,
    )


@require_GET
@family_required
def case_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """One consultation: meetings, who comes, the answer, the privacy notice and the minutes."""
    return _render_case(request, uuid)


@require_POST
@family_required
def respond(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Accept or decline the user's own invitation; then back to the case page (PRG)."""
    case = _case_for_action(request, uuid)
    seat = case_seat(user=request.user, case=case)
    if seat is None:
        _log_denied(request, case, "no seat at the table")
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you will come."))
        return redirect("portal:case_detail", uuid=case.uuid)
    try:
        participant_respond(actor=request.user, participant=seat, accept=form.accepts)
    except PermissionDenied:
        _log_denied(request, case, "invitation can no longer be answered")
        raise
    if form.accepts:
        messages.success(request, _("Thank you. We have noted that you will come."))
    else:
        messages.success(request, _("Thank you. We have noted that you cannot come."))
    return redirect("portal:case_detail", uuid=case.uuid)


@require_POST
@family_required
def statement(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Add the user's own statement to the shared minutes (SPEC R-8-3).

    A refusal re-renders the case page with the message next to the field (status 400).
    """
    case = _case_for_action(request, uuid)
    form = StatementForm(request.POST)
    if form.is_valid():
        if not receives_minutes(user=request.user, case=case):
            # A parent of a youth of 16 or older does not read the minutes (SPEC §6), so they
            # cannot add to them either; the message is the one for minutes not yet shared, so
            # it tells nothing new about the minutes.
            form.add_service_error(
                ValidationError(
                    _("You can add your statement once the minutes are shared with you.")
                )
            )
        else:
            try:
                statement_add(actor=request.user, case=case, text=form.cleaned_data["text"])
            except PermissionDenied:
                _log_denied(request, case, "statement refused")
                raise
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Thank you. Your statement is added to the minutes."))
                return redirect("portal:case_detail", uuid=case.uuid)
    return _render_case(request, uuid, statement_form=form, status=INVALID_FORM_STATUS)
