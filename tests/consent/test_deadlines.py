"""Deadlines of rights requests across month ends (SPEC R-13-2, R-RIGHTS-1, §7.1)."""

from datetime import date

import pytest

from consent.choices import RequestKind
from consent.deadlines import add_months, due_on, latest_extension


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # a shorter month: its last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year
        (date(2026, 2, 28), date(2026, 3, 28)),  # not "the end of the month"
    ],
)
def test_one_calendar_month_for_an_ordinary_request(received, due):
    """R-13-2, AVG art. 12(3): one calendar month after receipt, clamped to a shorter month."""
    for kind in (RequestKind.ACCESS, RequestKind.RECTIFICATION, RequestKind.OBJECTION):
        assert due_on(kind, received) == due


def test_three_months_to_destroy_a_youth_care_file():
    """R-13-2, Jeugdwet 7.3.9: three months for vernietiging."""
    assert due_on(RequestKind.DESTRUCTION, date(2026, 11, 30)) == date(2027, 2, 28)


def test_an_extension_reaches_two_months_past_the_first_deadline_counted_from_receipt():
    """R-13-2: at most two further months; from 31 January that is 30 April, not 28 April."""
    assert latest_extension(RequestKind.ACCESS, date(2026, 1, 31)) == date(2026, 4, 30)
    assert latest_extension(RequestKind.DESTRUCTION, date(2026, 1, 31)) == date(2026, 6, 30)


def test_add_months_goes_backwards_too():
    """The birthday job counts back 18 years from a 29 February."""
    assert add_months(date(2028, 2, 29), -12) == date(2027, 2, 28)
