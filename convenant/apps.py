from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConvenantConfig(AppConfig):
    """The covenant as data: versions, parties, legal bases, categories, types, retention."""

    name = "convenant"
    verbose_name = _("Covenant")
