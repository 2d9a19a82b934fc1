"""Reads of the covenant's data (reference data: no personal data of youths)."""

from datetime import date

from django.db.models import Q, QuerySet

from .models import Covenant, CovenantParty


def covenant_in_force(*, region_id: int, on: date) -> Covenant | None:
    """The region's covenant version in force on `on` (SPEC R-17-1)."""
    return (
        Covenant.objects.filter(region_id=region_id, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("-effective_from")
        .first()
    )


def covenant_party_list(*, covenant: Covenant, on: date) -> QuerySet[CovenantParty]:
    """The parties of `covenant` that take part on `on`, with their FG contacts (R-15-1)."""
    return (
        covenant.parties.filter(joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("organisation")
        .order_by("organisation__name")
    )
