"""Rights requests from the family's side (issue 6; SPEC R-13-1..5, R-AGE-5, §7.1): the list,
filing with its legal deadline, one request, and the inzage report."""

from django.urls import reverse
from django.utils import timezone

import pytest

from audit.choices import Action
from audit.models import AccessEvent
from consent.choices import RequestKind, RequestStatus
from consent.deadlines import add_months
from consent.models import RightsRequest
from consent.services import rights_request_close
from tests.factories.casusoverleg import SharedItemFactory

from .family import allow_parent, client_for, set_age

pytestmark = pytest.mark.django_db


def _list(world) -> str:
    return reverse("portal:request_list", kwargs={"youth": world.youth.uuid})


def _create(world) -> str:
    return reverse("portal:request_create", kwargs={"youth": world.youth.uuid})


def _detail(request) -> str:
    return reverse("portal:request_detail", kwargs={"uuid": request.uuid})


def _document(request) -> str:
    return reverse("portal:request_document", kwargs={"uuid": request.uuid})


def _file(world, who: str, **data):
    form = {
        "casus": str(world.case.uuid),
        "kind": "inzage",
        "organisations": [str(world.school.uuid)],
    }
    form.update(data)
    return client_for(world, who).post(_create(world), form)


# --- The list ------------------------------------------------------------------------------------


def test_parent_sees_their_request_with_status_and_deadline(world):
    """R-13-1, R-13-2: the parent's inzage request, open, with its deadline; logged."""
    response = client_for(world, "parent").get(_list(world))
    assert response.status_code == 200
    assert response.context["page"].requests == [world.rights_request]
    body = response.content.decode()
    assert _detail(world.rights_request) in body
    assert "Being handled" in body
    assert AccessEvent.objects.filter(
        actor=world.users["parent"],
        action=Action.REQUEST_LISTED,
        object_id=str(world.rights_request.uuid),
    ).exists()


def test_the_youth_sees_the_requests_about_them(world):
    """R-13-4: the youth sees their parent's request about them."""
    response = client_for(world, "youth").get(_list(world))
    assert response.context["page"].requests == [world.rights_request]


# --- Filing --------------------------------------------------------------------------------------


def test_the_form_explains_each_right_for_the_only_case(world):
    """§7.1: the case (the only one) is chosen already; each right is explained."""
    response = client_for(world, "youth").get(_create(world))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.case == world.case
    assert page.organisations == [world.school]
    assert page.kinds == [k for k in RequestKind.values if k != RequestKind.DESTRUCTION]
    body = response.content.decode()
    assert "You get an overview of the data the organisation holds, as a PDF." in body
    assert "Within one month." in body


def test_with_several_consultations_the_user_chooses_one_first(world):
    """R-13-3: the organisations depend on the consultation; with two, the form asks which."""
    from casusoverleg.choices import ParticipantKind
    from tests.factories.casusoverleg import ParticipantFactory

    other = ParticipantFactory(
        case__youth=world.youth,
        case__covenant=world.covenant,
        case__organisation=world.municipality,
        kind=ParticipantKind.PARENT,
        user=world.users["parent"],
        guardian=world.guardian,
        organisation=None,
        role="",
    ).case
    client = client_for(world, "parent")
    response = client.get(_create(world))
    assert response.context["page"].case is None
    body = response.content.decode()
    assert 'data-testid="case-choices"' in body
    assert f"?casus={other.uuid}" in body
    page = client.get(f"{_create(world)}?casus={other.uuid}").context["page"]
    assert page.case == other
    assert page.organisations == [world.municipality]


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_filing_an_inzage_request_sets_a_deadline_of_one_month(world, who):
    """R-13-2, R-13-3: routed to the chosen owner party, due one calendar month after receipt,
    identity checked by the portal's second step."""
    response = _file(world, who)
    assert response.status_code == 302
    assert response.url == _list(world)
    filed = RightsRequest.objects.filter(requester=world.users[who]).latest("filed_at")
    assert filed.organisation == world.school
    assert filed.case == world.case
    assert filed.status == RequestStatus.OPEN
    assert filed.due_on == add_months(timezone.localdate(), 1)
    assert filed.identity_method == "portaal, inloggen met tweede stap"
    assert filed.identity_verified_at is not None


