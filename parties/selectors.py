"""Reads of the parties app; every selector takes the acting user and returns what they may see."""

from django.db.models import QuerySet

from core.permissions import AnyUser

from .models import Organisation, Professional, Youth


def youth_list(*, user: AnyUser) -> QuerySet[Youth]:
    """Youths `user` may see now (see YouthQuerySet.visible_to), with their school."""
    return Youth.objects.visible_to(user).select_related("school").order_by("date_of_birth")


def professional_of(*, user: AnyUser) -> Professional | None:
    """The user's own professional profile (organisation, capacity, secrecy), if any."""
    if not user.is_authenticated:
        return None
    return (
        Professional.objects.select_related("organisation__region", "user")
        .filter(user=user)
        .first()
    )


def organisation_list(*, region_id: int) -> QuerySet[Organisation]:
    """Organisations of one region (reference data; no personal data)."""
    return (
        Organisation.objects.filter(region_id=region_id).select_related("parent").order_by("name")
    )
