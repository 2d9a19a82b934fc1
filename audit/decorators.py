"""Role gates for pages that belong to one role; a refusal is logged (DESIGN invariant 1)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .choices import Action, Outcome
from .services import record

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Allow the view only for users with one of `roles`; otherwise log the denial and answer 403.

    A role page reveals no object, so 403 (not 404) is the honest answer.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                record(actor=request.user, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
