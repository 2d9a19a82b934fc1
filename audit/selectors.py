"""Reads of the access log. The FG sees the events of their own organisation, never case content."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from parties.models import User

from .choices import Action, Outcome
from .models import AccessEvent


def _organisation_id(user: User) -> int | None:
    professional = getattr(user, "professional", None)
    return professional.organisation_id if professional is not None else None


def access_event_list(*, user: User) -> QuerySet[AccessEvent]:
    """Events of the FG's own organisation, newest first (SPEC R-DPIA-3).

    Anyone who is not an FG with an organisation gets nothing.
    """
    organisation_id = _organisation_id(user)
    if user.role != "privacy_officer" or organisation_id is None:
        return AccessEvent.objects.none()
    return AccessEvent.objects.filter(organisation_id=organisation_id).order_by(
        "-occurred_at", "-id"
    )


def access_event_summary(*, user: User, days: int = 7) -> dict[str, int]:
    """Counts over the last `days` days of the FG's organisation: all, denied, logins."""
    since = timezone.now() - timedelta(days=days)
    return (
        access_event_list(user=user)
        .filter(occurred_at__gte=since)
        .aggregate(
            total=Count("id"),
            denied=Count("id", filter=Q(outcome=Outcome.DENIED)),
            logins=Count("id", filter=Q(action=Action.LOGIN)),
        )
    )
