"""The covenant as data (SPEC §3–§7): what the region's functioneel beheerder maintains.

Rows the SPEC tags [I] (inferred) are seeded with `needs_legal_review=True`, so that the region's FG
can confirm or change them without a code change; the beheer screens show them with a badge.
"""

import re
from datetime import timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

import pgtrigger

from core.fields import EncryptedTextField
from core.models import PublicIdModel, TimeStampedModel
from core.querysets import AuditedQuerySet
from parties.choices import Capacity, PartyType

from .choices import (
    ChecklistPhase,
    ConsultationRoleCode,
    CovenantPartyStatus,
    DataClass,
    DPIAReviewTrigger,
    EndorsementKind,
    ResidualRisk,
    RetentionAction,
    RetentionTrigger,
    RiskAssessment,
    SubjectsException,
    Transition,
)


class ReferenceModel(PublicIdModel, TimeStampedModel):
    """Reference data of the covenant: reviewable, with its source in SPEC/the law."""

    needs_legal_review = models.BooleanField(
        _("needs legal review"),
        default=False,
        help_text=_("Inferred from the model covenant; the FG must confirm or change it."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        abstract = True


class Covenant(PublicIdModel, TimeStampedModel):
    """One version of the privacy covenant of a region (SPEC §2, R-17-1, R-2-2)."""

    region = models.ForeignKey("parties.Region", models.PROTECT, related_name="covenants")
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=32)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    hosting_organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hosting party"),
        help_text=_("The party that hosts the application as processor for the others (R-2-2)."),
    )
    processor_agreement_reference = models.CharField(
        _("processor agreement reference"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("covenant")
        verbose_name_plural = _("covenants")
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="covenant_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"

    def clean(self) -> None:
        if self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError(
                {"effective_until": _("The end date lies before the start date.")}
            )


class CovenantParty(PublicIdModel, TimeStampedModel):
    """An organisation's participation in a covenant: how it joined, its FG contact (R-15-1)."""

    covenant = models.ForeignKey(Covenant, models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        related_name="covenant_parties",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("participation"), max_length=16, choices=CovenantPartyStatus.choices
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    mandate_reference = models.CharField(
        _("mandate (volmacht) reference"),
        max_length=200,
        blank=True,
        help_text=_("For a school board represented by the SWV (R-P-2)."),
    )
    signed_document = models.FileField(
        _("signed accession form"), upload_to="convenant/toetreding/", blank=True
    )
    accession_approved_at = models.DateTimeField(_("accession approved at"), null=True, blank=True)
    # Issue 7 (covenant governance): who approved the accession (R-18-1, four eyes).
    accession_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accession approved by"),
    )
    accession_notified_at = models.DateTimeField(
        _("participants notified of accession at"), null=True, blank=True
    )
    privacy_officer_name = models.CharField(_("FG name"), max_length=200)
    privacy_officer_email = models.EmailField(_("FG e-mail"))

    class Meta:
        verbose_name = _("covenant party")
        verbose_name_plural = _("covenant parties")
        ordering = ["covenant", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["covenant", "organisation"], name="covenantparty_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.covenant}"

    def clean(self) -> None:
        """A mandated school board needs its volmacht (R-P-2); dates must be in order."""
        errors = {}
        if self.status == CovenantPartyStatus.MANDATED and not self.mandate_reference:
            errors["mandate_reference"] = _("A party represented by the SWV needs its mandate.")
        # Without a valid start date (refused at its own field) there is nothing to compare.
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = _("The end date lies before the start date.")
        if errors:
            raise ValidationError(errors)


# Statutes a legal basis can rest on; the covenant itself is none of them (SPEC R-4-3).
_STATUTE = re.compile(
    r"\b(AVG|UAVG|WPO|WVO|WEC|WEB|Jeugdwet|Jw|Leerplichtwet|Lpw|Wpg|WGBO|BW|Wams|Awb|Wet|Wmo)\b",
    re.IGNORECASE,
)
_COVENANT = re.compile(r"convenant|covenant", re.IGNORECASE)


class LegalBasis(ReferenceModel):
    """A legal basis (grondslag) per party type × capacity × data class (SPEC art. 4, §4, R-4-1)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("name"), max_length=300)
    party_type = models.CharField(_("party type"), max_length=32, choices=PartyType.choices)
    capacity = models.CharField(_("capacity"), max_length=32, choices=Capacity.choices)
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass.choices)
    avg_article = models.CharField(_("GDPR article"), max_length=100)
    statute_reference = models.CharField(_("statute reference"), max_length=300)
    requires_consent = models.BooleanField(_("requires consent"), default=False)
    consent_basis = models.BooleanField(
        _("is the data subject's consent"),
        default=False,
        help_text=_(
            "On: this basis is explicit consent (AVG art. 6(1)(a) or 9(2)(a)), not a statutory "
            "ground. A party whose only basis for a data class is consent can receive such data "
            "only under a consent (R-4-4, R-T-3)."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    staatsblad_reference = models.CharField(_("Staatsblad reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["party_type", "capacity", "data_class", "code"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        """The covenant is never a legal basis (R-4-3); Wams only once in force (R-4-5, R-W-1)."""
        errors = {}
        reference = self.statute_reference or ""
        if not _STATUTE.search(reference):
            if _COVENANT.search(reference):
                errors["statute_reference"] = _(
                    "The covenant is not a legal basis. Name the statute the party relies on."
                )
            else:
                errors["statute_reference"] = _("Name the statute (for example: WPO art. 18a).")
        if self.consent_basis and not self.requires_consent:
            errors["requires_consent"] = _("A consent basis always requires consent.")
        if (
            self.enabled
            and self.capacity == Capacity.WAMS
            and not (self.in_force_from and self.staatsblad_reference)
        ):
            errors["enabled"] = _(
                "A Wams basis can only be enabled with its date of entry into force and "
                "Staatsblad reference."
            )
        if errors:
            raise ValidationError(errors)


class Purpose(ReferenceModel):
    """A purpose for which data is processed in a Casusoverleg (SPEC art. 3, R-3-1)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DataCategory(ReferenceModel):
    """A category of personal data (SPEC art. 5, C1–C11)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=300)
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass.choices)
    description = models.TextField(_("description"), blank=True)
    never_shared = models.BooleanField(
        _("never shared"), default=False, help_text=_("For example geoorloofd verzuim (R-5-2).")
    )
    excluded = models.BooleanField(
        _("excluded from Casusoverleg forms"),
        default=False,
        help_text=_("Criminal data and BSN are not processed (R-5-3)."),
    )
    treatment_information = models.BooleanField(
        _("treatment information (professional secrecy)"),
        default=False,
        help_text=_(
            "Only a professional with professional secrecy can share it, and only with a "
            "consent per item (R-6-2, R-T-2)."
        ),
    )
    restricted_to_capacities = models.JSONField(
        _("only with participants in capacity"),
        default=list,
        blank=True,
        help_text=_("Empty: no restriction. Zorgelijk geoorloofd verzuim: leerplicht or JGZ."),
    )

    class Meta:
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_special(self) -> bool:
        """Special (health) data needs a special-data basis or consent (invariant 4)."""
        return self.data_class == DataClass.SPECIAL_HEALTH

    def clean(self) -> None:
        unknown = set(self.restricted_to_capacities or []) - set(Capacity.values)
        if unknown:
            raise ValidationError(
                {
                    "restricted_to_capacities": _("Unknown capacity: %(c)s")
                    % {"c": ", ".join(sorted(unknown))}
                }
            )


class ConsultationType(ReferenceModel):
    """A type of Casusoverleg (SPEC §5.1, Bijlage 3, R-TYPE-1)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.ForeignKey(
        Purpose, models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    description = models.TextField(_("description"), blank=True)
    allowed_categories = models.ManyToManyField(
        DataCategory,
        related_name="consultation_types",
        verbose_name=_("allowed data categories"),
        blank=True,
    )
    default_coordinator_role = models.CharField(
        _("default procesregisseur"), max_length=200, blank=True
    )
    consent_logic = models.TextField(_("consent"), blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous consultation"), default=False, help_text=_("No identifying data is processed.")
    )
    requires_roles_to_schedule = models.BooleanField(
        _("required roles must be present to schedule"), default=False
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("consultation type")
        verbose_name_plural = _("consultation types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ConsultationTypeRole(TimeStampedModel):
    """A role at the table of a consultation type: required (core) or optional (SPEC §5.1)."""

    consultation_type = models.ForeignKey(ConsultationType, models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=ConsultationRoleCode.choices)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("role in a consultation type")
        verbose_name_plural = _("roles in consultation types")
        ordering = ["consultation_type", "-required", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation_type", "role"], name="consultationtyperole_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_type}: {self.get_role_display()}"


class ChecklistItem(ReferenceModel):
    """One item of the Bijlage 3 checklist, gating one case transition (SPEC §5.3, R-CHK-1).

    Without a consultation type the item applies to every type.
    """

    consultation_type = models.ForeignKey(
        ConsultationType,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("consultation type"),
    )
    code = models.SlugField(_("code"), max_length=64)
    phase = models.CharField(_("phase"), max_length=8, choices=ChecklistPhase.choices)
    transition = models.CharField(_("required before"), max_length=24, choices=Transition.choices)
    text = models.CharField(_("text"), max_length=400)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation_type", "code"], name="checklistitem_unique_code"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class RetentionRule(ReferenceModel):
    """How long a kind of record is kept and what happens after (SPEC §7.3, R-9-1, R-RET-1)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    record_type = models.CharField(_("record"), max_length=300)
    owner = models.CharField(_("owner"), max_length=200)
    owner_party_type = models.CharField(
        _("owner party type"), max_length=32, choices=PartyType.choices, blank=True
    )
    period_months = models.PositiveIntegerField(
        _("period (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: set by the party's policy."),
    )
    trigger = models.CharField(_("counted from"), max_length=24, choices=RetentionTrigger.choices)
    action = models.CharField(
        _("then"), max_length=12, choices=RetentionAction.choices, default=RetentionAction.DELETE
    )
    applies_in_app = models.BooleanField(
        _("enforced in this application"),
        default=False,
        help_text=_("Off: the rule is the party's own regime, shown for information."),
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.record_type

    def clean(self) -> None:
        if self.applies_in_app and self.period_months is None:
            raise ValidationError(
                {"period_months": _("A rule the application enforces needs a period.")}
            )


# --- The breach register (issue 7, SPEC §7.2) ---------------------------------------------------

# AVG art. 33(1): the Autoriteit Persoonsgegevens is told within 72 hours of discovery.
AP_DEADLINE = timedelta(hours=72)
# SPEC R-BREACH-3: the FG and the party's beheerders are warned this long before the deadline.
ESCALATION_BEFORE = timedelta(hours=24)
# No moment in the register lies before this year: older input is a typo.
EARLIEST_YEAR = 2000


class IncidentDeletionRefusedError(RuntimeError):
    """An incident was to be deleted; the register keeps every one (SPEC R-BREACH-5)."""


class IncidentQuerySet(AuditedQuerySet):
    """Incidents; a bulk delete is refused like a single one (SPEC R-BREACH-5)."""

    def delete(self) -> NoReturn:
        raise IncidentDeletionRefusedError("the breach register keeps every incident")


class Incident(PublicIdModel, TimeStampedModel):
    """One data breach (datalek) in the register of the region (SPEC R-BREACH-1..6, AVG 33/34).

    Reported by a professional, FG or beheerder of a party; its FG and the FGs of every affected
    party are told at once (R-BREACH-2). `ap_deadline` is fixed at report time: 72 hours after
    discovery (AVG art. 33). The free-text fields can hold special data: they stay out of the
    row history (settings.AUDITLOG_INCLUDE_TRACKING_MODELS) and out of every e-mail. Incidents
    are never deleted: the model, its queryset and a PostgreSQL trigger refuse (R-BREACH-5).
    Writes go through `convenant.incidents`.
    """

    region = models.ForeignKey("parties.Region", models.PROTECT, related_name="incidents")
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        related_name="+",
        verbose_name=_("reported by party"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    discovered_at = models.DateTimeField(_("discovered at"))
    affected_parties = models.ManyToManyField(
        "parties.Organisation",
        related_name="affected_by_incidents",
        verbose_name=_("affected parties"),
        help_text=_("The parties whose data is involved; their FGs are told at once."),
    )
    data_categories = models.ManyToManyField(
        DataCategory, blank=True, related_name="+", verbose_name=_("data involved")
    )
    n_subjects = models.PositiveIntegerField(_("number of people concerned"))
    description = EncryptedTextField(_("what happened"))
    containment = EncryptedTextField(_("what has been done already"), blank=True)
    risk_assessment = models.CharField(
        _("risk"), max_length=16, choices=RiskAssessment.choices, blank=True
    )
    risk_notes = EncryptedTextField(_("reasons for the risk assessment"), blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    ap_deadline = models.DateTimeField(_("report to the AP before"), editable=False)
    ap_notified_at = models.DateTimeField(_("reported to the AP at"), null=True, blank=True)
    ap_reference = models.CharField(_("AP reference"), max_length=100, blank=True)
    ap_not_notified_reason = EncryptedTextField(_("why the AP was not told"), blank=True)
    subjects_notified_at = models.DateTimeField(
        _("people concerned told at"), null=True, blank=True
    )
    subjects_exception_ground = models.CharField(
        _("exception (AVG 34(3))"), max_length=16, choices=SubjectsException.choices, blank=True
    )
    subjects_exception = EncryptedTextField(_("why the exception applies"), blank=True)
    parties_notified_at = models.DateTimeField(_("parties' FGs told at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # The item revoked as mis-shared, if the incident was opened that way (R-BREACH-6). A string
    # reference: casusoverleg sits above convenant. The item may go later (retention); the
    # incident stays.
    shared_item = models.ForeignKey(
        "casusoverleg.SharedItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("revoked shared item"),
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("data breach")
        verbose_name_plural = _("data breaches")
        ordering = ["-discovered_at", "-id"]
        indexes = [
            models.Index(fields=["region", "closed_at"], name="incident_region_open"),
            models.Index(fields=["organisation", "-discovered_at"], name="incident_org_time"),
        ]
        constraints = [
            # Closing needs an assessment (R-BREACH-4); the other closing rules are the service's.
            models.CheckConstraint(
                name="incident_closed_is_assessed",
                condition=models.Q(closed_at__isnull=True) | ~models.Q(risk_assessment=""),
            ),
        ]
        # The register keeps every incident (R-BREACH-5), like the access log keeps its events.
        triggers = [pgtrigger.Protect(name="keep_incidents", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return str(_("Data breach %(ref)s") % {"ref": self.reference})

    @property
    def reference(self) -> str:
        """A short reference to quote in a conversation or to the AP (not a sequential id)."""
        return str(self.uuid).split("-")[0].upper()

    @property
    def is_open(self) -> bool:
        """Open until the FG closes it."""
        return self.closed_at is None

    @property
    def needs_ap_notification(self) -> bool:
        """Not assessed yet, or assessed as a risk: the AP must be told unless the FG decides
        otherwise (AVG 33). Escalation counts an unassessed incident as a risk (R-BREACH-3)."""
        return self.risk_assessment != RiskAssessment.NONE

    def clean(self) -> None:
        """The deadline follows the discovery (AVG 33(1)); discovery lies not in the future, nor
        before the register could exist (a typo such as year 0001 is refused, not stored)."""
        from django.utils import timezone

        if self.discovered_at is None:
            return
        if self.discovered_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError(
                {"discovered_at": _("The moment of discovery cannot lie in the future.")}
            )
        if self.discovered_at.year < EARLIEST_YEAR:
            raise ValidationError({"discovered_at": _("Give a date from the year 2000 on.")})
        self.ap_deadline = self.discovered_at + AP_DEADLINE

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Refused: the register keeps every incident, also those without risk (R-BREACH-5)."""
        raise IncidentDeletionRefusedError("the breach register keeps every incident")


# --- Covenant governance (issue 7): the DPIA gate and its review prompts (R-DPIA-1, R-DPIA-2) ---


class DPIARecord(PublicIdModel, TimeStampedModel):
    """A data protection impact assessment of the region's use of the application (R-DPIA-1).

    Its controllers (at least the gemeente and the hosting party) carried it out; every other
    party adopts or endorses it (`DPIAEndorsement`) before it can be made active in the app.
    """

    region = models.ForeignKey("parties.Region", models.PROTECT, related_name="dpia_records")
    performed_on = models.DateField(_("DPIA date"))
    version = models.CharField(_("version"), max_length=32)
    controllers = models.ManyToManyField(
        "parties.Organisation",
        related_name="dpia_records",
        verbose_name=_("controllers"),
        help_text=_("The parties that carried out the DPIA: at least the gemeente and the host."),
    )
    fg_advice_on = models.DateField(_("date of the FG's advice"))
    fg_advice_summary = models.TextField(_("summary of the FG's advice"))
    residual_risk = models.CharField(_("residual risk"), max_length=8, choices=ResidualRisk.choices)
    prior_consultation = models.BooleanField(
        _("prior consultation of the Autoriteit Persoonsgegevens"),
        default=False,
        help_text=_("Required when a high residual risk remains (AVG art. 36)."),
    )
    document = models.FileField(_("DPIA document"), upload_to="convenant/dpia/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("DPIA")
        verbose_name_plural = _("DPIAs")
        ordering = ["region", "-performed_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="dpiarecord_unique_version"),
        ]

    def __str__(self) -> str:
        return f"DPIA {self.version} ({self.performed_on:%d-%m-%Y})"

    def clean(self) -> None:
        """A high residual risk needs the AP's prior consultation (AVG art. 36)."""
        if self.residual_risk == ResidualRisk.HIGH and not self.prior_consultation:
            raise ValidationError(
                {
                    "prior_consultation": _(
                        "With a high residual risk the Autoriteit Persoonsgegevens must be "
                        "consulted first."
                    )
                }
            )


class DPIAEndorsement(PublicIdModel, TimeStampedModel):
    """A party's decision to adopt or endorse a DPIA it did not carry out itself (R-DPIA-1)."""

    dpia = models.ForeignKey(
        DPIARecord, models.CASCADE, related_name="endorsements", verbose_name=_("DPIA")
    )
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        related_name="dpia_endorsements",
        verbose_name=_("party"),
    )
    kind = models.CharField(_("decision"), max_length=8, choices=EndorsementKind.choices)
    reference = models.CharField(
        _("reference"), max_length=200, help_text=_("For example the board decision's number.")
    )
    endorsed_on = models.DateField(_("date of the decision"))

    class Meta:
        verbose_name = _("DPIA endorsement")
        verbose_name_plural = _("DPIA endorsements")
        ordering = ["dpia", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["dpia", "organisation"], name="dpiaendorsement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_kind_display()} ({self.reference})"


class DPIAReviewPrompt(PublicIdModel, TimeStampedModel):
    """A change after which the DPIA must be reviewed (R-DPIA-2).

    It stays open for a region until a DPIA record of that region, dated on or after the change,
    is entered after it (`governance_selectors.open_review_prompts`). Without a region the change
    was to deployment-wide reference data and concerns every region.
    """

    region = models.ForeignKey(
        "parties.Region", models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(_("change"), max_length=24, choices=DPIAReviewTrigger.choices)
    subject = models.CharField(_("what changed"), max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("DPIA review prompt")
        verbose_name_plural = _("DPIA review prompts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()}: {self.subject}"
