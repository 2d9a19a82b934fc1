"""Rights requests, the handler's side, in the browser's terms: the list with deadlines, the
request page, extending, forwarding and answering (SPEC R-13-1..5, R-RIGHTS-1..3, §7.1).

Who is who: the world's request is the parent's inzage request, routed to the school. The
school's `case_coordinator` holds the world's case (knows the youth); the school's
`coordinator` and `other_case_coordinator` hold no case of the youth (they see a pseudonym);
an FG of the school is made where needed (metadata only); the world's `privacy_officer` is the
municipality's FG and sees nothing of the school's requests.
"""

import re
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

import pytest
import time_machine

from audit.display import pseudonym
from audit.models import AccessEvent
from consent.choices import RequestKind, RequestOutcome, RequestStatus
from consent.deadlines import latest_extension
from consent.models import RightsRequest
from consent.notifications import notify_handler
from consent.services import rights_request_file
from parties.choices import Capacity, Role
from parties.models import Organisation
from tests.factories.parties import ProfessionalFactory, UserFactory, declare
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    # Some tests travel more than a year ahead: the declaration must hold then (R-11-1).
    declare(user)
    return login_verified(Client(), user)


def _url(name: str, request=None) -> str:
    if request is None:
        return reverse(f"casusoverleg:{name}")
    return reverse(f"casusoverleg:{name}", kwargs={"uuid": request.uuid})


def _field_error(body: str, field: str) -> str:
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def _staff(username: str, role: str, organisation: Organisation, **kwargs):
    user = UserFactory(username=username, role=role)
    ProfessionalFactory(user=user, organisation=organisation, **kwargs)
    return user


def _school_fg(world):
    return _staff("school_fg", Role.PRIVACY_OFFICER, world.school, capacity="")


def _file(world, *, kind=RequestKind.ACCESS, organisations=None, case="world"):
    """A request of the world's parent, filed through the portal's service."""
    (request,) = rights_request_file(
        actor=world.users["parent"],
        youth=world.youth,
        case=world.case if case == "world" else case,
        kind=kind,
        organisations=organisations or [world.school],
        description="Graag alles wat over Zoë is gedeeld." if kind == RequestKind.ACCESS else "x",
        identity_method="portal",
    )
    return request


# --- Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["professional", "involved_professional", "administrator"])
def test_the_list_is_only_for_procesregisseurs_and_fgs(world, who):
    """R-RIGHTS-1, invariant 1: other roles get a logged 403 (also a professional at the table)."""
    user = world.users[who]
    response = _client(user).get(_url("request_list"))
    assert response.status_code == 403
    assert AccessEvent.objects.filter(actor=user, action="access.denied").count() == 1


def test_a_parent_uses_the_portal_not_the_workplace_list(world):
    """R-13-1: the requester reads their request in the portal; the workplace answers 403."""
    assert _client(world.users["parent"]).get(_url("request_list")).status_code == 403
    assert (
        _client(world.users["parent"]).get(_url("request_detail", world.rights_request)).status_code
        == 403
    )


def test_the_coordinator_who_holds_the_case_sees_the_youth_by_name(world):
    """R-13-1, R-RIGHTS-1: the list shows the request with its deadline; a procesregisseur who
    holds a case of the youth sees the youth's name and the requester; the look is logged."""
    user = world.users["case_coordinator"]
    client = _client(user)
    body = client.get(_url("request_list")).content.decode()
    row = body.split(f'data-testid="request-{world.rights_request.uuid}"')[1].split("</tr>")[0]
    assert "Zoë Vandersteen" in row
    assert 'data-testid="days-left"' in row
    assert AccessEvent.objects.filter(
        actor=user, action="request.listed", youth_uuid=world.youth.uuid
    ).exists()
    detail = client.get(_url("request_detail", world.rights_request)).content.decode()
    assert "Zoë Vandersteen" in detail
    assert "Wilhelmina Oosterbroek" in detail
    assert 'data-testid="inzage-draft"' in detail
    assert AccessEvent.objects.filter(
        actor=user, action="request.viewed", youth_uuid=world.youth.uuid
    ).exists()


