"""The case pages in the browser's terms: status codes, messages next to fields, the log."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.choices import CaseStatus, DocumentStatus, Response, TargetGroup
from casusoverleg.models import Case, CaseDocument
from convenant.models import ConsultationType
from tests.factories.casusoverleg import ParticipantFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _case_url(case) -> str:
    return reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})


def test_a_procesregisseur_opens_a_case_in_the_browser(world):
    """R-0-1, R-3-1: the form opens a case with doelgroep and purpose; the youths offered in the
    form are logged as listed (invariant 2)."""
    client = _client(world.users["coordinator"])
    page = client.get(reverse("casusoverleg:case_create"))
    assert page.status_code == 200
    assert "Vandersteen" in page.content.decode()
    assert AccessEvent.objects.filter(
        action="youth.listed", actor=world.users["coordinator"], youth_uuid=world.youth.uuid
    ).exists()
    response = client.post(
        reverse("casusoverleg:case_create"),
        {
            "consultation_type": ConsultationType.objects.get(code="zat").pk,
            "youth": world.youth.pk,
            "target_group": TargetGroup.YOUTH_CARE_SUSPECTED,
            "purpose_specification": "Zorgen over verzuim en welbevinden.",
        },
    )
    case = Case.objects.get(coordinator=world.users["coordinator"])
    assert response.status_code == 302
    assert response.url == _case_url(case)


def test_opening_without_purpose_shows_the_message_next_to_the_field(world):
    """Invariant 9: the error sits next to the field, nothing is saved."""
    client = _client(world.users["coordinator"])
    response = client.post(
        reverse("casusoverleg:case_create"),
        {
            "consultation_type": ConsultationType.objects.get(code="zat").pk,
            "youth": world.youth.pk,
            "target_group": TargetGroup.HOME_SITTER,
            "purpose_specification": "",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_purpose_specification_error"' in body
    assert 'id="id_out_of_education_since_error"' in body  # a thuiszitter needs the date
    assert not Case.objects.filter(coordinator=world.users["coordinator"]).exists()


def test_a_youth_of_another_school_cannot_be_chosen(world):
    """R-7-2: a procesregisseur does not browse the region's children; a forged id is refused."""
    client = _client(world.users["coordinator"])
    response = client.post(
        reverse("casusoverleg:case_create"),
        {
            "consultation_type": ConsultationType.objects.get(code="zat").pk,
            "youth": world.other_youth.pk,
            "target_group": TargetGroup.YOUTH_CARE_SUSPECTED,
            "purpose_specification": "Iets",
        },
    )
    assert response.status_code == 200
    assert 'id="id_youth_error"' in response.content.decode()
    assert not Case.objects.filter(
        youth=world.other_youth, coordinator=world.users["coordinator"]
    ).exists()


def test_professionals_without_the_coordinator_role_cannot_open_cases(world):
    """R-PR-1: only procesregisseurs open cases."""
    response = _client(world.users["professional"]).get(reverse("casusoverleg:case_create"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("_case", "who", "status"),
    [
        ("the procesregisseur sees it", "case_coordinator", 200),
        ("an accepted participant sees it", "involved_professional", 200),
        (
            "an invited professional who did not accept cannot learn it exists",
            "invited_professional",
            404,
        ),
        ("an uninvolved procesregisseur cannot learn it exists", "coordinator", 404),
        ("the FG sees no case content by role", "privacy_officer", 403),
        ("a parent uses the portal, not the workplace", "parent", 403),
    ],
)
def test_case_page_access(world, _case, who, status):
    """Invariant 1, R-7-2, R-DPIA-3: who may see the case page; every answer is logged."""
    user = world.users[who]
    response = _client(user).get(_case_url(world.case))
    assert response.status_code == status
    viewed = AccessEvent.objects.filter(
        action="case.viewed", actor=user, youth_uuid=world.youth.uuid
    )
    assert viewed.exists() is (status == 200)
    if status != 200:
        assert AccessEvent.objects.filter(action="access.denied", actor=user).exists()


def test_case_page_query_count_does_not_grow_with_participants(
    world, django_assert_max_num_queries
):
    """STYLE §4.8: the case page's queries stay fixed as the table fills."""
    client = _client(world.users["case_coordinator"])
    client.get(_case_url(world.case))  # warm caches (content types, session)
    with django_assert_max_num_queries(45) as few:
        client.get(_case_url(world.case))
    for _ in range(8):
        ParticipantFactory(case=world.case, organisation=world.school)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_case_url(world.case)).status_code == 200


