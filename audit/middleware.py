"""Puts the request's origin into the access-log context (see audit.context)."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .choices import Action, Outcome
from .context import RequestContext, current


def client_ip(request: HttpRequest) -> str | None:
    """The client address: from the trusted proxy header when one is configured, else REMOTE_ADDR.

    A header that no trusted proxy overwrites can be forged by anyone, so it is read only when
    AUDIT_TRUSTED_PROXY_HEADER names it; the proxy appends, so the last hop is the one it saw.
    """
    header = settings.AUDIT_TRUSTED_PROXY_HEADER
    if header:
        value = request.META.get(header, "")
        if value:
            return value.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Sets the access-log context for the duration of one request; adds X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = current.set(
            RequestContext(
                client_ip=client_ip(request),
                user_agent=request.headers.get("user-agent", "")[:300],
                request_id=request_id,
                path=request.path[:300],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Log a view's 403 or 404 as a denied access, unless the view logged it already.

        DESIGN invariant 1: invisible objects answer 404, forbidden actions 403, and both are
        logged. Selectors and role gates record their own denial with more detail; this catches
        every other refusal (a service's `ensure`, an object of another case).
        """
        if not isinstance(exception, PermissionDenied | Http404):
            return
        if current.get().flags.get("denied"):
            return
        from .services import record

        record(
            actor=request.user,
            action=Action.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            reason="403" if isinstance(exception, PermissionDenied) else "404",
        )