@pytest.mark.parametrize("who", ["coordinator", "other_case_coordinator"])
def test_a_coordinator_without_a_case_of_the_youth_sees_a_pseudonym(world, who):
    """Invariant 1, R-13-3: a procesregisseur of the organisation handles the request but holds
    no case of the youth: the youth and the requester appear as a pseudonym and a role."""
    client = _client(world.users[who])
    label = pseudonym(world.youth.uuid)
    for page in (_url("request_list"), _url("request_detail", world.rights_request)):
        body = client.get(page).content.decode()
        assert label in body
        for text in world.pii():
            assert text not in body, (page, text)


def test_the_fg_sees_the_metadata_but_no_name_and_cannot_handle(world):
    """R-DPIA-3: the FG of the organisation watches the request (kind, pseudonym, received, due,
    identity, history), never the youth's or the requester's name or the content, and has no
    handling links."""
    world.rights_request.description = "Over de leesproblemen van Zoë."
    world.rights_request.save(update_fields=["description"])
    fg = _school_fg(world)
    client = _client(fg)
    body = client.get(_url("request_detail", world.rights_request)).content.decode()
    assert pseudonym(world.youth.uuid) in body
    assert 'data-testid="metadata-only"' in body
    assert 'data-testid="history"' in body
    for text in [*world.pii(), "leesproblemen"]:
        assert text not in body, text
    assert _url("request_close", world.rights_request) not in body
    listing = client.get(_url("request_list")).content.decode()
    assert pseudonym(world.youth.uuid) in listing
    assert "Vandersteen" not in listing


@pytest.mark.parametrize("page", ["request_extend", "request_forward", "request_close"])
def test_the_fg_may_not_handle_a_request(world, page):
    """R-DPIA-3: only procesregisseurs handle; the FG gets a logged 403 and nothing changes."""
    fg = _school_fg(world)
    client = _client(fg)
    assert client.get(_url(page, world.rights_request)).status_code == 403
    response = client.post(
        _url(page, world.rights_request),
        {
            "until": (timezone.localdate() + timedelta(days=40)).isoformat(),
            "reason": "Veel gegevens.",
            "to": world.municipality.pk,
            "outcome": RequestOutcome.GRANTED,
            "answer": "Hierbij.",
        },
    )
    assert response.status_code == 403
    world.rights_request.refresh_from_db()
    assert world.rights_request.status == RequestStatus.OPEN
    assert world.rights_request.extended_until is None
    assert world.rights_request.organisation == world.school
    assert AccessEvent.objects.filter(actor=fg, action="access.denied").count() == 2


def test_the_fg_may_not_read_the_inzage_draft(world):
    """R-DPIA-3: the inzage report is case content; the FG gets a logged 403, no report made."""
    fg = _school_fg(world)
    response = _client(fg).get(_url("request_inzage", world.rights_request))
    assert response.status_code == 403
    assert not AccessEvent.objects.filter(action="document.generated").exists()


@pytest.mark.parametrize("who", ["privacy_officer", "other_organisation_coordinator"])
def test_handlers_of_another_organisation_get_a_logged_404(world, who):
    """R-13-3, STYLE rule 5: a request routed to the school does not exist for the
    municipality's FG or procesregisseur; the refusal is logged."""
    user = (
        world.users[who]
        if who in world.users
        else _staff(who, Role.COORDINATOR, world.municipality, capacity=Capacity.YOUTH_ACT)
    )
    client = _client(user)
    for page in ("request_detail", "request_extend", "request_close", "request_inzage"):
        assert client.get(_url(page, world.rights_request)).status_code == 404
    assert AccessEvent.objects.filter(actor=user, action="access.denied").count() == 4
    assert f"request-{world.rights_request.uuid}" not in (
        client.get(_url("request_list")).content.decode()
    )


def test_the_navigation_links_to_the_requests_for_handlers_only(world):
    """R-RIGHTS-1: procesregisseurs and FGs find the requests in the menu; others do not."""
    link = f'href="{_url("request_list")}"'
    assert link in _client(world.users["coordinator"]).get("/werkplek/").content.decode()
    fg_home = reverse("audit:dashboard")
    assert link in _client(world.users["privacy_officer"]).get(fg_home).content.decode()
    assert link not in _client(world.users["professional"]).get("/werkplek/").content.decode()


