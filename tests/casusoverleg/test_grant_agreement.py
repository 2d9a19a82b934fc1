"""Grants and participations agree, for every case of a generated world (STYLE "Access is a
guardian grant"; issue 4 "Proof"; DESIGN invariant 1).

A seeded random world of cases, each with several professionals, is driven only through the
services (opening, adding, answering, removing, handing over, and the expiry job after closing);
the invitations that `invitations_send` would create are made with factories, as in conftest.
After every step, for every case:

- the holders of the case grant are the procesregisseur and the active professional participants
  who accepted, or the procesregisseur alone once access expired after closing;
- `Case.objects.visible_to(u)` (the list) and `case_get` (the detail page) agree with the grant for
  every professional `u`;
- the access log replays to the same holders: every grant and revoke was logged.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg import selectors, services
from casusoverleg.choices import CaseStatus, ParticipantKind, Response, TargetGroup
from casusoverleg.models import Case, Participant
from casusoverleg.querysets import VIEW_CASE
from convenant.models import ConsultationType, CovenantParty
from core.permissions import holders
from core.querysets import bulk_writes_allowed
from parties.choices import Capacity, PartyType, Role
from parties.models import User
from tests.factories.casusoverleg import InvitationFactory, MeetingFactory, PrivacyNoticeFactory
from tests.factories.convenant import CovenantPartyFactory
from tests.factories.parties import (
    OrganisationFactory,
    ProfessionalFactory,
    UserFactory,
    YouthFactory,
)

pytestmark = pytest.mark.django_db

CASES = 15
STEPS = 80
DAYS = 30
ROLES = ["leerkracht_mentor", "ib_zorgcoordinator", "swv_consultant", "smw_wijkteam", "leerplicht"]
TYPES = ["mdo", "zat", "bilateraal", "verzuimoverleg"]


@dataclass
class Generated:
    """The generated part of the world: its cases, the people who can be invited, and the log."""

    rng: random.Random
    cases: list[int]
    pool: list[User]
    checked: list[User]
    done: Counter = field(default_factory=Counter)  # what the operations did
    refused: Counter = field(default_factory=Counter)
    touched: int | None = None


def _generate(world, seed: int) -> Generated:
    """Organisations of every kind in the world's region, procesregisseurs with pupils, and
    professionals; CASES cases opened through `case_open`, prepared, with a meeting to invite to."""
    rng = random.Random(seed)
    region = world.covenant.region
    swv = OrganisationFactory(
        region=region, party_type=PartyType.SWV, capacities=[Capacity.SWV_TASK]
    )
    CovenantPartyFactory(covenant=world.covenant, organisation=swv)
    # Youth care takes part once its accession form is in and the others were told (R-P-3).
    with bulk_writes_allowed("test arrangement"):
        CovenantParty.objects.filter(covenant=world.covenant).update(
            signed_document="convenant/toetreding/formulier.pdf",
            accession_notified_at=timezone.now(),
        )
    care = world.users["youth_care"].professional.organisation
    coordinators = []
    for _ in range(4):
        user = UserFactory(role=Role.COORDINATOR)
        ProfessionalFactory(user=user, organisation=world.school)
        coordinators.append(user)
    professionals = []
    for org, capacity in [
        (world.school, Capacity.EDUCATION),
        (world.school, Capacity.EDUCATION),
        (world.municipality, Capacity.COMPULSORY_EDUCATION),
        (world.municipality, Capacity.YOUTH_ACT),
        (swv, Capacity.SWV_TASK),
        (swv, Capacity.SWV_TASK),
        (care, Capacity.YOUTH_CARE),
        (care, Capacity.YOUTH_CARE),
    ]:
        user = UserFactory(role=Role.PROFESSIONAL)
        ProfessionalFactory(user=user, organisation=org, capacity=capacity)
        professionals.append(user)
    # The world's own professionals may be invited too; the FG and the beheerder never are.
    from_world = [world.users[k] for k in ("professional", "youth_care", "leerplicht")]
    cases = []
    for _ in range(CASES):
        coordinator = rng.choice(coordinators)
        youth = YouthFactory(region=region, school=world.school)
        case = services.case_open(
            actor=coordinator,
            youth=youth,
            consultation_type=ConsultationType.objects.get(code=rng.choice(TYPES)),
            purpose_specification="Gegenereerde casus.",
            target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
        )
        # Prepared, with a meeting: invitations can be answered (as after invitations_send).
        with bulk_writes_allowed("test arrangement"):
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.PREPARED)
        MeetingFactory(case=case)
        PrivacyNoticeFactory(case=case, version=1)
        cases.append(case.pk)
    pool = coordinators + professionals + from_world
    # Everyone who can be at a table, and the FG and the beheerder, who never are.
    checked = [*pool, world.users["privacy_officer"], world.users["administrator"]]
    gen = Generated(rng=rng, cases=cases, pool=pool, checked=checked)
    # Several professionals invited to each table.
    for case in Case.objects.filter(pk__in=cases).select_related("coordinator").order_by("pk"):
        for _ in range(rng.randint(2, 4)):
            _invite(gen, case)
    return gen


# --- The operations ---------------------------------------------------------------------------
# Each operation picks a case it applies to and returns (what it did, the case), or None when
# there is nothing to do; the test checks that the run did every kind of change at least once.


def _seats(**filters):
    return list(
        Participant.objects.filter(
            kind=ParticipantKind.PROFESSIONAL, left_at=None, case__status=CaseStatus.PREPARED
        )
        .filter(**filters)
        .select_related("user", "case__coordinator")
        .order_by("pk")
    )


def _open_case(gen: Generated) -> Case | None:
    cases = list(
        Case.objects.filter(pk__in=gen.cases, status=CaseStatus.PREPARED)
        .select_related("coordinator")
        .order_by("pk")
    )
    return gen.rng.choice(cases) if cases else None


def _invite(gen: Generated, case: Case) -> str | None:
    """The procesregisseur invites someone new; the invitation is sent (factory)."""
    seated = {p.user_id for p in case.participants.filter(left_at=None)} | {case.coordinator_id}
    candidates = [u for u in gen.pool if u.pk not in seated]
    if not candidates:
        return None
    # Procesregisseurs are invited more often, so that there is someone to hand over to.
    coordinators = [u for u in candidates if u.role == Role.COORDINATOR]
    if coordinators and gen.rng.random() < 0.3:
        candidates = coordinators
    seat = services.participant_add(
        actor=case.coordinator,
        case=case,
        user=gen.rng.choice(candidates),
        role=gen.rng.choice(ROLES),
    )
    InvitationFactory(
        meeting=case.meetings.get(), participant=seat, notice=case.privacy_notices.get()
    )
    return "added"


def op_add(gen: Generated) -> tuple[str, int] | None:
    """A professional is invited to an open case."""
    case = _open_case(gen)
    done = _invite(gen, case) if case else None
    return (done, case.pk) if done else None


def op_respond(gen: Generated) -> tuple[str, int] | None:
    """Someone invited answers: yes (grant) or no (no grant, or the grant taken back)."""
    seats = [s for s in _seats() if s.invitations.exists()]
    if not seats:
        return None
    seat = gen.rng.choice(seats)
    accept = gen.rng.random() < 0.7
    services.participant_respond(actor=seat.user, participant=seat, accept=accept)
    if accept:
        return "accepted", seat.case_id
    if seat.response == Response.ACCEPTED:
        return "declined after accepting", seat.case_id
    return "declined", seat.case_id


def op_remove(gen: Generated) -> tuple[str, int] | None:
    """The procesregisseur takes a professional from the table."""
    seats = _seats()
    if not seats:
        return None
    seat = gen.rng.choice(seats)
    services.participant_remove(actor=seat.case.coordinator, participant=seat)
    if seat.response == Response.ACCEPTED:
        return "removed after accepting", seat.case_id
    return "removed", seat.case_id


def op_hand_over(gen: Generated) -> tuple[str, int] | None:
    """The procesregisseur hands the case to an accepted procesregisseur at the table."""
    seats = [s for s in _seats(response=Response.ACCEPTED) if s.user.role == Role.COORDINATOR]
    if not seats:
        return None
    seat = gen.rng.choice(seats)
    services.coordinator_hand_over(
        actor=seat.case.coordinator, case=seat.case, to_user=seat.user, reason="Verlof"
    )
    return "handed over", seat.case_id


def op_close(gen: Generated) -> tuple[str, int] | None:
    """A case closes (up to twice the access period ago); the nightly job runs."""
    case = _open_case(gen)
    if case is None:
        return None
    closed_at = timezone.now() - timedelta(days=gen.rng.randint(0, 2 * DAYS))
    with bulk_writes_allowed("test arrangement"):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=closed_at)
    return ("expired" if services.case_access_expire() else "closed"), case.pk


def op_forbidden(gen: Generated) -> tuple[str, int]:
    """Someone who does not direct a case tries to: add, remove, answer for another, hand
    over. Each is refused (403) and changes nothing."""
    case = Case.objects.select_related("coordinator").get(pk=gen.rng.choice(gen.cases))
    outsider = gen.rng.choice([u for u in gen.pool if u.pk != case.coordinator_id])
    seats = list(case.participants.filter(kind=ParticipantKind.PROFESSIONAL, left_at=None))
    attempts = [
        lambda: services.participant_add(
            actor=outsider, case=case, user=gen.rng.choice(gen.pool), role="leerkracht_mentor"
        ),
    ]
    if seats:
        seat = gen.rng.choice(seats)
        attempts += [
            lambda: services.participant_remove(actor=outsider, participant=seat),
            lambda: services.coordinator_hand_over(
                actor=outsider, case=case, to_user=seat.user, reason="Overname"
            ),
        ]
        if outsider.pk != seat.user_id:
            attempts.append(
                lambda: services.participant_respond(actor=outsider, participant=seat, accept=True)
            )
    with pytest.raises(PermissionDenied):
        gen.rng.choice(attempts)()
    return "refused", case.pk


OPERATIONS = {
    op_add: 20,
    op_respond: 35,
    op_remove: 12,
    op_hand_over: 10,
    op_close: 5,
    op_forbidden: 18,
}


def time_passes(gen: Generated) -> tuple[str, int] | None:
    """The access period of every closed case runs out; the nightly job runs (twice)."""
    later = timezone.now() + timedelta(days=DAYS + 1)
    handled = services.case_access_expire(now=later)
    assert services.case_access_expire(now=later) == 0  # idempotent
    return ("expired", gen.cases[0]) if handled else None


# --- The agreement --------------------------------------------------------------------------


def _expected(case_ids: list[int]) -> dict[int, set[int]]:
    """Who should hold each case grant: the procesregisseur and the active professionals who
    accepted; the procesregisseur alone once the participants' access expired."""
    expected = {}
    accepted = defaultdict(set)
    for case_id, user_id in Participant.objects.filter(
        case_id__in=case_ids,
        kind=ParticipantKind.PROFESSIONAL,
        left_at__isnull=True,
        response=Response.ACCEPTED,
    ).values_list("case_id", "user_id"):
        accepted[case_id].add(user_id)
    for pk, coordinator_id, expired_at in Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "coordinator_id", "access_expired_at"
    ):
        expected[pk] = {coordinator_id} | (set() if expired_at else accepted[pk])
    return expected


