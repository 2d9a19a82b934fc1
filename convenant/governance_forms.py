"""Forms of covenant governance (issue 7); choices come from the beheerder's own region."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin
from parties.models import Organisation

from .choices import EndorsementKind, ResidualRisk
from .uploads import check_pdf


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PdfField(forms.FileField):
    """A file field that refuses anything but a PDF of at most 10 MB, at the field (the
    services check again: `convenant.uploads.check_pdf`)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            refusal = check_pdf(upload)
            if refusal:
                raise forms.ValidationError(refusal, code="refused")
        return upload


def _pdf(label: Any, required: bool = True) -> forms.FileField:
    return PdfField(
        label=label,
        required=required,
        widget=forms.FileInput(attrs={"accept": "application/pdf"}),
        help_text=_("A PDF file of at most 10 MB."),
    )


class _RegionForm(NLDSFormMixin, forms.Form):
    """Scopes every organisation choice to `organisations` (the beheerder's region)."""

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = (
                    organisations if organisations is not None else Organisation.objects.none()
                )


class CovenantVersionForm(_RegionForm):
    """A new version of the covenant (R-17-1)."""

    title = forms.CharField(label=_("Title"), max_length=300)
    version = forms.CharField(label=_("Version"), max_length=32)
    effective_from = forms.DateField(
        label=_("In force from"),
        widget=_date(),
        help_text=_("The current version ends the day before."),
    )
    hosting_organisation = forms.ModelChoiceField(
        label=_("Hosting party"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("A change of hosting party needs a DPIA review."),
    )
    processor_agreement_reference = forms.CharField(
        label=_("Processor agreement reference"), max_length=200, required=False
    )


class AccessionForm(_RegionForm):
    """A party that accedes to the covenant with its signed Toetredingsformulier (R-18-1)."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=_date())
    privacy_officer_name = forms.CharField(label=_("Name of the FG"), max_length=200)
    privacy_officer_email = forms.EmailField(label=_("E-mail address of the FG"))
    signed_document = _pdf(_("Signed accession form (Toetredingsformulier)"))


class AccessionUploadForm(NLDSFormMixin, forms.Form):
    """The signed Toetredingsformulier of an existing party row."""

    signed_document = _pdf(_("Signed accession form (Toetredingsformulier)"))


class PartyLeaveForm(NLDSFormMixin, forms.Form):
    """The end date of a party's participation (R-19-1)."""

    left_on = forms.DateField(label=_("Leaves on"), widget=_date())


class DPIARecordForm(_RegionForm):
    """A DPIA with the FG's advice (R-DPIA-1)."""

    performed_on = forms.DateField(label=_("DPIA date"), widget=_date())
    version = forms.CharField(label=_("Version"), max_length=32)
    controllers = forms.ModelMultipleChoiceField(
        label=_("Controllers"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The parties that carried out the DPIA: at least the gemeente and the host."),
    )
    fg_advice_on = forms.DateField(label=_("Date of the FG's advice"), widget=_date())
    fg_advice_summary = forms.CharField(
        label=_("Summary of the FG's advice"), widget=forms.Textarea(attrs={"rows": 4})
    )
    residual_risk = forms.ChoiceField(label=_("Residual risk"), choices=ResidualRisk.choices)
    prior_consultation = forms.BooleanField(
        label=_("Prior consultation of the Autoriteit Persoonsgegevens"),
        required=False,
        help_text=_("Required when a high residual risk remains (AVG art. 36)."),
    )
    document = _pdf(_("DPIA document"), required=False)

    MODEL_FIELDS = (
        "performed_on",
        "version",
        "fg_advice_on",
        "fg_advice_summary",
        "residual_risk",
        "prior_consultation",
    )


class DPIAEndorsementForm(_RegionForm):
    """A party's decision to adopt or endorse a DPIA (R-DPIA-1)."""

    organisation = forms.ModelChoiceField(label=_("Party"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(
        label=_("Decision"), choices=EndorsementKind.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        help_text=_("For example the board decision's number."),
    )
    endorsed_on = forms.DateField(label=_("Date of the decision"), widget=_date())
