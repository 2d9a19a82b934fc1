"""Querysets of the parties app; `visible_to(user)` is the VIEW rule of `parties.permissions`."""

from typing import TYPE_CHECKING, Self

from django.db.models import Q

from core.permissions import AnyUser, objects_granted_to
from core.querysets import AuditedQuerySet

if TYPE_CHECKING:
    pass


class YouthQuerySet(AuditedQuerySet):
    """Youths, filtered by who may see them."""

    def visible_to(self, user: AnyUser) -> Self:
        """Youths `user` may see now: their own record, a child they hold parental authority over,
        or a youth they hold an object grant on (a professional directly involved in a case).

        The FG and the functioneel beheerder see no youth by their role alone (DESIGN invariant 1).
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        rule = (
            # The youth's own portal account.
            Q(user=user)
            # A parent or guardian with gezag; a parent without gezag has no access (SPEC R-1-2).
            | Q(guardians__user=user, guardians__has_authority=True)
            # A professional holding the grant services give on joining a case.
            | Q(pk__in=objects_granted_to(user, "parties.view_youth", self.model).values("pk"))
        )
        # pk__in instead of .distinct(): the join over guardians could duplicate rows.
        return self.filter(pk__in=self.filter(rule).values("pk"))
