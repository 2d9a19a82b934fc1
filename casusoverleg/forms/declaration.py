"""The form of the geheimhoudingsverklaring: one checkbox that must be ticked (R-11-1)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import NLDSFormMixin


class DeclarationForm(NLDSFormMixin, forms.Form):
    """Accepting is a deliberate act: the box must be ticked, the button alone is not enough."""

    agree = forms.BooleanField(
        label=_("I have read this declaration and I will keep to it."),
        error_messages={"required": _("Tick the box to accept the declaration.")},
    )
