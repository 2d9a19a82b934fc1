"""Template context of the session rules: the idle-timeout warning's numbers (issue 7)."""

from django.conf import settings
from django.http import HttpRequest


def session_timeout(request: HttpRequest) -> dict[str, int]:
    """Seconds until an idle session ends, and how long before that the warning shows."""
    warning = min(settings.SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE)
    return {
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": warning,
        "session_warning_minutes": max(1, warning // 60),
    }
