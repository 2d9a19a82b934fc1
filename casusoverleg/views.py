"""The professional's workplace (cases, meetings and shared items follow in issues 3 and 4)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.decorators import role_required
from convenant.selectors import covenant_in_force, covenant_party_list
from parties.choices import Role
from parties.selectors import professional_of


@role_required(Role.COORDINATOR, Role.PROFESSIONAL)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Who I am here (organisation, capacity, secrecy) and the covenant I work under."""
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
        {"professional": professional, "covenant": covenant, "parties": parties},
    )
