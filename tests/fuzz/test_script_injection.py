"""Script injection is inert in pages and PDFs (DESIGN invariant 9; issue 7 "Bad input").

A script tag, an event-handler image and an image on a remote host are written into every
free-text field through the services (case purpose, hoorrecht note, minutes entry, action,
shared item, statement, consent description, rights request description and answer). Then every
page of the project, as everyone who may see them, shows them as text: the raw tags never
appear. The minutes PDF, the inzage report and the consent receipt show them as text too, and
rendering them never contacts the remote host.
"""

import io
import re
import socket
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

import pytest
from pypdf import PdfReader

from tests.helpers import login_verified
from tests.urls import routes

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
ONERROR = "<img src=x onerror=alert(1)>"
RAW = ["<script>alert(", "<img src=x onerror", '<img src="http://127.0.0.1']
ESCAPED = "&lt;script&gt;alert("
# The case's procesregisseur sees every professional page of the case, the parent every portal
# page, the FG the access log (whose free-text reasons are shown too).
READERS = ["case_coordinator", "parent", "privacy_officer"]


@pytest.fixture
def listener():
    """A local port that counts connections: a PDF renderer that fetched the remote image
    would knock here."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _knocked(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return False
    connection.close()
    return True


def _payload(server: socket.socket) -> str:
    port = server.getsockname()[1]
    return f'{SCRIPT}{ONERROR}<img src="http://127.0.0.1:{port}/leak.png">'


def _plant(world: Any, payload: str) -> dict[str, Any]:
    """Write the payload into every free-text field, through the services."""
    from casusoverleg import services
    from consent.choices import RequestKind, RequestOutcome
    from consent.services import consent_request, rights_request_close, rights_request_file
    from convenant.models import DataCategory, LegalBasis

    case, coordinator = world.case, world.users["case_coordinator"]
    services.case_update(
        actor=coordinator,
        case=case,
        purpose_specification=payload,
        target_group=case.target_group,
        out_of_education_since=None,
    )
    services.case_record_hearing(
        actor=coordinator, case=case, hearing_note=payload, not_possible_reason=""
    )
    services.minutes_entry_add(
        actor=coordinator, case=case, kind="feit", text=payload, owner=world.school
    )
    services.action_add(
        actor=coordinator,
        case=case,
        description=payload,
        assignee=world.participants["involved_professional"],
        due_on=timezone.localdate() + timedelta(days=7),
    )
    item = services.shared_item_add(
        actor=world.users["involved_professional"],
        case=case,
        category=DataCategory.objects.get(code="C2"),
        kind="feit",
        text=payload,
        legal_basis=LegalBasis.objects.get(code="school-ordinary"),
        audience_all=True,
        recipients=[],
    )
    # A statement can be added once the minutes are shared with the family; the state is set
    # directly (reaching it through the state machine is not what this test is about).
    minutes = world.meeting.minutes
    minutes.shared_with_family_at = timezone.now()
    minutes.save(update_fields=["shared_with_family_at"])
    services.statement_add(actor=world.users["parent"], case=case, text=payload)
    today = timezone.localdate()
    consent = consent_request(
        actor=coordinator,
        case=case,
        categories=[DataCategory.objects.get(code="C2")],
        recipients=[world.municipality],
        valid_from=today,
        valid_until=today + timedelta(days=90),
        items_description=payload,
    )
    (request,) = rights_request_file(
        actor=world.users["parent"],
        youth=world.youth,
        case=case,
        kind=RequestKind.ACCESS,
        organisations=[world.school],
        description=payload,
        identity_method="portal",
    )
    rights_request_close(
        actor=coordinator,
        request=world.rights_request,
        outcome=RequestOutcome.GRANTED,
        answer=payload,
    )
    return {"item": item, "consent": consent, "request": request}


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


def test_invariant_9_script_in_every_free_text_field_is_shown_as_text_on_every_page(
    world, listener
):
    """Invariant 9: on every page, as everyone who reads the case, the planted tags appear
    escaped (as text), never as markup."""
    _plant(world, _payload(listener))
    raw, escaped = [], set()
    for who in READERS:
        client = login_verified(Client(), world.users[who])
        for route in routes(world):
            response = client.get(route.path)
            if "html" not in response.get("Content-Type", ""):
                continue
            body = _body(response)
            raw += [(who, str(route), tag) for tag in RAW if tag in body]
            if ESCAPED in body:
                escaped.add(route.name)
    assert not raw, f"unescaped markup on pages: {raw}"
    # The payload was seen, escaped, on the pages that show each kind of text.
    for page in (
        "casusoverleg:case_detail",
        "casusoverleg:minutes",
        "casusoverleg:hearing",
        "portal:case_detail",
        "portal:youth_shared",
        "portal:request_detail",
        "casusoverleg:request_detail",
        "casusoverleg:consent_list",
    ):
        assert page in escaped, (page, sorted(escaped))


def test_invariant_9_pdfs_print_the_script_as_text_and_fetch_nothing(world, listener):
    """Invariant 9, STYLE §4.11: the minutes PDF, the inzage report and the consent receipt
    print the planted tags as text, and WeasyPrint never contacts the remote image's host."""
    from casusoverleg import services
    from casusoverleg.inzage import inzage_context, inzage_render
    from consent.age import Consenter
    from consent.choices import ConsenterKind, DecisionKind
    from consent.services import consent_decide, receipt_render

    planted = _plant(world, _payload(listener))
    document = services.document_request(
        actor=world.users["case_coordinator"], case=world.case, kind="verslag"
    )
    services.document_render(document_id=document.pk)
    document.refresh_from_db()
    minutes_pdf = document.file.read()

    _html, inzage_pdf = inzage_render(
        context=inzage_context(
            youth=world.youth, requester=world.users["parent"], organisation=world.school
        ),
        draft=False,
    )

    consent = planted["consent"]
    consent_decide(
        actor=world.users["youth"],
        consent=consent,
        consenter=Consenter(ConsenterKind.YOUTH),
        kind=DecisionKind.GIVEN,
    )
    receipt = receipt_render(receipt_id=consent.receipts.get().pk)
    receipt_pdf = receipt.pdf.read()

    expected = re.sub(r"\s+", "", SCRIPT)
    for name, pdf in (("minutes", minutes_pdf), ("inzage", inzage_pdf), ("receipt", receipt_pdf)):
        text = _pdf_text(pdf)
        assert expected in text, f"the {name} PDF does not print the script as text"
        assert "onerror=alert(1)" in text, name
    assert not _knocked(listener), "a PDF renderer fetched the remote image"