def test_a_participant_reads_but_does_not_steer(world):
    """R-PR-2: a participant sees the case but not its controls; a forged POST is refused."""
    client = _client(world.users["involved_professional"])
    body = client.get(_case_url(world.case)).content.decode()
    assert reverse("casusoverleg:case_advance", kwargs={"uuid": world.case.uuid}) not in body
    response = client.post(reverse("casusoverleg:case_advance", kwargs={"uuid": world.case.uuid}))
    assert response.status_code == 403
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.HELD


def test_advancing_with_blockers_lists_them_and_changes_nothing(world):
    """R-PR-2, R-CHK-1: a refused step says what is missing, in the page's messages."""
    client = _client(world.users["case_coordinator"])
    response = client.post(
        reverse("casusoverleg:case_advance", kwargs={"uuid": world.case.uuid}), follow=True
    )
    body = response.content.decode()
    assert "utrecht-alert--error" in body
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.HELD


def test_an_invited_professional_sees_the_invitation_but_not_the_youth(world):
    """Invariant 1, R-10-3: the invitation names type, time and procesregisseur, no youth; on
    accepting the grant opens the case."""
    user = world.users["invited_professional"]
    seat = world.participants["invited_professional"]
    client = _client(user)
    page = client.get(reverse("casusoverleg:invitation_detail", kwargs={"uuid": seat.uuid}))
    body = page.content.decode()
    assert page.status_code == 200
    assert all(text not in body for text in world.pii())
    response = client.post(
        reverse("casusoverleg:invitation_respond", kwargs={"uuid": seat.uuid}), {"answer": "accept"}
    )
    # The world's case has been held: the invitation can no longer be answered.
    assert response.status_code == 403
    world.case.status = CaseStatus.SCHEDULED
    world.case.save()
    response = client.post(
        reverse("casusoverleg:invitation_respond", kwargs={"uuid": seat.uuid}), {"answer": "accept"}
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.response == Response.ACCEPTED
    assert client.get(_case_url(world.case)).status_code == 200


def test_someone_elses_invitation_is_a_404(world):
    """STYLE rule 5: an invitation addressed to another is invisible."""
    seat = world.participants["invited_professional"]
    response = _client(world.users["professional"]).get(
        reverse("casusoverleg:invitation_detail", kwargs={"uuid": seat.uuid})
    )
    assert response.status_code == 404


def test_scheduling_warns_about_a_clash_and_asks_to_confirm(world):
    """Issue 3 item 3: a participant's other meeting at that time needs an explicit confirm."""
    world.case.status = CaseStatus.PREPARED
    world.case.save()
    world.meeting.status = "cancelled"
    world.meeting.save()
    other = services.case_open(
        actor=world.users["coordinator"],
        youth=world.youth,
        consultation_type=ConsultationType.objects.get(code="zat"),
        purpose_specification="Verzuim",
        target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
    )
    services.participant_add(
        actor=other.coordinator,
        case=other,
        user=world.users["involved_professional"],
        role="ib_zorgcoordinator",
    )
    moment = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=10, minute=0)
    services.meeting_schedule(
        actor=other.coordinator,
        case=other,
        starts_at=moment,
        duration_minutes=60,
        location="Kamer 1",
        video_url="",
        agenda="",
    )
    client = _client(world.users["case_coordinator"])
    url = reverse("casusoverleg:meeting_schedule", kwargs={"uuid": world.case.uuid})
    data = {
        "day": moment.date().isoformat(),
        "start": "10:30",
        "duration_minutes": 60,
        "location": "Lokaal 4",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'id="id_confirm_conflicts_error"' in response.content.decode()
    response = client.post(url, data | {"confirm_conflicts": "on"})
    assert response.status_code == 302
    assert world.case.meetings.filter(location="Lokaal 4").exists()


def test_a_pdf_is_made_for_its_reader_and_every_download_is_logged(
    world, django_capture_on_commit_callbacks
):
    """R-11-2, invariant 2: the PDF carries the reader's watermark; a download is an export."""
    client = _client(world.users["involved_professional"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("casusoverleg:document_request", kwargs={"uuid": world.case.uuid}),
            {"kind": "verslag"},
        )
    document = CaseDocument.objects.filter(requested_by=world.users["involved_professional"]).get()
    assert response.url == reverse("casusoverleg:document_status", kwargs={"uuid": document.uuid})
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    status_page = client.get(response.url)
    assert "download" in status_page.content.decode()
    download = client.get(reverse("casusoverleg:document_download", kwargs={"uuid": document.uuid}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AccessEvent.objects.filter(
        action="document.downloaded", actor=world.users["involved_professional"]
    ).exists()
    # The procesregisseur's own copy is not the participant's: each copy names its reader.
    other = _client(world.users["case_coordinator"]).get(
        reverse("casusoverleg:document_download", kwargs={"uuid": document.uuid})
    )
    assert other.status_code == 404


def test_the_status_fragment_polls_while_the_pdf_is_being_made(world):
    """Issue 3 item 7: the page shows progress; htmx asks for the fragment only."""
    document = world.document
    document.status = DocumentStatus.RUNNING
    document.save()
    client = _client(world.users["case_coordinator"])
    url = reverse("casusoverleg:document_status", kwargs={"uuid": document.uuid})
    fragment = client.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert 'hx-trigger="every 2s"' in body
    assert "<html" not in body
    assert "HX-Request" in fragment["Vary"]


def test_a_thuiszitter_case_warns_at_90_days(world):
    """R-TYPE-4: days without education are counted and warned about from 90."""
    case = world.case
    case.target_group = TargetGroup.HOME_SITTER
    case.out_of_education_since = timezone.localdate() - timedelta(days=89)
    case.save()
    client = _client(world.users["case_coordinator"])
    assert "Thuiszitterspact" not in client.get(_case_url(case)).content.decode()
    case.out_of_education_since -= timedelta(days=1)
    case.save()
    body = client.get(_case_url(case)).content.decode()
    assert "Thuiszitterspact" in body
    assert ">90<" in body or " 90 " in body


# The procesregisseur's actions, tried by a participant who can see the case (R-PR-2, invariant 1).
DIRECTING_POSTS = [
    ("casusoverleg:case_edit", {}),
    ("casusoverleg:case_advance", {}),
    ("casusoverleg:case_handover", {}),
    ("casusoverleg:checklist_toggle", {"item": None}),
    ("casusoverleg:participant_add", {}),
    ("casusoverleg:participant_family", {"participant": "parent"}),
    ("casusoverleg:participant_remove", {"participant": "invited_professional"}),
    ("casusoverleg:meeting_schedule", {}),
    ("casusoverleg:meeting_cancel", {}),
    ("casusoverleg:invitations_send", {}),
    ("casusoverleg:attendance", {}),
    ("casusoverleg:hearing", {}),
    ("casusoverleg:minutes_share", {}),
]


def _state(world) -> tuple:
    """Everything a directing POST could change, to prove that nothing did."""
    case = Case.objects.get(pk=world.case.pk)
    return (
        case.status,
        case.purpose_specification,
        case.coordinator_id,
        tuple(case.participants.values_list("pk", "is_invited", "left_at", "response")),
        tuple(case.meetings.values_list("pk", "starts_at", "status", "sequence")),
        case.checklist_answers.count(),
        case.privacy_notices.count(),
        sum(m.invitations.count() for m in case.meetings.all()),
    )


@pytest.mark.parametrize(("url_name", "extra"), DIRECTING_POSTS)
def test_a_participant_cannot_direct_the_case(world, url_name, extra):
    """R-PR-2, invariant 1: only the procesregisseur steers; a participant who sees the case
    gets 403 on every directing form, the refusal is logged and nothing changes."""
    from convenant.models import ChecklistItem

    kwargs = {"uuid": world.case.uuid}
    for key, value in extra.items():
        if key == "item":
            kwargs["item"] = (
                ChecklistItem.objects.filter(consultation_type__isnull=True).first().uuid
            )
        else:
            kwargs[key] = world.participants[value].uuid
    user = world.users["involved_professional"]
    before = _state(world)
    denials = AccessEvent.objects.filter(action="access.denied", actor=user).count()
    response = _client(user).post(
        reverse(url_name, kwargs=kwargs),
        {
            "reason": "x",
            "purpose_specification": "x",
            "checked": "1",
            "target_group": "thuiszitter",
        },
    )
    assert response.status_code == 403
    assert _state(world) == before
    assert AccessEvent.objects.filter(action="access.denied", actor=user).count() == denials + 1


def test_a_participant_of_another_case_is_a_404(world):
    """STYLE rule 5: a seat of another case, addressed through this case's URL, is invisible."""
    other = ParticipantFactory(organisation=world.school)
    client = _client(world.users["case_coordinator"])
    for name in ("casusoverleg:participant_family", "casusoverleg:participant_remove"):
        url = reverse(name, kwargs={"uuid": world.case.uuid, "participant": other.uuid})
        assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.left_at is None


def test_dashboard_queries_do_not_grow_with_cases(world, django_assert_max_num_queries):
    """STYLE §4.8: the workplace lists every case in a fixed number of queries (the access
    events of one page are one INSERT)."""
    from tests.factories.casusoverleg import CaseFactory

    client = _client(world.users["case_coordinator"])
    client.get(reverse("casusoverleg:dashboard"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("casusoverleg:dashboard"))
    for _ in range(6):
        CaseFactory(
            youth=world.youth,
            covenant=world.covenant,
            coordinator=world.users["case_coordinator"],
            organisation=world.school,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("casusoverleg:dashboard")).status_code == 200
