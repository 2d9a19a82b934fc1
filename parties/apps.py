from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    """People and organisations: regions, parties, users, professionals, youths, guardians."""

    name = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        # Session rules (issue 7): the login's moment, and deactivation ending sessions.
        from . import receivers  # noqa: F401
