"""'My actions' and action reminders (issue 3 item 6; SPEC §5.3 'after', R-10-3).

An action is someone's to do: it shows in their list only, they (or the procesregisseur) mark it
done, anyone else gets a 404. Reminders go once a day, a link only.
"""

from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg import services
from core.permissions import grant
from tests.factories.casusoverleg import (
    ActionItemFactory,
    CaseFactory,
    MeetingFactory,
    MinutesFactory,
    ParticipantFactory,
)
from tests.factories.parties import ProfessionalFactory, UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

LIST_URL = "/werkplek/acties/"


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _complete_url(action) -> str:
    return reverse("casusoverleg:action_complete", kwargs={"uuid": action.uuid})


def _today():
    return timezone.localdate()


def test_the_list_url_is_stable():
    """The e-mail reminder links here (notifications._link); the address must not drift."""
    assert reverse("casusoverleg:action_list") == LIST_URL


def test_my_actions_shows_only_my_open_actions_soonest_first(world):
    """R-7-2: a professional sees the open actions assigned to them, and nobody else's."""
    minutes = world.meeting.minutes
    involved = world.participants["involved_professional"]
    overdue = ActionItemFactory(
        minutes=minutes, assignee=involved, due_on=_today() - timedelta(days=2)
    )
    ActionItemFactory(minutes=minutes, assignee=involved, completed_at=timezone.now())
    ActionItemFactory(minutes=minutes, assignee=world.participants["invited_professional"])
    other_case = CaseFactory(covenant=world.covenant, held=True)
    ActionItemFactory(minutes=MinutesFactory(meeting=MeetingFactory(case=other_case)))

    response = _client(world.users["involved_professional"]).get(LIST_URL)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["action"] for row in rows] == [overdue, world.action]
    assert [row["overdue"] for row in rows] == [True, False]
    html = response.content.decode()
    assert html.count('class="co-overdue"') == 1
    assert reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid}) in html


def test_the_list_logs_each_youth_shown(world):
    """Invariant 2: the list names the youth of each case, so each is logged as listed."""
    user = world.users["involved_professional"]
    _client(user).get(LIST_URL)
    assert AccessEvent.objects.filter(
        actor=user, action="case.listed", youth_uuid=world.youth.uuid
    ).exists()


def test_someone_without_actions_sees_an_empty_list(world):
    """R-7-2: an uninvolved professional's list is empty and names no youth."""
    response = _client(world.users["professional"]).get(LIST_URL)
    assert response.status_code == 200
    assert response.context["rows"] == []
    html = response.content.decode()
    assert not [text for text in world.pii() if text in html]


def test_parents_have_no_workplace_action_list(world):
    """Invariant 1: the workplace is for professionals; a parent gets 403 (logged)."""
    response = _client(world.users["parent"]).get(LIST_URL)
    assert response.status_code == 403


def test_the_menu_links_to_my_actions_for_professionals(world):
    """The workplace's main menu offers 'My actions' to professionals and coordinators only."""
    link = f'href="{LIST_URL}"'
    for who in ("professional", "case_coordinator"):
        assert link in _client(world.users[who]).get("/werkplek/").content.decode(), who
    assert link not in _client(world.users["parent"]).get("/portaal/").content.decode()


def test_the_assignee_marks_an_action_done(world):
    """§5.3 'after': the owner of an action completes it; it leaves their list; it is logged."""
    client = _client(world.users["involved_professional"])
    response = client.post(_complete_url(world.action))
    assert response.status_code == 302
    assert response.url == LIST_URL
    world.action.refresh_from_db()
    assert world.action.completed_at is not None
    assert AccessEvent.objects.filter(
        action="action.updated", object_id=str(world.action.uuid), reason="completed"
    ).exists()
    assert client.get(LIST_URL).context["rows"] == []


@pytest.mark.parametrize(
    ("_case", "who"),
    [
        ("outsider cannot learn the action exists", "coordinator"),
        ("invited, not accepted: no access yet", "invited_professional"),
        ("a professional of another organisation", "leerplicht"),
    ],
)
def test_someone_else_cannot_complete_an_action(world, _case, who):
    """STYLE rule 5: an action that is not yours (nor your case's) is a 404; nothing changes."""
    response = _client(world.users[who]).post(_complete_url(world.action))
    assert response.status_code == 404
    world.action.refresh_from_db()
    assert world.action.completed_at is None
    assert not AccessEvent.objects.filter(action="action.updated").exists()
    assert AccessEvent.objects.filter(actor=world.users[who], action="access.denied").exists()