def _replayed(case: Case) -> set[int]:
    """The holders the access log describes: grant.added gives, grant.revoked/expired takes."""
    held: set[int] = set()
    seats = {
        str(uuid): user_id for uuid, user_id in case.participants.values_list("uuid", "user_id")
    }
    events = AccessEvent.objects.filter(
        case_uuid=case.uuid, action__in=["grant.added", "grant.revoked", "grant.expired"]
    ).order_by("pk")
    for event in events:
        if event.object_type == "casusoverleg.participant":
            user_id = seats[event.object_id]
        elif event.object_type == "parties.user":
            user_id = User.objects.get(uuid=event.object_id).pk
        else:  # the case itself: the procesregisseur's grant on opening
            assert event.object_type == "casusoverleg.case"
            user_id = event.actor_id
        if event.action == "grant.added":
            held.add(user_id)
        else:
            held.discard(user_id)
    return held


def _assert_agreement(gen: Generated, step: str) -> None:
    expected = _expected(gen.cases)
    held = {}
    for pk in gen.cases:
        held[pk] = set(holders(VIEW_CASE, Case(pk=pk)))
        assert held[pk] == expected[pk], (step, pk)
    for user in gen.checked:
        listed = set(Case.objects.visible_to(user).values_list("pk", flat=True))
        assert listed & held.keys() == {pk for pk in gen.cases if user.pk in held[pk]}, (
            step,
            user.username,
        )
    if gen.touched is not None:
        # The detail page, for the case of this step: everyone who holds its grant and a few who
        # do not (each miss is a logged denial, which makes this the costly part of the check).
        case = Case.objects.get(pk=gen.touched)
        outside = [u for u in gen.checked if u.pk not in held[case.pk]]
        for user in [u for u in gen.checked if u.pk in held[case.pk]] + gen.rng.sample(
            outside, min(2, len(outside))
        ):
            try:
                selectors.case_get(user=user, uuid=case.uuid, log=False)
                detail = True
            except Case.DoesNotExist:
                detail = False
            assert detail == (user.pk in held[case.pk]), (step, user.username)


