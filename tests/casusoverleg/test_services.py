"""The case services: opening, participants, the state machine with its checklist, invitations.

Each test goes through the services, where the rules live; the factories only build the world.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

import pytest
import time_machine

from audit.models import AccessEvent
from casusoverleg import selectors, services
from casusoverleg.choices import (
    CaseStatus,
    DeliveryStatus,
    EntryKind,
    InvitationMethod,
    MeetingStatus,
    ParticipantKind,
    Response,
    TargetGroup,
)
from casusoverleg.models import Case, Invitation
from convenant.models import ConsultationType, CovenantParty
from core.permissions import has_grant
from core.querysets import bulk_writes_allowed
from parties.choices import Capacity, Role
from tests.factories.parties import (
    GuardianFactory,
    OrganisationFactory,
    ProfessionalFactory,
    UserFactory,
    YouthFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def english():
    """The services' messages are compared in English here; the Dutch is the catalogue's."""
    with translation.override("en"):
        yield


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it queued after commit (e-mail, PDFs) eagerly."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def _ics(message) -> str:
    """The decoded .ics attached to an invitation e-mail."""
    return message.attachments[0].get_payload(decode=True).decode()


def _professional(
    world, org, role, capacity=Capacity.EDUCATION, user_role=Role.PROFESSIONAL, **kwargs
):
    user = UserFactory(role=user_role, email=f"{role}@example.org")
    ProfessionalFactory(user=user, organisation=org, capacity=capacity, **kwargs)
    return user


@pytest.fixture
def opened(world):
    """An MDO about world.youth (14), opened by the school's procesregisseur."""
    coordinator = world.users["coordinator"]
    return services.case_open(
        actor=coordinator,
        youth=world.youth,
        consultation_type=ConsultationType.objects.get(code="mdo"),
        purpose_specification="Passende ondersteuning in de klas.",
        target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
    )


def _tick(case, transition):
    for item in services.checklist_items(case=case):
        if item.transition == transition:
            services.checklist_set(actor=case.coordinator, case=case, item=item, checked=True)


def _seat_required_roles(world, case):
    """Fill the MDO's required professional roles with school professionals (invited)."""
    seats = []
    for role in ("leerkracht_mentor", "ib_zorgcoordinator", "swv_consultant"):
        user = _professional(world, world.school, role)
        seat = services.participant_add(actor=case.coordinator, case=case, user=user, role=role)
        seats.append(seat)
    return seats


def _send_invitations(case, run):
    """Give everyone at the table an address and send the invitations (delivered eagerly)."""
    for seat in case.participants.exclude(user__isnull=True).select_related("user"):
        if not seat.user.email:
            seat.user.email = f"{seat.pk}@example.org"
            seat.user.save()
    run(services.invitations_send, actor=case.coordinator, case=case)


def _invited(world, case, run):
    """Prepared, scheduled and invited: the professionals can now answer."""
    _prepared(world, case)
    _schedule(case)
    _send_invitations(case, run)
    return case


def _join(world, case, run, role="leerkracht_mentor", user_role=Role.PROFESSIONAL):
    """A new professional is added to an invited case, gets the invitation and accepts."""
    user = _professional(world, world.school, f"{role}-{user_role}", user_role=user_role)
    seat = services.participant_add(actor=case.coordinator, case=case, user=user, role=role)
    _send_invitations(case, run)
    services.participant_respond(actor=user, participant=seat, accept=True)
    seat.refresh_from_db()
    return user, seat


def _prepared(world, case):
    _seat_required_roles(world, case)
    _tick(case, "voorbereid")
    services.case_advance(actor=case.coordinator, case=case)
    case.refresh_from_db()
    return case


def _schedule(case, days=7, hour=10):
    starts = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days), datetime.min.time())
    ).replace(hour=hour)
    return services.meeting_schedule(
        actor=case.coordinator,
        case=case,
        starts_at=starts,
        duration_minutes=60,
        location="Vergaderruimte 2",
        video_url="",
        agenda="Ondersteuning",
    )


# --- Opening ---------------------------------------------------------------------------------


