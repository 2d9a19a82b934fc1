"""The age rules of SPEC §6 for taking part in a Casusoverleg, and working-day arithmetic.

Ages are computed at the date of the action (the meeting date), never at case creation. The
thresholds are configuration (settings.AGE_THRESHOLDS, SPEC §10), because organisations read them
differently.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from parties.models import Youth


@dataclass(frozen=True)
class FamilyRules:
    """Who of the family takes part in a consultation held on one date (SPEC §6, R-AGE-2/3)."""

    age: int
    # Parents with gezag of a minor are always invited (covenant introduction; invariant 6).
    invite_parents: bool
    # From 12 the youth takes part directly.
    invite_youth: bool
    # A youth of 16 or 17 may object to inviting the parents; the procesregisseur decides (Q3).
    youth_may_object: bool
    # Under 12: the child's view is heard and recorded (hoorrecht, R-AGE-3).
    hearing_required: bool
    # From 18 parents come only as guests with the youth's consent.
    is_adult: bool


def family_rules(youth: Youth, on: date) -> FamilyRules:
    """The §6 row that applies to `youth` on `on` (SPEC R-AGE-2, R-AGE-3, §10 Q3)."""
    thresholds = settings.AGE_THRESHOLDS
    age = youth.age_on(on)
    is_adult = age >= thresholds["adult"]
    return FamilyRules(
        age=age,
        invite_parents=not is_adult,
        invite_youth=age >= thresholds["participates"],
        youth_may_object=thresholds["decides_alone"] <= age < thresholds["adult"],
        hearing_required=age < thresholds["participates"],
        is_adult=is_adult,
    )


def add_working_days(start: date, days: int) -> date:
    """`start` plus `days` working days (Monday to Friday); public holidays are not counted out.

    Used for the period within which minutes reach parents and youth (SPEC R-12-3).
    """
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:  # Monday to Friday are 0 to 4
            remaining -= 1
    return current
