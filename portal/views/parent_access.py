"""'Who may look along?': a youth of 16 or older allows a parent to see their data, or stops it
(SPEC §6, R-AGE-5, R-AGE-6). One clear action on a confirmation page; youths only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consent.services import parent_access_give, parent_access_withdraw
from parties.models import Youth
from portal.forms import ParentAccessForm
from portal.selectors import ParentAccessPage, portal_parent_access

from .common import INVALID_FORM_STATUS, log_denied, youth_required


def _page_or_404(request: HttpRequest, *, log: bool = True) -> ParentAccessPage:
    try:
        return portal_parent_access(user=request.user, log=log)
    except Youth.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
@youth_required
def parent_access(request: HttpRequest) -> HttpResponse:
    """GET: the parents with gezag and who may look along; with ?ouder=…&actie=… the
    confirmation page. POST: allow or stop, then back to the list with a message."""
    if request.method == "GET":
        page = _page_or_404(request)
        line = page.parent(request.GET.get("ouder", ""))
        action = request.GET.get("actie", "")
        confirm = (
            line is not None
            and page.decides_alone
            and action == (ParentAccessForm.STOP if line.allowed_since else ParentAccessForm.ALLOW)
        )
        return render(
            request,
            "portal/parent_access.html",
            {
                "page": page,
                "is_youth": True,
                "confirm": line if confirm else None,
                "action": action,
            },
        )

    page = _page_or_404(request, log=False)
    form = ParentAccessForm(request.POST)
    line = page.parent(form.data.get("guardian", "")) if form.is_valid() else None
    if line is None:
        messages.error(request, _("Choose a parent from the list."))
        return redirect("portal:parent_access")
    try:
        if form.cleaned_data["action"] == ParentAccessForm.ALLOW:
            parent_access_give(actor=request.user, guardian=line.guardian)
            messages.success(
                request,
                _("%(name)s may now see your data and ask for things for you.")
                % {"name": line.guardian},
            )
        else:
            parent_access_withdraw(actor=request.user, guardian=line.guardian)
            messages.success(
                request, _("%(name)s can no longer see your data.") % {"name": line.guardian}
            )
    except PermissionDenied:
        log_denied(request, reason="parent access refused", target=line.guardian, youth=page.youth)
        raise
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return render(
            request,
            "portal/parent_access.html",
            {"page": _page_or_404(request), "is_youth": True, "confirm": None, "action": ""},
            status=INVALID_FORM_STATUS,
        )
    return redirect("portal:parent_access")