def test_opening_seats_parents_with_gezag_and_the_youth(world, opened):
    """R-AGE-2, invariant 6, R-1-2: parents with gezag and a youth of 14 are at the table and
    invited; the parent without gezag is not."""
    family = {(p.kind, p.is_invited) for p in opened.participants.all()}
    assert family == {(ParticipantKind.PARENT, True), (ParticipantKind.YOUTH, True)}
    assert opened.participants.filter(guardian__has_authority=False).count() == 0
    assert opened.coordinator == world.users["coordinator"]
    assert opened.purpose == opened.consultation_type.purpose  # R-3-1: the type's own purpose
    assert AccessEvent.objects.filter(action="case.opened", case_uuid=opened.uuid).exists()


def test_a_child_under_12_is_not_invited_but_the_reason_says_why(world):
    """R-AGE-3: under 12 the child is not invited directly; its view is heard instead."""
    child = YouthFactory(
        region=world.school.region, school=world.school, date_of_birth=date(2018, 1, 1)
    )
    GuardianFactory(youth=child)
    case = services.case_open(
        actor=world.users["coordinator"],
        youth=child,
        consultation_type=ConsultationType.objects.get(code="mdo"),
        purpose_specification="Zorgen over gedrag.",
        target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
    )
    seat = case.participants.get(kind=ParticipantKind.YOUTH)
    assert seat.is_invited is False
    assert "12" in seat.not_invited_reason


@pytest.mark.parametrize(
    ("_case", "field", "kwargs"),
    [
        (
            "purpose needs a specification (R-3-1)",
            "purpose_specification",
            {"purpose_specification": "  "},
        ),
        ("doelgroep from the closed list (R-0-1)", "target_group", {"target_group": "iets"}),
    ],
)
def test_opening_refuses_invalid_input_and_keeps_nothing(world, _case, field, kwargs):
    """R-0-1, R-3-1, invariant 9: a case without purpose or doelgroep is refused, nothing kept."""
    values = {
        "actor": world.users["coordinator"],
        "youth": world.youth,
        "consultation_type": ConsultationType.objects.get(code="mdo"),
        "purpose_specification": "Iets",
        "target_group": TargetGroup.EDUCATION_AND_YOUTH_CARE,
    } | kwargs
    before = Case.objects.count()
    with pytest.raises(ValidationError) as error:
        services.case_open(**values)
    assert field in error.value.message_dict
    assert Case.objects.count() == before


def test_only_a_procesregisseur_opens_a_case(world):
    """R-PR-1: a professional without the procesregisseur role cannot open a case."""
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=world.users["professional"],
            youth=world.youth,
            consultation_type=ConsultationType.objects.get(code="mdo"),
            purpose_specification="Iets",
            target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
        )


def test_a_disabled_type_cannot_be_opened(world):
    """R-W-1, R-TYPE-1: the Wams type stays disabled until the law is in force."""
    with pytest.raises(ValidationError):
        services.case_open(
            actor=world.users["coordinator"],
            youth=world.youth,
            consultation_type=ConsultationType.objects.get(code="gecoordineerde-aanpak"),
            purpose_specification="Iets",
            target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
        )


# --- Participants ----------------------------------------------------------------------------


def test_a_professional_of_a_party_outside_the_covenant_is_refused(world, opened):
    """R-P-3, R-18-1: only parties that joined the covenant take part."""
    outsider_org = OrganisationFactory(region=world.school.region, name="Niet aangesloten school")
    outsider = _professional(world, outsider_org, "mentor")
    with pytest.raises(ValidationError) as error:
        services.participant_add(
            actor=opened.coordinator, case=opened, user=outsider, role="leerkracht_mentor"
        )
    assert "Niet aangesloten school" in str(error.value.message_dict["user"])
    assert not opened.participants.filter(user=outsider).exists()


def test_youth_care_takes_part_only_after_its_accession_form(world, opened):
    """R-P-3: a jeugdhulpaanbieder needs its signed Toetredingsformulier and the notification."""
    care = world.users["youth_care"]
    with pytest.raises(ValidationError):
        services.participant_add(
            actor=opened.coordinator, case=opened, user=care, role="wijkteam_jeugdhulp"
        )
    party = CovenantParty.objects.get(organisation=care.professional.organisation)
    party.signed_document = "convenant/toetreding/formulier.pdf"
    party.accession_notified_at = timezone.now()
    party.save()
    seat = services.participant_add(
        actor=opened.coordinator, case=opened, user=care, role="wijkteam_jeugdhulp"
    )
    assert seat.is_active


