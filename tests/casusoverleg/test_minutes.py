"""Holding the meeting and the minutes in the workplace (issue 3 items 5, 6; SPEC §5.3).

Attendance and hoorrecht, the minutes' three sections, owner parties, actions, the follow-up date
and sharing the adopted minutes with parents and youth. POSTs that are refused must leave
nothing behind: no row, no write event.
"""

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.choices import CaseStatus, EntryKind, ParticipantKind
from casusoverleg.models import ActionItem, Attendance, Case, MinutesEntry
from core.querysets import bulk_writes_allowed
from tests.factories.casusoverleg import (
    CaseFactory,
    MeetingFactory,
    MinutesEntryFactory,
    MinutesFactory,
    ParticipantFactory,
)
from tests.factories.parties import OrganisationFactory, YouthFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

WRITE_EVENTS = [
    "minutes.updated",
    "minutes.shared",
    "action.updated",
    "attendance.recorded",
    "case.updated",
]


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"casusoverleg:{name}", kwargs={"uuid": case.uuid, **kwargs})


def _section(html: str, kind: str) -> str:
    """The HTML of one minutes section (fact, opinion or agreement)."""
    match = re.search(rf'<section[^>]*id="minutes-{kind}".*?</section>', html, re.DOTALL)
    assert match, f"no section for {kind}"
    return match.group(0)


def _write_events(case: Case) -> int:
    return AccessEvent.objects.filter(case_uuid=case.uuid, action__in=WRITE_EVENTS).count()


def _adopt(world, *, due_in_days: int = 10) -> None:
    """Put the world's case in 'verslag_vastgesteld' as case_advance would (dates included)."""
    minutes = world.meeting.minutes
    minutes.adopted_at = timezone.now()
    minutes.family_due_on = timezone.localdate() + timedelta(days=due_in_days)
    minutes.save()
    with bulk_writes_allowed("test arrangement"):
        Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.MINUTES_ADOPTED)
    world.case.refresh_from_db()


# --- The minutes page: three sections, owners, read-only for participants ----------------------


def test_facts_opinions_and_agreements_are_kept_apart(world):
    """R-8-1: each entry is stored with its kind and shown only in its own section."""
    coordinator = world.users["case_coordinator"]
    texts = {
        EntryKind.FACT: "Sinds oktober drie keer ongeoorloofd afwezig.",
        EntryKind.OPINION: "De mentor denkt dat de klas te druk is.",
        EntryKind.AGREEMENT: "Wekelijks gesprek met de mentor.",
    }
    for kind, text in texts.items():
        services.minutes_entry_add(
            actor=coordinator, case=world.case, kind=kind, text=text, owner=world.school
        )

    for reader in ("case_coordinator", "involved_professional"):
        html = _client(world.users[reader]).get(_url("minutes", world.case)).content.decode()
        for kind, text in texts.items():
            assert text in _section(html, kind), (reader, kind)
            for other in set(texts) - {kind}:
                assert texts[other] not in _section(html, kind), (reader, kind, other)
    wanted = set(texts.values())
    stored = {e.text: e.kind for e in MinutesEntry.objects.all() if e.text in wanted}
    assert stored == {text: kind for kind, text in texts.items()}


def test_an_entry_shows_its_owner_party_and_author(world):
    """R-8-1, R-2-1: every entry says which party owns it and who wrote it."""
    services.minutes_entry_add(
        actor=world.users["case_coordinator"],
        case=world.case,
        kind=EntryKind.FACT,
        text="Leerplicht heeft een verzuimmelding ontvangen.",
        owner=world.municipality,
    )
    html = _client(world.users["involved_professional"]).get(_url("minutes", world.case))
    fact_section = _section(html.content.decode(), EntryKind.FACT)
    assert world.municipality.name in fact_section
    assert world.users["case_coordinator"].get_full_name() in fact_section


def test_the_procesregisseur_adds_an_entry_through_the_form(world):
    """R-8-1, R-2-1: the form stores kind, text, owner party and author; then back to the page."""
    response = _client(world.users["case_coordinator"]).post(
        _url("minutes", world.case),
        {
            "entry-kind": EntryKind.OPINION,
            "entry-text": "De school vindt extra begeleiding nodig.",
            "entry-owner": str(world.municipality.uuid),
        },
    )
    assert response.status_code == 302
    assert response.url.startswith(_url("minutes", world.case))
    entry = next(
        row
        for row in MinutesEntry.objects.all()
        if row.text == "De school vindt extra begeleiding nodig."
    )
    assert entry.kind == EntryKind.OPINION
    assert entry.owner == world.municipality
    assert entry.author == world.users["case_coordinator"]
    assert AccessEvent.objects.filter(action="minutes.updated", object_id=str(entry.uuid)).exists()


