"""The parent's and youth's side of a Casusoverleg in the portal (issue 3 items 4 and 6).

The case page shows the meetings, who is invited, the user's own answer, the privacy notice in
the reader's version and, once shared and only for those who receive them, the minutes with a
form for an own statement.
"""

from datetime import date, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.choices import CaseStatus, EntryKind, MeetingStatus, ParticipantKind, Response
from casusoverleg.models import Invitation, Statement
from tests.factories.casusoverleg import (
    ActionItemFactory,
    MeetingFactory,
    MinutesEntryFactory,
    ParticipantFactory,
    PrivacyNoticeFactory,
)
from tests.factories.parties import UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

ENTRY_TEXT = "De leerling is sinds september vaker afwezig."  # MinutesEntryFactory's text
YOUTH_NOTICE = "casusoverleg/includes/privacy_notice_youth.html"
ADULT_NOTICE = "casusoverleg/includes/privacy_notice_adult.html"


def _client(world, who: str) -> Client:
    # English msgids, so that the assertions hold whatever the Dutch translation says.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    return login_verified(client, world.users[who])


def _detail(world) -> str:
    return reverse("portal:case_detail", kwargs={"uuid": world.case.uuid})


def _set_status(world, status: str) -> None:
    world.case.status = status
    world.case.save(update_fields=["status"])


def _share_minutes(world) -> None:
    """Adopted minutes, shared with the family by the procesregisseur through the service."""
    _set_status(world, CaseStatus.MINUTES_ADOPTED)
    services.minutes_share_with_family(actor=world.users["case_coordinator"], case=world.case)


def _schedule_upcoming_meeting(world):
    """The case before its meeting: scheduled, with a meeting still to come."""
    _set_status(world, CaseStatus.SCHEDULED)
    return MeetingFactory(case=world.case, location="Aula van de Testschool")


def _make_sixteen(world) -> None:
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 16, 1, 1)
    world.youth.save(update_fields=["date_of_birth"])


def _templates(response) -> set[str]:
    return {t.name for t in response.templates if t.name}


