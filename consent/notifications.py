"""E-mails of the consent app. Each holds a link and no personal data (SPEC R-10-3)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parties.models import User

from .models import RightsRequest

FAMILY_SUBJECTS = {
    "consent_requested": lambda: _("You are asked for consent"),
    "consent_reconfirm": lambda: _("Please confirm a consent"),
    "request_extended": lambda: _("Your request takes longer"),
    "request_answered": lambda: _("Your request has been answered"),
}
HANDLER_SUBJECTS = {
    "request_filed": lambda: _("A new rights request"),
    "request_due": lambda: _("A rights request is due soon"),
}


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notify_family(*, user_id: int, kind: str) -> None:
    """Tell a parent or youth to look in the portal; skipped without an e-mail address."""
    user = User.objects.get(pk=user_id)
    if not user.email or not user.is_active:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(FAMILY_SUBJECTS[kind]())
        body = render_to_string(
            "consent/email/family.txt",
            {"user": user, "kind": kind, "link": _absolute(reverse("portal:home"))},
        )
    EmailMessage(subject=subject, body=body, to=[user.email]).send()


def notify_handler(*, user_id: int, request_id: int, kind: str) -> None:
    """Tell a procesregisseur or FG a request needs attention: the link to the request only."""
    user = User.objects.get(pk=user_id)
    request = RightsRequest.objects.get(pk=request_id)
    if not user.email or not user.is_active:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(HANDLER_SUBJECTS[kind]())
        body = render_to_string(
            "consent/email/handler.txt",
            {
                "user": user,
                "kind": kind,
                "deadline": request.deadline,
                "link": _absolute(
                    reverse("casusoverleg:request_detail", kwargs={"uuid": request.uuid})
                ),
            },
        )
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
