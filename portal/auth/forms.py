"""Forms of the portal's entrance: the code, the choice of a second factor, the first password.

The password provider's own form is `providers.PortalLoginForm`.
"""

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin

from .second_factor import Method


class CodeForm(NLDSFormMixin, forms.Form):
    """A six-digit code from the app or the e-mail (the page's `method` says which device)."""

    token = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("6 digits"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def clean_token(self) -> str:
        """Digits only (spaces are allowed between them); the device checks the rest."""
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Type the code with digits only, for example 123456."))
        return token


class SetupChoiceForm(NLDSFormMixin, forms.Form):
    """The first time: an app on the phone, or a code by e-mail (only with an address)."""

    method = forms.ChoiceField(
        label=_("How do you want to get your code?"),
        widget=forms.RadioSelect,
        choices=[
            (Method.TOTP.value, _("With an app on my phone (for example Google Authenticator)")),
            (Method.EMAIL.value, _("With an e-mail each time I log in")),
        ],
    )

    def __init__(self, *args: Any, has_email: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_email:
            field: Any = self.fields["method"]
            field.choices = [c for c in field.choices if c[0] != Method.EMAIL.value]


class ActivationForm(NLDSFormMixin, SetPasswordForm):
    """Choose a password when activating the invitation (Django's password validators)."""
