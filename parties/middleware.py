"""The workplace's session gates: the second factor and the absolute session lifetime.

`SecondFactorRequiredMiddleware` is the one place where the workplace's second factor is
enforced (SPEC R-10-1, BIO 5.17.01): a professional, procesregisseur, FG or beheerder whose
session passed only the password reaches the second-factor pages and logout, nothing else. It
mirrors the portal's gate (portal/middleware.py), which does the same for parents and youths in
the portal's namespace; their pages elsewhere refuse them by role.

`SessionLifetimeMiddleware` ends a session SESSION_ABSOLUTE_SECONDS after its login, however
active it was (ASVS 7.3.2); the idle timeout is Django's SESSION_COOKIE_AGE.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .second_factor import confirmed_totp
from .sessions import session_is_past_lifetime

# URL names a password-only session may reach: the second step itself, leaving, and the pages
# that hold nothing (health, language, the login that sends it on, keeping the session alive).
PASSWORD_ONLY_ALLOWED = frozenset(
    {
        "login",
        "logout",
        "health",
        "set_language",
        "account:verify",
        "account:setup",
        "account:keepalive",
    }
)


class SecondFactorRequiredMiddleware:
    """Send a workplace user without a verified session to the second step (fail closed).

    Runs after AuthenticationMiddleware, OTPMiddleware and LoginRequiredMiddleware: anonymous
    users have been sent to the login already, and `request.user.is_verified()` exists.
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
        """None lets the request through; a redirect sends the user to the second step."""
        user: Any = request.user
        if not user.is_authenticated or getattr(user, "is_citizen", False):
            return None
        if user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PASSWORD_ONLY_ALLOWED:
            return None
        response = redirect("account:verify" if confirmed_totp(user) else "account:setup")
        if request.method == "GET":
            response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response


class SessionLifetimeMiddleware:
    """Log out a session older than SESSION_ABSOLUTE_SECONDS (the login then asks again).

    Placed after MessageMiddleware, so that the login page can say why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_is_past_lifetime(request.session):
            logout(request)
            messages.info(request, _("Your session has ended. Please log in again."))
            response = redirect("login")
            if request.method == "GET":
                response["Location"] += "?" + urlencode({"next": request.get_full_path()})
            return response
        return self.get_response(request)