def test_the_handlers_email_links_to_the_request_page(world):
    """R-10-3, R-RIGHTS-1: the e-mail to a handler holds the link to the request, no names."""
    user = world.users["case_coordinator"]
    user.email = "regie@example.org"
    user.save(update_fields=["email"])
    notify_handler(user_id=user.pk, request_id=world.rights_request.pk, kind="request_filed")
    (message,) = mail.outbox
    assert _url("request_detail", world.rights_request) in message.body
    for text in world.pii():
        assert text not in message.body


# --- The list ----------------------------------------------------------------------------------


def test_the_list_marks_overdue_requests_in_red_and_in_words(world):
    """R-RIGHTS-1: an open request past its deadline is shown overdue (colour and text)."""
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        body = _client(world.users["case_coordinator"]).get(_url("request_list")).content
    row = body.decode().split(f'data-testid="request-{world.rights_request.uuid}"')[1]
    row = row.split("</tr>")[0]
    assert 'data-testid="overdue"' in row
    assert "co-overdue" in row


def test_the_list_filters_open_and_answered(world):
    """R-RIGHTS-1: open requests above, answered ones below; the filter keeps one group."""
    closed = _file(world, kind=RequestKind.OBJECTION)
    closed.status = RequestStatus.CLOSED
    closed.outcome = RequestOutcome.GRANTED
    closed.closed_at = timezone.now()
    closed.save(update_fields=["status", "outcome", "closed_at"])
    client = _client(world.users["case_coordinator"])
    both = client.get(_url("request_list")).content.decode()
    assert both.index(f"request-{world.rights_request.uuid}") < both.index(f"request-{closed.uuid}")
    only_open = client.get(_url("request_list") + "?state=open").content.decode()
    assert f"request-{world.rights_request.uuid}" in only_open
    assert f"request-{closed.uuid}" not in only_open
    only_closed = client.get(_url("request_list") + "?state=closed").content.decode()
    assert f"request-{closed.uuid}" in only_closed
    assert f"request-{world.rights_request.uuid}" not in only_closed


def test_list_query_count_does_not_grow_with_the_requests(world):
    """STYLE §4.8: the list costs a fixed number of queries, however many requests."""
    client = _client(world.users["case_coordinator"])
    client.get(_url("request_list"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(_url("request_list")).status_code == 200
    for kind in (RequestKind.RESTRICTION, RequestKind.ERASURE, RequestKind.OBJECTION):
        _file(world, kind=kind)
    with CaptureQueriesContext(connection) as four:
        assert client.get(_url("request_list")).status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)
    assert len(one.captured_queries) <= 15


def test_detail_query_count_is_small(world, django_assert_max_num_queries):
    """STYLE §4.8: the request page reads the request, the youths known and its history."""
    client = _client(world.users["case_coordinator"])
    client.get(_url("request_detail", world.rights_request))
    with django_assert_max_num_queries(15):
        client.get(_url("request_detail", world.rights_request))


# --- Deadlines (R-13-2) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("_case", "received", "kind", "due"),
    [
        (
            "31 January to 28 February",
            datetime(2027, 1, 31, 9, tzinfo=UTC),
            "inzage",
            date(2027, 2, 28),
        ),
        (
            "31 January to 29 February in a leap year",
            datetime(2028, 1, 31, 9, tzinfo=UTC),
            "inzage",
            date(2028, 2, 29),
        ),
        (
            "31 March to 30 April",
            datetime(2027, 3, 31, 9, tzinfo=UTC),
            "bezwaar",
            date(2027, 4, 30),
        ),
        (
            "destruction: three months, 30 November to 29 February",
            datetime(2027, 11, 30, 9, tzinfo=UTC),
            "vernietiging",
            date(2028, 2, 29),
        ),
        (
            "destruction: 31 August to 30 November",
            datetime(2027, 8, 31, 9, tzinfo=UTC),
            "vernietiging",
            date(2027, 11, 30),
        ),
    ],
)
def test_deadlines_across_month_ends(world, _case, received, kind, due):
    """R-13-2, R-RIGHTS-1: one calendar month (three for destroying a youth care file) counted
    to the same day, or the last day of a shorter month; the handler's page shows that day."""
    care = Organisation.objects.get(name="Testjeugdhulp")
    organisation = care if kind == RequestKind.DESTRUCTION else world.school
    handler = (
        world.users["case_coordinator"]
        if organisation == world.school
        else _staff("care_regie", Role.COORDINATOR, care, capacity=Capacity.YOUTH_CARE)
    )
    with time_machine.travel(received, tick=False):
        request = _file(
            world,
            kind=kind,
            organisations=[organisation],
            case=world.case if organisation == world.school else None,
        )
        assert request.due_on == due
        body = _client(handler).get(_url("request_detail", request)).content.decode()
    facts = body.split('data-testid="request-facts"')[1].split("</dl>")[0]
    with translation.override(settings.LANGUAGE_CODE):
        assert formats.date_format(due, "j F Y") in facts


