"""The age rules of SPEC §6 at their boundary dates, and working-day arithmetic (R-12-3)."""

from datetime import date

import pytest

from casusoverleg.rules import add_working_days, family_rules
from parties.models import Youth

BORN = date(2010, 6, 15)


def _youth() -> Youth:
    return Youth(given_name="A", family_name="B", date_of_birth=BORN)


@pytest.mark.parametrize(
    ("_case", "on", "age", "parents", "youth", "may_object", "hearing", "adult"),
    [
        ("day before 12th birthday", date(2022, 6, 14), 11, True, False, False, True, False),
        ("on 12th birthday", date(2022, 6, 15), 12, True, True, False, False, False),
        ("day before 16th birthday", date(2026, 6, 14), 15, True, True, False, False, False),
        ("on 16th birthday", date(2026, 6, 15), 16, True, True, True, False, False),
        ("day before 18th birthday", date(2028, 6, 14), 17, True, True, True, False, False),
        ("on 18th birthday", date(2028, 6, 15), 18, False, True, False, False, True),
    ],
)
def test_family_rules_at_the_birthdays(_case, on, age, parents, youth, may_object, hearing, adult):
    """R-AGE-2, R-AGE-3, SPEC §6 and §10 Q3: who is invited, heard or may object, by age at
    the meeting date, on the day before and on the 12th, 16th and 18th birthday."""
    rules = family_rules(_youth(), on)
    assert rules.age == age
    assert rules.invite_parents is parents
    assert rules.invite_youth is youth
    assert rules.youth_may_object is may_object
    assert rules.hearing_required is hearing
    assert rules.is_adult is adult


def test_a_29_february_birthday_counts_from_1_march_in_other_years():
    """SPEC §6: ages are computed at the date of the action, leap days included."""
    leap = Youth(given_name="A", family_name="B", date_of_birth=date(2012, 2, 29))
    assert family_rules(leap, date(2024, 2, 28)).invite_youth is False
    assert family_rules(leap, date(2024, 2, 29)).invite_youth is True
    assert family_rules(leap, date(2025, 2, 28)).age == 12


def test_thresholds_are_configuration(settings):
    """SPEC §10: the age thresholds are configuration, not code."""
    settings.AGE_THRESHOLDS = {"participates": 13, "decides_alone": 16, "adult": 18}
    assert family_rules(_youth(), date(2022, 6, 15)).invite_youth is False
    assert family_rules(_youth(), date(2023, 6, 15)).invite_youth is True


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 → Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday + 1 → Monday
        (date(2026, 11, 23), 10, date(2026, 12, 7)),  # two whole weeks
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_working_days_skip_weekends(start, days, expected):
    """R-12-3: the minutes reach the family within a number of working days."""
    assert add_working_days(start, days) == expected
