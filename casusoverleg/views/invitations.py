"""A professional's invitations: see what one is asked to join, then accept or decline.

An invitation shows the type, moment, place and procesregisseur, never the youth: the grant that
opens the case is given only when the professional accepts (DESIGN invariant 1).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casusoverleg import selectors, services
from casusoverleg.models import Participant
from casusoverleg.permissions import can_respond
from casusoverleg.selectors import invitation_get

from .common import professional_required


def _invitation(request: HttpRequest, uuid: UUID) -> Participant:
    """The user's own invitation, else 404 (logged)."""
    try:
        return invitation_get(user=request.user, uuid=uuid)
    except Participant.DoesNotExist as exc:
        raise Http404 from exc


@professional_required
def invitation_detail(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """The invitation page the e-mail links to."""
    participant = _invitation(request, uuid)
    case = participant.case
    meeting = selectors.current_meeting(case)
    notice = case.privacy_notices.order_by("-version").first()
    return render(
        request,
        "casusoverleg/invitation_detail.html",
        {
            "participant": participant,
            "case": case,
            "meeting": meeting,
            "notice": notice,
            "may_respond": can_respond(request.user, participant),
        },
    )


@require_POST
@professional_required
def invitation_respond(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Accept (and get access to the case) or decline the invitation."""
    participant = _invitation(request, uuid)
    if not can_respond(request.user, participant):
        raise PermissionDenied
    accept = request.POST.get("answer") == "accept"
    services.participant_respond(actor=request.user, participant=participant, accept=accept)
    if accept:
        messages.success(request, _("You take part. You can now see the case."))
        return redirect("casusoverleg:case_detail", uuid=participant.case.uuid)
    messages.success(request, _("You have declined. The procesregisseur can see your answer."))
    return redirect("casusoverleg:dashboard")