# --- Extending --------------------------------------------------------------------------------


def test_extending_within_two_months_before_the_deadline(world):
    """R-13-2: the deadline moves once, by at most two months, with a reason the requester is
    told about; from 31 January the latest is 30 April (not 28 April)."""
    with time_machine.travel(datetime(2027, 1, 31, 9, tzinfo=UTC), tick=False):
        request = _file(world, kind=RequestKind.OBJECTION)
    assert latest_extension(request.kind, date(2027, 1, 31)) == date(2027, 4, 30)
    with time_machine.travel(datetime(2027, 2, 10, 9, tzinfo=UTC), tick=False):
        client = _client(world.users["case_coordinator"])
        too_far = client.post(
            _url("request_extend", request), {"until": "2027-05-01", "reason": "Veel stukken."}
        )
        assert too_far.status_code == 400
        assert _field_error(too_far.content.decode(), "until")
        request.refresh_from_db()
        assert request.extended_until is None
        done = client.post(
            _url("request_extend", request), {"until": "2027-04-30", "reason": "Veel stukken."}
        )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.extended_until == date(2027, 4, 30)
    assert request.deadline == date(2027, 4, 30)
    assert request.extension_notified_at is not None


def test_extending_more_than_two_months_is_refused(world):
    """R-13-2: a date past two extra months is refused next to the date; nothing stored."""
    request = world.rights_request
    latest = latest_extension(request.kind, timezone.localdate(request.received_at))
    response = _client(world.users["case_coordinator"]).post(
        _url("request_extend", request),
        {"until": (latest + timedelta(days=1)).isoformat(), "reason": "Veel stukken."},
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "until")
    request.refresh_from_db()
    assert request.extended_until is None


def test_extending_after_the_deadline_is_refused(world):
    """R-13-2, AVG art. 12(3): the notice of an extension must come before the deadline."""
    request = world.rights_request
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        response = _client(world.users["case_coordinator"]).post(
            _url("request_extend", request),
            {
                "until": (request.due_on + timedelta(days=30)).isoformat(),
                "reason": "Veel stukken.",
            },
        )
    assert response.status_code == 400
    assert "utrecht-alert--error" in response.content.decode()
    request.refresh_from_db()
    assert request.extended_until is None


def test_extending_without_a_reason_is_refused(world):
    """R-13-2: the requester is told why; no reason, no extension."""
    response = _client(world.users["case_coordinator"]).post(
        _url("request_extend", world.rights_request),
        {"until": (world.rights_request.due_on + timedelta(days=10)).isoformat(), "reason": ""},
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "reason")


# --- Forwarding --------------------------------------------------------------------------------


def test_forwarding_routes_the_request_to_the_other_organisation(world):
    """R-13-3: forwarded with a reason, logged; it is now the municipality's, the deadline
    keeps running from receipt, and the school no longer finds it."""
    due = world.rights_request.due_on
    response = _client(world.users["case_coordinator"]).post(
        _url("request_forward", world.rights_request),
        {"to": world.municipality.pk, "reason": "De gegevens zijn van de gemeente."},
    )
    assert response.status_code == 302
    assert response.url == _url("request_list")
    request = RightsRequest.objects.get(pk=world.rights_request.pk)
    assert request.organisation == world.municipality
    assert request.forwarded_from == world.school
    assert request.due_on == due
    assert AccessEvent.objects.filter(
        action="request.updated", object_id=str(request.uuid)
    ).exists()
    assert (
        _client(world.users["case_coordinator"]).get(_url("request_detail", request)).status_code
        == 404
    )


