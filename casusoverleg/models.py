"""Cases (Casusoverleg), their participants, meetings, invitations, checklist, minutes and PDFs.

A Participant row records who takes part (history); the guardian grant on the Case records who may
see it now (DESIGN invariant 1). Writes go through `casusoverleg.services` only.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guardian.models import UserObjectPermissionBase

from convenant.choices import ConsultationRoleCode, DataClass
from core.fields import EncryptedCharField, EncryptedTextField
from core.models import PublicIdModel, TimeStampedModel
from parties.choices import Capacity

from .choices import (
    Audience,
    CaseStatus,
    DeliveryStatus,
    DocumentKind,
    DocumentStatus,
    EntryKind,
    InvitationMethod,
    MeetingStatus,
    ParticipantKind,
    Response,
    TargetGroup,
)
from .querysets import (
    ActionItemQuerySet,
    CaseDocumentQuerySet,
    CaseQuerySet,
    CaseScopedQuerySet,
    MeetingQuerySet,
    MeetingScopedQuerySet,
    MinutesEntryQuerySet,
    MinutesScopedQuerySet,
    ParticipantQuerySet,
    SharedItemQuerySet,
)


class Case(PublicIdModel, TimeStampedModel):
    """A Casusoverleg about one youth: its type, purpose, doelgroep and procesregisseur.

    SPEC R-0-1 (doelgroep), R-3-1 (purpose from the type's list plus a specification), R-PR-1
    (exactly one procesregisseur), R-17-1 (the covenant version in force when it was opened).
    """

    youth = models.ForeignKey(
        "parties.Youth",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("youth"),
        help_text=_("Empty only for an anonymous consultation."),
    )
    covenant = models.ForeignKey(
        "convenant.Covenant", models.PROTECT, related_name="cases", verbose_name=_("covenant")
    )
    consultation_type = models.ForeignKey(
        "convenant.ConsultationType",
        models.PROTECT,
        related_name="cases",
        verbose_name=_("consultation type"),
    )
    purpose = models.ForeignKey(
        "convenant.Purpose", models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    purpose_specification = EncryptedTextField(
        _("purpose in this case"),
        help_text=_("What this consultation must achieve for this youth. Only necessary facts."),
    )
    target_group = models.CharField(_("target group"), max_length=32, choices=TargetGroup.choices)
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.CONCEPT
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="coordinated_cases",
        verbose_name=_("procesregisseur"),
    )
    coordinator_role = models.CharField(
        _("role of the procesregisseur at the table"),
        max_length=32,
        choices=ConsultationRoleCode.choices,
        blank=True,
        help_text=_("The procesregisseur also fills a role, for example intern begeleider."),
    )
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        related_name="cases",
        verbose_name=_("party of the procesregisseur"),
        help_text=_("Owner of the minutes held in the application (SPEC R-2-1)."),
    )
    hearing_note = EncryptedTextField(
        _("how the child's view was heard"),
        blank=True,
        help_text=_("For a child under 12: how its view was obtained (hoorrecht)."),
    )
    hearing_not_possible_reason = EncryptedTextField(
        _("why the child could not be heard"), blank=True
    )
    out_of_education_since = models.DateField(
        _("without education since"),
        null=True,
        blank=True,
        help_text=_("For a thuiszitter: the first day without education."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    retain_until = models.DateField(_("kept until"), null=True, blank=True)
    access_expired_at = models.DateTimeField(
        _("participants' access ended at"),
        null=True,
        blank=True,
        help_text=_("Set when the participants' grants expired after closing (invariant 1)."),
    )
    adulthood_applied_at = models.DateTimeField(
        _("youth's 18th birthday applied at"),
        null=True,
        blank=True,
        help_text=_("Parents stop seeing the case by default; the procesregisseur was told."),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("Casusoverleg")
        verbose_name_plural = _("Casusoverleggen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.consultation_type} ({self.get_status_display()})"

    def clean(self) -> None:
        """An anonymous consultation has no youth; every other one has exactly one."""
        errors = {}
        if self.consultation_type_id:
            anonymous = self.consultation_type.is_anonymous
            if anonymous and self.youth_id:
                errors["youth"] = _("An anonymous consultation is not about a named youth.")
            if not anonymous and not self.youth_id:
                errors["youth"] = _("Choose the youth this consultation is about.")
            if self.purpose_id and self.purpose_id != self.consultation_type.purpose_id:
                errors["purpose"] = _("Choose the purpose that belongs to this type.")
        if not (self.purpose_specification or "").strip():
            errors["purpose_specification"] = _("Describe the purpose for this youth.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        """A closed case is frozen: closing started the retention period (SPEC art. 9)."""
        return self.status != CaseStatus.CLOSED


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grant table for cases (guardian, through core.permissions)."""

    content_object = models.ForeignKey(Case, models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("case grant")


class CoordinatorHandover(TimeStampedModel):
    """A change of procesregisseur; the history is kept (SPEC R-PR-1)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("to")
    )
    reason = models.CharField(_("reason"), max_length=300)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover of the procesregisseur")
        verbose_name_plural = _("handovers of the procesregisseur")
        ordering = ["created_at"]


class Participant(PublicIdModel, TimeStampedModel):
    """Someone at the table: a professional of a party, a parent with gezag or the youth.

    The row stays when they leave (`left_at`): it is the history of who took part. Parents with
    gezag and youths from 12 are always invited; not inviting needs a reason (invariant 6).
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=16, choices=ParticipantKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        "parties.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role at the table"), max_length=32, choices=ConsultationRoleCode.choices, blank=True
    )
    guardian = models.ForeignKey(
        "parties.Guardian",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("parent"),
    )
    is_invited = models.BooleanField(_("invited"), default=True)
    not_invited_reason = EncryptedTextField(_("reason for not inviting"), blank=True)
    youth_objected = models.BooleanField(
        _("the youth objected to inviting this parent"),
        default=False,
        help_text=_("A youth of 16 or 17 may object; the procesregisseur decides (SPEC §10, Q3)."),
    )
    response = models.CharField(
        _("answer"), max_length=16, choices=Response.choices, default=Response.PENDING
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["kind", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="participant_invited_or_reason",
                condition=models.Q(is_invited=True) | ~models.Q(not_invited_reason=""),
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ParticipantKind.PARENT and self.guardian_id:
            return str(self.guardian)
        if self.kind == ParticipantKind.YOUTH and self.case.youth_id:
            return str(self.case.youth)
        return str(self.user) if self.user_id else str(self.get_kind_display())

    def clean(self) -> None:
        """A professional has an account, an organisation and a role; a parent a guardian row."""
        errors = {}
        if self.kind == ParticipantKind.PROFESSIONAL:
            if not self.user_id:
                errors["user"] = _("Choose the professional.")
            if not self.role:
                errors["role"] = _("Choose the role at the table.")
        if self.kind == ParticipantKind.PARENT and not self.guardian_id:
            errors["guardian"] = _("Choose the parent.")
        if not self.is_invited and not self.not_invited_reason.strip():
            errors["not_invited_reason"] = _("Give the reason for not inviting.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        """Still at the table (has not left)."""
        return self.left_at is None

    @property
    def is_family(self) -> bool:
        """Parents and the youth: the people the covenant protects."""
        return self.kind in (ParticipantKind.PARENT, ParticipantKind.YOUTH)


class Meeting(PublicIdModel, TimeStampedModel):
    """One scheduled consultation of a case: when, where, agenda; rescheduling bumps `sequence`."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(
        _("agenda"), blank=True, help_text=_("Topics only; no personal details of the youth.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    # RFC 5545 SEQUENCE: every change participants must see raises it, so calendars update.
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                name="meeting_positive_duration",
                condition=models.Q(duration_minutes__gte=5) & models.Q(duration_minutes__lte=480),
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "status"])]

    def __str__(self) -> str:
        return f"{self.case} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self) -> datetime:
        """The end of the meeting."""
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def clean(self) -> None:
        """A meeting happens somewhere: a place or a video link."""
        if not (self.location.strip() or self.video_url.strip()):
            raise ValidationError({"location": _("Enter a place or a video link.")})


class PrivacyNotice(PublicIdModel, TimeStampedModel):
    """The privacy notice generated from the case when invitations are sent (SPEC R-12-1, R-12-2).

    `content` is a snapshot of what the notice said (purpose, participants, categories, legal
    bases, retention, rights, FG contacts), so that what was sent can always be shown again.
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="privacy_notices")
    version = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("made by")
    )

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="privacynotice_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case} v{self.version}"


class Invitation(PublicIdModel, TimeStampedModel):
    """One e-mail with an .ics to one participant for one meeting (R-AGE-2 counts these)."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="invitations")
    notice = models.ForeignKey(
        PrivacyNotice, models.PROTECT, related_name="invitations", verbose_name=_("privacy notice")
    )
    method = models.CharField(
        _("kind"), max_length=8, choices=InvitationMethod.choices, default=InvitationMethod.REQUEST
    )
    sequence = models.PositiveIntegerField(_("revision"))
    status = models.CharField(
        _("delivery"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = MeetingScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "participant", "-sequence"]


class Attendance(TimeStampedModel):
    """Whether a participant was present at a meeting, or why not (SPEC §5.3 'during')."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(Participant, models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    absence_reason = EncryptedCharField(_("reason for absence"), max_length=300, blank=True)

    objects = MeetingScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "participant"], name="attendance_unique"),
        ]

    def clean(self) -> None:
        """An absent parent or youth needs a reason (checklist: 'present or reason absent')."""
        if not self.present and not self.absence_reason.strip():
            raise ValidationError({"absence_reason": _("Give the reason for the absence.")})


class ChecklistAnswer(TimeStampedModel):
    """A ticked checklist item of a case, with who ticked it and an optional note (R-CHK-1)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="checklist_answers")
    item = models.ForeignKey(
        "convenant.ChecklistItem", models.PROTECT, related_name="+", verbose_name=_("item")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("ticked by")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="checklistanswer_unique"),
        ]