def test_the_entry_form_shows_the_minimisation_hint_and_only_parties_at_the_table(world):
    """R-7-1, R-2-1: the free text carries the hint; owners are the parties at the table."""
    response = _client(world.users["case_coordinator"]).get(_url("minutes", world.case))
    form = response.context["entry_form"]
    assert str(form.fields["text"].help_text) in response.content.decode()
    owners = set(form.fields["owner"].queryset)
    # The procesregisseur's party, and the party of every professional still at the table.
    assert owners == {world.school, world.municipality}


def test_a_forged_owner_is_refused_and_nothing_is_saved(world):
    """R-2-1, invariant 9: an owner party not at the table is refused next to the field.

    The text typed is kept in the form, so nothing is lost.
    """
    outsider_party = OrganisationFactory(region=world.school.region, name="Niet aan tafel BV")
    before = MinutesEntry.objects.count()
    events = _write_events(world.case)
    response = _client(world.users["case_coordinator"]).post(
        _url("minutes", world.case),
        {
            "entry-kind": EntryKind.FACT,
            "entry-text": "Tekst die niet verloren mag gaan.",
            "entry-owner": str(outsider_party.uuid),
        },
    )
    assert response.status_code == 200
    form = response.context["entry_form"]
    assert form.errors["owner"]
    html = response.content.decode()
    assert 'id="id_entry-owner_error"' in html
    assert "Tekst die niet verloren mag gaan." in html
    assert MinutesEntry.objects.count() == before
    assert _write_events(world.case) == events


def test_the_service_refuses_an_owner_not_at_the_table_too(world):
    """R-2-1: the rule lives in the service; a form that forgot it could not get round it."""
    from django.core.exceptions import ValidationError

    outsider_party = OrganisationFactory(region=world.school.region)
    with pytest.raises(ValidationError) as error:
        services.minutes_entry_add(
            actor=world.users["case_coordinator"],
            case=world.case,
            kind=EntryKind.FACT,
            text="Tekst",
            owner=outsider_party,
        )
    assert "owner" in error.value.message_dict


def test_participants_read_the_minutes_without_forms(world):
    """R-PR-2 (§5.2): only the procesregisseur writes; a participant reads, without buttons."""
    response = _client(world.users["involved_professional"]).get(_url("minutes", world.case))
    assert response.status_code == 200
    html = response.content.decode()
    entry = world.meeting.minutes.entries.first()
    assert entry.text in html
    assert "entry_form" not in response.context
    assert "action_form" not in response.context
    assert (
        reverse(
            "casusoverleg:minutes_entry_delete",
            kwargs={"uuid": world.case.uuid, "entry": entry.uuid},
        )
        not in html
    )
    assert 'name="entry-text"' not in html


@pytest.mark.parametrize(
    ("_case", "who", "status"),
    [
        ("outsider cannot learn it exists", "coordinator", 404),
        ("invited but not accepted sees nothing yet", "invited_professional", 404),
        ("a parent uses the portal, not the workplace", "parent", 403),
        ("participant may read", "involved_professional", 200),
        ("procesregisseur may read", "case_coordinator", 200),
    ],
)
def test_minutes_page_access(world, _case, who, status):
    """Invariant 1, R-7-2: the minutes are shown only to those who see the case."""
    response = _client(world.users[who]).get(_url("minutes", world.case))
    assert response.status_code == status


def test_viewing_the_minutes_is_logged_with_the_youth(world):
    """Invariant 2, R-10-2: reading the minutes writes a 'viewed' event naming the youth."""
    user = world.users["involved_professional"]
    _client(user).get(_url("minutes", world.case))
    assert AccessEvent.objects.filter(
        actor=user, action="case.viewed", youth_uuid=world.youth.uuid
    ).exists()


# --- Only the procesregisseur writes -------------------------------------------------------------


