"""The tables of covenant data the functioneel beheerder maintains, and how each is shown."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.forms import ModelForm
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parties.forms import OrganisationForm
from parties.models import Organisation

from .forms import (
    ChecklistItemForm,
    ConsultationTypeForm,
    CovenantForm,
    CovenantPartyForm,
    DataCategoryForm,
    LegalBasisForm,
    PurposeForm,
    RetentionRuleForm,
)
from .models import (
    ChecklistItem,
    ConsultationType,
    Covenant,
    CovenantParty,
    DataCategory,
    LegalBasis,
    Purpose,
    RetentionRule,
)


@dataclass(frozen=True)
class Kind:
    """One table of reference data: its model, form, title and list columns."""

    slug: str
    model: type[models.Model]
    form: type[ModelForm]
    title: Promise
    description: Promise
    columns: tuple[str, ...]
    # How the rows of the beheerder's region are selected; None: the table is region-wide data.
    region_filter: str | None = None
    related: tuple[str, ...] = field(default=())

    def queryset(self, region_id: int) -> models.QuerySet:
        qs = self.model._default_manager.all()
        if self.region_filter:
            qs = qs.filter(**{self.region_filter: region_id})
        if self.related:
            qs = qs.select_related(*self.related)
        return qs

    @property
    def has_review_flag(self) -> bool:
        return any(f.name == "needs_legal_review" for f in self.model._meta.fields)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind(
            "convenanten",
            Covenant,
            CovenantForm,
            _("Covenant versions"),
            _("Versions of the covenant, with the hosting party (R-17-1, R-2-2)."),
            ("title", "version", "effective_from", "effective_until"),
            region_filter="region_id",
        ),
        Kind(
            "partijen",
            CovenantParty,
            CovenantPartyForm,
            _("Covenant parties"),
            _("Who takes part, how they joined, and their FG contact (R-P-1..3, R-15-1)."),
            ("organisation", "status", "joined_on", "left_on", "privacy_officer_name"),
            region_filter="covenant__region_id",
            related=("organisation", "covenant"),
        ),
        Kind(
            "organisaties",
            Organisation,
            OrganisationForm,
            _("Organisations"),
            _("Parties and schools in the region, with their type and capacities (R-P-1, R-P-4)."),
            ("name", "party_type", "capacities", "is_active"),
            region_filter="region_id",
        ),
        Kind(
            "grondslagen",
            LegalBasis,
            LegalBasisForm,
            _("Legal bases"),
            _(
                "Per party type, capacity and data class (art. 4, §4). "
                "The covenant itself is never a legal basis."
            ),
            (
                "label",
                "party_type",
                "capacity",
                "data_class",
                "avg_article",
                "requires_consent",
                "enabled",
            ),
        ),
        Kind(
            "doelen",
            Purpose,
            PurposeForm,
            _("Purposes"),
            _("Purposes of processing (art. 3)."),
            ("code", "name"),
        ),
        Kind(
            "gegevenscategorieen",
            DataCategory,
            DataCategoryForm,
            _("Data categories"),
            _("The minimal data set C1–C11 (art. 5)."),
            ("code", "name", "data_class", "never_shared", "excluded"),
        ),
        Kind(
            "overlegtypen",
            ConsultationType,
            ConsultationTypeForm,
            _("Consultation types"),
            _("Types of Casusoverleg with their roles and allowed data (Bijlage 3, §5.1)."),
            ("name", "purpose", "default_coordinator_role", "enabled"),
            related=("purpose",),
        ),
        Kind(
            "checklist",
            ChecklistItem,
            ChecklistItemForm,
            _("Checklist"),
            _("The Bijlage 3 checklist; each item gates one step of a case (§5.3)."),
            ("order", "text", "phase", "transition"),
            related=("consultation_type",),
        ),
        Kind(
            "bewaartermijnen",
            RetentionRule,
            RetentionRuleForm,
            _("Retention periods"),
            _("How long each kind of record is kept (art. 9, §7.3)."),
            ("record_type", "owner", "period_months", "trigger", "applies_in_app"),
        ),
    )
}

FormFactory = Callable[..., ModelForm]
