"""The portal's second-factor gate: the one place where it is enforced (issue 6).

A parent or youth who passed the first factor (a password, later DigiD) is logged in but not
verified. Until a second factor (TOTP or an e-mail code) verifies the session, every page of the
portal (the `portal` namespace: everything parents and youths see) sends them to the second step,
or to choosing one when they have none yet. Pages of other namespaces belong to other roles and
refuse a parent or youth by their role gate (403, logged) whether verified or not; a page for
parents and youths therefore belongs in the `portal` namespace. Professionals are not affected.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode

from .auth.second_factor import session_is_verified, user_has_second_factor

# The namespace whose pages need a verified session (the entrance, `portal_auth`, does not).
GUARDED_NAMESPACE = "portal"


class SecondFactorMiddleware:
    """Send a parent or youth without a verified session to the second step (fail closed).

    It runs after AuthenticationMiddleware, OTPMiddleware and LoginRequiredMiddleware: anonymous
    users have been sent to a login page already, and `request.user.is_verified()` exists.
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
        """None lets the request through; a redirect sends the citizen to the second step."""
        user = request.user
        if not (user.is_authenticated and getattr(user, "is_citizen", False)):
            return None
        match = request.resolver_match
        if match is None or GUARDED_NAMESPACE not in match.namespaces:
            return None
        if session_is_verified(request):
            return None
        target = (
            "portal_auth:second_factor" if user_has_second_factor(user) else "portal_auth:setup"
        )
        response = redirect(target)
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
