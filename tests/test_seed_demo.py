"""`manage.py seed_demo` (issue 2 item 6; issue 3: demo cases made through the services; issue 5:
the demo users' history in the access log, R-10-2)."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest
import time_machine
from auditlog.models import LogEntry

from audit.choices import Action, Outcome
from audit.models import AccessEvent, SealBlock
from audit.sealing import verify
from audit.selectors import access_event_list, who_looked
from casusoverleg.choices import (
    CaseStatus,
    DeliveryStatus,
    EntryKind,
    MeetingStatus,
    ParticipantKind,
    Response,
    TargetGroup,
)
from casusoverleg.models import (
    ActionItem,
    Attendance,
    Case,
    ChecklistAnswer,
    Invitation,
    Meeting,
    MinutesEntry,
    Participant,
)
from casusoverleg.rules import family_rules
from casusoverleg.services import UNDER_AGE_REASON, checklist_items, minutes_owner_choices
from convenant.models import RetentionRule
from core.querysets import bulk_writes_allowed
from parties.choices import Role
from parties.models import Guardian, Organisation, Region, User, Youth
from portal.management.commands.seed_demo import (
    EMAIL_DOMAIN,
    _Clock,
    _History,
    _history_start,
    _working_days_before,
)

pytestmark = pytest.mark.django_db

# The states the demo cases end in, and how many steps of the state machine that took.
EXPECTED = {
    "Lotte": (CaseStatus.SCHEDULED, "procesregisseur", "mdo", 2),
    "Daan": (CaseStatus.HELD, "zorgcoordinator", "zat", 3),
    "Noor": (CaseStatus.PREPARED, "zorgcoordinator", "thuiszittersoverleg", 1),
}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _case(given_name: str) -> Case:
    """The demo case about the youth with `given_name`."""
    return Case.objects.select_related("coordinator", "consultation_type", "youth").get(
        youth__given_name=given_name
    )


def _counts() -> tuple[int, ...]:
    """How many rows the demo holds, of everything seed_demo makes."""
    return tuple(
        model.objects.count()
        for model in (
            User,
            Organisation,
            Youth,
            Guardian,
            Case,
            Participant,
            Meeting,
            Invitation,
            MinutesEntry,
            ActionItem,
            AccessEvent,
            LogEntry,
            SealBlock,
        )
    )


def test_seed_demo_is_idempotent():
    """Issue 5: running it twice changes nothing the second time: no duplicate users, cases,
    access events, change entries or seals; the history is made once, with the cases."""
    output = _seed()
    assert "Access log history:" in output
    counts = _counts()
    output = _seed()
    assert counts == _counts()
    assert Case.objects.count() == 3
    assert "already there" in output
    assert "Access log history:" not in output


def test_seed_demo_has_every_role_and_prints_the_logins():
    """Every role has a demo user, and each login is printed."""
    output = _seed()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for username in User.objects.values_list("username", flat=True):
        assert username in output


def test_seed_demo_youths_and_parents():
    """Youths of 10, 14 and 17; one with two parents with joint gezag; one parent without gezag."""
    _seed()
    today = timezone.localdate()
    assert sorted(y.age_on(today) for y in Youth.objects.all()) == [10, 14, 17]
    joint = [y for y in Youth.objects.all() if y.guardians.filter(has_authority=True).count() == 2]
    assert len(joint) == 1
    assert Guardian.objects.filter(has_authority=False).count() == 1
    fourteen = next(y for y in Youth.objects.all() if y.age_on(today) == 14)
    assert fourteen.user is not None
    assert fourteen.user.role == Role.YOUTH


def test_seed_demo_names_the_organisations_spec_lists():
    """Two schools, an SWV, a municipality, youth care, GGZ and JGZ."""
    _seed()
    types = list(Organisation.objects.values_list("party_type", flat=True))
    assert types.count("swv") == 1
    assert (
        Organisation.objects.filter(parent__isnull=False, party_type="schoolbestuur").count() == 2
    )
    assert {"gemeente_college", "jeugdhulpaanbieder", "jgz"} <= set(types)
    capacities = {c for org in Organisation.objects.all() for c in org.capacities}
    assert {"leerplicht", "jeugd", "jeugdhulp", "ggz", "jgz"} <= capacities


def test_seed_demo_refuses_a_production_configuration(settings):
    """Demo passwords never reach production: without DEBUG it refuses unless forced."""
    settings.DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        _seed()
    assert not User.objects.exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert User.objects.exists()


def test_seed_demo_gives_every_user_a_demo_address_and_the_two_new_logins():
    """Invitations can be delivered: every demo user has <username>@demo…, old databases too."""
    _seed()
    with bulk_writes_allowed("test set-up: a user of an older demo database, without e-mail"):
        User.objects.filter(username="mentor").update(email="")
    _seed()
    for username, email in User.objects.values_list("username", "email"):
        assert email == f"{username}@{EMAIL_DOMAIN}"
    teacher = User.objects.get(username="leerkracht")
    assert (teacher.get_full_name(), teacher.role) == ("Tom Peters", Role.PROFESSIONAL)
    assert teacher.professional.organisation.name == "Basisschool De Regenboog"
    assert teacher.professional.function == "Leerkracht groep 6"
    coordinator = User.objects.get(username="zorgcoordinator")
    assert (coordinator.get_full_name(), coordinator.role) == ("Wendy Kramer", Role.COORDINATOR)
    assert coordinator.professional.organisation.name == "Het Eemcollege"
    assert coordinator.professional.function == "Zorgcoördinator"


def test_seed_demo_cases_reach_their_states_through_the_state_machine():
    """R-PR-2: each demo case got to its state step by step, with every checklist item ticked.

    Each step is a `case.advanced` event by the case's procesregisseur, and every checklist
    item of the steps taken is ticked (R-CHK-1).
    """
    output = _seed()
    assert Case.objects.count() == 3
    for given_name, (status, coordinator, type_code, steps) in EXPECTED.items():
        case = _case(given_name)
        assert (case.status, case.coordinator.username, case.consultation_type.code) == (
            status,
            coordinator,
            type_code,
        )
        advanced = AccessEvent.objects.filter(case_uuid=case.uuid, action=Action.CASE_ADVANCED)
        assert advanced.count() == steps
        assert set(advanced.values_list("actor__username", flat=True)) == {coordinator}
        # The states after 'concept', in order: the first `steps` of them were reached.
        taken = list(CaseStatus)[1 : steps + 1]
        required = {i.pk for i in checklist_items(case=case) if i.transition in taken}
        ticked = set(case.checklist_answers.values_list("item_id", flat=True))
        assert required
        assert required <= ticked
        assert f"{case.youth}: {case.consultation_type.name}" in output


def test_seed_demo_family_participants_follow_the_age_rules():
    """R-AGE-2, R-AGE-3, invariant 6: parents with gezag always invited; the youth from 12.

    The parent without gezag is not at the table; Lotte (10) is not invited, with the reason
    the application records, and her view was heard instead.
    """
    _seed()
    today = timezone.localdate()
    for given_name in EXPECTED:
        case = _case(given_name)
        meeting = case.meetings.first()
        on = timezone.localtime(meeting.starts_at).date() if meeting else today
        rules = family_rules(case.youth, on)
        parents = case.participants.filter(kind=ParticipantKind.PARENT)
        assert {p.guardian_id for p in parents} == set(
            case.youth.guardians.filter(has_authority=True).values_list("pk", flat=True)
        )
        assert all(p.is_invited for p in parents)
        youth = case.participants.get(kind=ParticipantKind.YOUTH)
        assert youth.is_invited is rules.invite_youth
        if not rules.invite_youth:
            assert youth.not_invited_reason == UNDER_AGE_REASON
    lotte = _case("Lotte")
    assert lotte.hearing_note == "Gesprek met de intern begeleider aan de hand van tekeningen"
    assert not _case("Daan").participants.filter(guardian__has_authority=False).exists()


def test_seed_demo_lotte_is_scheduled_with_invitations_sent():
    """R-12-1: Lotte's MDO is planned in about six days; everyone invited got the invitation.

    The teacher and the SWV accepted and so see the case (invariant 1); the wijkteam has not
    answered and does not see it yet.
    """
    _seed()
    case = _case("Lotte")
    meeting = case.meetings.get()
    start = timezone.localtime(meeting.starts_at)
    assert 6 <= (start.date() - timezone.localdate()).days <= 8
    assert (start.hour, start.minute, meeting.duration_minutes) == (10, 0, 60)
    assert meeting.location == "Basisschool De Regenboog, kamer IB"
    assert meeting.status == MeetingStatus.SCHEDULED
    invited = case.participants.invited()
    assert invited.count() == 5
    assert set(Invitation.objects.filter(meeting=meeting).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    assert {p.participant_id for p in meeting.invitations.all()} == set(
        invited.values_list("pk", flat=True)
    )
    assert case.privacy_notices.exists()
    answers = dict(
        case.participants.filter(kind=ParticipantKind.PROFESSIONAL).values_list(
            "user__username", "response"
        )
    )
    assert answers == {
        "leerkracht": Response.ACCEPTED,
        "swv": Response.ACCEPTED,
        "wijkteam": Response.PENDING,
    }
    for username, sees in (("leerkracht", True), ("swv", True), ("wijkteam", False)):
        user = User.objects.get(username=username)
        assert Case.objects.visible_to(user).filter(pk=case.pk).exists() is sees


def test_seed_demo_daan_was_held_and_has_minutes_of_every_kind():
    """R-8-1, R-2-1: Daan's ZAT was held last week; facts, opinions and agreements, each owned.

    Everyone was present except Daan, with his reason; the wijkteam has an action due in ten
    days and the follow-up date is about six weeks away.
    """
    _seed()
    today = timezone.localdate()
    case = _case("Daan")
    meeting = case.meetings.get()
    assert meeting.status == MeetingStatus.HELD
    assert 5 <= (today - timezone.localtime(meeting.starts_at).date()).days <= 9
    absent = Attendance.objects.filter(meeting=meeting, present=False)
    assert [(a.participant.kind, a.absence_reason) for a in absent] == [
        (ParticipantKind.YOUTH, "Had een toets")
    ]
    assert Attendance.objects.filter(meeting=meeting).count() == case.participants.invited().count()
    entries = list(meeting.minutes.entries.all())
    kinds = [e.kind for e in entries]
    assert sorted(kinds) == sorted(
        [EntryKind.FACT, EntryKind.FACT, EntryKind.OPINION, EntryKind.AGREEMENT]
    )
    owners = set(minutes_owner_choices(case=case))
    assert all(e.owner in owners for e in entries)
    action = meeting.minutes.actions.get()
    assert action.assignee.user.username == "wijkteam"
    assert action.due_on == today + timedelta(days=10)
    assert 42 <= (meeting.minutes.follow_up_on - today).days <= 44
    assert meeting.minutes.adopted_at is None


def test_seed_demo_daan_has_shared_items_each_on_its_ground():
    """R-2-3, R-4-2, R-6-1, R-6-2, R-6-3, R-T-3: Daan's ZAT has what the parties shared, each
    through the sharing rules: the school's attendance for everyone, its health observation not
    for leerplicht, the SWV's education data, the youth doctor's medical item kept as "niet
    verstrekken", and her advice shared on the family's consent, read by the table."""
    from casusoverleg.models import SharedItem

    _seed()
    case = _case("Daan")
    items = list(SharedItem.objects.filter(case=case))
    assert sorted(i.category.code for i in items) == ["C2", "C3a", "C4", "C4", "C5"]
    withheld = next(i for i in items if i.category.code == "C5")
    advice = next(i for i in items if i.consent is not None)
    assert withheld.is_withheld
    assert all(i.meeting == case.meetings.get() for i in items)
    assert advice.consent.status == "valid"
    readers = {
        name: sorted(
            i.category.code
            for i in SharedItem.objects.visible_to(User.objects.get(username=name)).filter(
                case=case
            )
        )
        for name in ("leerplicht", "wijkteam", "jeugdarts", "zorgcoordinator")
    }
    assert readers["leerplicht"] == ["C2", "C3a", "C4"]  # the advice, on consent only
    assert readers["wijkteam"] == ["C2", "C3a", "C4", "C4"]
    assert readers["jeugdarts"] == ["C2", "C3a", "C4", "C4", "C5"]  # C5 is their own, withheld
    assert readers["zorgcoordinator"] == ["C2", "C3a", "C4", "C4"]
    assert withheld.consent is None


