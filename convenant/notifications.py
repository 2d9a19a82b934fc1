"""E-mails of covenant governance: a short Dutch sentence and a link, nothing else (R-10-3)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


def accession_mail(*, party_id: int, address: str) -> None:
    """Tell one FG or beheerder that a party joined the covenant (R-18-1).

    The message names no party and no person: the reader follows the link and logs in.
    """
    link = settings.SITE_URL.rstrip("/") + reverse("governance:overview")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A party has joined the covenant of your region")
        body = render_to_string("convenant/email/accession.txt", {"link": link})
    EmailMessage(subject=subject, body=body, to=[address]).send()
