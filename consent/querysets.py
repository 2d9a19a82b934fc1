"""Querysets of the consent app: `visible_to(user)` for each protected model.

`consent` sits below `casusoverleg` in the layers (DESIGN), so the case rule is reached through
the app registry, never by import: a consent is visible exactly when its case is.
"""

from typing import Self

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from core.permissions import AnyUser
from core.querysets import AuditedQuerySet
from parties.choices import Role

from .choices import RequestStatus

HANDLER_ROLES = (Role.COORDINATOR, Role.PRIVACY_OFFICER)


def _visible_cases(user: AnyUser):
    return apps.get_model("casusoverleg", "Case").objects.visible_to(user)


class ConsentQuerySet(AuditedQuerySet):
    """Consents, filtered by who may see them."""

    def visible_to(self, user: AnyUser) -> Self:
        """Consents of cases `user` may see: the professionals at the table and the family in
        the portal (a parent of a youth of 16 or older only with the youth's permission, which
        the portal selectors check; the case rule already leaves out an uninvited parent)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(case__in=_visible_cases(user))

    def in_force(self, on=None) -> Self:
        """Consents whose state and period let them carry a share on `on` (default today)."""
        from .choices import COVERING_STATUSES

        day = on or timezone.localdate()
        return self.filter(status__in=COVERING_STATUSES, valid_from__lte=day, valid_until__gte=day)


class ParentAccessQuerySet(AuditedQuerySet):
    """A youth's permissions for their parents to see."""

    def live(self) -> Self:
        """Permissions not taken back."""
        return self.filter(withdrawn_at__isnull=True)


class RightsRequestQuerySet(AuditedQuerySet):
    """Rights requests, filtered by who may see them."""

    def visible_to(self, user: AnyUser) -> Self:
        """The requests `user` may see.

        - the requester sees their own, and a youth the requests about them;
        - a procesregisseur or FG sees the requests routed to their organisation (metadata; the
          inzage report itself is for the requester and for whoever holds the case);
        - nobody else.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if getattr(user, "is_citizen", False):
            return self.filter(Q(requester=user) | Q(youth__user=user))
        professional = getattr(user, "professional", None)
        if user.role in HANDLER_ROLES and professional is not None:
            return self.filter(organisation_id=professional.organisation_id)
        return self.none()

    def open(self) -> Self:
        """Requests not yet answered (waiting for the youth, or open)."""
        return self.exclude(status=RequestStatus.CLOSED)