@pytest.mark.parametrize("seed", [2026])
def test_grants_and_participations_agree_in_a_generated_world(world, settings, seed):
    """STYLE "Access is a guardian grant", invariant 1, R-PR-1, R-7-2: after every step of a
    random run through the services, grant holders are exactly the procesregisseur and the
    accepted active professionals (only the procesregisseur after expiry), the list and the
    detail page agree with the grants, and the log replays to them."""
    settings.CASE_ACCESS_DAYS_AFTER_CLOSE = DAYS
    gen = _generate(world, seed)
    _assert_agreement(gen, "generated")
    operations, weights = list(OPERATIONS), list(OPERATIONS.values())
    for number in range(STEPS):
        operation = gen.rng.choices(operations, weights)[0]
        if number == STEPS * 3 // 4:
            operation = time_passes  # once, late: every closed case's period runs out
        try:
            outcome = operation(gen)
        except (PermissionDenied, ValidationError):
            # Refused by a rule (an invitation no longer open, say); nothing changed.
            gen.refused[operation.__name__] += 1
            outcome = None
        gen.done[outcome[0] if outcome else None] += 1
        gen.touched = outcome[1] if outcome else None
        _assert_agreement(gen, f"{number}: {operation.__name__}")
    # Every grant and revoke of the run was logged: the log replays to the grants.
    for pk in gen.cases:
        assert _replayed(Case.objects.get(pk=pk)) == set(holders(VIEW_CASE, Case(pk=pk))), pk
    # The run exercised what it claims to: everything that changes a grant happened, and some
    # cases expired while others are still open.
    assert set(gen.done) >= {
        "added",
        "accepted",
        "declined",
        "declined after accepting",
        "removed",
        "removed after accepting",
        "handed over",
        "closed",
        "expired",
        "refused",
    }, (gen.done, gen.refused)
    expired = Case.objects.filter(pk__in=gen.cases, access_expired_at__isnull=False).count()
    assert 0 < expired < CASES
