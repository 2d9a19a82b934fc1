"""iCalendar invitations (RFC 5545) with iTIP methods (RFC 5546) for meetings.

Privacy (SPEC R-10-3): an .ics travels by e-mail and ends up in calendars we do not control, so
it never holds personal data of the youth. This module cannot know what is personal: it writes
only what the caller passes in. Callers pass a neutral summary ("Casusoverleg – <type>"), the
place or video link, and a link into the application; never a name, date of birth, school or
agenda text.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Casusoverleg//NL"
# Every meeting of the covenant takes place in the Netherlands.
TIME_ZONE = ZoneInfo("Europe/Amsterdam")
METHODS = ("REQUEST", "CANCEL")


def build_calendar(
    *,
    uid: str,
    sequence: int,
    method: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str,
    url: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
    status: str = "CONFIRMED",
) -> bytes:
    """Return one VCALENDAR with one VEVENT for one attendee, as the bytes of an .ics file.

    `uid` must be stable per meeting and `sequence` must rise with every change, so that a
    calendar updates or removes the event it already has instead of adding a second one. For
    `method="CANCEL"` the status is always CANCELLED. An empty `attendee_name` leaves out the
    attendee's CN (callers do this for parents and the youth, whose names are personal data).

    No personal data of the youth ever goes in (SPEC R-10-3): `summary`, `location` and `url`
    come from the caller, and DESCRIPTION holds only `url`.

    Raises ValueError for an unknown method, a naive datetime or an end that is not after the
    start.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("starts_at and ends_at must be timezone-aware datetimes")
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    if method == "CANCEL":
        # RFC 5546 §3.2.5: a CANCEL carries STATUS:CANCELLED; some clients ignore it otherwise.
        status = "CANCELLED"

    event = Event.new(
        uid=uid,
        sequence=sequence,
        # Wall-clock time with TZID, so a meeting at 10:00 stays at 10:00 across DST changes.
        start=starts_at.astimezone(TIME_ZONE),
        end=ends_at.astimezone(TIME_ZONE),
        stamp=datetime.now(UTC),
        summary=summary,
        location=location or None,
        url=url,
        description=url,
        status=status,
        organizer=vCalAddress.new(organizer_email, cn=organizer_name or None),
        attendees=[_attendee(method, attendee_email, attendee_name)],
    )
    calendar = Calendar.new(method=method, prodid=PRODID, subcomponents=[event])
    # Calendar.new invents a random calendar UID (RFC 7986); the identity that calendars match
    # on is the VEVENT's UID, and a second random one would only make resends differ.
    calendar.pop("UID", None)
    # The library writes the VTIMEZONE from zoneinfo. A window around the meeting keeps the
    # file small while covering every transition that matters for this event.
    calendar.add_missing_timezones(
        first_date=date(starts_at.year - 1, 1, 1),
        last_date=date(ends_at.year + 2, 1, 1),
    )
    return calendar.to_ical()


def _attendee(method: str, email: str, name: str) -> vCalAddress:
    """The ATTENDEE: asked to answer on a REQUEST, only informed on a CANCEL."""
    if method == "REQUEST":
        return vCalAddress.new(
            email,
            cn=name or None,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=True,
        )
    return vCalAddress.new(email, cn=name or None, role="REQ-PARTICIPANT", rsvp=False)
