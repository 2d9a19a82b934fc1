"""Querysets of the casusoverleg app; `visible_to(user)` is the VIEW rule of `permissions`."""

from datetime import date
from typing import Self

from django.db import models
from django.db.models import Q
from django.utils import timezone

from convenant.querysets import party_departed, party_organisations
from core.permissions import AnyUser, granted_ids
from core.querysets import AuditedQuerySet

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
    ) & (
        # A parent's seat counts only while the parent has gezag (SPEC §6): a parent whose
        # authority was recorded as ended loses the case at once. From the youth's 18th
        # birthday a parent sees the case only while the youth allows it (R-AGE-6).
        Q(**{f"{prefix}participants__kind": ParticipantKind.YOUTH})
        | (
            Q(**{f"{prefix}participants__guardian__has_authority": True})
            & (
                Q(**{f"{prefix}youth__date_of_birth__gt": _born_18_years_ago()})
                | Q(
                    **{
                        f"{prefix}participants__guardian__accesses__isnull": False,
                        f"{prefix}participants__guardian__accesses__withdrawn_at__isnull": True,
                    }
                )
            )
        )
    )


def _born_18_years_ago() -> date:
    """The latest date of birth of someone who is an adult today (AGE_THRESHOLDS["adult"]);
    born on 29 February, one turns 18 on 1 March in a year without it, as `Youth.age_on`."""
    from django.conf import settings

    today = timezone.localdate()
    year = today.year - settings.AGE_THRESHOLDS["adult"]
    try:
        return date(year, today.month, today.day)
    except ValueError:  # 29 February in a year without it
        return date(year, 2, 28)


class CaseQuerySet(AuditedQuerySet):
    """Cases, filtered by who may see them."""

    def visible_to(self, user: AnyUser) -> Self:
        """Cases `user` may see now (DESIGN invariant 1).

        - a professional, the procesregisseur included, sees a case while holding its grant:
          services give it when the case is opened (to the procesregisseur) or an invitation is
          accepted, and take it away when a participant leaves or when the grant expires after
          the case is closed. The grant is the one source of truth for professionals (ADR 0003);
        - a parent with gezag or the youth sees the case they are invited to (through the portal);
        - the FG and the functioneel beheerder see no case by their role alone: they hold no
          grants and have no seat;
        - from the end date of a party that left the covenant, its professionals see only the
          cases of their own party, whatever grants they still hold (R-19-1).
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if getattr(user, "is_citizen", False):
            # A parent or youth at the table: only their own participation row counts.
            own_seat = _family_rule() & Q(participants__user=user)
            # pk__in instead of .distinct(): the join over participants would duplicate rows.
            return self.filter(pk__in=self.filter(own_seat).values("pk"))
        # A professional: the object grant (STYLE "Access is a grant"), one indexed semi-join.
        granted = self.filter(pk__in=granted_ids(user, VIEW_CASE, self.model))
        # R-19-1 (issue 7): from its end date a party that left the covenant sees only its own
        # cases, even before the nightly job has revoked its grants on the others'. Both parts
        # are subqueries: no extra round trip.
        return granted.exclude(
            party_departed(user.pk, timezone.localdate())
            & ~Q(organisation_id__in=party_organisations(user.pk))
        )

    def open(self) -> Self:
        """Cases that are not closed."""
        return self.exclude(status="afgesloten")


class CaseScopedQuerySet(AuditedQuerySet):
    """Rows that belong to one case: visible exactly when their case is (DESIGN invariant 1).

    `case_path` is the lookup from the row to its case. Every protected model of this app has
    `visible_to(user)` (tests/test_architecture.py checks it); models with a rule of their own
    (SharedItem, CaseDocument) narrow it further.
    """

    case_path = "case"

    def visible_to(self, user: AnyUser) -> Self:
        """Rows of cases `user` may see now (the case's VIEW rule decides)."""
        from .models import Case  # the model module imports this one

        return self.filter(**{f"{self.case_path}__in": Case.objects.visible_to(user)})


class MeetingScopedQuerySet(CaseScopedQuerySet):
    """Rows of a meeting: invitations, attendance, minutes."""

    case_path = "meeting__case"


class MinutesScopedQuerySet(CaseScopedQuerySet):
    """Rows of minutes: entries, actions, statements."""

    case_path = "minutes__meeting__case"


class MinutesEntryQuerySet(MinutesScopedQuerySet):
    """Entries of minutes: each has the party that provided it as its owner (R-8-1)."""

    def visible_to(self, user: AnyUser) -> Self:
        """Entries of cases `user` may see; from its end date a party that left the covenant
        reads only its own party's entries, also in its own cases (R-19-1)."""
        rows = super().visible_to(user)
        if not user.is_authenticated or getattr(user, "is_citizen", False):
            return rows
        return rows.exclude(
            party_departed(user.pk, timezone.localdate())
            & ~Q(owner_id__in=party_organisations(user.pk))
        )


class CaseDocumentQuerySet(CaseScopedQuerySet):
    """PDFs: each belongs to the user who asked for it (its watermark names them, R-11-2)."""

    def visible_to(self, user: AnyUser) -> Self:
        """The user's own PDFs of cases they may still see. From its end date a party that left
        the covenant gets no minutes PDF: one made earlier holds other parties' entries (R-19-1);
        the minutes page shows it its own entries."""
        from .choices import DocumentKind

        if not user.is_authenticated:
            return self.none()
        rows = super().visible_to(user).filter(requested_by=user)
        if getattr(user, "is_citizen", False):
            return rows
        return rows.exclude(
            party_departed(user.pk, timezone.localdate()) & Q(kind=DocumentKind.MINUTES)
        )


class ParticipantQuerySet(CaseScopedQuerySet):
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


class MeetingQuerySet(CaseScopedQuerySet):
    """Meetings, filtered by visibility of their case."""

    def upcoming(self) -> Self:
        """Scheduled meetings that have not started yet."""
        return self.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())


