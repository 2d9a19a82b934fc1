"""The professional's workplace home: my cases, my invitations, my covenant."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from casusoverleg.selectors import case_overview, invitation_list
from convenant.selectors import covenant_in_force, covenant_party_list
from parties.choices import Role
from parties.selectors import professional_of

from .common import professional_required


@professional_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Cases I direct or take part in (each youth shown is logged), open invitations, and the
    covenant I work under with its parties' FG contacts."""
    today = timezone.localdate()
    professional = professional_of(user=request.user)
    covenant = (
        covenant_in_force(region_id=professional.organisation.region_id, on=today)
        if professional
        else None
    )
    parties = list(covenant_party_list(covenant=covenant, on=today)) if covenant else []
    return render(
        request,
        "casusoverleg/dashboard.html",
        {
            "professional": professional,
            "covenant": covenant,
            "parties": parties,
            "cases": case_overview(user=request.user),
            "invitations": list(invitation_list(user=request.user)),
            "may_open_cases": request.user.role == Role.COORDINATOR,
            "today": today,
        },
    )
