from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """Consent and data-subject requests (consent, hearing records, requests)."""

    name = "consent"
    verbose_name = _("Consent")