def test_accepting_grants_access_and_declining_or_leaving_takes_it_away(world, opened, run):
    """Invariant 1: the grant, given on accepting and revoked on leaving, is the access; a
    professional cannot accept before the invitation (with its notice) was sent."""
    _invited(world, opened, run)
    user = _professional(world, world.school, "mentor")
    seat = services.participant_add(
        actor=opened.coordinator, case=opened, user=user, role="leerkracht_mentor"
    )
    with pytest.raises(PermissionDenied):  # nothing sent yet: nothing to accept (R-12-1)
        services.participant_respond(actor=user, participant=seat, accept=True)
    _send_invitations(opened, run)
    assert not Case.objects.visible_to(user).filter(pk=opened.pk).exists()
    services.participant_respond(actor=user, participant=seat, accept=True)
    assert Case.objects.visible_to(user).filter(pk=opened.pk).exists()
    assert AccessEvent.objects.filter(action="grant.added", actor=user).exists()
    services.participant_remove(actor=opened.coordinator, participant=seat)
    assert not has_grant(user, "casusoverleg.view_case", opened)
    assert not Case.objects.visible_to(user).filter(pk=opened.pk).exists()
    seat.refresh_from_db()
    assert seat.left_at is not None  # the row stays: it is the history
    with pytest.raises(PermissionDenied):  # a removed professional cannot accept again
        services.participant_respond(actor=user, participant=seat, accept=True)


def test_only_the_addressee_answers_an_invitation(world, opened, run):
    """Invariant 1: nobody answers for someone else."""
    _invited(world, opened, run)
    seat = opened.participants.filter(kind=ParticipantKind.PROFESSIONAL).first()
    with pytest.raises(PermissionDenied):
        services.participant_respond(actor=opened.coordinator, participant=seat, accept=True)
    seat.refresh_from_db()
    assert seat.response == Response.PENDING


def test_not_inviting_a_parent_needs_a_reason(world, opened):
    """Invariant 6, SPEC §10 Q3: not inviting is allowed only with a recorded reason, and only a
    youth of 16 or 17 can object to the parents' presence."""
    parent = opened.participants.get(kind=ParticipantKind.PARENT)
    with pytest.raises(ValidationError):
        services.participant_set_invitation(
            actor=opened.coordinator,
            participant=parent,
            is_invited=False,
            reason="",
            youth_objected=False,
        )
    with pytest.raises(ValidationError) as error:  # the youth is 14
        services.participant_set_invitation(
            actor=opened.coordinator,
            participant=parent,
            is_invited=False,
            reason="Bezwaar van de jongere.",
            youth_objected=True,
        )
    assert "youth_objected" in error.value.message_dict
    with time_machine.travel(datetime(2028, 6, 1, 12, tzinfo=AMSTERDAM)):  # now 16
        services.participant_set_invitation(
            actor=opened.coordinator,
            participant=parent,
            is_invited=False,
            reason="De jongere van 16 maakt bezwaar; besproken en gehonoreerd.",
            youth_objected=True,
        )
    parent.refresh_from_db()
    assert parent.youth_objected is True
    assert parent.is_invited is False
    assert AccessEvent.objects.filter(
        action="participant.updated", reason="youth objected", case_uuid=opened.uuid
    ).exists()


