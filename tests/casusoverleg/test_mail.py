"""The invitation e-mail: what it says, what it attaches, and what it never contains (R-10-3).

The objects are built in memory, without the database: `invitation_message` only reads them.
"""

import email
import email.policy
from datetime import UTC, date, datetime
from email.message import EmailMessage

from django.core.mail import EmailMultiAlternatives
from django.utils import translation

import pytest
from icalendar import Calendar

from casusoverleg.choices import InvitationMethod, ParticipantKind
from casusoverleg.mail import invitation_message
from casusoverleg.models import Case, Invitation, Meeting, Participant
from convenant.models import ConsultationType
from parties.models import Guardian, Organisation, User, Youth

LINK = "https://casusoverleg.example.org/portaal/"
TYPE_NAME = "MDO – Multidisciplinair overleg"
CANCEL_REASON = "Opname in het ziekenhuis"
AGENDA = "Verzuim sinds de herfstvakantie bespreken"
YOUTH_BORN = date(2012, 5, 17)
# The data subject's identifiers, in the forms in which they could leak.
YOUTH_PII = ["Zoë", "Vandersteen", "2012-05-17", "17-05-2012", "17 mei 2012", "May 17, 2012"]
SCHOOL = "Het Vossenbos College"


def _invitation(
    *,
    kind: str = ParticipantKind.PROFESSIONAL,
    method: str = InvitationMethod.REQUEST,
    sequence: int = 0,
    email_address: str = "deelnemer@example.org",
) -> Invitation:
    """One invitation with its meeting, case and participant, all unsaved.

    The youth is named, has a school and a cancel reason and agenda text on the meeting, so that
    a leak of any of them shows up. A parent shares the youth's family name and the youth's own
    account carries the youth's name, as in real life.
    """
    coordinator = User(first_name="Jan", last_name="Jansen", email="jan.jansen@example.org")
    school = Organisation(name=SCHOOL)
    youth = Youth(
        given_name="Zoë", family_name="Vandersteen", date_of_birth=YOUTH_BORN, school=school
    )
    case = Case(
        youth=youth,
        consultation_type=ConsultationType(name=TYPE_NAME),
        coordinator=coordinator,
        organisation=Organisation(name="Gemeente Testdorp"),
    )
    meeting = Meeting(
        case=case,
        # 08:00 UTC is 10:00 in Amsterdam on this first day of summer time.
        starts_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
        duration_minutes=90,
        location="Gemeentehuis, kamer 2",
        video_url="https://video.example.org/overleg-42",
        agenda=AGENDA,
        sequence=sequence,
        cancel_reason=CANCEL_REASON if method == InvitationMethod.CANCEL else "",
    )
    users = {
        ParticipantKind.PROFESSIONAL: User(first_name="Petra", last_name="de Vries"),
        ParticipantKind.PARENT: User(first_name="Bart", last_name="Vandersteen"),
        ParticipantKind.YOUTH: User(first_name="Zoë", last_name="Vandersteen"),
    }
    user = users[kind]
    user.email = email_address
    participant = Participant(case=case, kind=kind, user=user)
    if kind == ParticipantKind.PARENT:
        participant.guardian = Guardian(
            youth=youth, given_name="Bart", family_name="Vandersteen", has_authority=True
        )
    return Invitation(meeting=meeting, participant=participant, method=method, sequence=sequence)


def _parts(message: EmailMultiAlternatives) -> tuple[str, str, EmailMessage]:
    """Text body, HTML body and .ics part, read from the bytes that would go over SMTP."""
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    [ics_part] = list(parsed.iter_attachments())
    return text, html, ics_part


