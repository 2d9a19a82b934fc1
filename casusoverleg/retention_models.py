"""Retention (SPEC art. 9, §7.3; invariant 8): legal holds and the record of what was removed.

`LegalHold` suspends deletion for a case or for everything about a youth (R-9-4). A
`RetentionRun` is one run of the engine (`casusoverleg.retention`) or one daily dry-run report;
its `RetentionBatch` rows are the chunks a worker executes, each once, in its own transaction;
`RetentionRemoval` says per removed record which rule removed it, when and in which run, by
pseudonymous ids only: no content, so the record of a deletion does not keep what was deleted.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from convenant.choices import RetentionAction
from core.models import PublicIdModel, TimeStampedModel
from core.querysets import AuditedQuerySet
from parties.choices import Role


def _overseer_region(user: Any) -> int | None:
    """The region of a beheerder or FG (who oversee retention), else None."""
    if not (user.is_authenticated and user.is_active):
        return None
    if getattr(user, "role", None) not in (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER):
        return None
    professional = getattr(user, "professional", None)
    return professional.organisation.region_id if professional is not None else None


class LegalHoldQuerySet(AuditedQuerySet):
    """Legal holds, per who may see them."""

    def visible_to(self, user: Any) -> "LegalHoldQuerySet":
        """The holds of the beheerder's or FG's region, and those on cases the user directs."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        rule = Q(case__coordinator=user)
        region_id = _overseer_region(user)
        if region_id is not None:
            rule |= Q(region_id=region_id)
        return self.filter(rule)


class RetentionRunQuerySet(AuditedQuerySet):
    """Runs hold counts and ids only; the beheerders and FGs oversee them."""

    def visible_to(self, user: Any) -> "RetentionRunQuerySet":
        """Every run for a beheerder or FG (their pages count their own region's removals)."""
        return self if _overseer_region(user) is not None else self.none()


class RetentionBatchQuerySet(AuditedQuerySet):
    """The engine's batches: work orders, seen by the overseers only."""

    def visible_to(self, user: Any) -> "RetentionBatchQuerySet":
        """Every batch for a beheerder or FG; nothing for anyone else."""
        return self if _overseer_region(user) is not None else self.none()


class RetentionRemovalQuerySet(AuditedQuerySet):
    """What was removed; pseudonymous, per region."""

    def visible_to(self, user: Any) -> "RetentionRemovalQuerySet":
        """The removals of the beheerder's or FG's own region."""
        region_id = _overseer_region(user)
        return self.none() if region_id is None else self.filter(region_id=region_id)


class LegalHoldScope(models.TextChoices):
    """What a legal hold covers."""

    CASE = "case", _("This case")
    YOUTH = "youth", _("Everything about this youth")


class LegalHold(PublicIdModel, TimeStampedModel):
    """A legal hold (e.g. a pending complaint or litigation): nothing it covers is deleted or
    anonymised until its end date or until it is ended (SPEC R-9-4)."""

    scope = models.CharField(_("covers"), max_length=8, choices=LegalHoldScope.choices)
    # A case is deleted only once no hold covers it; its ended holds go with it.
    case = models.ForeignKey(
        "casusoverleg.Case",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_holds",
        verbose_name=_("case"),
    )
    youth = models.ForeignKey(
        "parties.Youth",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
        verbose_name=_("youth"),
    )
    region = models.ForeignKey(
        "parties.Region", models.PROTECT, related_name="+", verbose_name=_("region")
    )
    reason = models.CharField(
        _("reason"),
        max_length=300,
        help_text=_("For example a pending complaint or court case. No names or care details."),
    )
    ends_on = models.DateField(_("ends on"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("placed by")
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["ends_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="legalhold_scope_matches",
                condition=Q(scope=LegalHoldScope.CASE, case__isnull=False)
                | Q(scope=LegalHoldScope.YOUTH, youth__isnull=False, case__isnull=True),
            ),
            models.CheckConstraint(name="legalhold_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.ends_on})"


class RunKind(models.TextChoices):
    """A run that removes, or the daily dry-run report."""

    APPLY = "apply", _("Removal run")
    REPORT = "report", _("Dry-run report")


class RetentionRun(PublicIdModel, TimeStampedModel):
    """One run of the retention engine: planned in batches, finished when every batch is done.

    A report run (the daily dry run of what becomes due within 14 days) exists once per day,
    so that the e-mail to beheerders and FGs goes out once however often the job runs.
    """

    kind = models.CharField(_("kind"), max_length=8, choices=RunKind.choices)
    on = models.DateField(_("retention date"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    planned = models.PositiveIntegerField(_("records planned"), default=0)
    summary = models.JSONField(_("counts per rule"), default=dict, blank=True)

    objects = RetentionRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["on"], condition=Q(kind="report"), name="retentionrun_one_report_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class RetentionBatch(TimeStampedModel):
    """One chunk of a run: the ids of records of one type that one rule made due.

    A worker executes it in one transaction and marks it done in that transaction, so a batch
    that is delivered again (a killed worker, acks_late) finds itself done and does nothing.
    """

    run = models.ForeignKey(RetentionRun, models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(_("number"))
    rule_code = models.CharField(_("rule"), max_length=64)
    record_type = models.CharField(_("record type"), max_length=100)
    record_ids = models.JSONField(_("record ids"), default=list)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    removed = models.PositiveIntegerField(_("removed"), default=0)

    objects = RetentionBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention batch")
        verbose_name_plural = _("retention batches")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="retentionbatch_unique"),
        ]


class RetentionRemoval(models.Model):
    """One record removed (deleted or anonymised) under a retention rule: pseudonymous ids only.

    One row per record, ever (unique on type and id): a record removed once is never recorded
    twice, however often a batch runs.
    """

    run = models.ForeignKey(RetentionRun, models.PROTECT, related_name="removals")
    batch = models.ForeignKey(
        RetentionBatch, models.SET_NULL, null=True, blank=True, related_name="removals"
    )
    rule_code = models.CharField(_("rule"), max_length=64)
    action = models.CharField(_("then"), max_length=12, choices=RetentionAction.choices)
    record_type = models.CharField(_("record type"), max_length=100)
    record_id = models.BigIntegerField(_("record id"))
    record_uuid = models.UUIDField(_("record"), null=True, blank=True)
    case_uuid = models.UUIDField(_("case"), null=True, blank=True)
    youth_uuid = models.UUIDField(_("youth"), null=True, blank=True)
    region = models.ForeignKey(
        "parties.Region",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    removed_at = models.DateTimeField(_("removed at"), auto_now_add=True)

    # The removal records are written in bulk per batch (core.querysets.bulk_writes_allowed):
    # they are themselves the record of the removal, append-only in practice.
    objects = RetentionRemovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("removed record")
        verbose_name_plural = _("removed records")
        ordering = ["-removed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id"], name="retentionremoval_once"
            ),
        ]
        indexes = [models.Index(fields=["region", "-removed_at"], name="retentionremoval_region")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id} ({self.rule_code})"
