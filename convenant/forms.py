"""Forms for the functioneel beheerder's screens over the covenant's data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin
from parties.choices import Capacity

from .choices import ConsultationRoleCode
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

_REVIEW_HELP = _("Clear this only after the data protection officer (FG) has confirmed the row.")


class CodeOnCreateMixin:
    """A new row gets its code from the beheerder; an existing row keeps it.

    The code is how the application and the seeded rules refer to a row (e.g. the legal basis
    `school-ordinary`), so it cannot change once set; without the field a new row failed its
    `full_clean` on the empty code with a server error (issue 7, invariant 9).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        if self.instance.pk:  # type: ignore[attr-defined]
            del self.fields["code"]  # type: ignore[attr-defined]


class LegalBasisForm(CodeOnCreateMixin, NLDSFormMixin, forms.ModelForm):
    class Meta:
        model = LegalBasis
        fields = [
            "code",
            "label",
            "party_type",
            "capacity",
            "data_class",
            "avg_article",
            "statute_reference",
            "requires_consent",
            "consent_basis",
            "enabled",
            "in_force_from",
            "staatsblad_reference",
            "needs_legal_review",
            "source",
        ]
        widgets = {"in_force_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"needs_legal_review": _REVIEW_HELP}


class PurposeForm(CodeOnCreateMixin, NLDSFormMixin, forms.ModelForm):
    class Meta:
        model = Purpose
        fields = ["code", "name", "description", "needs_legal_review", "source"]
        help_texts = {"needs_legal_review": _REVIEW_HELP}


class DataCategoryForm(CodeOnCreateMixin, NLDSFormMixin, forms.ModelForm):
    restricted_to_capacities = forms.MultipleChoiceField(
        label=_("Only with participants in capacity"),
        choices=Capacity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DataCategory
        fields = [
            "code",
            "name",
            "data_class",
            "description",
            "never_shared",
            "excluded",
            "treatment_information",
            "restricted_to_capacities",
            "needs_legal_review",
            "source",
        ]
        help_texts = {"needs_legal_review": _REVIEW_HELP}


class ConsultationTypeForm(CodeOnCreateMixin, NLDSFormMixin, forms.ModelForm):
    """A consultation type with its allowed categories and its required and optional roles."""

    required_roles = forms.MultipleChoiceField(
        label=_("Required roles"),
        choices=ConsultationRoleCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    optional_roles = forms.MultipleChoiceField(
        label=_("Optional roles"),
        choices=ConsultationRoleCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ConsultationType
        fields = [
            "code",
            "name",
            "purpose",
            "description",
            "allowed_categories",
            "default_coordinator_role",
            "consent_logic",
            "is_anonymous",
            "requires_roles_to_schedule",
            "enabled",
            "needs_legal_review",
            "source",
        ]
        widgets = {"allowed_categories": forms.CheckboxSelectMultiple}
        help_texts = {"needs_legal_review": _REVIEW_HELP}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            roles = list(self.instance.roles.all())
            self.initial.setdefault("required_roles", [r.role for r in roles if r.required])
            self.initial.setdefault("optional_roles", [r.role for r in roles if not r.required])

    def clean(self) -> dict:
        data = super().clean()
        both = set(data.get("required_roles") or []) & set(data.get("optional_roles") or [])
        if both:
            self.add_error("optional_roles", _("A role cannot be both required and optional."))
        return data


class ChecklistItemForm(NLDSFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = [
            "consultation_type",
            "code",
            "phase",
            "transition",
            "text",
            "order",
            "needs_legal_review",
            "source",
        ]
        help_texts = {"needs_legal_review": _REVIEW_HELP}


class RetentionRuleForm(CodeOnCreateMixin, NLDSFormMixin, forms.ModelForm):
    class Meta:
        model = RetentionRule
        fields = [
            "code",
            "record_type",
            "owner",
            "owner_party_type",
            "period_months",
            "trigger",
            "action",
            "applies_in_app",
            "needs_legal_review",
            "source",
        ]
        help_texts = {"needs_legal_review": _REVIEW_HELP}


class CovenantForm(NLDSFormMixin, forms.ModelForm):
    class Meta:
        model = Covenant
        fields = [
            "title",
            "version",
            "effective_from",
            "effective_until",
            "hosting_organisation",
            "processor_agreement_reference",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "effective_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class CovenantPartyForm(NLDSFormMixin, forms.ModelForm):
    class Meta:
        model = CovenantParty
        fields = [
            "covenant",
            "organisation",
            "status",
            "joined_on",
            "left_on",
            "mandate_reference",
            "privacy_officer_name",
            "privacy_officer_email",
        ]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
