from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The append-only access log (NEN 7513 fields) and the FG's view of it."""

    name = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        # Login, logout and failed logins are recorded from Django's auth signals (not model
        # signals): there is no other hook for a failed login.
        from . import checks, receivers  # noqa: F401
