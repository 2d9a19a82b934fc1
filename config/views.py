"""The home page: each role lands on the page made for it."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from parties.choices import Role

HOME_BY_ROLE = {
    Role.COORDINATOR: "casusoverleg:dashboard",
    Role.PROFESSIONAL: "casusoverleg:dashboard",
    Role.PARENT: "portal:home",
    Role.YOUTH: "portal:home",
    Role.PRIVACY_OFFICER: "audit:dashboard",
    Role.ADMINISTRATOR: "convenant:overview",
}


def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their role's home page; an account without a role has none."""
    target = HOME_BY_ROLE.get(getattr(request.user, "role", ""))
    if target is None:
        raise PermissionDenied
    return redirect(target)
