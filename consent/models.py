"""Consent records, parents' access from 16, rights requests (SPEC art. 6, 12, 13, §6, §7.1).

A Consent is the scope one source organisation asks consent for in one case: which categories
(or named items), for which recipient parties, for which purpose, from when until when. Each
required person's decision is a ConsentDecision row, append-only (STYLE: "given/withdrawn
events + current state"); `Consent.status` is the current state the services derive from them.
Every decision produces a ConsentReceipt (ISO/IEC TS 27560 fields, hashed, with a PDF).
Writes go through `consent.services`; nothing here has side effects.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import pgtrigger

from core.fields import EncryptedTextField
from core.models import PublicIdModel, TimeStampedModel

from .choices import (
    AgeRule,
    ConsenterKind,
    ConsentMethod,
    ConsentStatus,
    DecisionKind,
    ReceiptKind,
    RequestKind,
    RequestOutcome,
    RequestStatus,
)
from .querysets import ConsentQuerySet, ParentAccessQuerySet, RightsRequestQuerySet


class IncapacityJudgement(PublicIdModel, TimeStampedModel):
    """A professional's documented judgement that a youth of 12 or older cannot reasonably assess
    their own interests: consent and rights then pass to the parents, or from 18 to a curator or
    mentor (SPEC §6, R-AGE-1). It holds from `judged_on` until it is ended."""

    youth = models.ForeignKey("parties.Youth", models.CASCADE, related_name="incapacity_judgements")
    case = models.ForeignKey(
        "casusoverleg.Case",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="incapacity_judgements",
        verbose_name=_("case"),
        help_text=_("The case it was recorded in; only its table reads it."),
    )
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("judged by")
    )
    organisation = models.ForeignKey(
        "parties.Organisation", models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    reason = EncryptedTextField(
        _("professional judgement"),
        help_text=_("Why the youth cannot reasonably assess their own interests in this matter."),
    )
    judged_on = models.DateField(_("judged on"))
    ended_on = models.DateField(_("no longer holds from"), null=True, blank=True)

    class Meta:
        verbose_name = _("judgement: not able to judge own interests")
        verbose_name_plural = _("judgements: not able to judge own interests")
        ordering = ["-judged_on"]
        constraints = [
            models.CheckConstraint(
                name="incapacity_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=models.F("judged_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.youth} ({self.judged_on})"


class Consent(PublicIdModel, TimeStampedModel):
    """What one source organisation may share about a youth in one case, on consent (R-6-2).

    Valid only once every person the age table requires has given it (R-AGE-1); a withdrawal
    by any of them ends it at once, and every item shared under it disappears from its
    recipients' views in that transaction (DESIGN invariant 7).
    """

    case = models.ForeignKey("casusoverleg.Case", models.CASCADE, related_name="consents")
    youth = models.ForeignKey("parties.Youth", models.PROTECT, related_name="consents")
    source_organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        related_name="+",
        verbose_name=_("shared by (organisation)"),
    )
    agreed_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("agreed with (professional)"),
        help_text=_("The professional of the sharing organisation who asks for and agreed on it."),
    )
    categories = models.ManyToManyField(
        "convenant.DataCategory", related_name="+", verbose_name=_("what may be shared")
    )
    covers_special = models.BooleanField(
        _("explicitly includes health data"),
        default=False,
        help_text=_("Health data needs explicit consent (AVG art. 9(2)(a))."),
    )
    items_description = models.CharField(
        _("only these items"),
        max_length=300,
        blank=True,
        help_text=_("Optional: name the items, for example 'the treatment plan of March'."),
    )
    recipients = models.ManyToManyField(
        "parties.Organisation", related_name="+", verbose_name=_("shared with (organisations)")
    )
    purpose = models.ForeignKey(
        "convenant.Purpose", models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    age_rule = models.CharField(
        _("age rule applied"), max_length=16, choices=AgeRule.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.PENDING
    )
    valid_since = models.DateTimeField(_("valid since"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reconfirm_required_since = models.DateTimeField(
        _("to be confirmed by the youth since"),
        null=True,
        blank=True,
        help_text=_(
            "Given by the parents only, and the youth turned 16: health data shared on it is "
            "hidden from new readers until the youth confirms (R-AGE-4)."
        ),
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["youth", "status"])]
        constraints = [
            models.CheckConstraint(
                name="consent_period_ordered", condition=Q(valid_until__gte=models.F("valid_from"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_organisation} → {self.case} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        """Still to be decided on, or in force: it can be given, refused or withdrawn."""
        return self.status in (ConsentStatus.PENDING, ConsentStatus.VALID, ConsentStatus.RECONFIRM)


@pgtrigger.register(pgtrigger.Protect(name="append_only", operation=pgtrigger.Update))
class ConsentDecision(PublicIdModel):
    """One person's decision on a consent: given, refused, withdrawn or confirmed.

    Rows are never changed (PostgreSQL trigger); deleting comes only with the case's retention.
    A decision recorded from a signed form keeps the form (uploaded, checked on type and size,
    served only through the logged download).
    """

    consent = models.ForeignKey(Consent, models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    consenter_kind = models.CharField(
        _("decided by (who)"), max_length=16, choices=ConsenterKind.choices
    )
    guardian = models.ForeignKey(
        "parties.Guardian",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parent or guardian"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("The person in the portal, or the professional who recorded a signed form."),
    )
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    signed_form = models.FileField(
        _("signed form"), upload_to="consent/forms/%Y/%m/", blank=True, max_length=200
    )
    signed_form_sha256 = models.CharField(_("SHA-256 of the form"), max_length=64, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="decision_guardian_unless_youth",
                condition=Q(consenter_kind=ConsenterKind.YOUTH, guardian__isnull=True)
                | (~Q(consenter_kind=ConsenterKind.YOUTH) & Q(guardian__isnull=False)),
            ),
            models.CheckConstraint(
                name="decision_form_has_file",
                condition=~Q(method=ConsentMethod.SIGNED_FORM) | ~Q(signed_form=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_consenter_kind_display()})"


@pgtrigger.register(
    # The receipt's fields and hashes never change; only the PDF is written once, after commit.
    pgtrigger.Protect(
        name="fields_fixed",
        operation=pgtrigger.Update,
        condition=pgtrigger.AnyChange(
            "consent", "decision", "kind", "payload", "sha256", "previous_sha256", "created_at"
        ),
    )
)
class ConsentReceipt(PublicIdModel):
    """The receipt of one decision, with the fields of ISO/IEC TS 27560 (who, what, to whom, why,
    on which basis, valid until), the SHA-256 of those fields and of the previous receipt of the
    same consent, and a PDF rendered after commit. The payload is never changed; the PDF's hash
    is written once when it is rendered."""

    consent = models.ForeignKey(Consent, models.CASCADE, related_name="receipts")
    decision = models.OneToOneField(ConsentDecision, models.CASCADE, related_name="receipt")
    kind = models.CharField(_("kind"), max_length=16, choices=ReceiptKind.choices)
    payload = models.JSONField(_("receipt fields"))
    sha256 = models.CharField(_("SHA-256 of the fields"), max_length=64)
    previous_sha256 = models.CharField(
        _("SHA-256 of the previous receipt"), max_length=64, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    pdf = models.FileField(_("PDF"), upload_to="consent/receipts/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("consent receipt")
        verbose_name_plural = _("consent receipts")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class ParentAccess(PublicIdModel, TimeStampedModel):
    """A youth of 16 or older allows a parent to see their data and act for them (R-AGE-5, R-AGE-6).

    Without it, a parent of a youth of 16 or older sees no shared data, minutes or access log in
    the portal and cannot file rights requests about the youth. The youth can take it back.
    """

    youth = models.ForeignKey("parties.Youth", models.CASCADE, related_name="parent_accesses")
    guardian = models.ForeignKey(
        "parties.Guardian", models.CASCADE, related_name="accesses", verbose_name=_("parent")
    )
    given_at = models.DateTimeField(_("allowed since"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("no longer allowed since"), null=True, blank=True)

    objects = ParentAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("parent allowed to see")
        verbose_name_plural = _("parents allowed to see")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian"],
                condition=Q(withdrawn_at__isnull=True),
                name="parent_access_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.given_at:%Y-%m-%d})"


class RightsRequest(PublicIdModel, TimeStampedModel):
    """A data subject's request (inzage, rectificatie, verwijdering, beperking, bezwaar,
    vernietiging), routed to the organisation that owns the data (SPEC R-13-1..5, §7.1).

    A request filed about a case goes to each owner party of the case's data: one row per
    organisation, sharing `filing`. The deadline is one calendar month after receipt (three for
    destroying a youth care file), extendable by two months with a reasoned notice sent before
    the deadline. A parent's request about a youth of 16 or older waits for the youth's
    permission (R-AGE-5, R-13-4) and starts counting when it comes.
    """

    filing = models.UUIDField(_("filing"), db_index=True)
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    youth = models.ForeignKey("parties.Youth", models.PROTECT, related_name="rights_requests")
    case = models.ForeignKey(
        "casusoverleg.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="rights_requests",
        verbose_name=_("case"),
    )
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        related_name="rights_requests",
        verbose_name=_("handled by"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requester")
    )
    requester_kind = models.CharField(
        _("requester is"), max_length=16, choices=ConsenterKind.choices
    )
    guardian = models.ForeignKey(
        "parties.Guardian",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parent or guardian"),
    )
    description = EncryptedTextField(_("what the request is about"), blank=True)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    received_at = models.DateTimeField(
        _("received at"),
        null=True,
        blank=True,
        help_text=_(
            "When the request could be handled; a parent's request about a youth of 16 "
            "or older only once the youth allows it."
        ),
    )
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    identity_method = models.CharField(_("identity verified by"), max_length=200, blank=True)
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    extended_until = models.DateField(_("extended until"), null=True, blank=True)
    extension_reason = EncryptedTextField(_("reason for the extension"), blank=True)
    extension_notified_at = models.DateTimeField(
        _("requester told of the extension at"), null=True, blank=True
    )
    forwarded_from = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forward_reason = models.CharField(_("reason for forwarding"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    closed_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=RequestOutcome.choices, blank=True
    )
    refusal_ground = EncryptedTextField(
        _("legal ground for refusing"),
        blank=True,
        help_text=_("Required when the request is refused, also in part (R-RIGHTS-3)."),
    )
    answer = EncryptedTextField(_("answer to the requester"), blank=True)
    answer_document = models.FileField(
        _("inzage report"), upload_to="consent/inzage/%Y/%m/", blank=True
    )
    answer_document_sha256 = models.CharField(_("SHA-256 of the report"), max_length=64, blank=True)
    reminders_sent = models.JSONField(_("reminders sent (days before)"), default=list, blank=True)

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rights request")
        verbose_name_plural = _("rights requests")
        ordering = ["due_on", "filed_at"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                name="request_refusal_has_ground",
                condition=~Q(outcome__in=[RequestOutcome.REFUSED, RequestOutcome.PARTLY])
                | ~Q(refusal_ground=""),
            ),
            models.CheckConstraint(
                name="request_open_has_deadline",
                condition=~Q(status=RequestStatus.OPEN) | Q(due_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.filed_at:%Y-%m-%d})"

    @property
    def deadline(self):
        """The day the answer is due: the extended deadline if there is one."""
        return self.extended_until or self.due_on
