"""Forms of consent in a case: ask for it, record a signed form, judge that a youth cannot judge.

Every choice is scoped by the caller (the case's categories, the organisations at the table,
the people the age table asks); `consent.services` checks every value again and its refusals are
put next to these fields by name: categories, covers_special, recipients, valid_from, valid_until,
signed_form, signed_on, reason, judged_on, ended_on (SPEC R-6-2, R-AGE-1).
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.age import Consenter
from consent.choices import DecisionKind
from consent.uploads import check_upload
from convenant.models import DataCategory
from core.forms import MinimisationFormMixin, NLDSFormMixin
from parties.models import Organisation

from .cases import DateInput

# What a professional can record from a signed paper form (withdrawal goes through
# casusoverleg.services.consent_withdraw, which tells the readers).
RECORDABLE = (DecisionKind.GIVEN, DecisionKind.DECLINED, DecisionKind.WITHDRAWN)
RECORD_LABELS = {
    DecisionKind.GIVEN: _("Gives consent"),
    DecisionKind.DECLINED: _("Refuses consent"),
    DecisionKind.WITHDRAWN: _("Withdraws consent"),
}
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class CategoriesField(forms.ModelMultipleChoiceField):
    """Data categories as the covenant names them: 'C2 — Onderwijsgegevens'."""

    def label_from_instance(self, obj: DataCategory) -> str:
        return f"{obj.code} — {obj.name}"


class ConsentRequestForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Ask the family for consent: what may be shared, with whom, from when until when (R-6-2).

    An empty choice is not refused here: the service says what is missing, next to the field,
    in the same words wherever consent is asked.
    """

    minimised_fields = ("items_description",)

    categories = CategoriesField(
        label=_("What may be shared"),
        queryset=DataCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the kinds of data this type of consultation may discuss."),
    )
    covers_special = forms.BooleanField(
        label=_("The consent explicitly includes health data"),
        required=False,
        help_text=_("Health data needs explicit consent (AVG art. 9(2)(a))."),
    )
    items_description = forms.CharField(
        label=_("Only these items (optional)"),
        required=False,
        max_length=300,
        help_text=_("Name the items if the consent is for some items only."),
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Who may receive it"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only organisations at the table. Your own organisation has the data already."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        widget=DateInput(),
        help_text=_("Ask for no longer than the case needs."),
    )

    def __init__(
        self,
        *args: Any,
        categories: QuerySet[DataCategory],
        recipients: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"valid_from": today, "valid_until": today + timedelta(365)})
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = categories
        self.fields["recipients"].queryset = recipients

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values in the shape `consent.services.consent_request` takes."""
        data = self.cleaned_data
        return {
            "categories": list(data["categories"]),
            "recipients": list(data["recipients"]),
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
            "covers_special": data["covers_special"],
            "items_description": data["items_description"],
        }


class ConsentRecordForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Record one required person's decision from a signed paper form (R-6-2, R-AGE-1).

    The form is checked on its content, not its name (PDF, JPEG or PNG by its first bytes) and
    on its size; the service checks it again and stores it with its SHA-256.
    """

    minimised_fields = ("reason",)

    consenter = forms.ChoiceField(label=_("Whose form is it"), widget=forms.RadioSelect, choices=())
    decision = forms.ChoiceField(label=_("What the form says"), widget=forms.RadioSelect)
    signed_form = forms.FileField(
        label=_("The signed form"),
        widget=forms.ClearableFileInput(attrs={"accept": UPLOAD_ACCEPT}),
        error_messages={"required": _("Upload the signed form.")},
    )
    signed_on = forms.DateField(
        label=_("Signed on"),
        widget=DateInput(),
        error_messages={"required": _("Enter the date the form was signed.")},
    )
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example why the consent is withdrawn, if the person wrote it down."),
    )

    def __init__(
        self,
        *args: Any,
        consenters: list[tuple[str, str, Consenter]],
        decisions: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._consenters = {key: consenter for key, _label, consenter in consenters}
        self.fields["consenter"].choices = [(key, label) for key, label, _c in consenters]
        self.fields["decision"].choices = [(kind, RECORD_LABELS[kind]) for kind in decisions]
        limit_mb = settings.CONSENT_FORM_MAX_BYTES // (1024 * 1024)
        self.fields["signed_form"].help_text = _(
            "A scan or photo of the signed form: PDF, JPEG or PNG, at most %(mb)s MB."
        ) % {"mb": limit_mb}

    def clean_signed_form(self) -> Any:
        """Refuse an empty, too large or unknown file by its content (consent.uploads)."""
        upload = self.cleaned_data["signed_form"]
        problem = check_upload(upload)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean_signed_on(self) -> Any:
        """A form cannot have been signed in the future."""
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError(_("The form cannot be signed in the future."))
        return signed_on

    @property
    def chosen_consenter(self) -> Consenter:
        """The person the (valid) form is about."""
        return self._consenters[self.cleaned_data["consenter"]]


class IncapacityRecordForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Record a professional judgement that the youth cannot reasonably judge their own
    interests (SPEC §6, R-AGE-1)."""

    minimised_fields = ("reason",)

    reason = forms.CharField(
        label=_("Your professional judgement"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the youth cannot reasonably assess their own interests in this matter."),
        error_messages={"required": _("Describe your professional judgement.")},
    )
    judged_on = forms.DateField(
        label=_("Judged on"), widget=DateInput(), initial=timezone.localdate
    )


class IncapacityEndForm(NLDSFormMixin, forms.Form):
    """End a judgement: from this date the youth can judge again."""

    judgement = forms.UUIDField(widget=forms.HiddenInput)
    ended_on = forms.DateField(
        label=_("No longer holds from"), widget=DateInput(), initial=timezone.localdate
    )
