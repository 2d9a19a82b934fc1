"""Who sees a case: the VIEW rule (CaseQuerySet.visible_to) for every user of the world, and
grants that agree with the participants at the table (DESIGN invariant 1, STYLE §4.4)."""

import pytest

from casusoverleg import services
from casusoverleg.choices import ParticipantKind, Response
from casusoverleg.models import Case, CaseUserObjectPermission
from casusoverleg.permissions import CaseAction, can, can_respond

pytestmark = pytest.mark.django_db

WHO_SEES_THE_CASE = {
    "case_coordinator": True,
    "involved_professional": True,
    "invited_professional": False,  # until they accept
    "parent": True,  # at the table, in the portal
    "youth": True,
    "parent_without_authority": False,
    "coordinator": False,
    "professional": False,
    "youth_care": False,
    "leerplicht": False,
    "privacy_officer": False,  # no case content by role (R-DPIA-3)
    "administrator": False,
    "other_parent": False,
    "other_youth": False,
    "other_case_coordinator": False,  # involved in another case only
    "other_case_professional": False,
}


def test_the_table_covers_every_user(world):
    """A new user of the world must be placed in the table above."""
    assert set(world.users) == set(WHO_SEES_THE_CASE)


@pytest.mark.parametrize(("who", "sees"), WHO_SEES_THE_CASE.items())
def test_case_visibility(world, who, sees):
    """Invariant 1, R-7-2, R-1-2: only those at the table (and the procesregisseur) see it."""
    assert Case.objects.visible_to(world.users[who]).filter(pk=world.case.pk).exists() is sees


@pytest.mark.parametrize("who", WHO_SEES_THE_CASE)
def test_only_the_procesregisseur_directs(world, who):
    """R-PR-2: steering the case is the procesregisseur's alone, and only while it is open."""
    assert can(world.users[who], CaseAction.DIRECT, world.case) is (who == "case_coordinator")
    world.case.status = "afgesloten"
    assert can(world.users[who], CaseAction.DIRECT, world.case) is False


def test_an_unknown_action_is_denied(world):
    """STYLE §4.4: unknown actions are denied, never allowed by default."""
    assert can(world.users["case_coordinator"], "delete", world.case) is False


def test_answering_is_possible_only_before_the_meeting_is_held(world):
    """An invitation is answered before the meeting; afterwards the answer is history."""
    seat = world.participants["invited_professional"]
    user = world.users["invited_professional"]
    for status, allowed in [
        ("concept", False),
        ("voorbereid", True),
        ("gepland", True),
        ("gehouden", False),
        ("verslag_vastgesteld", False),
        ("afgesloten", False),
    ]:
        seat.case.status = status
        assert can_respond(user, seat) is allowed, status
    assert can_respond(world.users["involved_professional"], seat) is False
    seat.case.status = "gepland"
    seat.invitations.all().delete()
    assert can_respond(user, seat) is False  # no invitation sent: nothing to answer yet


def _granted(case: Case) -> set[int]:
    return set(
        CaseUserObjectPermission.objects.filter(
            content_object=case, permission__codename="view_case"
        ).values_list("user_id", flat=True)
    )


def _accepted(case: Case) -> set[int]:
    """The procesregisseur and the active professionals who accepted (ADR 0003)."""
    return {case.coordinator_id} | set(
        case.participants.active()
        .filter(kind=ParticipantKind.PROFESSIONAL, response=Response.ACCEPTED)
        .values_list("user_id", flat=True)
    )


def test_grants_agree_with_accepted_participants_through_a_case_life(world):
    """STYLE "Access is a guardian grant": after every change at the table, the users holding
    the case grant are exactly the procesregisseur and the active professionals who accepted."""
    case = world.case
    case.status = "voorbereid"
    case.save()
    assert _granted(case) == _accepted(case)
    invited = world.participants["invited_professional"]
    services.participant_respond(actor=invited.user, participant=invited, accept=True)
    assert _granted(case) == _accepted(case)
    services.participant_respond(actor=invited.user, participant=invited, accept=False)
    assert _granted(case) == _accepted(case)
    services.participant_respond(actor=invited.user, participant=invited, accept=True)
    invited.user.role = "coordinator"  # only a procesregisseur can take the case over
    invited.user.save()
    involved = world.participants["involved_professional"]
    world.action.delete()  # open actions block removal; this test is about grants
    services.participant_remove(actor=case.coordinator, participant=involved)
    assert _granted(case) == _accepted(case)
    services.coordinator_hand_over(
        actor=case.coordinator, case=case, to_user=invited.user, reason="Verlof"
    )
    case.refresh_from_db()
    assert _granted(case) == _accepted(case)
    assert case.coordinator == invited.user


def test_grant_events_are_written_only_when_access_changes(world):
    """Invariant 2: `grant.added` / `grant.revoked` mean access changed, so the log replays to
    the grants held: declining a pending invitation revokes nothing and logs nothing, and a
    second acceptance adds no second grant event."""
    from audit.models import AccessEvent

    case = world.case
    case.status = "voorbereid"
    case.save()
    invited = world.participants["invited_professional"]

    def events(action: str) -> int:
        return AccessEvent.objects.filter(case_uuid=case.uuid, action=action).count()

    services.participant_respond(actor=invited.user, participant=invited, accept=False)
    assert events("grant.revoked") == 0
    services.participant_respond(actor=invited.user, participant=invited, accept=True)
    services.participant_respond(actor=invited.user, participant=invited, accept=True)
    assert events("grant.added") == 1
    services.participant_respond(actor=invited.user, participant=invited, accept=False)
    assert events("grant.revoked") == 1