def test_destruction_is_offered_for_youth_care_and_gets_three_months(world):
    """§7.1, R-13-2, Jeugdwet 7.3.9: destroying a youth care file, three months."""
    SharedItemFactory(case=world.case, author=world.users["youth_care"], text="Jeugdhulp.")
    care = world.users["youth_care"].professional.organisation
    page = client_for(world, "youth").get(_create(world)).context["page"]
    assert care in page.organisations
    assert RequestKind.DESTRUCTION in page.kinds
    response = _file(world, "youth", kind="vernietiging", organisations=[str(care.uuid)])
    assert response.status_code == 302
    filed = RightsRequest.objects.get(kind=RequestKind.DESTRUCTION)
    assert filed.due_on == add_months(timezone.localdate(), 3)


def test_destruction_at_a_school_is_refused_next_to_the_field(world):
    """§7.1: a school keeps no youth care file; nothing is filed."""
    before = RightsRequest.objects.count()
    response = _file(world, "youth", kind="vernietiging")
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]
    assert RightsRequest.objects.count() == before


def test_correction_needs_an_explanation(world):
    """Invariant 9: rectificatie without saying what is wrong: a message next to the field."""
    before = RightsRequest.objects.count()
    response = _file(world, "parent", kind="rectificatie")
    assert response.status_code == 400
    assert response.context["form"].errors["description"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert RightsRequest.objects.count() == before


def test_a_parent_of_a_sixteen_year_old_files_but_it_waits_for_the_youth(world):
    """R-AGE-5, R-13-4: the form says it waits; the request waits without a deadline; the
    youth's permission opens it and its month starts then."""
    set_age(world, 16)
    client = client_for(world, "parent")
    body = client.get(_create(world)).content.decode()
    assert 'data-testid="waits-for-youth"' in body
    response = _file(world, "parent", kind="bezwaar", description="Ik maak bezwaar.")
    assert response.status_code == 302
    filed = RightsRequest.objects.get(kind=RequestKind.OBJECTION)
    assert filed.status == RequestStatus.AWAITING_YOUTH
    assert filed.due_on is None
    listed = client.get(_list(world))
    assert filed in listed.context["page"].requests
    assert "waits until" in listed.content.decode()
    allow_parent(world)
    filed.refresh_from_db()
    assert filed.status == RequestStatus.OPEN
    assert filed.due_on == add_months(timezone.localdate(), 1)


# --- One request and its answer ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["parent_without_authority", "other_parent", "other_youth"])
def test_others_get_404(world, who):
    """Invariant 1: another family's request does not exist for them."""
    client = client_for(world, who)
    assert client.get(_detail(world.rights_request)).status_code == 404
    assert client.get(_document(world.rights_request)).status_code == 404


def _answer(world):
    """The school's procesregisseur answers the inzage request with a report."""
    return rights_request_close(
        actor=world.users["case_coordinator"],
        request=world.rights_request,
        outcome="granted",
        answer="Hierbij het overzicht.",
        document=b"%PDF-1.4\n% inzage\n",
    )


def test_the_answer_and_the_report_reach_the_requester(world):
    """R-RIGHTS-2: the answer in the portal and the inzage report as a logged download."""
    _answer(world)
    client = client_for(world, "parent")
    body = client.get(_detail(world.rights_request)).content.decode()
    assert "Hierbij het overzicht." in body
    assert _document(world.rights_request) in body
    response = client.get(_document(world.rights_request))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AccessEvent.objects.filter(
        actor=world.users["parent"],
        action=Action.DOCUMENT_DOWNLOADED,
        youth_uuid=world.youth.uuid,
    ).exists()


def test_from_sixteen_the_parent_reads_the_answer_only_with_permission(world):
    """R-AGE-5: the request is the parent's own, but the answer is about the youth."""
    _answer(world)
    set_age(world, 16)
    client = client_for(world, "parent")
    body = client.get(_detail(world.rights_request)).content.decode()
    assert "Hierbij het overzicht." not in body
    response = client.get(_document(world.rights_request))
    assert response.status_code == 403
    assert AccessEvent.objects.filter(
        actor=world.users["parent"], action=Action.ACCESS_DENIED
    ).exists()
    allow_parent(world)
    assert client.get(_document(world.rights_request)).status_code == 200


def test_request_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    """STYLE §4.8: the list costs the same with more requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "parent")
    client.get(_list(world))
    with CaptureQueriesContext(connection) as before:
        client.get(_list(world))
    baseline = len(before)
    for kind in ("beperking", "verwijdering", "inzage"):
        _file(world, "parent", kind=kind)
    with django_assert_max_num_queries(baseline):
        response = client.get(_list(world))
    assert len(response.context["page"].requests) == 4
