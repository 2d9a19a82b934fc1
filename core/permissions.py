"""The single adapter around django-guardian (STYLE "Access is a guardian grant").

Only this module imports guardian. Protected models declare direct foreign-key permission tables
(`UserObjectPermissionBase` subclasses), so a lookup is one indexed join, never the generic table,
and groups are never consulted: access is granted to a person, not to a role.
"""

from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Subquery

from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_user_obj_perms_model

M = TypeVar("M", bound=models.Model)
AnyUser = AbstractBaseUser | AnonymousUser


def _codename(perm: str) -> str:
    """`app_label.codename` → `codename` (guardian wants the bare codename with a model)."""
    return perm.split(".", 1)[-1]


def grant(user: AbstractBaseUser, perm: str, obj: models.Model) -> None:
    """Give `user` the object permission `perm` on `obj`. Idempotent.

    Callers are services, which run inside their own transaction and write the audit event.
    """
    assign_perm(_codename(perm), user, obj)


def revoke(user: AbstractBaseUser, perm: str, obj: models.Model) -> None:
    """Take the object permission `perm` on `obj` away from `user`. Idempotent."""
    remove_perm(_codename(perm), user, obj)


def _grants(perm: str, model: type[models.Model]) -> models.QuerySet[Any]:
    """The direct foreign-key grant rows of `perm` on `model` (never the generic table).

    Guardian's own `get_objects_for_user` first loads the Permission and ContentType rows and
    then builds the same subquery; looking the permission up inside the statement keeps a
    visibility check to one query, and nothing about grants is cached across requests (a revoked
    grant is gone on the next request).
    """
    grant_model = get_user_obj_perms_model(model)
    field = next((f for f in grant_model._meta.get_fields() if f.name == "content_object"), None)
    if not isinstance(field, models.ForeignKey):
        raise ImproperlyConfigured(f"{model._meta.label} needs a direct-FK grant table")
    app_label, codename = perm.split(".", 1)
    # The permission as a scalar subquery (an InitPlan), not joined: joined, the grant side
    # becomes three relations, and with a list's select_related tables PostgreSQL passes its
    # join_collapse_limit, stops reordering, and scans every case before meeting the user's
    # grants (350× slower at 100,000 cases; docs/benchmarks.md, "Findings at scale").
    permission = Permission.objects.filter(
        codename=codename, content_type__app_label=app_label
    ).values("pk")[:1]
    return grant_model.objects.filter(permission=Subquery(permission))


def objects_granted_to(user: AnyUser, perm: str, model: type[M]) -> models.QuerySet[M]:
    """Rows of `model` on which `user` holds the object permission `perm` now.

    Model-wide permissions, groups and superuser status are ignored on purpose: visibility is per
    object (DESIGN invariant 1). Anonymous and inactive users hold nothing.
    """
    return model._default_manager.filter(pk__in=granted_ids(user, perm, model))


def granted_ids(user: AnyUser, perm: str, model: type[models.Model]) -> models.QuerySet[Any]:
    """The primary keys of `model` rows on which `user` holds `perm`, as a subquery.

    For `visible_to` rules: `filter(pk__in=granted_ids(...))` is one semi-join on the grant
    table's (user, permission, object) index. Anonymous and inactive users hold nothing.
    """
    if not (user.is_authenticated and user.is_active):
        return _grants(perm, model).none().values("content_object_id")
    return _grants(perm, model).filter(user=user).values("content_object_id")


def holders(perm: str, obj: models.Model) -> models.QuerySet[Any]:
    """The ids of the users who hold `perm` on `obj` now (for services and agreement tests)."""
    return (
        _grants(perm, type(obj))
        .filter(content_object_id=obj.pk)
        .values_list("user_id", flat=True)
        .order_by("user_id")
    )


def has_grant(user: AnyUser, perm: str, obj: models.Model) -> bool:
    """Whether `user` holds `perm` on `obj` now (the same rule as `objects_granted_to`)."""
    return objects_granted_to(user, perm, type(obj)).filter(pk=obj.pk).exists()


def ensure(allowed: bool) -> None:
    """Raise PermissionDenied (403) unless `allowed`; only for objects the actor can already see."""
    if not allowed:
        raise PermissionDenied