# --- Who sees the case ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_parent_and_youth_see_their_case(world, who):
    """R-12-1, invariant 6: the parent with gezag and the youth see the case they are invited to."""
    response = _client(world, who).get(_detail(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.case.consultation_type.name in body
    assert world.case.purpose_specification in body
    # The meeting is listed with its place.
    assert world.meeting.location in body


@pytest.mark.parametrize("who", ["parent_without_authority", "other_parent", "other_youth"])
def test_others_get_404_and_the_denial_is_logged(world, who):
    """R-1-2, R-7-2, invariant 1: without a seat at this table the case does not exist (404)."""
    user = world.users[who]
    before = AccessEvent.objects.filter(action="access.denied", actor=user).count()
    response = _client(world, who).get(_detail(world))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(action="access.denied", actor=user).count() == before + 1
    assert not AccessEvent.objects.filter(action="case.viewed", actor=user).exists()
    body = response.content.decode()
    assert not [text for text in world.pii() if text in body]


@pytest.mark.parametrize("who", ["parent_without_authority", "other_parent", "other_youth"])
def test_others_cannot_answer_or_add_a_statement(world, who):
    """R-1-2, invariant 1: a POST on someone else's case is a 404 and changes nothing."""
    _share_minutes(world)
    client = _client(world, who)
    kwargs = {"uuid": world.case.uuid}
    assert (
        client.post(reverse("portal:respond", kwargs=kwargs), {"answer": "accept"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("portal:statement", kwargs=kwargs), {"text": "Ik ben het oneens."}
        ).status_code
        == 404
    )
    assert not Statement.objects.exists()
    assert not AccessEvent.objects.filter(action="invitation.answered").exists()


def test_a_parent_who_was_not_invited_gets_404(world):
    """SPEC §10 Q3: a parent not invited (after a 16-year-old's objection) does not see the case."""
    seat = world.participants["parent"]
    seat.is_invited = False
    seat.not_invited_reason = "De jongere heeft bezwaar gemaakt."
    seat.save(update_fields=["is_invited", "not_invited_reason"])
    assert _client(world, "parent").get(_detail(world)).status_code == 404


def test_professionals_are_refused_by_role(world):
    """Invariant 1: the portal belongs to parents and youths; a professional gets a logged 403."""
    user = world.users["involved_professional"]
    response = _client(world, "involved_professional").get(_detail(world))
    assert response.status_code == 403
    assert AccessEvent.objects.filter(action="access.denied", actor=user).exists()


def test_the_youth_viewing_the_case_is_logged(world):
    """R-10-2, invariant 2: the youth's look at the case is a case.viewed event about the youth."""
    _client(world, "youth").get(_detail(world))
    event = AccessEvent.objects.get(action="case.viewed", actor=world.users["youth"])
    assert event.youth_uuid == world.youth.uuid
    assert event.case_uuid == world.case.uuid
    assert event.outcome == "allowed"


# --- Home page ------------------------------------------------------------------------------------


def test_home_lists_the_consultations_with_the_next_meeting_and_the_answer(world):
    """R-12-1: the home page shows the user's consultations, the next meeting and their answer."""
    meeting = _schedule_upcoming_meeting(world)
    meeting.video_url = "https://video.example.org/overleg-123"
    meeting.save(update_fields=["video_url"])
    response = _client(world, "parent").get(reverse("portal:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Consultations" in body
    assert _detail(world) in body
    assert world.case.purpose_specification in body
    assert "Aula van de Testschool" in body
    assert "https://video.example.org/overleg-123" in body
    assert "You have not answered yet." in body
    # The list names the youth, so each youth listed is logged.
    assert AccessEvent.objects.filter(
        action="case.listed", actor=world.users["parent"], youth_uuid=world.youth.uuid
    ).exists()


def test_home_shows_no_consultation_of_others(world):
    """R-7-2: another family's home page does not list this case."""
    response = _client(world, "other_parent").get(reverse("portal:home"))
    assert response.status_code == 200
    assert _detail(world) not in response.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_home_query_count_does_not_grow_with_cases(world, django_assert_max_num_queries):
    """STYLE §4.8: the home page's reads do not grow with the number of consultations."""
    client = _client(world, "parent")
    home = reverse("portal:home")
    client.get(home)  # warm the session
    one_case = _queries(client, home)
    for _ in range(4):
        participant = ParticipantFactory(
            case__youth=world.youth,
            case__covenant=world.covenant,
            case__organisation=world.school,
            kind=ParticipantKind.PARENT,
            user=world.users["parent"],
            guardian=world.guardian,
            organisation=None,
            role="",
        )
        MeetingFactory(case=participant.case)
    # Only the access log grows: one event per case listed (its insert and audit.record's
    # lookup of the actor's organisation). Any read per case would exceed this.
    with django_assert_max_num_queries(one_case + 4 * 2):
        response = client.get(home)
    assert response.content.decode().count("View this consultation") == 5


# --- Meetings and who is invited ------------------------------------------------------------------


def test_cancelled_and_changed_meetings_are_marked(world):
    """SPEC §5.3: the family sees a cancelled meeting with its reason and a moved one as changed."""
    MeetingFactory(
        case=world.case,
        status=MeetingStatus.CANCELLED,
        cancel_reason="De procesregisseur is ziek",
    )
    MeetingFactory(case=world.case, sequence=1, starts_at=timezone.now() + timedelta(days=9))
    body = _client(world, "youth").get(_detail(world)).content.decode()
    assert "Cancelled" in body
    assert "De procesregisseur is ziek" in body
    assert "Changed: check the date, time and place." in body


def test_only_invited_active_participants_are_listed(world):
    """R-12-1: the family sees who is invited now: names, organisations, roles; not who left."""
    left = UserFactory(first_name="Vertrokken", last_name="Medewerker")
    ParticipantFactory(case=world.case, user=left, left_at=timezone.now())
    excused = UserFactory(first_name="Niet", last_name="Uitgenodigd")
    ParticipantFactory(
        case=world.case, user=excused, is_invited=False, not_invited_reason="Niet nodig."
    )
    body = _client(world, "parent").get(_detail(world)).content.decode()
    involved = world.users["involved_professional"]
    assert involved.get_full_name() in body
    assert world.school.name in body
    assert world.participants["invited_professional"].get_role_display() in body
    assert "Vertrokken Medewerker" not in body
    assert "Niet Uitgenodigd" not in body


# --- Answering the invitation ---------------------------------------------------------------------


def test_parent_accepts_the_invitation(world):
    """Invariant 6: the parent answers their own invitation; the answer is stored and logged."""
    _schedule_upcoming_meeting(world)
    client = _client(world, "parent")
    page = client.get(_detail(world)).content.decode()
    assert reverse("portal:respond", kwargs={"uuid": world.case.uuid}) in page
    response = client.post(
        reverse("portal:respond", kwargs={"uuid": world.case.uuid}), {"answer": "accept"}
    )
    assert response.status_code == 302
    assert response.url == _detail(world)
    seat = world.participants["parent"]
    seat.refresh_from_db()
    assert seat.response == Response.ACCEPTED
    assert seat.responded_at is not None
    event = AccessEvent.objects.get(action="invitation.answered", actor=world.users["parent"])
    assert event.youth_uuid == world.youth.uuid
    page = client.get(_detail(world)).content.decode()
    assert "You will come." in page


def test_youth_declines_the_invitation(world):
    """Invariant 6: the youth from 12 answers for themself."""
    _schedule_upcoming_meeting(world)
    response = _client(world, "youth").post(
        reverse("portal:respond", kwargs={"uuid": world.case.uuid}), {"answer": "decline"}
    )
    assert response.status_code == 302
    seat = world.participants["youth"]
    seat.refresh_from_db()
    assert seat.response == Response.DECLINED


def test_no_answering_after_the_meeting_was_held(world):
    """Invariant 1: after the meeting no form is offered and a POST is a logged 403."""
    client = _client(world, "parent")
    page = client.get(_detail(world)).content.decode()
    assert reverse("portal:respond", kwargs={"uuid": world.case.uuid}) not in page
    response = client.post(
        reverse("portal:respond", kwargs={"uuid": world.case.uuid}), {"answer": "accept"}
    )
    assert response.status_code == 403
    seat = world.participants["parent"]
    seat.refresh_from_db()
    assert seat.response == Response.PENDING
    assert not AccessEvent.objects.filter(action="invitation.answered").exists()
    assert AccessEvent.objects.filter(
        action="access.denied", actor=world.users["parent"], case_uuid=world.case.uuid
    ).exists()


def test_an_invalid_answer_changes_nothing(world):
    """Invariant 9: an answer that is neither yes nor no is refused, not stored."""
    _schedule_upcoming_meeting(world)
    response = _client(world, "parent").post(
        reverse("portal:respond", kwargs={"uuid": world.case.uuid}), {"answer": "maybe"}
    )
    assert response.status_code == 302
    seat = world.participants["parent"]
    seat.refresh_from_db()
    assert seat.response == Response.PENDING


@pytest.mark.parametrize("name", ["portal:respond", "portal:statement"])
def test_get_on_a_post_only_url_is_405(world, name):
    """Writes are POST only; a GET does nothing."""
    response = _client(world, "parent").get(reverse(name, kwargs={"uuid": world.case.uuid}))
    assert response.status_code == 405


# --- Privacy notice -------------------------------------------------------------------------------


@pytest.fixture
def notice(world):
    """The real notice of world.case, generated from the case as invitations do (R-12-1)."""
    return PrivacyNoticeFactory(
        case=world.case, version=2, content=services.privacy_notice_content(case=world.case)
    )


def test_youth_sees_the_youth_version_of_the_privacy_notice(world, notice):
    """R-12-2: a youth from 12 gets the privacy notice in child-friendly language."""
    response = _client(world, "youth").get(_detail(world))
    assert YOUTH_NOTICE in _templates(response)
    assert ADULT_NOTICE not in _templates(response)
    assert response.context["page"].notice == notice
    body = response.content.decode()
    assert notice.content["parties"][0]["privacy_officer_email"] in body


def test_parent_sees_the_adult_version_of_the_privacy_notice(world, notice):
    """R-12-1, R-12-2: a parent gets the adult privacy notice with the FG contacts."""
    response = _client(world, "parent").get(_detail(world))
    assert ADULT_NOTICE in _templates(response)
    assert YOUTH_NOTICE not in _templates(response)
    assert notice.content["parties"][0]["privacy_officer_email"] in response.content.decode()


def test_without_a_notice_the_page_says_it_comes_with_the_invitation(world):
    """R-12-1: before invitations are sent there is no notice yet, and the page says so."""
    Invitation.objects.filter(meeting__case=world.case).delete()
    world.case.privacy_notices.all().delete()
    response = _client(world, "parent").get(_detail(world))
    assert response.status_code == 200
    assert ADULT_NOTICE not in _templates(response)
    assert "The privacy notice comes with the invitation." in response.content.decode()


# --- Minutes and own statements -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_minutes_are_hidden_until_shared(world, who):
    """R-12-3: the minutes reach the family when the procesregisseur shares them, not before."""
    client = _client(world, who)
    assert ENTRY_TEXT not in client.get(_detail(world)).content.decode()
    _share_minutes(world)
    body = client.get(_detail(world)).content.decode()
    assert ENTRY_TEXT in body
    assert world.action.description in body


def test_shared_minutes_keep_facts_opinions_and_agreements_apart(world):
    """R-8-1: facts, opinions and agreements are shown in three separate sections."""
    minutes = world.meeting.minutes
    MinutesEntryFactory(minutes=minutes, kind=EntryKind.OPINION, text="Mening van de mentor.")
    MinutesEntryFactory(minutes=minutes, kind=EntryKind.AGREEMENT, text="Afspraak over rooster.")
    _share_minutes(world)
    response = _client(world, "youth").get(_detail(world))
    shared = response.context["page"].minutes[0]
    assert [e.text for e in shared.facts] == [ENTRY_TEXT]
    assert [e.text for e in shared.opinions] == ["Mening van de mentor."]
    assert [e.text for e in shared.agreements] == ["Afspraak over rooster."]
    body = response.content.decode()
    assert body.index("Facts") < body.index(ENTRY_TEXT) < body.index("Opinions")
    assert body.index("Opinions") < body.index("Mening van de mentor.") < body.index("Agreements")


def test_parent_of_a_sixteen_year_old_does_not_see_the_minutes(world):
    """SPEC §6, R-12-3: from 16 the minutes reach the youth, not the parents."""
    _make_sixteen(world)
    _share_minutes(world)
    youth_body = _client(world, "youth").get(_detail(world)).content.decode()
    assert ENTRY_TEXT in youth_body
    parent = _client(world, "parent").get(_detail(world))
    assert parent.status_code == 200
    assert ENTRY_TEXT not in parent.content.decode()
    assert parent.context["page"].minutes == []
    assert "Your child is 16 or older." in parent.content.decode()


def test_parent_of_a_sixteen_year_old_cannot_add_a_statement(world):
    """SPEC §6, R-8-3: who does not receive the minutes cannot add to them."""
    _make_sixteen(world)
    _share_minutes(world)
    response = _client(world, "parent").post(
        reverse("portal:statement", kwargs={"uuid": world.case.uuid}),
        {"text": "Ik wil iets zeggen."},
    )
    assert response.status_code == 400
    assert response.context["statement_form"].errors["text"]
    assert not Statement.objects.exists()


def test_statement_is_refused_before_the_minutes_are_shared(world):
    """R-8-3: before sharing, the statement is refused with the message next to the field."""
    response = _client(world, "parent").post(
        reverse("portal:statement", kwargs={"uuid": world.case.uuid}),
        {"text": "Ik ben het oneens."},
    )
    assert response.status_code == 400
    assert response.context["statement_form"].errors["text"] == [
        "You can add your statement once the minutes are shared with you."
    ]
    body = response.content.decode()
    assert 'id="id_text_error"' in body
    assert 'aria-invalid="true"' in body
    assert not Statement.objects.exists()
    assert not AccessEvent.objects.filter(action="statement.added").exists()


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_statement_is_added_after_sharing(world, who):
    """R-8-3: once the minutes are shared, the parent or youth adds an own statement."""
    _share_minutes(world)
    client = _client(world, who)
    assert reverse("portal:statement", kwargs={"uuid": world.case.uuid}) in (
        client.get(_detail(world)).content.decode()
    )
    response = client.post(
        reverse("portal:statement", kwargs={"uuid": world.case.uuid}),
        {"text": "Ik zie het anders: het gaat al beter."},
        follow=True,
    )
    assert response.redirect_chain == [(_detail(world), 302)]
    statement = Statement.objects.get()
    assert statement.author == world.users[who]
    assert statement.minutes == world.meeting.minutes
    assert AccessEvent.objects.filter(action="statement.added", actor=world.users[who]).exists()
    body = response.content.decode()
    assert "Ik zie het anders: het gaat al beter." in body
    assert "Your statement is added to the minutes." in body


def test_an_empty_statement_gets_a_message_next_to_the_field(world):
    """Invariant 9: an empty statement is refused with a clear message next to the field."""
    _share_minutes(world)
    response = _client(world, "youth").post(
        reverse("portal:statement", kwargs={"uuid": world.case.uuid}), {"text": "   "}
    )
    assert response.status_code == 400
    assert response.context["statement_form"].errors["text"] == ["Write your statement."]
    assert 'id="id_text_error"' in response.content.decode()
    assert not Statement.objects.exists()


# --- Query counts ---------------------------------------------------------------------------------


def test_case_page_query_count_does_not_grow(world, notice, django_assert_max_num_queries):
    """STYLE §4.8: the case page's queries do not grow with participants, minutes or statements."""
    _share_minutes(world)
    client = _client(world, "youth")
    client.get(_detail(world))  # warm the session
    minutes = world.meeting.minutes
    for i in range(5):
        participant = ParticipantFactory(case=world.case, organisation=world.municipality)
        MinutesEntryFactory(minutes=minutes, kind=EntryKind.OPINION, text=f"Mening {i}")
        ActionItemFactory(minutes=minutes, assignee=participant)
        services.statement_add(actor=world.users["parent"], case=world.case, text=f"Verklaring {i}")
        MeetingFactory(case=world.case, status=MeetingStatus.CANCELLED, cancel_reason="Verzet")
    with django_assert_max_num_queries(20):
        response = client.get(_detail(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Verklaring 4" in body
    assert "Mening 4" in body
