"""The parent and youth portal: their home page (consent, requests, minutes: issue 6)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.decorators import role_required
from parties.choices import Role

from .selectors import portal_youths


@role_required(Role.PARENT, Role.YOUTH)
def home(request: HttpRequest) -> HttpResponse:
    """'My child' / 'About me': who the youth is to the application, in plain language."""
    today = timezone.localdate()
    youths = [(youth, youth.age_on(today)) for youth in portal_youths(user=request.user)]
    return render(
        request, "portal/home.html", {"youths": youths, "is_youth": request.user.role == Role.YOUTH}
    )
