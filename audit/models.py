"""The access log: one append-only row per read, write, export or denial of personal data."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

import pgtrigger

from parties.choices import Role

from .choices import Action, Outcome


class AccessEvent(models.Model):
    """Who did what to whose data, when, from where, on which basis, and whether it was allowed.

    Field names follow NEN 7513 / the Logius "Logboek dataverwerkingen" set (docs/audit-log.md).
    The row holds references, not copies of personal data: the youth and the object are ids.
    Rows cannot be updated or deleted (PostgreSQL trigger, DESIGN invariant 3).
    """

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED
    )
    # Who: a reference plus a snapshot of name, role and organisation as they were at the time.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_name = models.CharField(_("user name at the time"), max_length=300, blank=True)
    actor_role = models.CharField(_("role at the time"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting for organisation"),
    )
    organisation_name = models.CharField(_("organisation at the time"), max_length=200, blank=True)
    # Whose data and which object: references only, so that deleting data leaves the log intact.
    youth_uuid = models.UUIDField(_("youth"), null=True, blank=True, db_index=True)
    case_uuid = models.UUIDField(_("case"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Why: the legal basis or consent, and the purpose of use.
    legal_basis = models.CharField(_("legal basis or consent"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # From where.
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-occurred_at"], name="accessevent_org_time"),
            models.Index(fields=["actor", "-occurred_at"], name="accessevent_actor_time"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_name}"

    @property
    def actor_role_display(self) -> str:
        """The role snapshot in the user's language."""
        return str(dict(Role.choices).get(self.actor_role, self.actor_role))
