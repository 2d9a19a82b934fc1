"""The legal-hold form (SPEC R-9-4); `casusoverleg.retention.legal_hold_place` checks again."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casusoverleg.models import LegalHoldScope
from core.forms import MinimisationFormMixin, NLDSFormMixin

from .cases import DateInput


class LegalHoldForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """What the hold covers, why, and until when; an end date in the past is refused."""

    minimised_fields = ("reason",)

    scope = forms.ChoiceField(
        label=_("The hold covers"),
        choices=LegalHoldScope.choices,
        widget=forms.RadioSelect,
        initial=LegalHoldScope.CASE,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("For example a pending complaint or court case. No names or care details."),
        error_messages={
            "required": _("Give the reason for the hold, for example a pending complaint.")
        },
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=DateInput(),
        help_text=_("Nothing the hold covers is deleted until this day has passed."),
        error_messages={"required": _("Give the date the hold ends.")},
    )

    def clean_reason(self) -> str:
        """Spaces only are no reason."""
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(
                _("Give the reason for the hold, for example a pending complaint.")
            )
        return reason

    def clean_ends_on(self) -> date:
        """A hold that ended before it was placed would hold nothing."""
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < timezone.localdate():
            raise forms.ValidationError(_("The end date cannot be in the past."))
        return ends_on