class ActionItemQuerySet(MinutesScopedQuerySet):
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


class SharedItemQuerySet(AuditedQuerySet):
    """Shared items, filtered by who may read them (DESIGN invariants 1 and 4, SPEC R-6-1)."""

    def visible_to(self, user: AnyUser) -> Self:
        """Items `user` may read now, evaluated on every request (nothing is cached).

        An item is read only within a case `user` can see, and then:
        - by the owner party's own people at the table: it is their own data (R-2-1), also when
          withheld (health data still only for those bound by secrecy, R-6-1);
        - by anyone else only when all of these hold:
          - it is not withheld ("niet verstrekken", R-6-3);
          - it is for every participant, or `user` is an active recipient (narrowed audience);
          - if it was shared on consent, that consent is in force today (not withdrawn, refused
            or expired: a withdrawal hides the item at once, invariant 7) and names the reader's
            organisation (R-6-2); health data on a consent that waits for the youth's
            confirmation at 16 only for readers who were at the table before (R-AGE-4);
          - the case's participants' access has not expired (then the procesregisseur keeps
            only their own party's items);
          - for an item not shared on consent: the reader's party and capacity have a legal
            basis, other than consent, to receive data of the item's class (R-4-2 receiving
            side, R-4-4, R-T-3: leerplicht and RMC receive health data only on consent); for an
            item shared on consent, that consent is the reader's ground;
          - special (health) data only for readers bound by secrecy (R-6-1), also of the owner.
        Parents and youths read shared items in the portal (issue 6): none here. The FG and the
        beheerder hold no grants, so see no case and no item.
        """
        from consent.choices import ConsentStatus
        from consent.models import Consent
        from convenant.choices import DataClass
        from convenant.models import LegalBasis

        from .models import Case, Participant, SharedItem

        if not (user.is_authenticated and user.is_active) or getattr(user, "is_citizen", False):
            return self.none()
        professional = getattr(user, "professional", None)
        if professional is None:
            return self.none()
        # Recipients are participants; a professional who left is no recipient any more.
        # Correlated to the item: uncorrelated, PostgreSQL hashes the recipient rows of every
        # seat the reader holds to keep one case's items (docs/benchmarks.md, findings at scale).
        addressed_to_user = SharedItem.recipients.through.objects.filter(
            shareditem_id=models.OuterRef("pk"),
            participant__user=user,
            participant__left_at__isnull=True,
        )
        may_receive_class = LegalBasis.objects.filter(
            enabled=True,
            consent_basis=False,
            party_type=professional.organisation.party_type,
            capacity=professional.capacity,
            data_class=models.OuterRef("data_class"),
        ).exclude(in_force_from__gt=timezone.localdate())
        today = timezone.localdate()
        consent_in_force = Consent.objects.in_force(today).filter(
            pk=models.OuterRef("consent_id"), recipients=professional.organisation_id
        )
        # Seated before the consent had to be confirmed: an existing reader, not a new one.
        seated_before_flag = Participant.objects.filter(
            case_id=models.OuterRef("case_id"),
            user=user,
            left_at__isnull=True,
            created_at__lt=models.OuterRef("consent__reconfirm_required_since"),
        )
        new_reader_waits = (
            Q(data_class=DataClass.SPECIAL_HEALTH)
            & Q(consent__status=ConsentStatus.RECONFIRM)
            & ~Q(case__coordinator=user)
            & ~Q(models.Exists(seated_before_flag))
        )
        received = (
            # Not marked "niet verstrekken" (R-6-3).
            Q(withheld_at__isnull=True)
            # For everyone at the table, or for this reader among the chosen few.
            & (Q(audience_all=True) | Q(models.Exists(addressed_to_user)))
            # Once the participants' access expired, the procesregisseur keeps the record of
            # their own party only, not the other parties' disclosures (R-2-1, R-2-3).
            & Q(case__access_expired_at__isnull=True)
            & (
                # Without consent: a receiving basis for the item's class; aggregated data
                # needs none (R-4-2).
                (
                    Q(shared_on_consent=False)
                    & (Q(data_class=DataClass.ANONYMOUS) | Q(models.Exists(may_receive_class)))
                )
                # On consent: the consent is the ground. It must be in force and name the
                # reader's organisation (R-6-2, invariant 7: withdrawn, it hides the item at
                # once), and health data is not for new readers while the youth has to confirm
                # the consent at 16 (R-AGE-4).
                | (
                    Q(shared_on_consent=True)
                    & Q(models.Exists(consent_in_force))
                    & ~new_reader_waits
                )
            )
        )
        # R-19-1 (issue 7): from its end date a party that left the covenant reads no other
        # party's data any more, also in its own cases; its own items stay with it.
        received &= ~party_departed(user.pk, today)
        # The owner party's people in the capacity it was shared in (a municipality acts in
        # several, each on its own basis: SPEC §4, R-P-4).
        own = Q(owner_id=professional.organisation_id, owner_capacity=professional.capacity)
        readable = own | received
        if not professional.bound_by_secrecy:
            # Health data only for people bound by secrecy (R-6-1), the owner party's included.
            readable &= ~Q(data_class=DataClass.SPECIAL_HEALTH)
        return self.filter(case__in=Case.objects.visible_to(user)).filter(readable)
