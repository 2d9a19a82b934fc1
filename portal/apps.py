from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The parent and youth portal, and the role home pages at the top of the layers."""

    name = "portal"
    verbose_name = _("Portal")
