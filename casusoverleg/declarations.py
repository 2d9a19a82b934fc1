"""The yearly geheimhoudingsverklaring: the selector the middleware asks and the one service that
records an acceptance (SPEC art. 11, R-11-1; docs/architecture.md, issue 7).

The model lives in `parties` (it belongs to the user); the service lives here because it writes
the access log, which `parties` sits below.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.choices import Action
from audit.services import record
from core.permissions import AnyUser
from parties import confidentiality
from parties.models import ConfidentialityDeclaration


def declaration_in_force(
    *, user: AnyUser, now: datetime | None = None
) -> ConfidentialityDeclaration | None:
    """The user's newest acceptance of the current version that still holds, if any (one query)."""
    if not user.is_authenticated:
        return None
    now = now or timezone.now()
    return (
        ConfidentialityDeclaration.objects.in_force(
            version=confidentiality.VERSION, since=confidentiality.valid_since(now)
        )
        .filter(user=user)
        .order_by("-accepted_at")
        .first()
    )


def declaration_last(*, user: AnyUser) -> ConfidentialityDeclaration | None:
    """The user's newest acceptance of any version, to tell them when they last accepted."""
    if not user.is_authenticated:
        return None
    return ConfidentialityDeclaration.objects.filter(user=user).order_by("-accepted_at").first()


@transaction.atomic
def declaration_accept(*, actor: AnyUser) -> ConfidentialityDeclaration:
    """Record that `actor` accepts the current declaration now, with its access event.

    Each acceptance is a new row (append-only): the yearly renewal is visible in the history.
    """
    declaration = ConfidentialityDeclaration(
        user=actor,
        version=confidentiality.VERSION,
        text_sha256=confidentiality.text_sha256(confidentiality.VERSION),
        accepted_at=timezone.now(),
    )
    declaration.full_clean()
    declaration.save(force_insert=True)
    record(
        actor=actor,
        action=Action.DECLARATION_ACCEPTED,
        target=declaration,
        reason=f"version {declaration.version}",
    )
    return declaration