def test_handover_keeps_exactly_one_procesregisseur_and_the_history(world, opened, run):
    """R-PR-1: handover to an accepted procesregisseur at the table; logged with a reference to
    the handover (not its text); the former one stays at the table with a logged grant."""
    _invited(world, opened, run)
    _plain, plain_seat = _join(world, opened, run, role="gedragsdeskundige")
    with pytest.raises(ValidationError):  # a professional without the procesregisseur role
        services.coordinator_hand_over(
            actor=opened.coordinator, case=opened, to_user=plain_seat.user, reason="Verlof"
        )
    user, _seat = _join(world, opened, run, role="ib_zorgcoordinator", user_role=Role.COORDINATOR)
    previous = opened.coordinator
    services.coordinator_hand_over(actor=previous, case=opened, to_user=user, reason="Verlof")
    opened.refresh_from_db()
    assert opened.coordinator == user
    handover = opened.handovers.get()
    assert handover.from_user == previous
    event = AccessEvent.objects.get(action="case.handed_over")
    assert event.object_id == str(handover.pk)
    assert "Verlof" not in event.reason
    assert AccessEvent.objects.filter(action="grant.added", case_uuid=opened.uuid).count() >= 2
    assert Case.objects.visible_to(previous).filter(pk=opened.pk).exists()
    with pytest.raises(PermissionDenied):
        services.case_update(
            actor=previous,
            case=opened,
            purpose_specification="x",
            target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
            out_of_education_since=None,
        )


def test_only_the_procesregisseur_moves_the_case(world, opened, run):
    """R-PR-2: a participant who can see the case cannot move it."""
    _invited(world, opened, run)
    user, _seat = _join(world, opened, run)
    assert Case.objects.visible_to(user).filter(pk=opened.pk).exists()
    with pytest.raises(PermissionDenied):
        services.case_advance(actor=user, case=opened)
    opened.refresh_from_db()
    assert opened.status == CaseStatus.PREPARED


def test_prepared_needs_the_checklist_and_a_professional(world, opened):
    """R-PR-2, R-CHK-1: every 'before → voorbereid' item ticked and someone to talk with."""
    with pytest.raises(ValidationError) as error:
        services.case_advance(actor=opened.coordinator, case=opened)
    messages = error.value.messages
    assert any("Checklist" in m for m in messages)
    assert any("professional" in m.lower() for m in messages)
    _seat_required_roles(world, opened)
    _tick(opened, "voorbereid")
    assert (
        services.case_advance(actor=opened.coordinator, case=opened).status == CaseStatus.PREPARED
    )


def test_one_unticked_item_blocks_the_step(world, opened):
    """R-CHK-1: the checklist is data; one missing item is named and blocks the step."""
    _seat_required_roles(world, opened)
    _tick(opened, "voorbereid")
    item = next(i for i in services.checklist_items(case=opened) if i.transition == "voorbereid")
    services.checklist_set(actor=opened.coordinator, case=opened, item=item, checked=False)
    blockers = services.transition_blockers(case=opened, target="voorbereid")
    assert blockers == [f"Checklist: {item.text}"]


def test_scheduled_needs_required_roles_and_the_family_invited(world, opened, run):
    """R-TYPE-2, R-AGE-2, R-12-1: the MDO's required roles, a meeting, and invitations sent to
    the parents and the youth of 14, each with the privacy notice."""
    _tick(opened, "voorbereid")
    mentor = _professional(world, world.school, "mentor")
    services.participant_add(
        actor=opened.coordinator, case=opened, user=mentor, role="leerkracht_mentor"
    )
    services.case_advance(actor=opened.coordinator, case=opened)
    opened.refresh_from_db()
    _tick(opened, "gepland")
    blockers = services.transition_blockers(case=opened, target="gepland")
    assert blockers == ["Schedule the meeting."]
    _schedule(opened)
    blockers = services.transition_blockers(case=opened, target="gepland")
    assert any("ib_zorgcoordinator" in b or "zorgco" in b.lower() for b in blockers)
    assert any(str(world.guardian) in b for b in blockers)  # no invitation sent yet
    for role in ("ib_zorgcoordinator", "swv_consultant"):
        user = _professional(world, world.school, role)
        services.participant_add(actor=opened.coordinator, case=opened, user=user, role=role)
    world.guardian.user.email = "ouder@example.org"
    world.guardian.user.save()
    world.youth.user.email = "jongere@example.org"
    world.youth.user.save()
    run(services.invitations_send, actor=opened.coordinator, case=opened)
    assert services.transition_blockers(case=opened, target="gepland") == []
    assert opened.privacy_notices.count() == 1
    assert set(
        Invitation.objects.filter(meeting__case=opened).values_list("notice", flat=True)
    ) == {opened.privacy_notices.get().pk}
    case = services.case_advance(actor=opened.coordinator, case=opened)
    assert case.status == CaseStatus.SCHEDULED