class Minutes(PublicIdModel, TimeStampedModel):
    """The verslag of one meeting: entries, actions, follow-up date, sharing with the family."""

    meeting = models.OneToOneField(Meeting, models.CASCADE, related_name="minutes")
    follow_up_on = models.DateField(_("follow-up or evaluation date"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    family_due_on = models.DateField(
        _("to share with parents and youth by"),
        null=True,
        blank=True,
        help_text=_("The configured number of working days after adoption (SPEC R-12-3)."),
    )
    shared_with_family_at = models.DateTimeField(
        _("shared with parents and youth at"), null=True, blank=True
    )

    objects = MeetingScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)


class MinutesEntry(PublicIdModel, TimeStampedModel):
    """One fact, opinion or agreement in the minutes, with the party that owns it (R-8-1, R-2-1)."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    text = EncryptedTextField(_("text"))
    owner = models.ForeignKey(
        "parties.Organisation", models.PROTECT, related_name="+", verbose_name=_("owner party")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )

    objects = MinutesEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes entry")
        verbose_name_plural = _("minutes entries")
        ordering = ["created_at"]


class ActionItem(PublicIdModel, TimeStampedModel):
    """An action agreed in the minutes: what, who (a participant), by when."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="actions")
    description = EncryptedCharField(_("action item"), max_length=500)
    assignee = models.ForeignKey(
        Participant, models.PROTECT, related_name="actions", verbose_name=_("who")
    )
    due_on = models.DateField(_("due on"))
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        # Not "action": that msgid is the access log's "handeling" (audit.AccessEvent.action).
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "created_at"]


