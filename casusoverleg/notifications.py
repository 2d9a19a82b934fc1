"""Notification e-mails of the casusoverleg app: a short Dutch sentence and a link, nothing else.

The body never holds personal data of the youth (SPEC R-10-3): not the name, not the case's
purpose, not the action's text. The reader follows the link and logs in.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parties.models import User

from .models import Case

SUBJECTS = {
    "minutes_shared": lambda: _("Minutes are ready for you in Casusoverleg"),
    "action_due": lambda: _("Reminder: an action of yours falls due soon"),
    "item_changed": lambda: _("Shared data in a Casusoverleg was corrected or withdrawn"),
    "youth_adult": lambda: _("A youth in your Casusoverleg has turned 18"),
}


def _link(user: User, kind: str, case: Case) -> str:
    """Where the reader goes: the portal for parents and youths, the workplace otherwise."""
    if user.is_citizen:
        path = reverse("portal:case_detail", kwargs={"uuid": case.uuid})
    elif kind == "action_due":
        path = reverse("casusoverleg:action_list")
    else:
        path = reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})
    return settings.SITE_URL.rstrip("/") + path


def notify(*, user_id: int, kind: str, case_id: int) -> None:
    """Send notification `kind` to the user; a user without an e-mail address is skipped."""
    user = User.objects.get(pk=user_id)
    case = Case.objects.get(pk=case_id)
    if not user.email or not user.is_active:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = SUBJECTS[kind]()
        body = render_to_string(
            f"casusoverleg/email/{kind}.txt", {"user": user, "link": _link(user, kind, case)}
        )
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
