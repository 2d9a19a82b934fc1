"""The single adapter around django-guardian (STYLE "Access is a guardian grant").

Only this module imports guardian. Protected models declare direct foreign-key permission tables
(`UserObjectPermissionBase` subclasses), so a lookup is one indexed join, never the generic table,
and groups are never consulted: access is granted to a person, not to a role.
"""

from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models

from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

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


def objects_granted_to(user: AnyUser, perm: str, model: type[M]) -> models.QuerySet[M]:
    """Rows of `model` on which `user` holds the object permission `perm` now.

    Model-wide permissions, groups and superuser status are ignored on purpose: visibility is per
    object (DESIGN invariant 1). Anonymous and inactive users hold nothing.
    """
    if not (user.is_authenticated and user.is_active):
        return model._default_manager.none()
    return get_objects_for_user(
        user,
        perm,
        klass=model._default_manager.all(),
        use_groups=False,
        with_superuser=False,
        accept_global_perms=False,
    )


def has_grant(user: AnyUser, perm: str, obj: models.Model) -> bool:
    """Whether `user` holds `perm` on `obj` now (the same rule as `objects_granted_to`)."""
    return objects_granted_to(user, perm, type(obj)).filter(pk=obj.pk).exists()


def ensure(allowed: bool) -> None:
    """Raise PermissionDenied (403) unless `allowed`; only for objects the actor can already see."""
    if not allowed:
        raise PermissionDenied