def test_seed_demo_daans_mother_has_a_consent_to_decide_and_an_inzage_request():
    """R-AGE-1, R-6-2, R-13-1: at 14 Daan and his mother consent together; the follow-up report's
    consent waits for her; her inzage request to the school is open with its month."""
    from consent.choices import ConsentStatus, RequestStatus
    from consent.models import Consent, RightsRequest

    _seed()
    case = _case("Daan")
    statuses = sorted(Consent.objects.filter(case=case).values_list("status", flat=True))
    assert statuses == [ConsentStatus.PENDING, ConsentStatus.VALID]
    waiting = Consent.objects.get(case=case, status=ConsentStatus.PENDING)
    assert [d.consenter_kind for d in waiting.decisions.all()] == ["youth"]
    request = RightsRequest.objects.get(youth=case.youth)
    assert request.status == RequestStatus.OPEN
    assert request.requester.username == "ouder3"
    assert request.organisation == case.organisation


def test_seed_demo_noor_objection_is_recorded():
    """SPEC §10 Q3, R-TYPE-4: Noor (17) objected to her mother; the decision is in the log.

    Her mother is still invited (the procesregisseur decided so); Noor has been out of
    education for more than 90 days, so the case warns.
    """
    _seed()
    case = _case("Noor")
    assert case.target_group == TargetGroup.HOME_SITTER
    assert (timezone.localdate() - case.out_of_education_since).days == 95
    mother = case.participants.get(kind=ParticipantKind.PARENT)
    assert (mother.youth_objected, mother.is_invited) == (True, True)
    assert AccessEvent.objects.filter(
        case_uuid=case.uuid,
        action=Action.PARTICIPANT_UPDATED,
        object_id=str(mother.uuid),
        reason="youth objected",
        actor__username="zorgcoordinator",
    ).exists()
    answers = dict(
        case.participants.filter(kind=ParticipantKind.PROFESSIONAL).values_list(
            "user__username", "response"
        )
    )
    # No invitation has gone out yet, so nobody has answered or sees the case yet.
    assert answers == {"leerplicht": Response.PENDING, "swv": Response.PENDING}


