"""System checks of the access log's configuration (`manage.py check`, also at deploy)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

NEN_7513_MINIMUM_DAYS = 2 * 365
ADVISED_MINIMUM_DAYS = 5 * 365


@register()
def log_retention(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The log must be kept long enough: NEN 7513 asks at least two years, the Staatscourant
    (2019-38007) and SPEC §7.3 five. `audit_expire` refuses to remove younger events, so this
    setting is the real guard."""
    days = settings.AUDIT_LOG_RETENTION_DAYS
    if days < NEN_7513_MINIMUM_DAYS:
        return [
            Error(
                f"AUDIT_LOG_RETENTION_DAYS is {days}: NEN 7513 requires at least "
                f"{NEN_7513_MINIMUM_DAYS} days.",
                id="audit.E001",
            )
        ]
    if days < ADVISED_MINIMUM_DAYS:
        return [
            Warning(
                f"AUDIT_LOG_RETENTION_DAYS is {days}: the advice is at least five years "
                f"({ADVISED_MINIMUM_DAYS} days); record the FG's advice if you keep it shorter.",
                id="audit.W001",
            )
        ]
    return []
