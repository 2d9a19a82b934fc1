"""Regions, organisations (covenant parties), users, professionals, youths and guardians."""

from datetime import date, datetime

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

import pgtrigger
from guardian.models import UserObjectPermissionBase

from core.models import PublicIdModel, TimeStampedModel
from core.querysets import AuditedQuerySet

from .choices import (
    AuthoritySource,
    Capacity,
    GuardianRelation,
    PartyType,
    ProfessionalRegister,
    Role,
    Secrecy,
)
from .querysets import YouthQuerySet


class Region(PublicIdModel, TimeStampedModel):
    """An OOGO region: the municipalities and samenwerkingsverbanden that share one covenant."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    require_both_parents = models.BooleanField(
        _("both parents with joint authority must consent"),
        default=True,
        help_text=_(
            "On: where consent is the basis, each parent with gezag of a minor must consent. "
            "Off: one of them suffices (SPEC §10, Q4)."
        ),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(PublicIdModel, TimeStampedModel):
    """A party to the covenant, or a school of a party (SPEC §3.0, R-P-1, R-P-4)."""

    region = models.ForeignKey(Region, models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    party_type = models.CharField(_("party type"), max_length=32, choices=PartyType.choices)
    capacities = models.JSONField(
        _("capacities"),
        default=list,
        blank=True,
        help_text=_(
            "The capacities in which this organisation acts; legal bases differ per capacity."
        ),
    )
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("part of"),
        help_text=_("For a school: the school board it belongs to."),
    )
    is_active = models.BooleanField(_("active in the application"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Capacities must come from the closed list."""
        unknown = set(self.capacities or []) - set(Capacity.values)
        if unknown:
            raise ValidationError(
                {"capacities": _("Unknown capacity: %(c)s") % {"c": ", ".join(sorted(unknown))}}
            )

    def get_capacities_display(self) -> list[str]:
        """The capacities' Dutch labels, in the order of the closed list."""
        return [str(label) for value, label in Capacity.choices if value in (self.capacities or [])]


class UserManager(DjangoUserManager.from_queryset(AuditedQuerySet)):  # type: ignore[misc]
    """Django's user manager on a queryset that refuses history-bypassing bulk writes."""


