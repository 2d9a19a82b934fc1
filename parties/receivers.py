"""Session bookkeeping hooked to Django's auth signals and the User's save.

Not domain logic (STYLE §4.1 point 3): these keep the session rules of parties.sessions true
whatever path logs a user in or deactivates them (a view, a service, a management command,
a shell). Connected in PartiesConfig.ready().
"""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save  # noqa: TID251 (any path that deactivates a user)
from django.dispatch import receiver
from django.http import HttpRequest

from .sessions import session_login_mark, user_sessions_end


@receiver(user_logged_in, dispatch_uid="parties_login_mark")
def _login_mark(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Every login starts the absolute session lifetime (parties.middleware)."""
    if request is not None and hasattr(request, "session"):
        session_login_mark(request.session)


@receiver(post_save, sender="parties.User", dispatch_uid="parties_deactivation_ends_sessions")
def _deactivated(
    sender: Any, instance: Any, update_fields: Any = None, created: bool = False, **kwargs: Any
) -> None:
    """A user who is not active any more loses every live session (ASVS 7.4.2).

    Runs on each save of an inactive user that may have changed `is_active`; the cost is one
    pass over the live sessions (parties.sessions.user_sessions_end).
    """
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    user_sessions_end(instance)
