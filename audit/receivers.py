"""Login, logout and failed logins go into the access log from day one."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

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
