"""Forms of the parent and youth portal: input shape only; the services decide (STYLE §4.3)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import MinimisationFormMixin, NLDSFormMixin
from parties.models import Organisation


class ResponseForm(NLDSFormMixin, forms.Form):
    """The answer to an invitation: two buttons, 'I come' and 'I do not come'."""

    ACCEPT = "accept"
    DECLINE = "decline"

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(ACCEPT, _("I will come")), (DECLINE, _("I cannot come"))],
        error_messages={"required": _("Choose whether you will come.")},
    )

    @property
    def accepts(self) -> bool:
        """Whether the (valid) answer is 'I will come'."""
        return self.cleaned_data["answer"] == self.ACCEPT


class StatementForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """A parent's or youth's own statement added to the shared minutes (SPEC R-8-3).

    The text shows the minimisation hint and is checked for BSN-like numbers (R-5-3, R-7-1).
    """

    minimised_fields = ("text",)

    text = forms.CharField(
        label=_("Your own statement"),
        help_text=_(
            "Do you see something differently, or do you want to add something? Write it here. "
            "Your statement is added to the minutes."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": _("Write your statement.")},
    )

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal next to the text field: this form has nothing else to point at.

        The aria attributes are set again because the error arrives after `full_clean`.
        """
        messages = (
            [m for ms in error.message_dict.values() for m in ms]
            if hasattr(error, "error_dict")
            else list(error.messages)
        )
        for message in messages:
            self.add_error("text", message)
        bound = self["text"]
        widget = self.fields["text"].widget
        widget.attrs["aria-invalid"] = "true"
        widget.attrs["aria-describedby"] = f"{bound.auto_id}_error {bound.auto_id}_helptext"


def add_service_errors(form: forms.Form, error: ValidationError, *, fallback: str | None) -> None:
    """Put a service's ValidationError next to the fields it names; the rest on `fallback`
    (None: above the form). Fields the form does not have count as the rest."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = name if name in form.fields else fallback
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(fallback, message)


class ConsentDecisionForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """One decision on a consent: the action comes from the confirmation page, the reason is
    optional (only for refusing or withdrawing). The service decides whether it is allowed."""

    minimised_fields = ("reason",)

    action = forms.ChoiceField(
        choices=[
            ("give", _("Give consent")),
            ("refuse", _("Refuse")),
            ("withdraw", _("Withdraw")),
            ("confirm", _("Confirm")),
        ],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Do you want to say why? (not required)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ParentAccessForm(NLDSFormMixin, forms.Form):
    """The youth (16 or older) allows a parent to see, or stops it (R-AGE-5)."""

    ALLOW = "allow"
    STOP = "stop"

    guardian = forms.UUIDField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[(ALLOW, _("Allow")), (STOP, _("Stop"))], widget=forms.HiddenInput
    )


class RightsRequestForm(MinimisationFormMixin, NLDSFormMixin, forms.Form):
    """A rights request about a youth: what, to which organisation(s), and a description.

    The choices come from the case the user chose (`portal_request_form`); whether the user may
    file it, and where the request must wait, is the service's to decide (R-13-4, R-AGE-5).
    """

    minimised_fields = ("description",)

    kind = forms.ChoiceField(
        label=_("What do you ask for?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you ask for.")},
    )
    organisations = forms.MultipleChoiceField(
        label=_("To which organisation?"),
        help_text=_("Each organisation answers for the data it holds itself."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the organisation or organisations.")},
    )
    description = forms.CharField(
        label=_("Explain your request"),
        help_text=_(
            "Needed for correction and objection: write what is wrong, or what you object to."
        ),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, str]],
        organisations: list[Organisation],
        **kwargs: Any,
    ) -> None:
        self._organisations = {str(o.uuid): o for o in organisations}
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["organisations"].choices = [
            (key, o.name) for key, o in self._organisations.items()
        ]
        if len(organisations) == 1 and not self.is_bound:
            self.initial["organisations"] = [str(organisations[0].uuid)]

    def chosen_organisations(self) -> list[Organisation]:
        """The organisations chosen (after validation)."""
        return [self._organisations[key] for key in self.cleaned_data["organisations"]]
