"""Querysets of the casusoverleg app; `visible_to(user)` is the VIEW rule of `permissions`."""

from typing import Self

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.permissions import AnyUser, objects_granted_to

from .choices import MeetingStatus, ParticipantKind

VIEW_CASE = "casusoverleg.view_case"


def _family_rule(prefix: str = "") -> Q:
    """A parent or youth who is an invited, active participant of the case.

    Parents and youths see their own case through the portal; a parent who was not invited (for
    example after a 16-year-old's objection) does not (SPEC §6, §10 Q3).
    """
    return Q(
        **{
            f"{prefix}participants__user__isnull": False,
            f"{prefix}participants__kind__in": [ParticipantKind.PARENT, ParticipantKind.YOUTH],
            f"{prefix}participants__is_invited": True,
            f"{prefix}participants__left_at__isnull": True,
        }
    )


class CaseQuerySet(models.QuerySet["models.Model"]):
    """Cases, filtered by who may see them."""

    def visible_to(self, user: AnyUser) -> Self:
        """Cases `user` may see now (DESIGN invariant 1).

        - the procesregisseur sees the cases they direct;
        - a professional sees a case while holding the grant services give when they accept the
          invitation, and lose when they leave (the grant, not the Participant row, is access);
        - a parent with gezag or the youth sees the case they are invited to (through the portal).
        The FG and the functioneel beheerder see no case by their role alone.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        rule = (
            # The procesregisseur: exactly one per case (R-PR-1).
            Q(coordinator=user)
            # A directly involved professional: the object grant (STYLE "Access is a grant").
            | Q(pk__in=objects_granted_to(user, VIEW_CASE, self.model).values("pk"))
            # A parent or youth at the table: only their own participation row counts.
            | (_family_rule() & Q(participants__user=user))
        )
        # pk__in instead of .distinct(): the join over participants would duplicate rows.
        return self.filter(pk__in=self.filter(rule).values("pk"))

    def open(self) -> Self:
        """Cases that are not closed."""
        return self.exclude(status="afgesloten")


class ParticipantQuerySet(models.QuerySet["models.Model"]):
    """Participants, filtered by state."""

    def active(self) -> Self:
        """Participants who have not left."""
        return self.filter(left_at__isnull=True)

    def invited(self) -> Self:
        """Active participants who are invited (not excused with a reason)."""
        return self.active().filter(is_invited=True)

    def own_invitations(self, user: AnyUser) -> Self:
        """The participations of `user` as a professional: what they were invited to.

        An invitation is visible to its addressee before they accept; it carries no personal data
        of the youth until the grant is given on accepting.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        # A removed professional's invitation is gone with their seat.
        return self.filter(user=user, kind=ParticipantKind.PROFESSIONAL, left_at__isnull=True)


class MeetingQuerySet(models.QuerySet["models.Model"]):
    """Meetings, filtered by visibility of their case."""

    def visible_to(self, user: AnyUser) -> Self:
        """Meetings of cases `user` may see (the case's VIEW rule decides)."""
        from .models import Case  # the model module imports this one

        return self.filter(case__in=Case.objects.visible_to(user))

    def upcoming(self) -> Self:
        """Scheduled meetings that have not started yet."""
        return self.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())


class ActionItemQuerySet(models.QuerySet["models.Model"]):
    """Actions agreed in minutes."""

    def open(self) -> Self:
        """Actions not yet done."""
        return self.filter(completed_at__isnull=True)

    def assigned_to(self, user: AnyUser) -> Self:
        """Open actions assigned to `user` in cases they can still see."""
        from .models import Case  # the model module imports this one

        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(
            assignee__user=user,
            assignee__left_at__isnull=True,
            minutes__meeting__case__in=Case.objects.visible_to(user),
        )
