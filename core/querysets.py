"""Querysets of the models whose history django-auditlog keeps.

django-auditlog records a row's diff from model signals, and Django sends none for
`QuerySet.update()`, `bulk_create()` or `bulk_update()`: a change made that way would leave no
history (DESIGN invariant 3, issue 5). On an audited model those three refuse, unless the caller
says why it may (`bulk_writes_allowed`, for set-up code such as tests and benchmarks, never for
a request). `delete()` is allowed: Django sends a signal per row for models that have receivers.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models

_allowed: ContextVar[str] = ContextVar("bulk_writes_allowed", default="")


class BulkWriteRefusedError(RuntimeError):
    """A bulk write on an audited model, which would bypass its row history."""


@contextmanager
def bulk_writes_allowed(reason: str) -> Iterator[None]:
    """Allow bulk writes on audited models inside this block; `reason` says why (required)."""
    if not reason.strip():
        raise ValueError("say why bulk writes are allowed here")
    token = _allowed.set(reason)
    try:
        yield
    finally:
        _allowed.reset(token)


class AuditedQuerySet(models.QuerySet["models.Model"]):
    """Refuses the bulk writes that django-auditlog cannot see (module docstring)."""

    def _refuse(self, what: str) -> None:
        if not _allowed.get():
            raise BulkWriteRefusedError(
                f"{what} on {self.model._meta.label} would bypass its change history; "
                "save each row through its service instead"
            )

    def update(self, **kwargs: Any) -> int:
        self._refuse("update()")
        return super().update(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        self._refuse("bulk_create()")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        self._refuse("bulk_update()")
        return super().bulk_update(objs, fields, *args, **kwargs)
