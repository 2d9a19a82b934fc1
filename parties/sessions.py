"""Session rules beyond Django's: an absolute lifetime, and ending a deactivated user's sessions.

The idle timeout is Django's own (SESSION_COOKIE_AGE renewed on every request); these add what
Django lacks (ASVS V7, NIST SP 800-63B §7.2): a session ends a fixed time after the login however
busy it is, and a user who is deactivated loses every session at once (docs/authentication.md).
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.utils import timezone

from .signals import sessions_ended

# The session key holding the login's moment (seconds since the epoch).
LOGIN_AT_SESSION_KEY = "parties_login_at"


def session_login_mark(session: SessionBase) -> None:
    """Remember when this session logged in (called on every login)."""
    session[LOGIN_AT_SESSION_KEY] = int(time.time())


def session_is_past_lifetime(session: SessionBase) -> bool:
    """Whether the session logged in longer than SESSION_ABSOLUTE_SECONDS ago.

    A logged-in session without the mark (one from before this rule existed) counts as past its
    lifetime: failing closed costs one extra login.
    """
    started = session.get(LOGIN_AT_SESSION_KEY)
    if started is None:
        return True
    return time.time() - int(started) > settings.SESSION_ABSOLUTE_SECONDS


def user_sessions_end(user: Any) -> int:
    """Delete every live database session of `user`; returns how many.

    Django keeps the user id inside the encoded session data, so this decodes each unexpired
    session: O(live sessions), a few milliseconds per thousand, paid only when a user is
    deactivated. Only the database session engine is searched (the one this project uses).
    """
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    wanted = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY, "")) == wanted
    ]
    if doomed:
        Session.objects.filter(pk__in=doomed).delete()
        sessions_ended.send(sender=Session, user=user, count=len(doomed))
    return len(doomed)
