"""The case pages of the workplace: open a case, see it, steer it through its steps.

Each view: role gate → selector (404 when invisible, logged) → form → service (403 / field
errors) → redirect. Only the procesregisseur changes a case; participants read it.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casusoverleg import services
from casusoverleg.choices import NEXT_STATUS, CaseStatus, DocumentKind, MeetingStatus, TargetGroup
from casusoverleg.forms.cases import CaseEditForm, CaseOpenForm, HandoverForm
from casusoverleg.models import Case
from casusoverleg.permissions import CaseAction, can
from casusoverleg.rules import family_rules
from casusoverleg.selectors import case_page, document_list, youth_choices, youth_choices_logged
from parties.choices import Role

from .common import (
    call_service,
    directed_case,
    non_field_errors,
    professional_required,
    visible_case,
)
from .consents import consent_summary
from .sharing import shared_items_context

STEPS = [
    CaseStatus.CONCEPT,
    CaseStatus.PREPARED,
    CaseStatus.SCHEDULED,
    CaseStatus.HELD,
    CaseStatus.MINUTES_ADOPTED,
    CaseStatus.CLOSED,
]


@professional_required
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a Casusoverleg (procesregisseurs only); the youths offered are logged as listed."""
    if request.user.role != Role.COORDINATOR:
        raise PermissionDenied
    form = CaseOpenForm(request.POST or None, youths=youth_choices(user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = call_service(
            form,
            services.case_open,
            actor=request.user,
            youth=data["youth"],
            consultation_type=data["consultation_type"],
            purpose_specification=data["purpose_specification"],
            target_group=data["target_group"],
            out_of_education_since=data["out_of_education_since"],
            coordinator_role=data["coordinator_role"],
        )
        if case is not None:
            messages.success(request, _("The case has been opened. Now choose the participants."))
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    # The form lists youths by name: each one shown is an access (invariant 2).
    youth_choices_logged(user=request.user)
    return render(request, "casusoverleg/case_form.html", {"form": form})


def _thuiszitter_days(case: Case) -> int | None:
    """Days without education so far (R-TYPE-4), or None when not a thuiszitter case."""
    if case.target_group != TargetGroup.HOME_SITTER or case.out_of_education_since is None:
        return None
    end = timezone.localtime(case.closed_at).date() if case.closed_at else timezone.localdate()
    return (end - case.out_of_education_since).days


def case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    """The case page's context; shared by the page and by forms re-rendered on it."""
    from django.conf import settings

    page = case_page(case=case)
    meeting = page["meeting"]
    on = timezone.localtime(meeting.starts_at).date() if meeting else timezone.localdate()
    rules = family_rules(case.youth, on) if case.youth else None
    is_coordinator = can(request.user, CaseAction.DIRECT, case)
    next_status = NEXT_STATUS.get(case.status)
    blockers = (
        services.transition_blockers(case=case, target=next_status)
        if next_status and is_coordinator
        else []
    )
    items = services.checklist_items(case=case)
    answers = {a.item_id: a for a in case.checklist_answers.select_related("checked_by")}
    checklist = [
        {
            "transition": value,
            "label": label,
            "items": [(i, answers.get(i.pk)) for i in items if i.transition == value],
        }
        for value, label in CaseStatus.choices
        if any(i.transition == value for i in items)
    ]
    days = _thuiszitter_days(case)
    return {
        "case": case,
        **page,
        "rules": rules,
        "is_coordinator": is_coordinator,
        "steps": [
            (s, CaseStatus(s).label, STEPS.index(s) <= STEPS.index(case.status)) for s in STEPS
        ],
        "next_status": CaseStatus(next_status) if next_status else None,
        "blockers": blockers,
        "checklist": checklist,
        "thuiszitter_days": days,
        "thuiszitter_warning": days is not None and days >= settings.HOME_SITTER_WARNING_DAYS,
        "documents": document_list(user=request.user, case=case),
        "document_kinds": DocumentKind.choices,
        "meeting_scheduled": meeting is not None and meeting.status == MeetingStatus.SCHEDULED,
        **shared_items_context(request, case),
        **consent_summary(request.user, case),
        **extra,
    }


@professional_required
def case_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The case page: summary, steps, participants, meeting, checklist, minutes and PDFs."""
    case = visible_case(request, uuid)
    return render(request, "casusoverleg/case_detail.html", case_context(request, case))


@professional_required
def case_edit(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Change the purpose specification, doelgroep or thuiszitter date (procesregisseur)."""
    case = directed_case(request, uuid)
    initial = {
        "target_group": case.target_group,
        "purpose_specification": case.purpose_specification,
        "out_of_education_since": case.out_of_education_since,
    }
    form = CaseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = call_service(
            form, services.case_update, actor=request.user, case=case, **form.cleaned_data
        )
        if updated is not None:
            messages.success(request, _("The case has been changed."))
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return render(request, "casusoverleg/case_edit.html", {"case": case, "form": form})


@require_POST
@professional_required
def case_advance(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Move the case to its next step; every blocker is shown when it cannot (R-PR-2)."""
    case = visible_case(request, uuid, log=False)
    try:
        case = services.case_advance(actor=request.user, case=case)
    except ValidationError as error:
        for message in non_field_errors(error):
            messages.error(request, message)
        return redirect("casusoverleg:case_detail", uuid=case.uuid)
    messages.success(
        request, _("The case is now: %(status)s.") % {"status": case.get_status_display()}
    )
    return redirect("casusoverleg:case_detail", uuid=case.uuid)


@require_POST
@professional_required
def checklist_toggle(request: HttpRequest, uuid: UUID, item: UUID) -> HttpResponse:
    """Tick or untick one checklist item (R-CHK-1); `checked` in the POST says which."""
    case = visible_case(request, uuid, log=False)
    checklist_item = next((i for i in services.checklist_items(case=case) if i.uuid == item), None)
    if checklist_item is None:
        raise Http404
    try:
        services.checklist_set(
            actor=request.user,
            case=case,
            item=checklist_item,
            checked=request.POST.get("checked") == "1",
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for message in non_field_errors(error):
            messages.error(request, message)
    return redirect(f"{case_url(case)}#checklist")


def case_url(case: Case) -> str:
    """The case page's address."""
    from django.urls import reverse

    return reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})


@professional_required
def case_handover(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Hand the case to another procesregisseur at the table (R-PR-1)."""
    case = directed_case(request, uuid)
    form = HandoverForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.coordinator_hand_over,
            actor=request.user,
            case=case,
            to_user=form.cleaned_data["to_user"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, _("The case has been handed over."))
            return redirect("casusoverleg:dashboard")
    return render(request, "casusoverleg/case_handover.html", {"case": case, "form": form})
