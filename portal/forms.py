"""Forms of the parent and youth portal: input shape only; the services decide (STYLE §4.3)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import MinimisationFormMixin, NLDSFormMixin


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