class Statement(PublicIdModel, TimeStampedModel):
    """A parent's or youth's own statement added to the minutes (SPEC R-8-3)."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="statements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    text = EncryptedTextField(_("statement"))

    objects = MinutesScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("own statement")
        verbose_name_plural = _("own statements")
        ordering = ["created_at"]


class CaseDocument(PublicIdModel, TimeStampedModel):
    """A PDF made in the background for one user, watermarked with them and the time (R-11-2).

    A PDF belongs to the user who asked for it: another participant asks for their own copy, so
    that every printout says who produced it.
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)
    meeting = models.ForeignKey(
        Meeting, models.CASCADE, null=True, blank=True, related_name="documents"
    )
    audience = models.CharField(
        _("reader"), max_length=8, choices=Audience.choices, default=Audience.ADULT
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to="casusoverleg/pdf/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = CaseDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]


class SharedItem(PublicIdModel, TimeStampedModel):
    """One piece of data a party shares in a case: a disclosure (verstrekking, SPEC R-2-3).

    It carries its category (from the consultation type's allow-list, R-5-1), its owner party
    (the controller that provided it, R-2-1), its author and a fact/opinion/agreement tag
    (R-8-1), and the legal basis of the providing party (R-4-2). `data_class` is the class the
    item was shared as: the category's, or for a mixed category the basis's (SPEC art. 5, C11).
    With `audience_all` every participant who may receive it sees it; otherwise only the chosen
    `recipients`. A youth-care professional can withhold it ("niet verstrekken", R-6-3): then
    only the owner party sees it. Writes go through `casusoverleg.services` (sharing checks).
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="shared_items")
    meeting = models.ForeignKey(
        Meeting,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="shared_items",
        verbose_name=_("meeting"),
        help_text=_("The meeting it was shared for; it shows in that meeting's minutes."),
    )
    category = models.ForeignKey(
        "convenant.DataCategory", models.PROTECT, related_name="+", verbose_name=_("data category")
    )
    data_class = models.CharField(_("data class"), max_length=16, choices=DataClass.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    text = EncryptedTextField(
        _("what is shared"),
        help_text=_("Only necessary facts; no data of third parties (brothers, sisters, others)."),
    )
    owner = models.ForeignKey(
        "parties.Organisation", models.PROTECT, related_name="+", verbose_name=_("owner party")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("shared by")
    )
    owner_capacity = models.CharField(
        _("capacity of the owner party"),
        max_length=32,
        choices=Capacity.choices,
        blank=True,
        help_text=_(
            "The capacity the author shared in. A municipality acts as youth services, "
            "leerplicht and RMC at once: only its people in this capacity count as the owner."
        ),
    )
    legal_basis = models.ForeignKey(
        "convenant.LegalBasis",
        models.PROTECT,
        related_name="+",
        verbose_name=_("legal basis"),
    )
    shared_on_consent = models.BooleanField(
        _("shared on consent"),
        default=False,
        help_text=_("Read by others only while a consent covers them (SPEC R-6-2)."),
    )
    consent = models.ForeignKey(
        "consent.Consent",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_items",
        verbose_name=_("consent"),
        help_text=_("The consent it was shared on; withdrawn, it hides the item at once."),
    )
    audience_all = models.BooleanField(_("for every participant"), default=True)
    recipients = models.ManyToManyField(
        Participant, blank=True, related_name="shared_items", verbose_name=_("only for")
    )
    withheld_at = models.DateTimeField(_("not provided since"), null=True, blank=True)
    withheld_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("not provided by"),
    )
    withheld_reason = EncryptedCharField(_("reason for not providing"), max_length=300, blank=True)
    rectified_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = SharedItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared item")
        verbose_name_plural = _("shared items")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["case", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="shareditem_consent_flag_matches",
                condition=models.Q(shared_on_consent=False, consent__isnull=True)
                | models.Q(shared_on_consent=True, consent__isnull=False),
            ),
            models.CheckConstraint(
                name="shareditem_withheld_has_reason",
                condition=models.Q(withheld_at__isnull=True) | ~models.Q(withheld_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code} ({self.get_kind_display()})"

    @property
    def is_special(self) -> bool:
        """Special (health) data: only for readers bound by secrecy (SPEC R-6-1)."""
        return self.data_class == DataClass.SPECIAL_HEALTH

    @property
    def is_withheld(self) -> bool:
        """Marked "niet verstrekken": only the owner party sees it (SPEC R-6-3)."""
        return self.withheld_at is not None


# Retention (issue 7): legal holds and the record of removals live in their own module.
from .retention_models import (  # noqa: E402, F401
    LegalHold,
    LegalHoldScope,
    RetentionBatch,
    RetentionRemoval,
    RetentionRun,
    RunKind,
)