def test_a_fellow_participant_cannot_complete_anothers_action(world):
    """Need to know: seeing the case is not owning its actions; another's action is a 404."""
    colleague = UserFactory(username="colleague")
    ProfessionalFactory(user=colleague, organisation=world.school)
    ParticipantFactory(case=world.case, user=colleague, organisation=world.school, accepted=True)
    grant(colleague, "casusoverleg.view_case", world.case)
    response = _client(colleague).post(_complete_url(world.action))
    assert response.status_code == 404
    world.action.refresh_from_db()
    assert world.action.completed_at is None


def test_the_procesregisseur_completes_from_the_minutes_page(world):
    """§5.3 'after': the procesregisseur may tick off any action and returns to the minutes."""
    minutes_url = reverse("casusoverleg:minutes", kwargs={"uuid": world.case.uuid})
    response = _client(world.users["case_coordinator"]).post(
        _complete_url(world.action), {"next": f"{minutes_url}#actions"}
    )
    assert response.status_code == 302
    assert response.url == f"{minutes_url}#actions"
    world.action.refresh_from_db()
    assert world.action.completed_at is not None


def test_a_foreign_next_address_is_ignored(world):
    """An open redirect would lead users off the site: only local addresses are followed."""
    response = _client(world.users["involved_professional"]).post(
        _complete_url(world.action), {"next": "https://evil.example.org/"}
    )
    assert response.status_code == 302
    assert response.url == LIST_URL


def test_completing_needs_a_post(world):
    """A link or prefetch must not complete an action: GET answers 405."""
    response = _client(world.users["involved_professional"]).get(_complete_url(world.action))
    assert response.status_code == 405
    world.action.refresh_from_db()
    assert world.action.completed_at is None


def test_the_action_list_needs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """STYLE §4.8: ten actions in one case cost no more queries than one (no N+1)."""
    involved = world.participants["involved_professional"]
    for days in range(10):
        ActionItemFactory(
            minutes=world.meeting.minutes, assignee=involved, due_on=_today() + timedelta(days)
        )
    client = _client(world.users["involved_professional"])
    with django_assert_max_num_queries(14):
        response = client.get(LIST_URL)
    assert len(response.context["rows"]) == 11


# --- Reminders ----------------------------------------------------------------------------------


def _with_email(user) -> None:
    user.email = f"{user.username}@example.org"
    user.save()


def test_reminders_go_once_a_day_to_the_assignee(world, django_capture_on_commit_callbacks):
    """§5.3 'after', R-10-3: due soon → one reminder a day with a link only; done → none."""
    assignee = world.users["involved_professional"]
    _with_email(assignee)
    minutes = world.meeting.minutes
    involved = world.participants["involved_professional"]
    today = _today()
    soon = today + timedelta(days=settings.ACTION_REMINDER_DAYS)
    world.action.due_on = soon
    world.action.save()
    ActionItemFactory(minutes=minutes, assignee=involved, due_on=soon, completed_at=timezone.now())
    ActionItemFactory(
        minutes=minutes,
        assignee=involved,
        due_on=soon + timedelta(days=1),
        description="Valt later",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_reminders_send(today=today) == 1
        assert services.action_reminders_send(today=today) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [assignee.email]
    assert LIST_URL in message.body
    leaks = [t for t in [*world.pii(), world.action.description] if t in message.body]
    assert not leaks, leaks
    world.action.refresh_from_db()
    assert world.action.reminded_on == today

    # The next day the still-open action is reminded again, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_reminders_send(today=today + timedelta(days=1)) == 2
    assert len(mail.outbox) == 3


def test_no_reminder_for_an_action_of_someone_who_left(world, django_capture_on_commit_callbacks):
    """Invariant 1: who left the table gets no more mail about its actions."""
    assignee = world.users["involved_professional"]
    _with_email(assignee)
    world.action.due_on = _today()
    world.action.save()
    involved = world.participants["involved_professional"]
    involved.left_at = timezone.now()
    involved.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.action_reminders_send(today=_today()) == 0
    assert not mail.outbox