def test_forwarding_needs_a_reason_and_another_organisation(world):
    """Invariant 9: no reason, or no organisation: errors next to the fields."""
    response = _client(world.users["case_coordinator"]).post(
        _url("request_forward", world.rights_request), {"to": "", "reason": ""}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert _field_error(body, "to")
    assert _field_error(body, "reason")


# --- Answering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [RequestOutcome.REFUSED, RequestOutcome.PARTLY])
def test_a_refusal_without_a_legal_ground_is_refused(world, outcome):
    """R-RIGHTS-3: a refusal, also in part, names its legal ground; without it the answer is
    refused next to the field, the request stays open and no report is made."""
    response = _client(world.users["case_coordinator"]).post(
        _url("request_close", world.rights_request),
        {"outcome": outcome, "answer": "Wij kunnen niet alles geven.", "refusal_ground": " "},
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "refusal_ground")
    world.rights_request.refresh_from_db()
    assert world.rights_request.status == RequestStatus.OPEN
    assert not AccessEvent.objects.filter(action="document.generated").exists()


def test_a_refusal_with_its_ground_is_stored(world):
    """R-RIGHTS-3: the ground is stored with the answer; a refused inzage carries no report."""
    response = _client(world.users["case_coordinator"]).post(
        _url("request_close", world.rights_request),
        {
            "outcome": RequestOutcome.REFUSED,
            "answer": "Uw identiteit kon niet worden vastgesteld.",
            "refusal_ground": "AVG art. 12 lid 6",
        },
    )
    assert response.status_code == 302
    request = RightsRequest.objects.get(pk=world.rights_request.pk)
    assert request.status == RequestStatus.CLOSED
    assert request.refusal_ground == "AVG art. 12 lid 6"
    assert not request.answer_document


def test_granting_an_inzage_request_stores_the_report_for_the_requester(world):
    """R-RIGHTS-2: granting an inzage request stores the final inzage report (a PDF, with its
    hash) on the request for the requester's portal; making it is logged with the youth."""
    user = world.users["case_coordinator"]
    response = _client(user).post(
        _url("request_close", world.rights_request),
        {"outcome": RequestOutcome.GRANTED, "answer": "Hierbij alle gegevens."},
    )
    assert response.status_code == 302
    request = RightsRequest.objects.get(pk=world.rights_request.pk)
    assert request.status == RequestStatus.CLOSED
    with request.answer_document.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert request.answer_document_sha256
    assert AccessEvent.objects.filter(
        actor=user, action="document.generated", youth_uuid=world.youth.uuid, reason="inzage report"
    ).exists()
    stored = _client(user).get(_url("request_inzage", request))
    assert stored.status_code == 200
    assert stored["Cache-Control"] == "no-store"


def test_the_draft_report_is_a_logged_pdf_for_the_handler(world):
    """R-13-1: the handler checks the draft inzage report; it is not cached, and made with an
    access event naming the youth."""
    user = world.users["coordinator"]
    response = _client(user).get(_url("request_inzage", world.rights_request))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert AccessEvent.objects.filter(
        actor=user, action="document.generated", youth_uuid=world.youth.uuid, reason="inzage draft"
    ).exists()


def test_another_kind_of_request_has_no_inzage_report(world):
    """Only an inzage request is answered with the report: 404 for the others."""
    request = _file(world, kind=RequestKind.OBJECTION)
    response = _client(world.users["case_coordinator"]).get(_url("request_inzage", request))
    assert response.status_code == 404


def test_a_parents_request_about_a_youth_of_16_waits_without_a_deadline(world):
    """R-13-4, R-AGE-5: a parent's request about a youth of 16 waits for the youth's permission;
    the handler sees it without a deadline, marked as waiting, and it is not overdue."""
    with time_machine.travel(datetime(2028, 6, 1, 9, tzinfo=UTC), tick=False):
        request = _file(world, kind=RequestKind.OBJECTION)
        assert request.status == RequestStatus.AWAITING_YOUTH
        assert request.due_on is None
        body = _client(world.users["case_coordinator"]).get(_url("request_list")).content
    row = body.decode().split(f'data-testid="request-{request.uuid}"')[1].split("</tr>")[0]
    assert 'data-testid="days-left"' not in row
    assert 'data-testid="overdue"' not in row
    assert escape(str(RequestStatus.AWAITING_YOUTH.label)) in row
