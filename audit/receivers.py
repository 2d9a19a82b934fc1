"""Login, logout and failed logins go into the access log from day one."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from axes.signals import user_locked_out

from parties.signals import second_factor_changed, second_factor_failed, sessions_ended

from .choices import Action, Outcome
from .services import record


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(actor=user, action=Action.LOGIN)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, action=Action.LOGOUT)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The attempted username is not stored (it may be anything a person typed); when it names an
    # existing account, the event refers to that account so the FG can see attacks on it.
    username = credentials.get("username", "")
    target = (
        (
            get_user_model()
            ._default_manager.select_related("professional__organisation")
            .filter(username=username)
            .first()
        )
        if username
        else None
    )
    # The attempt is filed under the account's organisation, so that its FG sees attacks on it.
    professional = getattr(target, "professional", None) if target is not None else None
    record(
        actor=None,
        action=Action.LOGIN_FAILED,
        target=target,
        outcome=Outcome.DENIED,
        organisation=professional.organisation if professional is not None else None,
    )


# Workplace authentication (issue 7): what parties.signals announces, and django-axes' lockout.
@receiver(second_factor_failed, dispatch_uid="audit_second_factor_failed")
def _second_factor_failed(sender: Any, user: Any, reason: str, **kwargs: Any) -> None:
    record(
        actor=user,
        action=Action.SECOND_FACTOR_FAILED,
        outcome=Outcome.DENIED,
        target=user,
        reason=reason,
    )


@receiver(second_factor_changed, dispatch_uid="audit_second_factor_changed")
def _second_factor_changed(sender: Any, user: Any, what: str, **kwargs: Any) -> None:
    action = (
        Action.RECOVERY_CODES_RENEWED if what == "recovery_codes" else Action.SECOND_FACTOR_ENROLLED
    )
    record(actor=user, action=action, target=user)


@receiver(sessions_ended, dispatch_uid="audit_sessions_ended")
def _sessions_ended(sender: Any, user: Any, count: int, **kwargs: Any) -> None:
    # Whoever deactivated the account is in its row history (auditlog); this is the effect.
    professional = getattr(user, "professional", None)
    record(
        actor=None,
        action=Action.SESSIONS_ENDED,
        target=user,
        reason=f"{count} session(s)",
        organisation=professional.organisation if professional is not None else None,
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    # Filed under the account's organisation, like a failed login, so its FG sees the attack.
    target = (
        get_user_model()
        ._default_manager.select_related("professional__organisation")
        .filter(username=username)
        .first()
        if username
        else None
    )
    professional = getattr(target, "professional", None) if target is not None else None
    record(
        actor=None,
        action=Action.LOCKED_OUT,
        target=target,
        outcome=Outcome.DENIED,
        organisation=professional.organisation if professional is not None else None,
    )
