"""The access log: one append-only row per read, write, export or denial of personal data."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

import pgtrigger
from auditlog.models import LogEntry

from parties.choices import Role

from .choices import ACTION_KIND, KIND_ACTION_CODE, Action, Finding, Outcome
from .display import CASE_PREFIX, YOUTH_PREFIX, pseudonym

# The advisory lock that lets the sealer find a point below which every event is committed
# (audit.sealing, docs/adr/0004-sealing-the-access-log.md). Writers take it shared, once per
# INSERT statement and before the statement draws its ids; the sealer takes it exclusively for
# the moment it reads the highest id.
SEAL_LOCK_CLASS = 7513
SEAL_LOCK_ACCESS = 1
SEAL_LOCK_CHANGES = 2


def _seal_gate(name: str, key: int) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        func=f"PERFORM pg_advisory_xact_lock_shared({SEAL_LOCK_CLASS}, {key}); RETURN NULL;",
    )


def _append_only() -> pgtrigger.Protect:
    return pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


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
    # The foreign keys need no index of their own: the composite (…, occurred_at, id) indexes
    # below begin with them (docs/benchmarks.md "Access log": 16 % of the table's size).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        db_index=False,
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
        db_index=False,
    )
    organisation_name = models.CharField(_("organisation at the time"), max_length=200, blank=True)
    # Whose data and which object: references only, so that deleting data leaves the log intact.
    youth_uuid = models.UUIDField(_("youth"), null=True, blank=True)
    case_uuid = models.UUIDField(_("case"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Why: the legal basis or consent, and the purpose of use.
    legal_basis = models.CharField(_("legal basis or consent"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # From where.
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-occurred_at", "-id"]
        # The FG's searches walk one of these backwards in time and stop after a page
        # (keyset paging on occurred_at, id): none of them sorts or scans the whole table.
        indexes = [
            models.Index(
                fields=["organisation", "-occurred_at", "-id"], name="accessevent_org_time"
            ),
            models.Index(fields=["actor", "-occurred_at", "-id"], name="accessevent_actor_time"),
            models.Index(
                fields=["youth_uuid", "-occurred_at", "-id"], name="accessevent_youth_time"
            ),
            models.Index(fields=["case_uuid", "-occurred_at", "-id"], name="accessevent_case_time"),
            # The other events of one request (the FG's event page); equality only.
            models.Index(fields=["request_id"], name="accessevent_request"),
            models.Index(
                fields=["organisation", "-occurred_at", "-id"],
                name="accessevent_org_denied",
                condition=models.Q(outcome="denied"),
            ),
        ]
        triggers = [_append_only(), _seal_gate("seal_gate", SEAL_LOCK_ACCESS)]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_name}"

    @property
    def actor_role_display(self) -> str:
        """The role snapshot in the user's language."""
        return str(dict(Role.choices).get(self.actor_role, self.actor_role))

    @property
    def youth_pseudonym(self) -> str:
        """How the FG's workbench names the youth (metadata only, audit.display)."""
        return pseudonym(self.youth_uuid, YOUTH_PREFIX)

    @property
    def case_pseudonym(self) -> str:
        """How the FG's workbench names the case."""
        return pseudonym(self.case_uuid, CASE_PREFIX)

    @property
    def kind(self) -> str:
        """The kind of access (`audit.choices.ActionKind`)."""
        return ACTION_KIND.get(self.action, "")

    @property
    def action_code(self) -> str:
        """NEN 7513 EventActionCode: C, R, U, D or E."""
        return KIND_ACTION_CODE.get(self.kind, "E")


class ChangeLogEntry(LogEntry):
    """django-auditlog's row history, carrying our triggers (a proxy: the table is auditlog's).

    The row diffs are as append-only as the access log (DESIGN invariant 3) and are sealed too.
    """

    class Meta:
        proxy = True
        triggers = [_append_only(), _seal_gate("seal_gate", SEAL_LOCK_CHANGES)]


class Stream(models.TextChoices):
    """The two sealed logs."""

    ACCESS = "access", _("Access log")
    CHANGES = "changes", _("Change history")


class SealBlock(models.Model):
    """One sealed block of a log: the events with ids in (previous block's last_id, last_id].

    `events_digest` is SHA-256 over the events' own SHA-256 hashes in id order; `manifest` holds
    each event's id and the first 8 bytes of its hash, so that `verify_audit` can name the event
    that changed; `block_hash` covers the previous block's hash, this block's range, count,
    digest and manifest (audit.sealing). Blocks are append-only.
    """

    stream = models.CharField(_("log"), max_length=16, choices=Stream.choices)
    number = models.PositiveIntegerField(_("block number"))
    format_version = models.PositiveSmallIntegerField(_("format version"), default=1)
    first_id = models.BigIntegerField(_("first event id"))
    last_id = models.BigIntegerField(_("last event id"))
    event_count = models.PositiveIntegerField(_("number of events"))
    first_at = models.DateTimeField(_("first event at"), null=True, blank=True)
    last_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    events_digest = models.CharField(_("events digest"), max_length=64)
    manifest = models.BinaryField(_("manifest"))
    previous_hash = models.CharField(_("previous block hash"), max_length=64)
    block_hash = models.CharField(_("block hash"), max_length=64)
    sealed_at = models.DateTimeField(_("sealed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("seal block")
        verbose_name_plural = _("seal blocks")
        ordering = ["stream", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "number"], name="sealblock_unique_number"),
            models.UniqueConstraint(fields=["stream", "last_id"], name="sealblock_unique_last_id"),
        ]
        triggers = [_append_only()]

    def __str__(self) -> str:
        return f"{self.stream} #{self.number} ({self.first_id}-{self.last_id})"


class LogPurge(models.Model):
    """A record of access-log events removed after their retention (`manage.py audit_expire`).

    The blocks stay, so the chain still verifies; the events of blocks up to `up_to_block` are
    gone on purpose, and verify_audit knows it from this row.
    """

    stream = models.CharField(_("log"), max_length=16, choices=Stream.choices)
    up_to_block = models.PositiveIntegerField(_("up to and including block"))
    before = models.DateTimeField(_("events before"))
    removed_events = models.PositiveBigIntegerField(_("events removed"))
    purged_at = models.DateTimeField(_("removed at"), auto_now_add=True)
    purged_by = models.CharField(_("removed by"), max_length=300)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("log purge")
        verbose_name_plural = _("log purges")
        ordering = ["stream", "-up_to_block"]
        triggers = [_append_only()]

    def __str__(self) -> str:
        return f"{self.stream} up to #{self.up_to_block}"


class EventReview(models.Model):
    """The FG's finding on one access event; append-only, the newest one counts."""

    event = models.ForeignKey(
        AccessEvent, models.PROTECT, related_name="reviews", verbose_name=_("event")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    sample = models.UUIDField(_("sample"), null=True, blank=True)

    class Meta:
        verbose_name = _("event review")
        verbose_name_plural = _("event reviews")
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["event", "-reviewed_at"], name="eventreview_event_time")]
        triggers = [_append_only()]

    def __str__(self) -> str:
        return f"{self.event_id} {self.finding}"
