"""Small helpers shared by the workplace views: finding a visible case and mapping errors.

Invisible objects answer 404 and forbidden actions 403 (STYLE rule 5); both are logged by the
selectors and services they come from.
"""

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from audit.decorators import role_required
from casusoverleg.models import Case
from casusoverleg.permissions import CaseAction, can
from casusoverleg.selectors import case_get, case_viewed
from parties.choices import Role

T = TypeVar("T")

# The workplace belongs to professionals; parents and youths have the portal.
professional_required = role_required(Role.COORDINATOR, Role.PROFESSIONAL)


def visible_case(request: HttpRequest, uuid: UUID, *, log: bool = True) -> Case:
    """The case with `uuid` if the user may see it (logged as viewed), else 404 (logged)."""
    try:
        return case_get(user=request.user, uuid=uuid, log=log)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def directed_case(request: HttpRequest, uuid: UUID) -> Case:
    """The case, if visible (else 404) and directed by the user (else 403); both logged.

    The view is logged only once the user may act on it, so a refusal is one denial event,
    not a "viewed" followed by a denial.
    """
    case = visible_case(request, uuid, log=False)
    if not can(request.user, CaseAction.DIRECT, case):
        raise PermissionDenied  # audit.middleware logs the refusal
    case_viewed(user=request.user, case=case)
    return case


def apply_to_form(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def call_service(form: forms.Form, service: Callable[..., T], **kwargs: Any) -> T | None:
    """Run `service`; on ValidationError put its messages on `form` and return None.

    Services own their transaction, so a refused call leaves nothing half-written (invariant 9).
    """
    try:
        return service(**kwargs)
    except ValidationError as error:
        apply_to_form(form, error)
        return None


def non_field_errors(error: ValidationError) -> list[str]:
    """All messages of a ValidationError as a flat list, for pages without a form."""
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


__all__ = [
    "NON_FIELD_ERRORS",
    "apply_to_form",
    "call_service",
    "directed_case",
    "non_field_errors",
    "professional_required",
    "visible_case",
]
