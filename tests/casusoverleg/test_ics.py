"""The .ics of an invitation: RFC 5545 content and iTIP (RFC 5546) methods, parsed back."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone

from casusoverleg.ics import build_calendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LINK = "https://casusoverleg.example.org/casusoverleg/uitnodiging/7c1d/"


def _ics(**overrides: object) -> bytes:
    """build_calendar with neutral defaults; a test overrides only what it is about."""
    arguments: dict[str, object] = {
        "uid": "0b6f3c52-0e55-4d5c-9f8e-5a0f7d1c2b3a",
        "sequence": 0,
        "method": "REQUEST",
        "starts_at": datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 5, 12, 9, 30, tzinfo=UTC),
        "summary": "Casusoverleg – MDO – Multidisciplinair overleg",
        "location": "Gemeentehuis, kamer 2",
        "url": LINK,
        "organizer_email": "casusoverleg@example.org",
        "organizer_name": "Jan Jansen",
        "attendee_email": "deelnemer@example.org",
        "attendee_name": "Petra de Vries",
    }
    arguments.update(overrides)
    return build_calendar(**arguments)


def _parse(ics: bytes) -> tuple[Calendar, Event]:
    """The calendar and its one event; fails when there is not exactly one VEVENT."""
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_request_has_method_uid_sequence_and_product():
    """An invitation is an iTIP REQUEST with one event, the meeting's UID and its revision."""
    calendar, event = _parse(_ics(sequence=3))

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Casusoverleg//NL"
    assert event["UID"] == "0b6f3c52-0e55-4d5c-9f8e-5a0f7d1c2b3a"
    assert event["SEQUENCE"] == 3
    assert event["STATUS"] == "CONFIRMED"


def test_the_uid_does_not_change_between_sends():
    """A calendar matches updates on UID: two sends of one meeting carry the same UID."""
    _, first = _parse(_ics(sequence=0))
    _, second = _parse(_ics(sequence=1))

    assert first["UID"] == second["UID"]


@pytest.mark.parametrize(
    ("_case", "starts_at_utc", "wall_clock", "offset_hours"),
    [
        # 2026-03-29: clocks go forward at 02:00, so 10:00 that morning is already CEST (+2).
        ("first day of summer time", datetime(2026, 3, 29, 8, 0, tzinfo=UTC), "20260329T100000", 2),
        # 2026-10-25: clocks go back at 03:00, so 10:00 that morning is CET again (+1).
        (
            "first day of winter time",
            datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
            "20261025T100000",
            1,
        ),
    ],
)
def test_start_is_amsterdam_wall_clock_time_across_dst(
    _case, starts_at_utc, wall_clock, offset_hours
):
    """A meeting at 10:00 is at 10:00 in the recipient's calendar on both DST change days."""
    ics = _ics(starts_at=starts_at_utc, ends_at=starts_at_utc + timedelta(hours=1))
    _, event = _parse(ics)

    assert f"DTSTART;TZID=Europe/Amsterdam:{wall_clock}".encode() in ics
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    start = event["DTSTART"].dt
    assert (start.hour, start.minute) == (10, 0)
    assert start.utcoffset() == timedelta(hours=offset_hours)
    assert start == starts_at_utc
    assert event["DTEND"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTEND"].dt == starts_at_utc + timedelta(hours=1)


def test_vtimezone_for_amsterdam_is_included():
    """RFC 5545 §3.6.5: every TZID used has a VTIMEZONE, with both offsets of that year."""
    calendar, _ = _parse(_ics(starts_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC)))

    [timezone] = calendar.walk("VTIMEZONE")
    assert isinstance(timezone, Timezone)
    assert timezone["TZID"] == "Europe/Amsterdam"
    offsets = {sub["TZOFFSETTO"].td for sub in timezone.subcomponents}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert calendar.get_missing_tzids() == set()


def test_dtstamp_is_utc():
    """RFC 5545 §3.8.7.2: DTSTAMP is in UTC."""
    ics = _ics()
    _, event = _parse(ics)

    assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert b"\r\nDTSTAMP:" in ics
    assert next(line for line in ics.split(b"\r\n") if line.startswith(b"DTSTAMP:")).endswith(b"Z")


def test_cancel_has_method_cancel_and_status_cancelled():
    """A cancellation is an iTIP CANCEL with STATUS CANCELLED, so calendars remove the event."""
    calendar, event = _parse(_ics(method="CANCEL", sequence=2))

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"


def test_organizer_and_attendee_who_is_asked_to_answer():
    """ORGANIZER and ATTENDEE are mailto addresses; the attendee is asked to answer (RSVP)."""
    _, event = _parse(_ics())

    assert event["ORGANIZER"] == "mailto:casusoverleg@example.org"
    assert event["ORGANIZER"].params["CN"] == "Jan Jansen"
    attendee = event["ATTENDEE"]
    assert attendee == "mailto:deelnemer@example.org"
    assert attendee.params["CN"] == "Petra de Vries"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"


def test_an_empty_attendee_name_leaves_out_the_name():
    """SPEC R-10-3: callers leave out the names of parents and the youth; no empty CN is written."""
    ics = _ics(attendee_name="")
    _, event = _parse(ics)

    assert "CN" not in event["ATTENDEE"].params
    assert b"CN=;" not in ics


def test_text_comes_only_from_the_caller():
    """SPEC R-10-3: SUMMARY, LOCATION and URL are the caller's; DESCRIPTION is only the link."""
    _, event = _parse(_ics())

    assert event["SUMMARY"] == "Casusoverleg – MDO – Multidisciplinair overleg"
    assert event["LOCATION"] == "Gemeentehuis, kamer 2"
    assert event["URL"] == LINK
    assert event["DESCRIPTION"] == LINK


@pytest.mark.parametrize(
    ("_case", "overrides"),
    [
        ("unknown method", {"method": "PUBLISH"}),
        ("naive start", {"starts_at": datetime(2026, 5, 12, 10, 0)}),  # noqa: DTZ001
        ("end before start", {"ends_at": datetime(2026, 5, 12, 7, 0, tzinfo=UTC)}),
    ],
)
def test_invalid_input_is_refused(_case, overrides):
    """A wrong method or time is a programming error: it raises instead of writing a bad file."""
    with pytest.raises(ValueError, match=r"method|timezone-aware|after"):
        _ics(**overrides)
