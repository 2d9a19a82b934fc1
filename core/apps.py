from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared kernel: base models, the guardian adapter, view helpers. Imports no domain app."""

    name = "core"
    verbose_name = _("Core")