def _posts(world):
    """Every writing POST of this area, with valid data, keyed by URL name."""
    entry = world.meeting.minutes.entries.first()
    parent = world.participants["parent"]
    tomorrow = (timezone.localdate() + timedelta(days=30)).isoformat()
    return {
        "minutes": (
            _url("minutes", world.case),
            {
                "entry-kind": EntryKind.FACT,
                "entry-text": "Geweigerd punt",
                "entry-owner": str(world.school.uuid),
            },
        ),
        "minutes_entry_delete": (
            _url("minutes_entry_delete", world.case, entry=entry.uuid),
            {},
        ),
        "action_add": (
            _url("action_add", world.case),
            {
                "action-description": "Geweigerde actie",
                "action-assignee": str(world.participants["involved_professional"].uuid),
                "action-due_on": tomorrow,
            },
        ),
        "follow_up": (_url("follow_up", world.case), {"follow_up-follow_up_on": tomorrow}),
        "minutes_share": (_url("minutes_share", world.case), {}),
        "attendance": (
            _url("attendance", world.case),
            {f"present_{parent.uuid}": "present", f"reason_{parent.uuid}": ""},
        ),
        "hearing": (
            _url("hearing", world.case),
            {"hearing_note": "Gesprek met de mentor", "not_possible_reason": ""},
        ),
    }


POST_NAMES = [
    "minutes",
    "minutes_entry_delete",
    "action_add",
    "follow_up",
    "minutes_share",
    "attendance",
    "hearing",
]


@pytest.mark.parametrize("name", POST_NAMES)
@pytest.mark.parametrize(
    ("_case", "who", "status"),
    [
        ("participant may read but not write", "involved_professional", 403),
        ("outsider cannot learn the case exists", "coordinator", 404),
    ],
)
def test_only_the_procesregisseur_writes(world, name, _case, who, status):
    """R-PR-2, invariant 1: others get 403 (logged) or 404; nothing is saved, no write event."""
    path, data = _posts(world)[name]
    entries = MinutesEntry.objects.count()
    actions = ActionItem.objects.count()
    events = _write_events(world.case)
    user = world.users[who]
    response = _client(user).post(path, data)
    assert response.status_code == status
    assert MinutesEntry.objects.count() == entries
    assert ActionItem.objects.count() == actions
    assert not Attendance.objects.exists()
    world.case.refresh_from_db()
    assert world.case.hearing_note == ""
    assert world.meeting.minutes.follow_up_on is None
    assert _write_events(world.case) == events
    assert AccessEvent.objects.filter(actor=user, action="access.denied", outcome="denied").exists()


def test_a_404_on_the_minutes_is_logged(world):
    """Invariant 1: 'Invisible objects answer 404 … both are logged'."""
    user = world.users["coordinator"]
    response = _client(user).get(_url("minutes", world.case))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(actor=user, action="access.denied").exists()


@pytest.mark.parametrize("name", ["attendance", "hearing"])
def test_a_participant_cannot_open_the_procesregisseur_forms(world, name):
    """R-PR-2: attendance and hoorrecht are the procesregisseur's; a participant gets 403."""
    user = world.users["involved_professional"]
    response = _client(user).get(_url(name, world.case))
    assert response.status_code == 403
    # The refusal is logged; no 'viewed' event for a page that was not shown.
    assert AccessEvent.objects.filter(actor=user, action="access.denied").exists()
    assert not AccessEvent.objects.filter(actor=user, action="case.viewed").exists()


# --- Attendance (SPEC §5.3 'during') ------------------------------------------------------------


def _attendance_data(world, **overrides):
    data = {}
    for participant in world.case.participants.invited():
        data[f"present_{participant.uuid}"] = "present"
        data[f"reason_{participant.uuid}"] = ""
    data.update(overrides)
    return data


