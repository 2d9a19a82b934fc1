from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasusoverlegConfig(AppConfig):
    """Cases, meetings, participants and shared items; the professional's pages."""

    name = "casusoverleg"
    verbose_name = _("Casusoverleg")
