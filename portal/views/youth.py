"""Pages about one youth: what is shared about them, and who looked at their data (issue 6).

A parent of a youth of 16 or older who does not have the youth's permission gets the page with
a plain explanation and nothing of the data (R-AGE-5, R-AGE-6); the selectors log what is shown.
"""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.selectors import portal_access_log, portal_shared_items

from .common import family_required, standing_or_404


@require_GET
@family_required
def youth_shared(request: HttpRequest, youth: UUID) -> HttpResponse:
    """'What is shared about me / my child?': every item shared in the user's cases."""
    standing = standing_or_404(request, youth)
    page = portal_shared_items(user=request.user, standing=standing)
    return render(
        request,
        "portal/youth_shared.html",
        {"page": page, "standing": standing, "is_youth": standing.is_youth},
    )


@require_GET
@family_required
def youth_access_log(request: HttpRequest, youth: UUID) -> HttpResponse:
    """'Who looked at my data?': organisation, role, when, why and what, newest first."""
    standing = standing_or_404(request, youth)
    page = portal_access_log(
        user=request.user, standing=standing, page_number=request.GET.get("pagina", 1)
    )
    return render(
        request,
        "portal/youth_access_log.html",
        {"page": page, "standing": standing, "is_youth": standing.is_youth},
    )