def test_absent_without_a_reason_is_refused_next_to_the_field(world):
    """Invariant 9, §5.3 'ouders en jongere aanwezig of reden van afwezigheid'."""
    parent = world.participants["parent"]
    data = _attendance_data(world, **{f"present_{parent.uuid}": "absent"})
    response = _client(world.users["case_coordinator"]).post(_url("attendance", world.case), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [f"reason_{parent.uuid}"]
    html = response.content.decode()
    assert f'id="id_reason_{parent.uuid}_error"' in html
    # The service's message is tied to the input for screen readers too (WCAG 3.3.1).
    reason_input = re.search(rf'<input[^>]*name="reason_{parent.uuid}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in reason_input
    assert f"id_reason_{parent.uuid}_error" in reason_input
    assert not Attendance.objects.exists()
    assert not AccessEvent.objects.filter(action="attendance.recorded").exists()


def test_every_invited_participant_needs_an_answer(world):
    """Invariant 9: a participant left unanswered is marked; nothing is saved."""
    youth = world.participants["youth"]
    data = _attendance_data(world)
    del data[f"present_{youth.uuid}"]
    response = _client(world.users["case_coordinator"]).post(_url("attendance", world.case), data)
    assert response.status_code == 200
    assert f"present_{youth.uuid}" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_attendance_is_saved_and_shown_again(world):
    """§5.3 'during': present or absent with a reason is stored per participant and prefilled."""
    parent = world.participants["parent"]
    coordinator = _client(world.users["case_coordinator"])
    data = _attendance_data(
        world,
        **{f"present_{parent.uuid}": "absent", f"reason_{parent.uuid}": "Ziek gemeld"},
    )
    response = coordinator.post(_url("attendance", world.case), data)
    assert response.status_code == 302
    saved = {a.participant_id: a for a in Attendance.objects.filter(meeting=world.meeting)}
    assert saved[parent.pk].present is False
    assert saved[parent.pk].absence_reason == "Ziek gemeld"
    assert saved[world.participants["youth"].pk].present is True
    assert len(saved) == world.case.participants.invited().count()

    form = coordinator.get(_url("attendance", world.case)).context["form"]
    assert form[f"present_{parent.uuid}"].value() == "absent"
    assert form[f"reason_{parent.uuid}"].value() == "Ziek gemeld"


def test_attendance_lists_the_family_first(world):
    """Invariant 6: the parents and the youth come before the professionals."""
    form = _client(world.users["case_coordinator"]).get(_url("attendance", world.case))
    kinds = [row["participant"].kind for row in form.context["form"].rows()]
    assert kinds[:2] == [ParticipantKind.PARENT, ParticipantKind.YOUTH]
    assert set(kinds[2:]) == {ParticipantKind.PROFESSIONAL}


# --- Hoorrecht (R-AGE-3) --------------------------------------------------------------------------


def test_hearing_needs_a_note_or_a_reason(world):
    """R-AGE-3: neither how the child was heard nor why not → message next to the field."""
    response = _client(world.users["case_coordinator"]).post(
        _url("hearing", world.case), {"hearing_note": " ", "not_possible_reason": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hearing_note"]
    assert 'id="id_hearing_note_error"' in response.content.decode()
    world.case.refresh_from_db()
    assert world.case.hearing_note == ""
    assert not AccessEvent.objects.filter(action="case.updated").exists()


def test_hearing_is_saved(world):
    """R-AGE-3: the reason why hearing was not possible is enough, and is stored."""
    response = _client(world.users["case_coordinator"]).post(
        _url("hearing", world.case),
        {"hearing_note": "", "not_possible_reason": "Het kind was in het ziekenhuis."},
    )
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.hearing_not_possible_reason == "Het kind was in het ziekenhuis."


def test_hearing_page_says_when_it_is_required(world):
    """R-AGE-3: for a child under 12 on the meeting date the page says it is required."""
    child = YouthFactory(
        region=world.school.region,
        date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 8),
    )
    case = CaseFactory(
        youth=child,
        covenant=world.covenant,
        coordinator=world.users["case_coordinator"],
        organisation=world.school,
        held=True,
    )
    MeetingFactory(case=case, past=True)
    coordinator = _client(world.users["case_coordinator"])
    assert coordinator.get(_url("hearing", case)).context["hearing_required"] is True
    assert coordinator.get(_url("hearing", world.case)).context["hearing_required"] is False


# --- Actions and the follow-up date --------------------------------------------------------------


def test_the_procesregisseur_agrees_an_action(world):
    """§5.3 'after': an action has a description, someone at the table and a due date."""
    due = timezone.localdate() + timedelta(days=10)
    response = _client(world.users["case_coordinator"]).post(
        _url("action_add", world.case),
        {
            "action-description": "Contact opnemen met de huisarts",
            "action-assignee": str(world.participants["involved_professional"].uuid),
            "action-due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    action = next(
        row
        for row in ActionItem.objects.all()
        if row.description == "Contact opnemen met de huisarts"
    )
    assert action.assignee == world.participants["involved_professional"]
    assert action.due_on == due


def test_an_action_for_someone_not_at_the_table_is_refused(world):
    """Invariant 9: someone of another case, who left or is not invited is no choice; no save."""
    stranger = ParticipantFactory(case=CaseFactory(covenant=world.covenant))
    left = ParticipantFactory(case=world.case, left_at=timezone.now())
    excused = ParticipantFactory(case=world.case, is_invited=False, not_invited_reason="Niet nodig")
    client = _client(world.users["case_coordinator"])
    before = ActionItem.objects.count()
    for participant in (stranger, left, excused):
        response = client.post(
            _url("action_add", world.case),
            {
                "action-description": "Mag niet",
                "action-assignee": str(participant.uuid),
                "action-due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            },
        )
        assert response.status_code == 200
        assert response.context["action_form"].errors["assignee"]
        # The other forms on the page stay clean: errors go to the form that was sent.
        assert not response.context["entry_form"].errors
    assert ActionItem.objects.count() == before


def test_action_choices_name_people_with_their_organisation(world):
    """The assignee list labels each professional with organisation and role."""
    form = _client(world.users["case_coordinator"]).get(_url("minutes", world.case))
    labels = dict(form.context["action_form"].fields["assignee"].choices)
    involved = world.participants["involved_professional"]
    assert world.school.name in labels[str(involved.uuid)]


def test_a_follow_up_date_in_the_past_is_refused(world):
    """§5.3 'after', invariant 9: the date must lie ahead; the message is next to the field."""
    yesterday = timezone.localdate() - timedelta(days=1)
    client = _client(world.users["case_coordinator"])
    response = client.post(
        _url("follow_up", world.case), {"follow_up-follow_up_on": yesterday.isoformat()}
    )
    assert response.status_code == 200
    assert response.context["follow_up_form"].errors["follow_up_on"]
    assert 'id="id_follow_up-follow_up_on_error"' in response.content.decode()
    world.meeting.minutes.refresh_from_db()
    assert world.meeting.minutes.follow_up_on is None

    later = timezone.localdate() + timedelta(days=42)
    response = client.post(
        _url("follow_up", world.case), {"follow_up-follow_up_on": later.isoformat()}
    )
    assert response.status_code == 302
    world.meeting.minutes.refresh_from_db()
    assert world.meeting.minutes.follow_up_on == later


def test_deleting_an_entry_works_only_while_the_minutes_are_open(world):
    """R-8-1: an entry can be removed before adoption; after adoption it stays."""
    client = _client(world.users["case_coordinator"])
    first = world.meeting.minutes.entries.first()
    response = client.post(_url("minutes_entry_delete", world.case, entry=first.uuid))
    assert response.status_code == 302
    assert not MinutesEntry.objects.filter(pk=first.pk).exists()

    kept = MinutesEntryFactory(minutes=world.meeting.minutes)
    _adopt(world)
    response = client.post(_url("minutes_entry_delete", world.case, entry=kept.uuid))
    assert response.status_code == 302
    assert MinutesEntry.objects.filter(pk=kept.pk).exists()


def test_adopted_minutes_take_no_new_entries(world):
    """R-PR-2, invariant 9: after adoption a write is refused with a message; nothing is saved."""
    _adopt(world)
    before = MinutesEntry.objects.count()
    response = _client(world.users["case_coordinator"]).post(
        _url("minutes", world.case),
        {
            "entry-kind": EntryKind.FACT,
            "entry-text": "Te laat",
            "entry-owner": str(world.school.uuid),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert MinutesEntry.objects.count() == before
    assert "entry_form" not in response.context


def test_an_entry_of_another_case_is_a_404(world):
    """STYLE rule 5: an entry that is not in this case's minutes is not found."""
    other = CaseFactory(
        covenant=world.covenant, coordinator=world.users["case_coordinator"], held=True
    )
    foreign = MinutesEntryFactory(minutes=MinutesFactory(meeting=MeetingFactory(case=other)))
    response = _client(world.users["case_coordinator"]).post(
        _url("minutes_entry_delete", world.case, entry=foreign.uuid)
    )
    assert response.status_code == 404
    assert MinutesEntry.objects.filter(pk=foreign.pk).exists()


# --- Sharing with parents and youth (R-12-3) -----------------------------------------------------


def _with_email(world) -> list[str]:
    addresses = []
    for key in ("parent", "youth"):
        user = world.users[key]
        user.email = f"{key}@example.org"
        user.save()
        addresses.append(user.email)
    return addresses


def test_the_page_shows_who_receives_the_minutes_and_by_when(world):
    """R-12-3: after adoption the page lists the family recipients and the due date."""
    _adopt(world, due_in_days=5)
    response = _client(world.users["case_coordinator"]).get(_url("minutes", world.case))
    sharing = response.context["sharing"]
    assert sharing["can_share"] is True
    assert sharing["overdue"] is False
    assert any(str(world.guardian) in name for name in sharing["recipients"])
    assert any(str(world.youth) in name for name in sharing["recipients"])
    html = response.content.decode()
    assert _url("minutes_share", world.case) in html
    assert "utrecht-alert--warning" not in html


def test_a_past_due_date_gives_a_warning(world):
    """R-12-3: minutes not shared within the period are flagged on the page."""
    _adopt(world, due_in_days=-1)
    response = _client(world.users["case_coordinator"]).get(_url("minutes", world.case))
    assert response.context["sharing"]["overdue"] is True
    assert "utrecht-alert--warning" in response.content.decode()


def test_sharing_sets_the_date_and_mails_a_link_only(world, django_capture_on_commit_callbacks):
    """R-12-3, R-10-3: sharing records the moment and mails parents and youth a bare link."""
    addresses = _with_email(world)
    _adopt(world)
    entry_text = world.meeting.minutes.entries.first().text
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.users["case_coordinator"]).post(_url("minutes_share", world.case))
    assert response.status_code == 302
    minutes = world.meeting.minutes
    minutes.refresh_from_db()
    assert minutes.shared_with_family_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(addresses)
    for message in mail.outbox:
        body = message.body + message.subject
        leaks = [text for text in [*world.pii(), entry_text] if text in body]
        assert not leaks, leaks
        assert "http" in message.body
    assert AccessEvent.objects.filter(action="minutes.shared").count() == 1


def test_sharing_twice_sends_nothing_more(world, django_capture_on_commit_callbacks):
    """R-12-3: sharing is recorded once; a second press does not mail the family again."""
    _with_email(world)
    _adopt(world)
    client = _client(world.users["case_coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("minutes_share", world.case))
        client.post(_url("minutes_share", world.case))
    assert len(mail.outbox) == 2


def test_sharing_before_adoption_is_refused(world, django_capture_on_commit_callbacks):
    """R-12-3: only adopted minutes are shared; the refusal is a message, nothing is sent."""
    _with_email(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.users["case_coordinator"]).post(
            _url("minutes_share", world.case), follow=True
        )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    world.meeting.minutes.refresh_from_db()
    assert world.meeting.minutes.shared_with_family_at is None
    assert not mail.outbox


def test_after_sharing_the_page_shows_the_date_and_own_statements(world):
    """R-8-3, R-12-3: the shared date and the parents' and youth's own statements are shown."""
    _adopt(world)
    services.minutes_share_with_family(actor=world.users["case_coordinator"], case=world.case)
    services.statement_add(
        actor=world.users["parent"], case=world.case, text="Wij zien het anders."
    )
    response = _client(world.users["involved_professional"]).get(_url("minutes", world.case))
    sharing = response.context["sharing"]
    assert sharing["can_share"] is False
    assert [s.text for s in sharing["statements"]] == ["Wij zien het anders."]
    html = response.content.decode()
    assert "Wij zien het anders." in html
    assert _url("minutes_share", world.case) not in html


# --- Query counts --------------------------------------------------------------------------------


def test_the_minutes_page_needs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """STYLE §4.8: many entries and actions cost no extra queries (no N+1)."""
    minutes = world.meeting.minutes
    for index in range(15):
        MinutesEntryFactory(
            minutes=minutes,
            kind=EntryKind.values[index % 3],
            owner=world.municipality,
            author=world.users["case_coordinator"],
        )
    for participant in (world.participants["parent"], world.participants["youth"]):
        for _ in range(4):
            services.action_add(
                actor=world.users["case_coordinator"],
                case=world.case,
                description="Actie",
                assignee=participant,
                due_on=timezone.localdate() + timedelta(days=5),
            )
    client = _client(world.users["case_coordinator"])
    with django_assert_max_num_queries(22):
        response = client.get(_url("minutes", world.case))
    assert response.status_code == 200
    assert len(response.context["actions"]) == 9