@pytest.fixture
def english(settings) -> None:
    """Render e-mails in English, so wording tests do not depend on the Dutch catalogue."""
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("kind", list(ParticipantKind))
@pytest.mark.parametrize(
    ("method", "sequence"),
    [(InvitationMethod.REQUEST, 0), (InvitationMethod.REQUEST, 1), (InvitationMethod.CANCEL, 2)],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_personal_data_of_the_youth_anywhere(settings, kind, method, sequence, language):
    """SPEC R-10-3: no name, birth date, school or agenda of the youth in subject, bodies, .ics."""
    settings.LANGUAGE_CODE = language
    message = invitation_message(
        _invitation(kind=kind, method=method, sequence=sequence), link=LINK
    )
    text, html, ics_part = _parts(message)
    ics = ics_part.get_content()

    for where, content in [
        ("subject", message.subject),
        ("text", text),
        ("html", html),
        ("ics", ics),
    ]:
        for secret in [*YOUTH_PII, SCHOOL, AGENDA, CANCEL_REASON]:
            assert secret not in content, f"{secret!r} leaked into the {where}"


def test_ics_is_attached_as_an_invitation_mail_clients_recognise():
    """RFC 6047: uitnodiging.ics as text/calendar with method=REQUEST, the meeting's UID."""
    invitation = _invitation(sequence=0)
    _, _, ics_part = _parts(invitation_message(invitation, link=LINK))

    assert ics_part.get_content_type() == "text/calendar"
    assert ics_part.get_param("method") == "REQUEST"
    assert ics_part.get_content_charset() == "utf-8"
    assert ics_part.get_filename() == "uitnodiging.ics"
    calendar = Calendar.from_ical(ics_part.get_content())
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == str(invitation.meeting.uuid)
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == f"Casusoverleg – {TYPE_NAME}"
    assert event["URL"] == LINK
    assert event["DESCRIPTION"] == LINK


def test_cancellation_ics_has_method_cancel():
    """A cancellation carries method=CANCEL both on the MIME part and in the calendar."""
    _, _, ics_part = _parts(
        invitation_message(_invitation(method=InvitationMethod.CANCEL, sequence=2), link=LINK)
    )
    calendar = Calendar.from_ical(ics_part.get_content())

    assert ics_part.get_param("method") == "CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


@pytest.mark.parametrize("kind", [ParticipantKind.PARENT, ParticipantKind.YOUTH])
def test_family_attendees_are_not_named_in_the_ics(kind):
    """SPEC R-10-3: a parent's or youth's account name can be the youth's name; no CN for them."""
    _, _, ics_part = _parts(invitation_message(_invitation(kind=kind), link=LINK))
    [event] = Calendar.from_ical(ics_part.get_content()).walk("VEVENT")

    assert "CN" not in event["ATTENDEE"].params


def test_professional_attendee_is_named_in_the_ics():
    """A professional sees their own name as the attendee, as in any work invitation."""
    _, _, ics_part = _parts(invitation_message(_invitation(), link=LINK))
    [event] = Calendar.from_ical(ics_part.get_content()).walk("VEVENT")

    assert event["ATTENDEE"].params["CN"] == "Petra de Vries"


def test_invitation_says_what_when_where_who_and_links_to_the_notice(english):
    """SPEC R-12-1: the invitation points to the application to answer and read the notice."""
    message = invitation_message(_invitation(), link=LINK)
    text, html, _ = _parts(message)

    assert message.subject == "Invitation: Casusoverleg on Sunday 29 March 2026"
    assert message.to == ["deelnemer@example.org"]
    for body in (text, html):
        assert "You are invited to a Casusoverleg (MDO – Multidisciplinair overleg)." in body
        assert "Sunday 29 March 2026, from 10:00 to 11:30" in body
        assert "Gemeentehuis, kamer 2" in body
        assert "https://video.example.org/overleg-42" in body
        assert "Jan Jansen, Gemeente Testdorp" in body
        assert "accept or decline" in body
        assert "privacy notice" in body
        assert LINK in body


def test_rescheduled_meeting_says_changed(english):
    """A REQUEST with a raised sequence tells the participant the meeting was changed."""
    message = invitation_message(_invitation(sequence=1), link=LINK)
    text, html, _ = _parts(message)

    assert message.subject == "Changed: Casusoverleg on Sunday 29 March 2026"
    assert "has been changed" in text
    assert "has been changed" in html
    assert "You are invited" not in text


def test_cancellation_says_only_that_it_does_not_take_place(english):
    """SPEC R-10-3: a cancellation states the date, never the reason (it may hold personal data)."""
    message = invitation_message(_invitation(method=InvitationMethod.CANCEL, sequence=2), link=LINK)
    text, html, _ = _parts(message)

    assert message.subject == "Cancelled: Casusoverleg on Sunday 29 March 2026"
    for body in (text, html):
        assert "The Casusoverleg on Sunday 29 March 2026 at 10:00 will not take place." in body
        assert CANCEL_REASON not in body
        assert "Gemeentehuis" not in body
        assert LINK in body


def test_dates_are_dutch_and_in_amsterdam_time_whatever_language_is_active(settings):
    """Recipients read Dutch: a coordinator's English session does not change the e-mail."""
    settings.LANGUAGE_CODE = "nl"
    with translation.override("en"):
        message = invitation_message(_invitation(), link=LINK)
    text, _, _ = _parts(message)

    assert "zondag 29 maart 2026" in message.subject
    assert "zondag 29 maart 2026" in text
    assert "10:00" in text
    assert "11:30" in text


def test_html_loads_nothing_from_outside():
    """Calm HTML without images, stylesheets or scripts: nothing is fetched when it is opened."""
    _, html, _ = _parts(invitation_message(_invitation(), link=LINK))

    for forbidden in ("<img", "<link", "<script", "src=", "url("):
        assert forbidden not in html


@pytest.mark.parametrize("email_address", ["", None])
def test_participant_without_email_address_is_refused(english, email_address):
    """An invitation needs an address; a clear ValueError instead of a mail to nobody."""
    invitation = _invitation()
    if email_address is None:
        invitation.participant.user = None
    else:
        invitation.participant.user.email = email_address

    with pytest.raises(ValueError, match="This participant has no e-mail address"):
        invitation_message(invitation, link=LINK)