def test_a_parent_not_invited_with_a_reason_does_not_block(world, opened, run):
    """R-AGE-2: the exception is a recorded reason, not silence."""
    _prepared(world, opened)
    _tick(opened, "gepland")
    _schedule(opened)
    parent = opened.participants.get(kind=ParticipantKind.PARENT)
    services.participant_set_invitation(
        actor=opened.coordinator,
        participant=parent,
        is_invited=False,
        reason="Contactverbod (beschikking).",
        youth_objected=False,
    )
    world.youth.user.email = "jongere@example.org"
    world.youth.user.save()
    for seat in opened.participants.filter(kind=ParticipantKind.PROFESSIONAL):
        seat.user.email = seat.user.email or "p@example.org"
        seat.user.save()
    run(services.invitations_send, actor=opened.coordinator, case=opened)
    assert services.transition_blockers(case=opened, target="gepland") == []


def test_invitation_without_an_fg_contact_is_not_sent(world, opened, run):
    """R-12-1: the privacy notice names every party's FG; without one nothing is sent."""
    _prepared(world, opened)
    _schedule(opened)
    with bulk_writes_allowed("test arrangement"):
        CovenantParty.objects.filter(organisation=world.school).update(privacy_officer_email="")
    with pytest.raises(ValidationError) as error:
        run(services.invitations_send, actor=opened.coordinator, case=opened)
    assert world.school.name in str(error.value)
    assert not Invitation.objects.filter(meeting__case=opened).exists()
    assert mail.outbox == []


def test_invitation_e_mails_carry_no_personal_data_of_the_youth(world, opened, run):
    """R-10-3: the invitation e-mail and its .ics name no youth, birth date or agenda."""
    _prepared(world, opened)
    meeting = _schedule(opened)
    world.guardian.user.email = "ouder@example.org"
    world.guardian.user.save()
    run(services.invitations_send, actor=opened.coordinator, case=opened)
    assert mail.outbox, "nothing was sent"
    for message in mail.outbox:
        parts = [message.subject, message.body] + [str(a[1]) for a in message.alternatives]
        parts.append(_ics(message))
        text = "\n".join(parts)
        for secret in [*world.pii(), meeting.agenda]:
            assert secret not in text, (secret, message.to)


