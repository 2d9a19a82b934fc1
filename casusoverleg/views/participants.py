"""Who sits at the table: add or remove professionals, decide on inviting parents and youth."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casusoverleg import selectors, services
from casusoverleg.forms.cases import FamilyInvitationForm, ParticipantAddForm
from casusoverleg.models import Case, Participant
from casusoverleg.rules import family_rules
from casusoverleg.selectors import professional_choices

from .common import call_service, directed_case, non_field_errors, professional_required


def _participant(case: Case, uuid: UUID) -> Participant:
    """A participant of this case; another case's participant is a 404."""
    participant = case.participants.select_related("guardian", "user").filter(uuid=uuid).first()
    if participant is None:
        raise Http404
    return participant


@professional_required
def participant_add(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Invite a professional to the table (need to know; joined parties only, R-P-3)."""
    case = directed_case(request, uuid)
    form = ParticipantAddForm(
        request.POST or None, case=case, professionals=professional_choices(case=case)
    )
    if request.method == "POST" and form.is_valid():
        participant = call_service(
            form,
            services.participant_add,
            actor=request.user,
            case=case,
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        )
        if participant is not None:
            messages.success(
                request,
                _("%(name)s has been added. The invitation goes out with the others.")
                % {"name": participant.user.get_full_name()},
            )
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return render(request, "casusoverleg/participant_add.html", {"case": case, "form": form})


@professional_required
def participant_family(request: HttpRequest, uuid: UUID, participant: UUID) -> HttpResponse:
    """Decide whether a parent or the youth is invited, with the reason and any objection."""
    case = directed_case(request, uuid)
    seat = _participant(case, participant)
    if not seat.is_family:
        raise Http404
    # The objection right depends on the age at the meeting (SPEC §6), or today if none yet.
    meeting = selectors.current_meeting(case)
    on = timezone.localtime(meeting.starts_at).date() if meeting else timezone.localdate()
    rules = family_rules(case.youth, on) if case.youth else None
    may_object = bool(rules and rules.youth_may_object)
    initial = {
        "is_invited": "yes" if seat.is_invited else "no",
        "reason": seat.not_invited_reason,
        "youth_objected": seat.youth_objected,
    }
    form = FamilyInvitationForm(
        request.POST or None, initial=initial, participant=seat, may_object=may_object
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.participant_set_invitation,
            actor=request.user,
            participant=seat,
            is_invited=form.cleaned_data["is_invited"],
            reason=form.cleaned_data.get("reason", ""),
            youth_objected=form.cleaned_data.get("youth_objected", False),
        )
        if done is not None:
            messages.success(request, _("The decision has been recorded."))
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return render(
        request,
        "casusoverleg/participant_family.html",
        {"case": case, "seat": seat, "form": form, "rules": rules},
    )


@require_POST
@professional_required
def participant_remove(request: HttpRequest, uuid: UUID, participant: UUID) -> HttpResponse:
    """Take a professional from the table; their access ends at once (invariant 1)."""
    case = directed_case(request, uuid)
    seat = _participant(case, participant)
    try:
        services.participant_remove(actor=request.user, participant=seat)
    except ValidationError as error:
        for message in non_field_errors(error):
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s no longer takes part.") % {"name": seat})
    return redirect("casusoverleg:case_detail", uuid=case.uuid)
