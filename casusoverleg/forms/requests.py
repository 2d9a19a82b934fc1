"""Forms of handling a rights request: extend the deadline, forward it, answer it.

`consent.services` checks every value again; its refusals are put next to these fields by name:
until, reason, to, outcome, answer, refusal_ground (SPEC R-13-2, R-13-3, R-RIGHTS-3).
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from consent.choices import RequestOutcome
from core.forms import MinimisationFormMixin, NLDSFormMixin
from parties.models import Organisation

from .cases import DateInput

# A refusal, also in part, states its legal ground (R-RIGHTS-3).
NEEDS_GROUND = (RequestOutcome.REFUSED, RequestOutcome.PARTLY)

STATE_CHOICES = [
    ("", _("Open and answered")),
    ("open", _("Open")),
    ("closed", _("Answered")),
]


class RequestFilterForm(NLDSFormMixin, forms.Form):
    """Show the open requests, the answered ones, or both."""

    state = forms.ChoiceField(label=_("Show"), choices=STATE_CHOICES, required=False)

    @property
    def state_value(self) -> str:
        """The chosen group ("" for both); an unknown value shows both."""
        return self.cleaned_data.get("state", "") if self.is_valid() else ""


class ExtendForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Extend the deadline by at most two months, with reasons (AVG art. 12(3), R-13-2)."""

    minimised_fields = ("reason",)

    until = forms.DateField(label=_("New deadline"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The requester reads this: say why more time is needed."),
        error_messages={"required": _("Give the reason; the requester reads it.")},
    )


class ForwardForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Forward a request to the organisation that holds the data (R-13-3)."""

    minimised_fields = ("reason",)

    to = forms.ModelChoiceField(
        label=_("Forward to"), queryset=Organisation.objects.none(), empty_label="—"
    )
    reason = forms.CharField(
        label=_("Reason for forwarding"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for forwarding.")},
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = organisations


class CloseForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """Answer a request; a (partial) refusal names its legal ground (R-RIGHTS-3)."""

    minimised_fields = ("answer", "refusal_ground")

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=RequestOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    answer = forms.CharField(
        label=_("Answer to the requester"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The requester reads this in the portal. Write in plain language."),
        error_messages={"required": _("Write the answer; the requester reads it.")},
    )
    refusal_ground = forms.CharField(
        label=_("Legal ground for refusing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required when you refuse, also in part: for example AVG art. 15(4) (rights of "
            "others) or UAVG art. 41."
        ),
    )

    def clean(self) -> dict[str, Any]:
        """A refusal, also in part, needs its ground (checked here too, before any PDF is made)."""
        data = super().clean()
        if data.get("outcome") in NEEDS_GROUND and not data.get("refusal_ground", "").strip():
            self.add_error("refusal_ground", _("Name the legal ground for refusing."))
        return data