def test_moving_the_meeting_sends_an_update_and_cancelling_a_cancellation(world, opened, run):
    """Issue 3 item 3/4: rescheduling raises SEQUENCE for everyone invited; cancelling sends
    METHOD:CANCEL and puts the case back to prepared."""
    _prepared(world, opened)
    meeting = _schedule(opened)
    for seat in opened.participants.exclude(user__isnull=True):
        seat.user.email = f"{seat.pk}@example.org"
        seat.user.save()
    invited = run(services.invitations_send, actor=opened.coordinator, case=opened)
    _tick(opened, "gepland")
    services.case_advance(actor=opened.coordinator, case=opened)
    mail.outbox.clear()
    run(
        services.meeting_schedule,
        actor=opened.coordinator,
        case=opened,
        starts_at=meeting.starts_at + timedelta(days=1),
        duration_minutes=90,
        location="Lokaal 3",
        video_url="",
        agenda="",
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert len(mail.outbox) == len(invited)
    assert all("SEQUENCE:1" in _ics(m) for m in mail.outbox)
    mail.outbox.clear()
    run(services.meeting_cancel, actor=opened.coordinator, meeting=meeting, reason="Ziekte")
    meeting.refresh_from_db()
    opened.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert opened.status == CaseStatus.PREPARED
    assert {_ics(m).count("METHOD:CANCEL") for m in mail.outbox} == {1}
    assert not any("Ziekte" in m.body for m in mail.outbox)


def test_a_clash_with_another_meeting_is_reported(world, opened):
    """Issue 3 item 3: a warning when a participant already has a meeting then."""
    _prepared(world, opened)
    meeting = _schedule(opened, days=5, hour=14)
    mentor = opened.participants.filter(kind=ParticipantKind.PROFESSIONAL).first().user
    other = services.case_open(
        actor=world.users["coordinator"],
        youth=world.youth,
        consultation_type=ConsultationType.objects.get(code="zat"),
        purpose_specification="Verzuim",
        target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
    )
    services.participant_add(
        actor=other.coordinator, case=other, user=mentor, role="ib_zorgcoordinator"
    )
    clashes = services.meeting_conflicts(
        case=other, starts_at=meeting.starts_at + timedelta(minutes=30), duration_minutes=60
    )
    # The mentor and the procesregisseur (who directs both) clash; the family, who sits at both
    # tables too, is never named: that would reveal their other case.
    assert {c.who for c in clashes} == {str(mentor), str(world.users["coordinator"])}
    named = " ".join(c.who for c in clashes)
    assert all(text not in named for text in world.pii())
    assert (
        services.meeting_conflicts(case=other, starts_at=meeting.ends_at, duration_minutes=60) == []
    )


def _scheduled(world, case, run):
    _prepared(world, case)
    _schedule(case, days=2)
    for seat in case.participants.exclude(user__isnull=True):
        seat.user.email = f"{seat.pk}@example.org"
        seat.user.save()
    run(services.invitations_send, actor=case.coordinator, case=case)
    _tick(case, "gepland")
    services.case_advance(actor=case.coordinator, case=case)
    case.refresh_from_db()
    return case


def test_held_needs_the_moment_passed_and_attendance(world, opened, run):
    """R-PR-2 §5.3 'during': the meeting took place and attendance is recorded for everyone."""
    case = _scheduled(world, opened, run)
    _tick(case, "gehouden")
    blockers = services.transition_blockers(case=case, target="gehouden")
    assert any("not started" in b for b in blockers)
    meeting = selectors.current_meeting(case)
    with time_machine.travel(meeting.ends_at + timedelta(minutes=5)):
        assert any(
            "present" in b for b in services.transition_blockers(case=case, target="gehouden")
        )
        seats = list(case.participants.invited())
        with pytest.raises(ValidationError):
            services.attendance_record(
                actor=case.coordinator, meeting=meeting, entries=[(seats[0], False, "")]
            )
        services.attendance_record(
            actor=case.coordinator,
            meeting=meeting,
            entries=[(s, s.kind != ParticipantKind.YOUTH, "Toets op school") for s in seats],
        )
        case = services.case_advance(actor=case.coordinator, case=case)
    assert case.status == CaseStatus.HELD
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_a_child_under_12_must_have_been_heard_before_held(world, run):
    """R-AGE-3: for a youth under 12 at the meeting date the hearing note (or why not) is needed."""
    child = YouthFactory(
        region=world.school.region, school=world.school, date_of_birth=date(2017, 3, 3)
    )
    guardian = GuardianFactory(youth=child)
    guardian.user.email = "ouder-kind@example.org"
    guardian.user.save()
    case = services.case_open(
        actor=world.users["coordinator"],
        youth=child,
        consultation_type=ConsultationType.objects.get(code="mdo"),
        purpose_specification="Zorgen over gedrag.",
        target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
    )
    case = _scheduled(world, case, run)
    _tick(case, "gehouden")
    meeting = selectors.current_meeting(case)
    with time_machine.travel(meeting.ends_at + timedelta(minutes=5)):
        services.attendance_record(
            actor=case.coordinator,
            meeting=meeting,
            entries=[(s, True, "") for s in case.participants.invited()],
        )
        assert any("heard" in b for b in services.transition_blockers(case=case, target="gehouden"))
        services.case_record_hearing(
            actor=case.coordinator,
            case=case,
            hearing_note="Gesprek met de intern begeleider met tekeningen.",
            not_possible_reason="",
        )
        assert services.transition_blockers(case=case, target="gehouden") == []


def _held(world, case, run):
    case = _scheduled(world, case, run)
    _tick(case, "gehouden")
    meeting = selectors.current_meeting(case)
    traveller = time_machine.travel(meeting.ends_at + timedelta(minutes=5))
    traveller.start()
    services.attendance_record(
        actor=case.coordinator,
        meeting=meeting,
        entries=[(s, True, "") for s in case.participants.invited()],
    )
    case = services.case_advance(actor=case.coordinator, case=case)
    return case, traveller


def test_minutes_then_sharing_then_closing_starts_retention(world, opened, run):
    """R-8-1, R-12-3, R-PR-2, art. 9: adopted minutes with entries and a follow-up date, shared
    with the family within the working-day period, then closing sets the retention date."""
    case, traveller = _held(world, opened, run)
    try:
        assert services.transition_blockers(case=case, target="verslag_vastgesteld")
        services.minutes_entry_add(
            actor=case.coordinator,
            case=case,
            kind=EntryKind.FACT,
            text="Sinds september 12 uur verzuim.",
            owner=world.school,
        )
        services.minutes_entry_add(
            actor=case.coordinator,
            case=case,
            kind=EntryKind.AGREEMENT,
            text="Mentor belt wekelijks.",
            owner=world.school,
        )
        services.minutes_set_follow_up(
            actor=case.coordinator,
            case=case,
            follow_up_on=timezone.localdate() + timedelta(days=42),
        )
        _tick(case, "verslag_vastgesteld")
        case = services.case_advance(actor=case.coordinator, case=case)
        minutes = selectors.current_meeting(case).minutes
        assert minutes.family_due_on is not None
        _tick(case, "afgesloten")
        assert any(
            "Share" in b for b in services.transition_blockers(case=case, target="afgesloten")
        )
        mail.outbox.clear()
        run(services.minutes_share_with_family, actor=case.coordinator, case=case)
        assert {m.to[0] for m in mail.outbox} == {
            p.user.email for p in services.minutes_family_recipients(case=case)
        }
        case = services.case_advance(actor=case.coordinator, case=case)
    finally:
        traveller.stop()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_at is not None
    assert case.retain_until == services._add_months(timezone.localtime(case.closed_at).date(), 24)
    with pytest.raises(PermissionDenied):  # a closed case is frozen
        services.case_advance(actor=case.coordinator, case=case)


def test_minutes_entry_owner_must_be_a_party_at_the_table(world, opened, run):
    """R-2-1: an entry belongs to a party at the table; another organisation is refused."""
    case, traveller = _held(world, opened, run)
    try:
        stranger = OrganisationFactory(region=world.school.region)
        with pytest.raises(ValidationError) as error:
            services.minutes_entry_add(
                actor=case.coordinator, case=case, kind=EntryKind.FACT, text="x", owner=stranger
            )
        assert "owner" in error.value.message_dict
    finally:
        traveller.stop()


def test_family_recipients_follow_the_age_table(world, opened):
    """R-12-3, SPEC §6: a youth of 14 and the parents receive the minutes; at 16 the parents
    no longer do without the youth's consent."""
    kinds = {p.kind for p in services.minutes_family_recipients(case=opened)}
    assert kinds == {ParticipantKind.PARENT, ParticipantKind.YOUTH}
    with time_machine.travel(datetime(2028, 5, 18, 12, tzinfo=AMSTERDAM)):
        kinds = {p.kind for p in services.minutes_family_recipients(case=opened)}
    assert kinds == {ParticipantKind.YOUTH}


def test_action_reminders_are_sent_once_a_day(world, run, settings):
    """Issue 3 item 9: reminders before the due date, once per day, by e-mail with a link only."""
    settings.ACTION_REMINDER_DAYS = 3
    action = world.action
    action.assignee.user.email = "betrokken@example.org"
    action.assignee.user.save()
    action.due_on = timezone.localdate() + timedelta(days=2)
    action.save()
    assert run(services.action_reminders_send) == 1
    assert run(services.action_reminders_send) == 0
    assert len(mail.outbox) == 1
    assert all(text not in mail.outbox[0].body for text in world.pii())
    assert action.description not in mail.outbox[0].body


def test_invitation_delivery_without_an_address_fails_visibly(world, opened, run):
    """R-AGE-2: an invitation that could not be e-mailed does not count as sent."""
    _prepared(world, opened)
    _schedule(opened)
    world.guardian.user.email = ""
    world.guardian.user.save()
    run(services.invitations_send, actor=opened.coordinator, case=opened)
    invitation = Invitation.objects.get(participant__guardian=world.guardian, meeting__case=opened)
    assert invitation.status == DeliveryStatus.FAILED
    assert invitation.method == InvitationMethod.REQUEST
    assert any(
        str(world.guardian) in b
        for b in services.transition_blockers(case=opened, target="gepland")
    )
