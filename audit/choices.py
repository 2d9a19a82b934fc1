"""Closed lists of the access log (NEN 7513 EventActionCode and EventOutcomeIndicator)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What was done; namespaced `<subject>.<verb>` (STYLE §4.6). Each has a display text."""

    LOGIN = "auth.login", _("Logged in")
    LOGOUT = "auth.logout", _("Logged out")
    LOGIN_FAILED = "auth.login_failed", _("Failed login")
    YOUTH_VIEWED = "youth.viewed", _("Viewed a youth's data")
    YOUTH_LISTED = "youth.listed", _("Listed a youth")
    ACCESS_LOG_VIEWED = "audit.viewed", _("Viewed the access log")
    REFERENCE_VIEWED = "reference.viewed", _("Viewed covenant data")
    REFERENCE_CREATED = "reference.created", _("Added covenant data")
    REFERENCE_UPDATED = "reference.updated", _("Changed covenant data")
    ACCESS_DENIED = "access.denied", _("Access denied")
    GRANT_ADDED = "grant.added", _("Access granted")
    GRANT_REVOKED = "grant.revoked", _("Access revoked")


class Outcome(models.TextChoices):
    """Whether the access was allowed (NEN 7513 EventOutcomeIndicator)."""

    ALLOWED = "allowed", _("Allowed")
    DENIED = "denied", _("Denied")
