"""What the portal's views share: the role gates, the 404 for an invisible youth, and logging
a refused action (DESIGN invariant 1)."""

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest

from audit.choices import Action, Outcome
from audit.decorators import role_required
from audit.services import record
from parties.choices import Role
from parties.models import Youth
from portal.selectors import FamilyStanding, portal_youth_get

# A refused form re-renders its page with the messages next to the fields: the request was
# refused and nothing was saved, the page itself is complete.
INVALID_FORM_STATUS = 400

family_required = role_required(Role.PARENT, Role.YOUTH)
youth_required = role_required(Role.YOUTH)


def log_denied(
    request: HttpRequest,
    *,
    reason: str,
    target: Any = None,
    youth: Any = None,
    case_uuid: Any = None,
) -> None:
    """Write the refusal of an action on a visible object to the access log (invariant 1)."""
    record(
        actor=request.user,
        action=Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        target=target,
        youth=youth,
        case_uuid=case_uuid,
        reason=reason,
    )


def standing_or_404(request: HttpRequest, uuid: UUID) -> FamilyStanding:
    """The user's standing towards the youth `uuid`; 404 (logged) for anyone but the youth and
    a parent with gezag."""
    try:
        return portal_youth_get(user=request.user, uuid=uuid)
    except Youth.DoesNotExist as exc:
        raise Http404 from exc
