"""The invitation e-mail of a meeting: a short Dutch text, a calm HTML copy and an .ics file.

Privacy (SPEC R-10-3): an e-mail leaves the application for mailboxes we do not control, so it
carries a link into the application and the practical facts of the meeting (type, time, place,
who invites) and nothing about the youth: no name, date of birth, school, agenda text or cancel
reason. Everything else is read in the application, after logging in.
"""

from email import encoders
from email.mime.base import MIMEBase
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import InvitationMethod, ParticipantKind
from .ics import build_calendar
from .models import Invitation

ICS_FILENAME = "uitnodiging.ics"
TEMPLATE_TEXT = "casusoverleg/email/invitation.txt"
TEMPLATE_HTML = "casusoverleg/email/invitation.html"


def invitation_message(invitation: Invitation, *, link: str) -> EmailMultiAlternatives:
    """Build (not send) the e-mail for one invitation, with the .ics attached as uitnodiging.ics.

    `link` is the absolute URL where the participant answers and reads the privacy notice (SPEC
    R-12-1); the caller chooses it, because professionals and parents or youths use different
    parts of the application. A CANCEL says only that the meeting does not take place; a
    REQUEST with `sequence > 0` says that the meeting was changed.

    Raises ValueError, with a translated message, when the participant has no account with an
    e-mail address.
    """
    meeting = invitation.meeting
    participant = invitation.participant
    case = meeting.case
    user = participant.user
    if user is None or not user.email:
        # Translated: the caller stores this text on the invitation for the procesregisseur.
        with translation.override(settings.LANGUAGE_CODE):
            reason = _(
                "This participant has no e-mail address, so the invitation cannot be e-mailed."
            )
        raise ValueError(reason)

    is_cancelled = invitation.method == InvitationMethod.CANCEL
    is_changed = not is_cancelled and invitation.sequence > 0
    local_start = meeting.starts_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    local_end = meeting.ends_at.astimezone(ZoneInfo(settings.TIME_ZONE))

    # Recipients read Dutch: the language of a coordinator's browser session that happens to send
    # the invitation must not decide the language of the e-mail.
    with translation.override(settings.LANGUAGE_CODE):
        date_text = date_format(local_start, "l j F Y")
        context = {
            "language": settings.LANGUAGE_CODE,
            "is_cancelled": is_cancelled,
            "is_changed": is_changed,
            "type_name": case.consultation_type.name,
            "date": date_text,
            "start_time": date_format(local_start, "H:i"),
            "end_time": date_format(local_end, "H:i"),
            "location": meeting.location,
            "video_url": meeting.video_url,
            "coordinator_name": case.coordinator.get_full_name(),
            "organisation_name": case.organisation.name,
            "link": link,
        }
        subject = _subject(is_cancelled=is_cancelled, is_changed=is_changed, date=date_text)
        text = render_to_string(TEMPLATE_TEXT, context)
        html = render_to_string(TEMPLATE_HTML, context)

    # A parent's or youth's name can be the youth's name (same family name, or the youth itself):
    # only professionals are named in the calendar file (SPEC R-10-3).
    is_professional = participant.kind == ParticipantKind.PROFESSIONAL
    attendee_name = user.get_full_name() if is_professional else ""
    ics = build_calendar(
        uid=str(meeting.uuid),
        sequence=invitation.sequence,
        method=invitation.method,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"Casusoverleg – {case.consultation_type.name}",
        location=meeting.location or meeting.video_url,
        url=link,
        # Calendar replies (Accept/Decline buttons) go to the application's address, not to the
        # coordinator's own mailbox: the answer that counts is the one given in the application.
        organizer_email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        organizer_name=case.coordinator.get_full_name(),
        attendee_email=user.email,
        attendee_name=attendee_name,
    )

    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    message.attach(_calendar_part(ics, invitation.method))
    return message


def _subject(*, is_cancelled: bool, is_changed: bool, date: str) -> str:
    """The subject line: what happened and on which day; never who the meeting is about."""
    if is_cancelled:
        return _("Cancelled: Casusoverleg on %(date)s") % {"date": date}
    if is_changed:
        return _("Changed: Casusoverleg on %(date)s") % {"date": date}
    return _("Invitation: Casusoverleg on %(date)s") % {"date": date}


def _calendar_part(ics: bytes, method: str) -> MIMEBase:
    """The .ics as a MIME attachment that mail clients show as an invitation (RFC 6047 §2.4).

    The Content-Type is written by hand: Outlook and Gmail look for `method=` on
    `text/calendar`, and Django's `attach(filename, content, mimetype)` would add a second
    charset parameter to it.
    """
    part = MIMEBase("text", "calendar")
    part.replace_header("Content-Type", f"text/calendar; method={method}; charset=UTF-8")
    part.set_payload(ics)
    # Base64 keeps the CRLF line endings and 75-octet folding of RFC 5545 intact in transit.
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=ICS_FILENAME)
    return part
