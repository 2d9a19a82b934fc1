"""The FG's home: the access log of their organisation (the full workbench comes with issue 5)."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parties.choices import Role

from .choices import Action
from .decorators import role_required
from .selectors import access_event_list, access_event_summary
from .services import record

RECENT = 50


@role_required(Role.PRIVACY_OFFICER)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Recent events and seven-day counts; reading the log is itself recorded."""
    with transaction.atomic():
        events = list(access_event_list(user=request.user).select_related("actor")[:RECENT])
        summary = access_event_summary(user=request.user)
        record(actor=request.user, action=Action.ACCESS_LOG_VIEWED)
    return render(request, "audit/dashboard.html", {"events": events, "summary": summary})
