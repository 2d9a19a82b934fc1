"""`audit.selectors.who_looked`: for one youth, who looked at their data, when and why.

Issue 5 ("for the parent and youth portal: a selector that returns, for one youth, who looked at
their data (organisation, role, when, why), ready to render"); SPEC R-10-2; DESIGN invariant 1
(only the youth and the parents with authority get an answer).
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from audit.choices import Action, Outcome
from audit.selectors import who_looked
from audit.services import record
from tests.factories.casusoverleg import CaseFactory

pytestmark = pytest.mark.django_db


def _look(world, who: str, action: Action = Action.CASE_VIEWED, **kwargs):
    """An event about the world's youth, in the world's case unless told otherwise."""
    kwargs.setdefault("youth", world.youth)
    kwargs.setdefault("case_uuid", world.case.uuid)
    return record(actor=world.users[who], action=action, **kwargs)


def test_who_looked_returns_the_allowed_reads_of_the_youths_data(world):
    """R-10-2: views, lists, searches, exports, prints and downloads by others, allowed, about
    this youth; newest first, each with organisation, role, when and why."""
    with time_machine.travel(datetime(2025, 3, 1, 10, 0, tzinfo=UTC)):
        viewed = _look(
            world,
            "involved_professional",
            purpose="passende-ondersteuning",
            legal_basis="wpo-art-4",
        )
    with time_machine.travel(datetime(2025, 3, 2, 10, 0, tzinfo=UTC)):
        downloaded = _look(world, "involved_professional", Action.DOCUMENT_DOWNLOADED)
    with time_machine.travel(datetime(2025, 3, 3, 10, 0, tzinfo=UTC)):
        fg = _look(world, "privacy_officer", Action.AUDIT_TIMELINE, case_uuid=None)
    # Not a look: a write, a denied attempt, another youth, the family's own portal use.
    _look(world, "involved_professional", Action.CASE_UPDATED)
    _look(world, "coordinator", Action.ACCESS_DENIED, outcome=Outcome.DENIED)
    _look(world, "coordinator", Action.CASE_VIEWED, outcome=Outcome.DENIED)
    _look(world, "other_case_professional", youth=world.other_youth)
    _look(world, "parent", Action.YOUTH_VIEWED)
    _look(world, "youth", Action.YOUTH_VIEWED)

    looked = who_looked(actor=world.users["youth"], youth=world.youth)
    assert [row["when"] for row in looked] == [
        fg.occurred_at,
        downloaded.occurred_at,
        viewed.occurred_at,
    ]
    # The parent sees the events of the case they sit at, not the FG's work without a case.
    parent_sees = who_looked(actor=world.users["parent"], youth=world.youth)
    assert [row["when"] for row in parent_sees] == [downloaded.occurred_at, viewed.occurred_at]
    oldest = looked[-1]
    assert oldest["organisation_name"] == "Testschool"
    assert oldest["role"] == viewed.actor_role_display
    assert oldest["purpose"] == "passende-ondersteuning"
    assert oldest["legal_basis"] == "wpo-art-4"
    assert "passende-ondersteuning" in oldest["why"]
    assert "wpo-art-4" in oldest["why"]
    assert oldest["action"] == str(Action.CASE_VIEWED.label)
    assert oldest["kind"]
    assert looked[0]["organisation_name"] == "Testgemeente"
    # The person is not named: the portal shows organisation and role (R-10-2).
    assert all("name" not in key or key == "organisation_name" for key in looked[0])
    assert world.users["involved_professional"].last_name not in str(looked)


# --- The age and objection rules (SPEC §6, §10 Q3) -------------------------------------------
# The world's youth is born on 17 May 2012: 16 on 17 May 2028.


def test_a_parent_of_a_16_year_old_gets_nothing(world):
    """Issue 5, SPEC §6 (R-AGE-2), invariant 1: from the youth's 16th birthday the parent no
    longer learns who looked at the youth's data; the youth still does. The day before, the
    parent still sees the events of their case."""
    _look(world, "involved_professional")
    with time_machine.travel(datetime(2028, 5, 16, 10, 0, tzinfo=UTC)):
        assert len(who_looked(actor=world.users["parent"], youth=world.youth)) == 1
    with time_machine.travel(datetime(2028, 5, 17, 10, 0, tzinfo=UTC)):
        assert who_looked(actor=world.users["parent"], youth=world.youth) == []
        assert len(who_looked(actor=world.users["youth"], youth=world.youth)) == 1


def test_the_age_rule_follows_the_setting(world, settings):
    """Issue 5, SPEC §10: the age at which the youth decides alone is a setting."""
    _look(world, "involved_professional")
    settings.AGE_THRESHOLDS = {**settings.AGE_THRESHOLDS, "decides_alone": 12}
    assert who_looked(actor=world.users["parent"], youth=world.youth) == []


def test_a_parent_left_uninvited_after_the_youth_objected_gets_nothing(world):
    """Issue 5, SPEC §10 Q3, invariant 1: a 16- or 17-year-old objected to the parents'
    presence and the parent is no longer invited: the parent learns nothing about who looked."""
    _look(world, "involved_professional")
    seat = world.participants["parent"]
    seat.is_invited = False
    seat.youth_objected = True
    seat.not_invited_reason = "De jongere wil dit niet."
    seat.save(update_fields=["is_invited", "youth_objected", "not_invited_reason"])
    with time_machine.travel(datetime(2028, 9, 1, 10, 0, tzinfo=UTC)):
        assert who_looked(actor=world.users["parent"], youth=world.youth) == []
        assert len(who_looked(actor=world.users["youth"], youth=world.youth)) == 1


def test_a_parent_not_invited_to_the_case_of_a_young_child_gets_nothing(world):
    """Issue 5, invariant 1: the case's family rule decides, also under 16: a parent with
    gezag who is not (or no longer) invited to the case does not see its events."""
    _look(world, "involved_professional")
    seat = world.participants["parent"]
    seat.is_invited = False
    seat.not_invited_reason = "Veiligheid van het kind."
    seat.save(update_fields=["is_invited", "not_invited_reason"])
    assert who_looked(actor=world.users["parent"], youth=world.youth) == []


def test_a_parent_of_a_12_year_old_sees_the_events_of_their_case_only(world):
    """Issue 5, R-10-2, invariant 1: a parent of a 12-year-old sees the looks at the case they
    sit at; events about the youth without a case, or in a case they are not part of, stay
    with the youth."""
    in_case = _look(world, "involved_professional")
    _look(world, "involved_professional", Action.YOUTH_VIEWED, case_uuid=None)
    other_case = CaseFactory(youth=world.youth, covenant=world.covenant, organisation=world.school)
    _look(world, "involved_professional", case_uuid=other_case.uuid)
    with time_machine.travel(datetime(2025, 1, 10, 10, 0, tzinfo=UTC)):
        assert world.youth.age_on(date(2025, 1, 10)) == 12
        looked = who_looked(actor=world.users["parent"], youth=world.youth)
        assert [row["when"] for row in looked] == [in_case.occurred_at]
        assert len(who_looked(actor=world.users["youth"], youth=world.youth)) == 3


def test_the_youth_and_a_parent_with_authority_get_the_same_answer(world):
    """Invariant 1: the youth's own account and a parent with authority both see who looked."""
    _look(world, "involved_professional")
    assert len(who_looked(actor=world.users["youth"], youth=world.youth)) == 1
    assert who_looked(actor=world.users["youth"], youth=world.youth) == who_looked(
        actor=world.users["parent"], youth=world.youth
    )


