"""Scheduling, moving and cancelling the meeting, and sending the invitations."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casusoverleg import selectors, services
from casusoverleg.choices import Audience, MeetingStatus
from casusoverleg.forms.cases import CancelForm, MeetingForm

from .cases import case_context
from .common import call_service, directed_case, non_field_errors, professional_required


@professional_required
def meeting_schedule(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Plan or move the meeting; a clash with someone's other meeting asks for confirmation."""
    case = directed_case(request, uuid)
    meeting = selectors.current_meeting(case)
    form = MeetingForm(request.POST or None, initial=MeetingForm.initial_for(meeting))
    conflicts = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conflicts = services.meeting_conflicts(
            case=case, starts_at=data["starts_at"], duration_minutes=data["duration_minutes"]
        )
        if conflicts and not data["confirm_conflicts"]:
            form.add_error(
                "confirm_conflicts",
                _(
                    "Someone already has a meeting at that time. Choose another moment, or tick "
                    "this box to schedule anyway."
                ),
            )
        else:
            saved = call_service(
                form,
                services.meeting_schedule,
                actor=request.user,
                case=case,
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                location=data["location"],
                video_url=data["video_url"],
                agenda=data["agenda"],
            )
            if saved is not None:
                if meeting is not None:
                    messages.success(
                        request, _("The meeting has been moved. Everyone invited gets the change.")
                    )
                else:
                    messages.success(request, _("The meeting has been scheduled."))
                return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return render(
        request,
        "casusoverleg/meeting_form.html",
        {"case": case, "form": form, "meeting": meeting, "conflicts": conflicts},
    )


@professional_required
def meeting_cancel(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Cancel the meeting; everyone invited gets a cancellation (the reason stays here)."""
    case = directed_case(request, uuid)
    meeting = selectors.current_meeting(case)
    form = CancelForm(request.POST or None)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, _("There is no scheduled meeting to cancel."))
        return redirect("casusoverleg:case_detail", uuid=case.uuid)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.meeting_cancel,
            actor=request.user,
            meeting=meeting,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(
                request, _("The meeting has been cancelled. Everyone invited is told.")
            )
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    return render(
        request,
        "casusoverleg/meeting_cancel.html",
        {"case": case, "form": form, "meeting": meeting},
    )


@professional_required
def invitations_send(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Show the privacy notice and the recipients, then send (R-12-1: never without notice)."""
    case = directed_case(request, uuid)
    error_messages: list[str] = []
    preview = None
    try:
        preview = services.privacy_notice_content(case=case)
    except ValidationError as error:
        error_messages = non_field_errors(error)
    if request.method == "POST":
        try:
            sent = services.invitations_send(actor=request.user, case=case)
        except ValidationError as error:
            error_messages = non_field_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s invitation is being sent, with the privacy notice.",
                    "%(count)s invitations are being sent, each with the privacy notice.",
                    len(sent),
                )
                % {"count": len(sent)},
            )
            return redirect("casusoverleg:case_detail", uuid=case.uuid)
    context = case_context(request, case)
    context.update(
        {
            "preview": {"content": preview, "version": None} if preview else None,
            "errors": error_messages,
        }
    )
    return render(
        request,
        "casusoverleg/invitations_send.html",
        context,
        status=400 if error_messages and request.method == "POST" else 200,
    )


@professional_required
def privacy_notice(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The privacy notice as sent, for adults or (`?voor=jongere`) for youths (R-12-2)."""
    from .common import visible_case

    case = visible_case(request, uuid)
    notice = case.privacy_notices.order_by("-version").first()
    audience = Audience.YOUTH if request.GET.get("voor") == "jongere" else Audience.ADULT
    return render(
        request,
        "casusoverleg/privacy_notice.html",
        {"case": case, "notice": notice, "audience": audience},
    )
