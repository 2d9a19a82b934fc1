"""The confidentiality gate of the workplace: the one place where R-11-1 is enforced (issue 7).

A professional or procesregisseur who has not accepted the current geheimhoudingsverklaring in
the last year reaches no page of the `casusoverleg` namespace (every page that can show a case,
its youth or what was shared) except the declaration page itself: the request never reaches the
view, so nothing is read and nothing is shown. GET requests keep where they were going in `next`.
FGs and functioneel beheerders are not asked (`parties.confidentiality.DECLARING_ROLES`).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode

from parties.confidentiality import must_declare

from .declarations import declaration_in_force

GUARDED_NAMESPACE = "casusoverleg"
DECLARATION_URL_NAME = "declaration"


class ConfidentialityDeclarationMiddleware:
    """Send a professional without a declaration in force to the declaration page (fail closed).

    It runs after LoginRequiredMiddleware (anonymous users went to the login page already) and
    after the second-factor gates, so the declaration is asked of a fully logged-in user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """None lets the request through; a redirect sends the user to the declaration."""
        match = request.resolver_match
        if match is None or GUARDED_NAMESPACE not in match.namespaces:
            return None
        if match.url_name == DECLARATION_URL_NAME or not must_declare(request.user):
            return None
        if declaration_in_force(user=request.user) is not None:
            return None
        response = redirect(f"{GUARDED_NAMESPACE}:{DECLARATION_URL_NAME}")
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            # An htmx request would follow the redirect and swap the declaration into a
            # fragment; HX-Redirect makes the browser open the declaration page itself.
            location = response["Location"]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = location
        return response