@pytest.mark.parametrize(
    "who",
    [
        "parent_without_authority",
        "other_parent",
        "other_youth",
        "involved_professional",  # sees the youth's case, not who else looked
        "privacy_officer",
        "coordinator",
    ],
)
def test_anyone_else_gets_nothing(world, who):
    """Invariant 1, SPEC R-1-2: a parent without authority, another family, a professional or
    the FG get an empty answer."""
    _look(world, "involved_professional")
    assert who_looked(actor=world.users[who], youth=world.youth) == []


def test_a_deactivated_parent_gets_nothing(world):
    """Invariant 1: an account that was switched off no longer speaks for the youth."""
    _look(world, "involved_professional")
    parent = world.users["parent"]
    parent.is_active = False
    parent.save(update_fields=["is_active"])
    assert who_looked(actor=parent, youth=world.youth) == []


def test_who_looked_is_bounded_and_records_nothing(world):
    """Issue 5: the answer is bounded by `limit`; the selector writes no event itself (the
    portal view that shows it records the access)."""
    from audit.models import AccessEvent

    for _ in range(5):
        _look(world, "involved_professional")
    before = AccessEvent.objects.count()
    assert len(who_looked(actor=world.users["parent"], youth=world.youth, limit=3)) == 3
    assert AccessEvent.objects.count() == before


def test_who_looked_query_count(world, django_assert_num_queries):
    """Issue 5, performance: the authority check and one bounded read of the youth's events."""
    for _ in range(20):
        _look(world, "involved_professional")
    with django_assert_num_queries(2):
        who_looked(actor=world.users["parent"], youth=world.youth)
