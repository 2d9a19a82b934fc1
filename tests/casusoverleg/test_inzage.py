"""The inzage report (AVG art. 15; SPEC R-13-1..5, R-RIGHTS-2): everything the application holds
about the youth, with other family members' names and other people's statements left out, read
only through the audited entry point for the handler of the request.

The world: the parent with gezag (Wilhelmina Oosterbroek) asked the school for inzage about Zoë
(14). A second parent with gezag is added at the table here, with a statement of her own; the
parent without gezag (Bartholomeus) is on record too. Neither may be named in the report.
"""

import io
import re

from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest
from pypdf import PdfReader

import casusoverleg.inzage as inzage_module
from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.choices import ParticipantKind
from casusoverleg.inzage import (
    inzage_context,
    inzage_render,
    inzage_report,
    inzage_report_for_handler,
)
from consent.choices import RequestKind, RequestStatus
from consent.services import rights_request_file
from core.permissions import grant
from parties.choices import Capacity, Role
from tests.factories.casusoverleg import ParticipantFactory, SharedItemFactory
from tests.factories.parties import GuardianFactory, ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db

OWN_STATEMENT = "Ik herken me in het verslag, maar de toets was in mei."
YOUTH_STATEMENT = "Ik wil graag zelf bij het volgende overleg zijn."
OTHER_STATEMENT = "Mijn ex-partner overdrijft de problemen thuis."
WITHHELD = "Behandeling bij de jeugd-GGZ loopt sinds januari."


def _text(pdf: bytes) -> str:
    """The PDF's text with whitespace folded, so that wrapped lines compare as sentences."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def family_world(world):
    """The world with a second parent with gezag at the table and three statements on the
    minutes shared with the family: the requester's, the youth's and the second parent's."""
    second = GuardianFactory(
        youth=world.youth,
        given_name="Hendrika",
        family_name="Zwartveld",
        user__username="second_parent",
    )
    ParticipantFactory(
        case=world.case,
        kind=ParticipantKind.PARENT,
        user=second.user,
        guardian=second,
        organisation=None,
        role="",
    )
    minutes = world.meeting.minutes
    minutes.adopted_at = timezone.now()
    # The statement service accepts a statement only on minutes shared with the family.
    minutes.shared_with_family_at = timezone.now()
    minutes.save(update_fields=["adopted_at", "shared_with_family_at"])
    services.statement_add(actor=world.users["parent"], case=world.case, text=OWN_STATEMENT)
    services.statement_add(actor=world.users["youth"], case=world.case, text=YOUTH_STATEMENT)
    services.statement_add(actor=second.user, case=world.case, text=OTHER_STATEMENT)
    return world


def _report(world) -> str:
    pdf = inzage_report(
        youth=world.youth, requester=world.users["parent"], organisation=world.school
    )
    assert pdf.startswith(b"%PDF")
    return _text(pdf)


def test_the_report_holds_the_youth_the_items_and_the_minutes(family_world):
    """R-13-1, AVG art. 15: the youth's data, the case, every shared item (also health data),
    the minutes, the consent and its decisions, and the request itself."""
    world = family_world
    text = _report(world)
    assert "Zoë Vandersteen" in text
    for item in world.shared.values():
        assert item.text in text
    assert "De leerling is sinds september vaker afwezig." in text  # the minutes entry
    assert world.case.consultation_type.name in text
    assert world.case.purpose_specification in text
    assert "Testgemeente" in text  # the consent's recipient
    assert "C2" in text


def test_the_report_names_the_requester_and_the_youth_only(family_world):
    """R-13-5, AVG art. 15(4): the other parent with gezag and the parent without gezag are
    in the report as 'parent or carer', without a name; the requester is named."""
    text = _report(family_world)
    assert "Wilhelmina Oosterbroek" in text
    assert "Hendrika" not in text
    assert "Zwartveld" not in text
    assert "Bartholomeus" not in text


def test_the_report_leaves_out_other_peoples_statements(family_world):
    """R-13-5, R-8-3: the requester's and the youth's own statements are in; the other
    parent's statement is that parent's, and is left out."""
    text = _report(family_world)
    assert OWN_STATEMENT in text
    assert YOUTH_STATEMENT in text
    assert OTHER_STATEMENT not in text


def test_the_report_names_organisations_not_employees(family_world):
    """R-13-5: the people at the table appear as organisation and role; the employees' own
    names are not the youth's data."""
    world = family_world
    text = _report(world)
    for key in ("involved_professional", "case_coordinator", "invited_professional"):
        assert world.users[key].get_full_name() not in text
    assert "Testschool" in text