class User(PublicIdModel, AbstractUser):
    """Anyone who logs in. Users are deactivated, never deleted (the access log refers to them)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_professional(self) -> bool:
        """Coordinators are professionals who also direct cases."""
        return self.role in (Role.PROFESSIONAL, Role.COORDINATOR)

    @property
    def is_citizen(self) -> bool:
        """Parents and youths use the portal."""
        return self.role in (Role.PARENT, Role.YOUTH)


class Professional(TimeStampedModel):
    """A user who works for an organisation: function, capacity, duty of confidentiality (R-6-1).

    FGs and functioneel beheerders have one too: it ties them to their organisation and region.
    """

    user = models.OneToOneField(User, models.PROTECT, related_name="professional")
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="professionals", verbose_name=_("organisation")
    )
    function = models.CharField(_("function"), max_length=200)
    capacity = models.CharField(_("capacity"), max_length=32, choices=Capacity.choices, blank=True)
    secrecy = models.CharField(
        _("duty of confidentiality"), max_length=32, choices=Secrecy.choices, default=Secrecy.DUTY
    )
    professional_register = models.CharField(
        _("professional register"),
        max_length=8,
        choices=ProfessionalRegister.choices,
        default=ProfessionalRegister.NONE,
    )
    register_number = models.CharField(_("register number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"

    def clean(self) -> None:
        """The capacity must be one the organisation acts in; a register needs a number."""
        errors = {}
        if (
            self.capacity
            and self.organisation_id
            and self.capacity not in self.organisation.capacities
        ):
            errors["capacity"] = _("The organisation does not act in this capacity.")
        if self.professional_register != ProfessionalRegister.NONE and not self.register_number:
            errors["register_number"] = _("Enter the registration number.")
        if errors:
            raise ValidationError(errors)

    @property
    def bound_by_secrecy(self) -> bool:
        """Only professionals bound by secrecy may see special (health) data (SPEC R-6-1)."""
        return self.secrecy != Secrecy.NONE

    @property
    def has_professional_secrecy(self) -> bool:
        """Beroepsgeheim: sharing needs consent unless a legal exception applies (invariant 4)."""
        return self.secrecy == Secrecy.PROFESSIONAL_SECRECY


class Youth(PublicIdModel, TimeStampedModel):
    """The child or young person a case is about (the data subject).

    There is deliberately no BSN field: identifiers are not processed here (SPEC R-5-3).
    """

    region = models.ForeignKey(Region, models.PROTECT, related_name="youths")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="pupils",
        verbose_name=_("school"),
    )
    # Retention (issue 7): the pupil_left_school trigger of SPEC R-9-2 counts from this day.
    left_school_on = models.DateField(
        _("left school on"),
        null=True,
        blank=True,
        help_text=_("The school's data shared in a case is kept for a period counted from here."),
    )
    user = models.OneToOneField(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="youth_record",
        verbose_name=_("portal account"),
    )

    objects = YouthQuerySet.as_manager()

    class Meta:
        verbose_name = _("youth")
        verbose_name_plural = _("youths")
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        """Age in whole years on `day`; the age rules apply at the date of the action (SPEC §6)."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class YouthUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grant table for youths (guardian; see core.permissions)."""

    content_object = models.ForeignKey(Youth, models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("youth grant")


class Guardian(PublicIdModel, TimeStampedModel):
    """A parent or guardian of one youth; with or without parental authority (SPEC R-1-2, R-AGE-7).

    A person with several children has one Guardian row per child, all pointing to one user.
    """

    youth = models.ForeignKey(Youth, models.CASCADE, related_name="guardians")
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=150)
    relation = models.CharField(
        _("relation"),
        max_length=16,
        choices=GuardianRelation.choices,
        default=GuardianRelation.PARENT,
    )
    has_authority = models.BooleanField(
        _("has parental authority (gezag)"),
        help_text=_("Only a parent with gezag, or a voogd, can consent and exercise rights."),
    )
    authority_source = models.CharField(
        _("source of the authority check"),
        max_length=32,
        choices=AuthoritySource.choices,
        blank=True,
    )
    authority_checked_on = models.DateField(_("authority checked on"), null=True, blank=True)
    user = models.ForeignKey(
        User,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="guardianships",
        verbose_name=_("portal account"),
    )

    class Meta:
        verbose_name = _("parent or guardian")
        verbose_name_plural = _("parents and guardians")
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def clean(self) -> None:
        """A recorded authority needs its source and date (SPEC R-AGE-7)."""
        if self.has_authority and not (self.authority_source and self.authority_checked_on):
            raise ValidationError(
                {"authority_source": _("Record where and when parental authority was checked.")}
            )


class ConfidentialityDeclarationQuerySet(AuditedQuerySet):
    """Declarations, with the one rule of which of them is still in force."""

    def in_force(self, *, version: str, since: "datetime") -> "ConfidentialityDeclarationQuerySet":
        """Declarations of `version` accepted after `since` (the start of the validity window)."""
        return self.filter(version=version, accepted_at__gt=since)


class ConfidentialityDeclaration(TimeStampedModel):
    """A professional's acceptance of the geheimhoudingsverklaring (SPEC art. 11, R-11-1).

    Append-only: each yearly acceptance is a new row, so the history shows who accepted which
    text when. The text itself lives in code (`parties.confidentiality`): its version and the
    SHA-256 of its Dutch wording are stored, which pins exactly what was accepted.
    """

    user = models.ForeignKey(
        User,
        models.PROTECT,
        related_name="confidentiality_declarations",
        verbose_name=_("user"),
    )
    version = models.CharField(_("version"), max_length=32)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    accepted_at = models.DateTimeField(_("accepted at"))

    objects = ConfidentialityDeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("confidentiality declaration")
        verbose_name_plural = _("confidentiality declarations")
        ordering = ["-accepted_at"]
        indexes = [
            models.Index(fields=["user", "version", "accepted_at"], name="declaration_lookup"),
        ]
        triggers = [
            # An acceptance is evidence: it is never changed, only followed by a newer one.
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.version} {self.accepted_at:%Y-%m-%d}"
