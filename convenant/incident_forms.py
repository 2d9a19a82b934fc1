"""Forms of the breach register: a calm report form and the FG's four workflow steps.

The service checks every value again; its refusals land next to these fields by name.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin
from parties.models import Organisation

from .choices import RiskAssessment, SubjectsException
from .models import DataCategory

_MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    """A date-and-time field the browser offers a picker for; ISO input is accepted too."""
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MOMENT_FORMAT),
        error_messages={
            "required": _("Give the date and time."),
            "invalid": _("Give a date and time, for example 3-12-2026 09:30."),
        },
    )


def _now() -> str:
    return timezone.localtime().strftime(_MOMENT_FORMAT)


class IncidentReportForm(NLDSFormMixin, forms.Form):
    """ "Datalek melden": what happened, when, which data roughly, how many people, what was
    done already (SPEC R-BREACH-1). Short, with plain help texts; the FG asks for more."""

    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few sentences are enough, for example: 'an e-mail with minutes went to the wrong "
            "address'. Do not write names or other details of the people concerned: your FG will "
            "ask for them if needed."
        ),
        error_messages={"required": _("Describe what happened.")},
    )
    discovered_at = _moment(
        _("When did you discover it?"),
        help_text=_("Date and time. The 72 hours for reporting to the AP count from this moment."),
    )
    data_categories = forms.ModelMultipleChoiceField(
        label=_("Which data, roughly?"),
        queryset=DataCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick what you know. Not sure? Leave it open."),
    )
    n_subjects = forms.IntegerField(
        label=_("About how many people are concerned?"),
        min_value=0,
        max_value=10_000_000,
        help_text=_("An estimate is fine."),
        error_messages={
            "required": _("Give an estimate of the number of people (0 or more)."),
            "invalid": _("Give a number."),
            "min_value": _("Give an estimate of the number of people (0 or more)."),
        },
    )
    affected_parties = forms.ModelMultipleChoiceField(
        label=_("Whose data is it?"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The organisations the data came from. Their FGs are told at once."),
        error_messages={"required": _("Choose at least one organisation whose data it is.")},
    )
    containment = forms.CharField(
        label=_("What has been done already?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: asked the recipient to delete the e-mail, changed a password. Nothing "
            "yet? Leave it empty."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        own: Organisation,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["affected_parties"].queryset = organisations
        self.fields["data_categories"].queryset = DataCategory.objects.order_by("code")
        if not self.is_bound:
            self.initial.setdefault("affected_parties", [own.pk])
            self.initial.setdefault("discovered_at", _now())


class AssessForm(NLDSFormMixin, forms.Form):
    """Step 1: the FG's risk assessment (AVG art. 33, 34)."""

    risk_assessment = forms.ChoiceField(
        label=_("Risk to the people concerned"),
        choices=RiskAssessment.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the risk.")},
    )
    risk_notes = forms.CharField(
        label=_("Reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reasons for this assessment.")},
    )


class APNotificationForm(NLDSFormMixin, forms.Form):
    """Step 2: the report to the Autoriteit Persoonsgegevens, with its reference."""

    notified_at = _moment(_("Reported to the AP at"))
    reference = forms.CharField(
        label=_("AP reference"),
        max_length=100,
        error_messages={"required": _("Give the reference the AP gave the report.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("notified_at", _now())


class SubjectsForm(NLDSFormMixin, forms.Form):
    """Step 3: the people concerned told (AVG 34(1)), or the exception of AVG 34(3)."""

    notified_at = _moment(
        _("People concerned told at"),
        required=False,
        help_text=_("Leave empty when an exception applies."),
    )
    exception_ground = forms.ChoiceField(
        label=_("Or: the exception that applies"),
        choices=[("", "—"), *SubjectsException.choices],
        required=False,
    )
    exception = forms.CharField(
        label=_("Why the exception applies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(NLDSFormMixin, forms.Form):
    """Step 4: close; with a risk but no AP report, the documented reason why not."""

    ap_not_notified_reason = forms.CharField(
        label=_("Why the AP was not told (only if it was not)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
