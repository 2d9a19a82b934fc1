"""SQL building blocks of the covenant's rules that other apps' read rules reuse (R-19-1).

They are subqueries, not evaluated lists: a `visible_to` that uses them costs no extra round trip.
"""

from datetime import date

from django.db.models import Exists, Q, QuerySet
from django.db.models.functions import Coalesce


def _own_party_rows(user_pk: int) -> QuerySet:
    """The organisation of `user_pk` and the one it belongs to: a school takes part in the
    covenant through its school board, so either can hold the party row."""
    from parties.models import Organisation

    return Organisation.objects.filter(
        Q(professionals__user_id=user_pk) | Q(locations__professionals__user_id=user_pk)
    ).values("pk")


def party_organisations(user_pk: int) -> QuerySet:
    """Every organisation of the user's party: the party itself and its schools (R-2-1).

    Data of any of them is the party's own; a departed party keeps it (R-19-1).
    """
    from parties.models import Organisation

    roots = (
        Organisation.objects.filter(professionals__user_id=user_pk)
        .annotate(root=Coalesce("parent_id", "id"))
        .values("root")
    )
    return Organisation.objects.filter(Q(pk__in=roots) | Q(parent_id__in=roots)).values("pk")


def party_departed(user_pk: int, on: date) -> Q:
    """True (as SQL) when the user's party left the covenant on or before `on` (R-19-1).

    Left: a party row with an end date that has come, and no row in force on `on` (a party that
    joined again under a later row takes part again).
    """
    from .models import CovenantParty

    rows = CovenantParty.objects.filter(organisation_id__in=_own_party_rows(user_pk))
    left = rows.filter(left_on__lte=on)
    in_force = rows.filter(joined_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
    return Q(Exists(left)) & ~Q(Exists(in_force))
