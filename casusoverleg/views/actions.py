"""'My actions': the open actions agreed in minutes that are the user's to do.

The list comes from `selectors.action_list`, which logs every youth it shows (invariant 2). An
action is completed by its owner or by the procesregisseur of its case; any other action answers
404, so that nobody learns which actions exist (STYLE rule 5).
"""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casusoverleg import services
from casusoverleg.models import ActionItem, Case
from casusoverleg.selectors import action_get
from casusoverleg.selectors import action_list as select_actions
from core.permissions import AnyUser

from .common import professional_required


def _case_label(case: Case) -> str:
    """How a case is named in the list: its type, and the youth unless anonymous."""
    if case.youth_id is None:
        return case.consultation_type.name
    return f"{case.consultation_type.name} — {case.youth}"


@professional_required
def action_list(request: HttpRequest) -> HttpResponse:
    """The user's open actions, soonest first; overdue ones say so in words."""
    today = timezone.localdate()
    rows = [
        {
            "action": action,
            "case": action.minutes.meeting.case,
            "case_label": _case_label(action.minutes.meeting.case),
            "overdue": action.due_on < today,
            "due_today": action.due_on == today,
        }
        for action in select_actions(user=request.user)
    ]
    return render(request, "casusoverleg/action_list.html", {"rows": rows, "today": today})


def _completable_action(user: AnyUser, uuid: UUID) -> ActionItem:
    """An action `user` may mark done, else 404 (logged by the selector)."""
    try:
        return action_get(user=user, uuid=uuid)
    except ActionItem.DoesNotExist as exc:
        raise Http404 from exc


@require_POST
@professional_required
def action_complete(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Mark an action done; back to where the button was (a safe local `next`) or the list."""
    action = _completable_action(request.user, uuid)
    services.action_complete(actor=request.user, action=action)
    messages.success(request, _("The action is marked as done."))
    target = request.POST.get("next", "")
    # Only a local path: anything else (a view name, a scheme, text) would reach `redirect`'s
    # name lookup or another host.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("casusoverleg:action_list")
