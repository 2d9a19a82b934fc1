"""Forms of the parties app."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin

from .choices import Capacity
from .models import Organisation


class LoginForm(NLDSFormMixin, AuthenticationForm):
    """The login form; the error never says whether the account exists."""

    error_messages = {
        "invalid_login": _("The username or password is not correct. Check both and try again."),
        "inactive": _("This account is not active. Ask your functional administrator."),
    }


class OrganisationForm(NLDSFormMixin, forms.ModelForm):
    """Organisation reference data, edited by the functioneel beheerder."""

    capacities = forms.MultipleChoiceField(
        label=_("Capacities"),
        choices=Capacity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The capacities in which this organisation acts; legal bases differ per capacity."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["name", "party_type", "capacities", "parent", "is_active"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Covenant governance (issue 7): a new party starts inactive; it is made active once it
        # passes the DPIA gate (R-DPIA-1, convenant.governance_services).
        if self.instance.pk is None:
            self.initial["is_active"] = False


class SecondFactorCodeForm(NLDSFormMixin, forms.Form):
    """A six-digit code from the authenticator app, or (when allowed) a recovery code."""

    token = forms.CharField(
        label=_("Code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "size": 12}
        ),
    )

    def __init__(self, *args: Any, recovery_allowed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recovery_allowed = recovery_allowed
        self.fields["token"].help_text = (
            _("6 digits from your app, or one of your recovery codes")
            if recovery_allowed
            else _("6 digits from your app")
        )

    def clean_token(self) -> str:
        """Digits (from the app) or letters and digits (a recovery code); the device checks the
        rest."""
        token = "".join(self.cleaned_data["token"].split())
        if not token.replace("-", "").isalnum():
            raise forms.ValidationError(_("Type the code with letters and digits only."))
        if not self.recovery_allowed and not token.isdigit():
            raise forms.ValidationError(_("Type the 6 digits your app shows."))
        return token