def test_withheld_items_are_in_the_report_and_marked(world):
    """R-6-3, R-13-1: an item marked 'niet verstrekken' is still held about the youth: it is in
    the report (for the handler to weigh), marked as not provided."""
    care = world.users["youth_care"]
    ParticipantFactory(
        case=world.case, user=care, organisation=care.professional.organisation, accepted=True
    )
    grant(care, "casusoverleg.view_case", world.case)
    SharedItemFactory(
        case=world.case,
        author=care,
        text=WITHHELD,
        withheld_at=timezone.now(),
        withheld_by=care,
        withheld_reason="Zou de behandeling schaden.",
    )
    context = inzage_context(
        youth=world.youth,
        requester=world.users["parent"],
        organisation=care.professional.organisation,
    )
    html, pdf = inzage_render(context=context, draft=False)
    (item,) = [i for section in context["cases"] for i in section.items if i["text"] == WITHHELD]
    assert item["is_withheld"]
    assert WITHHELD in _text(pdf)
    assert "7.3.11" in html
    # Youth care took part but does not hold the case record: its report has its items only.
    (section,) = context["cases"]
    assert not section.holds_record
    assert section.entries == section.participants == []


def test_each_organisation_reports_its_own_data_only(world):
    """R-13-3, invariant 1: each owner party answers for its own data. The school's report holds
    its case record and items, not youth care's item or youth care's consent; a handler of the
    school without a seat at the table reads no other party's disclosure through it."""
    care = world.users["youth_care"]
    ParticipantFactory(
        case=world.case, user=care, organisation=care.professional.organisation, accepted=True
    )
    SharedItemFactory(case=world.case, author=care, text=WITHHELD)
    context = inzage_context(
        youth=world.youth, requester=world.users["parent"], organisation=world.school
    )
    (section,) = context["cases"]
    assert section.holds_record
    texts = {i["text"] for i in section.items}
    assert WITHHELD not in texts
    assert texts == {i.text for i in world.shared.values()}
    assert [c["consent"] for c in context["consents"]] == [world.consent]
    other = inzage_context(
        youth=world.youth, requester=world.users["parent"], organisation=world.municipality
    )
    assert other["cases"] == []
    assert other["consents"] == []


def test_the_report_shows_who_looked(world):
    """R-13-1: the access log as the youth sees it ('Wie heeft mijn gegevens bekeken?'): the
    organisation and role of a professional who viewed the case."""
    from audit.choices import Action
    from audit.services import record

    record(
        actor=world.users["involved_professional"],
        action=Action.CASE_VIEWED,
        target=world.case,
        youth=world.youth,
        case_uuid=world.case.uuid,
    )
    context = inzage_context(
        youth=world.youth, requester=world.users["parent"], organisation=world.school
    )
    assert any(row["organisation_name"] == "Testschool" for row in context["looked"])


def test_a_youth_requester_is_named_and_the_parents_are_not(world):
    """R-13-5: when the youth asks, the youth is named and every parent is 'parent or carer'."""
    context = inzage_context(
        youth=world.youth, requester=world.users["youth"], organisation=world.school
    )
    assert context["requester_label"] == "Zoë Vandersteen"
    assert all("Oosterbroek" not in g["who"] for g in context["guardians"])


def test_the_handler_entry_point_is_audited(world):
    """Invariant 2: the reads across the youth's cases write one access event with the handler,
    the youth and the request, in the same call; the draft carries the handler's watermark."""
    handler = world.users["case_coordinator"]
    pdf = inzage_report_for_handler(actor=handler, request=world.rights_request)
    assert pdf.startswith(b"%PDF")
    event = AccessEvent.objects.get(actor=handler, action="document.generated")
    assert event.youth_uuid == world.youth.uuid
    assert event.object_id == str(world.rights_request.uuid)
    assert handler.get_full_name() in _text(pdf)


@pytest.mark.parametrize("who", ["fg_of_the_school", "professional", "municipality_coordinator"])
def test_only_the_handler_may_have_the_report(world, who):
    """R-13-3, R-DPIA-3: the FG, a professional and a procesregisseur of another organisation
    are refused; nothing is read and nothing is logged as made."""
    roles = {
        "fg_of_the_school": (Role.PRIVACY_OFFICER, world.school, ""),
        "professional": (Role.PROFESSIONAL, world.school, Capacity.EDUCATION),
        "municipality_coordinator": (Role.COORDINATOR, world.municipality, Capacity.YOUTH_ACT),
    }
    role, organisation, capacity = roles[who]
    user = UserFactory(username=f"inzage_{who}", role=role)
    ProfessionalFactory(user=user, organisation=organisation, capacity=capacity)
    with pytest.raises(PermissionDenied):
        inzage_report_for_handler(actor=user, request=world.rights_request)
    assert not AccessEvent.objects.filter(action="document.generated").exists()


def test_only_an_open_inzage_request_has_a_report(world):
    """R-13-1: no report for another kind of request, nor for an answered one."""
    handler = world.users["case_coordinator"]
    (objection,) = rights_request_file(
        actor=world.users["parent"],
        youth=world.youth,
        case=world.case,
        kind=RequestKind.OBJECTION,
        organisations=[world.school],
        description="Bezwaar.",
    )
    with pytest.raises(PermissionDenied):
        inzage_report_for_handler(actor=handler, request=objection)
    world.rights_request.status = RequestStatus.CLOSED
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        inzage_report_for_handler(actor=handler, request=world.rights_request)


def test_the_module_says_what_it_leaves_out():
    """R-13-5: what the report leaves out, and why, is documented where the report is built."""
    doc = inzage_module.__doc__ or ""
    assert "What it leaves out, and why" in doc
    for subject in ("other family members", "own statements of other people", "professionals"):
        assert subject in doc
