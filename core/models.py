"""Abstract base models shared by every domain app."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import AuditedQuerySet


class TimeStampedModel(models.Model):
    """Adds creation and last-change timestamps."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Every timestamped model is a domain model whose history django-auditlog keeps: bulk
    # writes that would bypass it are refused (core.querysets; a model with its own queryset
    # builds on AuditedQuerySet, which tests/test_auditlog_registration.py checks).
    objects = AuditedQuerySet.as_manager()

    class Meta:
        abstract = True


class PublicIdModel(models.Model):
    """Adds a random public identifier; URLs expose it, never the sequential primary key."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True