def test_seed_demo_access_log_has_the_demo_users_history():
    """Invariant 2: every step is in the access log under the demo user who took it."""
    _seed()
    events = AccessEvent.objects.all()
    lotte, daan = _case("Lotte"), _case("Daan")
    assert events.filter(
        action=Action.CASE_OPENED, actor__username="procesregisseur", case_uuid=lotte.uuid
    ).exists()
    assert events.filter(
        action=Action.CASE_OPENED, actor__username="zorgcoordinator", case_uuid=daan.uuid
    ).exists()
    assert events.filter(
        action=Action.INVITATION_ANSWERED, actor__username="leerkracht", case_uuid=lotte.uuid
    ).exists()
    for action in (
        Action.MEETING_SCHEDULED,
        Action.NOTICE_GENERATED,
        Action.INVITATION_SENT,
        Action.ATTENDANCE_RECORDED,
        Action.MINUTES_UPDATED,
        Action.ACTION_UPDATED,
    ):
        assert events.filter(action=action, case_uuid=daan.uuid).exists(), action
    assert not events.filter(actor__isnull=True).exists()


def test_seed_demo_sends_each_invitation_once_and_quietly(
    settings, capsys, django_capture_on_commit_callbacks
):
    """Invitations are e-mailed once each, also when the after-commit tasks run; none printed.

    The console backend of `make run` is swapped for memory while seeding and restored after.
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _seed()
    assert callbacks, "the services queue delivery after commit"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    invitations = Invitation.objects.select_related("participant__user")
    assert len(mail.outbox) == invitations.count() == 11
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        i.participant.user.email for i in invitations
    )
    assert "Content-Type" not in capsys.readouterr().out


def test_seed_demo_makes_all_cases_or_none():
    """A step a rule refuses leaves no half-made case behind, so a rerun starts clean."""
    rule = RetentionRule.objects.get(code="casusoverleg-verslag")
    period = rule.period_months
    with bulk_writes_allowed("test set-up: a retention rule without a period"):
        RetentionRule.objects.filter(pk=rule.pk).update(period_months=None)
    # The command speaks Dutch (LANGUAGE_CODE): "the notice needs the retention period".
    with pytest.raises(CommandError, match=r"bewaartermijn|retention period"):
        _seed()
    assert not Case.objects.exists()
    assert not ChecklistAnswer.objects.exists()
    assert User.objects.filter(username="zorgcoordinator").exists()
    with bulk_writes_allowed("test set-up: the retention rule restored"):
        RetentionRule.objects.filter(pk=rule.pk).update(period_months=period)
    _seed()
    assert Case.objects.count() == 3


# --- the history in the access log (issue 5) -----------------------------------------------------


def _local(event: AccessEvent) -> datetime:
    return timezone.localtime(event.occurred_at)


def _outside_working_hours(event: AccessEvent) -> bool:
    """At the weekend, before seven or from seven in the evening (local time)."""
    when = _local(event)
    return when.weekday() >= 5 or when.hour < 7 or when.hour >= 19


def test_seed_demo_history_spans_the_past_weeks():
    """R-10-2, issue 5: the log holds weeks of the demo's use, not one moment: events on at least
    15 distinct days of the past four weeks and none today or later; ids and times rise
    together (the clock was moved, no time was written afterwards); every event carries the
    request context the middleware sets (address, browser, request id, path)."""
    _seed()
    events = list(AccessEvent.objects.order_by("id"))
    today = timezone.localdate()
    days = {_local(e).date() for e in events}
    assert len({d for d in days if d >= today - timedelta(weeks=4)}) >= 15
    assert max(days) < today
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    assert all(e.request_id and e.path and e.client_ip and e.user_agent for e in events)
    # One page, one request id: the events of different pages do not share one.
    assert len({e.request_id for e in events}) > len(events) // 2


def test_seed_demo_history_is_the_demo_users_acting_in_their_roles():
    """R-10-2, invariant 2: every event names the demo user who acted, with the role and the
    organisation they had (parents and the youth act for none). Professionals open their cases,
    parents and Daan the portal, the FG the log; each case page is opened on several days."""
    _seed()
    users = {u.pk: u for u in User.objects.select_related("professional__organisation")}
    events = list(AccessEvent.objects.all())
    for event in events:
        user = users[event.actor_id]
        professional = getattr(user, "professional", None)
        assert (event.actor_name, event.actor_role, event.organisation_id) == (
            user.get_full_name(),
            user.role,
            professional.organisation_id if professional else None,
        )
    viewed = [e for e in events if e.action == Action.CASE_VIEWED]
    assert {e.actor_role for e in viewed} == {
        Role.COORDINATOR,
        Role.PROFESSIONAL,
        Role.PARENT,
        Role.YOUTH,
    }
    in_portal = {users[e.actor_id].username for e in viewed if e.path.startswith("/portaal/")}
    assert in_portal == {"ouder", "ouder2", "ouder3", "jongere"}
    log_reads = [e for e in events if e.action == Action.ACCESS_LOG_VIEWED]
    assert {users[e.actor_id].username for e in log_reads} == {"fg"}
    assert len({_local(e).isocalendar()[:2] for e in log_reads}) >= 4  # once a week
    # Each case is opened on more than one day (by its procesregisseur at least).
    for case in Case.objects.all():
        days = {_local(e).date() for e in viewed if e.case_uuid == case.uuid}
        assert len(days) >= 2, case


def test_seed_demo_fg_finds_who_looked_at_a_youth():
    """R-10-2, R-DPIA-3: the demo's FG (Gemeente Eemstad) finds the events about Daan of her own
    organisation, on several days: the leerplichtambtenaar and the wijkteam opened his case."""
    _seed()
    fg = User.objects.get(username="fg")
    daan = _case("Daan")
    events = list(access_event_list(user=fg).filter(youth_uuid=daan.youth.uuid))
    assert {e.organisation_name for e in events} == {"Gemeente Eemstad"}
    viewers = {e.actor_name for e in events if e.action == Action.CASE_VIEWED}
    assert viewers == {"Fatima El Amrani", "Joost Bakker"}
    assert len({_local(e).date() for e in events}) >= 3


def test_seed_demo_family_sees_who_looked():
    """R-10-2, issue 5: for the portal's "who looked at my data", Daan's mother gets the
    organisations that looked at his data over the weeks; her own visits are not among them."""
    _seed()
    daan = _case("Daan").youth
    looked = who_looked(actor=User.objects.get(username="ouder3"), youth=daan)
    assert {row["organisation_name"] for row in looked} >= {
        "Het Eemcollege",
        "Gemeente Eemstad",
        "Samenwerkingsverband Passend Onderwijs Eemland",
        "GGD Eemland – Jeugdgezondheidszorg",
    }
    assert "" not in {row["organisation_name"] for row in looked}
    assert len({timezone.localtime(row["when"]).date() for row in looked}) >= 10


def test_seed_demo_history_gives_the_fg_signals_an_example():
    """R-10-2, invariant 1, issue 5 (signals): denied attempts, through `case_get`, exactly the
    three of the story (the mentor on Daan's case, the wijkteam on Lotte's before answering,
    leerplicht on Noor's before being invited); and access outside working hours in the FG's
    organisation: the wijkteam one evening, leerplicht on a Saturday, both from home."""
    _seed()
    denied = AccessEvent.objects.filter(outcome=Outcome.DENIED)
    assert sorted(denied.values_list("actor__username", "action", "reason")) == [
        ("leerplicht", Action.ACCESS_DENIED, "404"),
        ("mentor", Action.ACCESS_DENIED, "404"),
        ("wijkteam", Action.ACCESS_DENIED, "404"),
    ]
    fg = User.objects.get(username="fg")
    assert access_event_list(user=fg).filter(outcome=Outcome.DENIED).count() == 2
    late = [
        e
        for e in access_event_list(user=fg).filter(action=Action.CASE_VIEWED)
        if _outside_working_hours(e)
    ]
    assert {(e.actor_name, _local(e).weekday() >= 5) for e in late} == {
        ("Joost Bakker", False),
        ("Fatima El Amrani", True),
    }
    assert all(e.client_ip.startswith("198.51.100.") for e in late)
    assert all(e.youth_uuid == _case("Daan").youth.uuid for e in late)


def test_seed_demo_daan_meeting_was_planned_before_it_was_held():
    """Issue 5 (no write bypasses the change history): Daan's ZAT was scheduled two weeks before
    it took place and its attendance recorded after it, each by its service at that time; the
    meeting's row history holds the start time the meeting has (no later correction)."""
    _seed()
    case = _case("Daan")
    meeting = case.meetings.get()
    events = AccessEvent.objects.filter(case_uuid=case.uuid)
    scheduled = events.get(action=Action.MEETING_SCHEDULED).occurred_at
    recorded = events.get(action=Action.ATTENDANCE_RECORDED).occurred_at
    assert case.created_at < scheduled < meeting.starts_at < recorded
    assert meeting.starts_at - scheduled > timedelta(days=7)
    touched = [e for e in LogEntry.objects.get_for_object(meeting) if "starts_at" in e.changes_dict]
    assert len(touched) == 1
    logged = datetime.fromisoformat(touched[0].changes_dict["starts_at"][1])
    assert (logged if logged.tzinfo else logged.replace(tzinfo=UTC)) == meeting.starts_at


def test_seed_demo_seals_both_logs():
    """Invariant 3: the demo's history is sealed at once: every access event and change entry is
    inside a sealed block, and the chain verifies."""
    output = _seed()
    report = verify()
    assert report.ok, report.problems
    assert report.unsealed_events == 0
    assert report.events_checked >= AccessEvent.objects.count() + LogEntry.objects.count()
    assert "hash-chained blocks" in output


def test_seed_demo_history_is_the_same_every_time():
    """Issue 5: the history comes from one seeded generator: for the same day, the same diary of
    visits (who, when, what for), whatever the database."""
    today = date(2026, 12, 3)
    start = _history_start(today)
    diaries = []
    for _ in range(2):
        with time_machine.travel(start, tick=False) as traveller:
            clock = _Clock(traveller, start)
            _History(Region(name="demo"), clock, today).plan_routine()
            diaries.append(clock.diary)
    assert diaries[0] == diaries[1]
    assert len(diaries[0]) > 60
    # Every working day of the history has visits: the charts per day have no gaps.
    assert {visit.at.date() for visit in diaries[0]} >= set(_working_days_before(today, 21))
