"""The FG's export of a slice of the log: CSV in the NEN 7513 shape and a PDF, each with the seal
that covers it and whether that seal still verifies.

Issue 5 ("export a verified slice (CSV and PDF) with the seal that covers it"); DESIGN
invariants 2 (an export is recorded) and 3 (the seal shows a changed event).
"""

import csv
import io

from django.db import connection
from django.test import Client
from django.urls import reverse

import pgtrigger
import pytest

from audit.choices import Action, Outcome
from audit.models import AccessEvent, SealBlock
from audit.sealing import seal
from audit.views import workbench
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

COLUMNS = [
    "EventID",
    "EventDateTime",
    "EventActionCode",
    "EventAction",
    "EventOutcomeIndicator",
    "UserID",
    "UserName",
    "RoleIDCode",
    "OrganisationID",
    "OrganisationName",
    "PurposeOfUse",
    "LegalBasis",
    "ParticipantObjectID",
    "ObjectType",
    "ObjectID",
    "CaseID",
    "NetworkAccessPointID",
    "UserAgent",
    "RequestID",
]


def _fg(world) -> Client:
    client = Client()
    login_verified(client, world.users["privacy_officer"])
    return client


def _events(world, count: int, *, who: str = "leerplicht", **kwargs) -> list[AccessEvent]:
    user = world.users[who]
    organisation = user.professional.organisation
    return AccessEvent.objects.bulk_create(
        AccessEvent(
            action=kwargs.get("action", Action.CASE_VIEWED),
            outcome=kwargs.get("outcome", Outcome.ALLOWED),
            actor=user,
            actor_name=kwargs.get("actor_name", user.get_full_name()),
            actor_role=user.role,
            organisation=organisation,
            organisation_name=organisation.name,
            youth_uuid=kwargs.get("youth_uuid"),
            case_uuid=kwargs.get("case_uuid"),
            purpose=kwargs.get("purpose", "passende-ondersteuning"),
            user_agent=kwargs.get("user_agent", "TestBrowser/1.0"),
            client_ip="192.0.2.7",
            request_id="abc123",
        )
        for _ in range(count)
    )


def _csv(response) -> tuple[list[dict[str, str]], list[str]]:
    """(rows, trailer lines) of an exported CSV."""
    text = response.content.decode("utf-8")
    lines = text.splitlines()
    trailer = [line[2:] for line in lines if line.startswith("# ")]
    body = "\n".join(line for line in lines if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body))), trailer


def test_csv_has_the_nen_7513_columns_and_the_organisations_rows(world):
    """Issue 5, docs/audit-log.md §1: the columns are the NEN 7513 names, one row per event of the
    FG's organisation matching the filters, newest first."""
    events = _events(world, 3, youth_uuid=world.youth.uuid, case_uuid=world.case.uuid)
    _events(world, 2, who="involved_professional", youth_uuid=world.youth.uuid)  # the school
    response = _fg(world).get(reverse("audit:export_csv"), {"youth": str(world.youth.uuid)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="toegangslog-')
    assert response["Cache-Control"] == "no-store"
    header = response.content.decode().splitlines()[0]
    assert header.split(",") == COLUMNS
    rows, _trailer = _csv(response)
    assert [row["EventID"] for row in rows] == [str(e.event_id) for e in reversed(events)]
    row = rows[0]
    user = world.users["leerplicht"]
    assert row["EventActionCode"] == "R"
    assert row["EventAction"] == "case.viewed"
    assert row["EventOutcomeIndicator"] == "allowed"
    assert row["UserID"] == str(user.uuid)
    assert row["UserName"] == user.get_full_name()
    assert row["RoleIDCode"] == "professional"
    assert row["OrganisationID"] == str(world.municipality.uuid)
    assert row["OrganisationName"] == "Testgemeente"
    assert row["PurposeOfUse"] == "passende-ondersteuning"
    assert row["ParticipantObjectID"] == str(world.youth.uuid)
    assert row["CaseID"] == str(world.case.uuid)
    assert row["NetworkAccessPointID"] == "192.0.2.7"
    assert row["RequestID"] == "abc123"
    # Dutch local time with offset and milliseconds.
    assert row["EventDateTime"][19] == "."
    assert row["EventDateTime"][-6:] in ("+01:00", "+02:00")


def test_csv_neutralises_formula_cells(world):
    """Issue 5 (CSV injection): a cell that a spreadsheet would run as a formula starts with '."""
    _events(world, 1, actor_name='=HYPERLINK("http://evil")', user_agent="+SUM(A1)")
    _events(world, 1, actor_name="@cmd", user_agent="-2+3")
    rows, _trailer = _csv(_fg(world).get(reverse("audit:export_csv"), {"action": "case.viewed"}))
    names = {row["UserName"] for row in rows}
    agents = {row["UserAgent"] for row in rows}
    assert names == {'\'=HYPERLINK("http://evil")', "'@cmd"}
    assert agents == {"'+SUM(A1)", "'-2+3"}


def test_csv_ends_with_the_seal_that_covers_it_and_the_unsealed_rows(world):
    """Invariant 3: the trailer names the covering blocks with their hashes, says verification
    passed, and lists the rows that are newer than the last block."""
    sealed = _events(world, 4)
    blocks = seal(block_size=1000)
    assert blocks
    fresh = _events(world, 2)
    response = _fg(world).get(reverse("audit:export_csv"), {"action": "case.viewed"})
    rows, trailer = _csv(response)
    assert len(rows) == 6
    assert "seal verification: passed" in trailer
    block = blocks[-1]
    assert any(
        line.startswith(f"seal block: stream=access number={block.number} ")
        and line.endswith(f"hash={block.block_hash}")
        for line in trailer
    ), trailer
    assert "not sealed yet: 2 rows" in trailer
    for event in fresh:
        assert f"not sealed yet: EventID={event.event_id}" in trailer
    for event in sealed:
        assert f"not sealed yet: EventID={event.event_id}" not in trailer
    assert any(line.startswith("seal events checked: ") for line in trailer)


def test_csv_seal_shows_a_changed_event(world):
    """Invariant 3: an event changed after sealing makes the export say FAILED and name it."""
    events = _events(world, 3)
    seal(block_size=1000)
    with pgtrigger.ignore("audit.AccessEvent:append_only"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_accessevent SET reason = %s WHERE id = %s", ["rewritten", events[1].pk]
        )
    rows, trailer = _csv(_fg(world).get(reverse("audit:export_csv"), {"action": "case.viewed"}))
    assert len(rows) == 3
    assert "seal verification: FAILED" in trailer
    assert any(
        line.startswith("seal problem: kind=changed ") and f"row={events[1].pk} " in line
        for line in trailer
    ), trailer


def test_csv_says_when_it_is_truncated(world, monkeypatch):
    """Issue 5: the export is bounded; when more events matched, the trailer says so."""
    monkeypatch.setattr(workbench, "CSV_MAX_ROWS", 5)
    _events(world, 8)
    rows, trailer = _csv(_fg(world).get(reverse("audit:export_csv"), {"action": "case.viewed"}))
    assert len(rows) == 5
    assert "truncated: more events matched; only the newest 5 are exported" in trailer
    assert "rows: 5" in trailer


def test_export_is_recorded(world):
    """Invariant 2: an export is an audit.exported event with the format, the number of rows and
    the youth exported."""
    _events(world, 3, youth_uuid=world.youth.uuid)
    _fg(world).get(reverse("audit:export_csv"), {"youth": str(world.youth.uuid)})
    event = AccessEvent.objects.get(action=Action.AUDIT_EXPORTED)
    assert event.actor == world.users["privacy_officer"]
    assert event.youth_uuid == world.youth.uuid
    assert event.reason.startswith("csv rows=3 ")
    assert f"youth={world.youth.uuid}" in event.reason


def test_export_with_bad_filters_goes_back_to_the_search(world):
    """Invariant 9: an export with bad filters exports nothing and shows the search with the
    message at the field."""
    client = _fg(world)
    response = client.get(reverse("audit:export_csv"), {"youth": "nope"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('audit:search')}?youth=nope"
    assert not AccessEvent.objects.filter(action=Action.AUDIT_EXPORTED).exists()
    page = client.get(response["Location"])
    assert "youth" in page.context["form"].errors


def test_pdf_export_has_the_events_and_the_seal(world):
    """Issue 5: the PDF holds the events (by pseudonym) and a section on the seal; it is an
    attachment, not cached, and recorded."""
    from pypdf import PdfReader

    _events(world, 3, youth_uuid=world.youth.uuid)
    seal(block_size=1000)
    _events(world, 1, youth_uuid=world.youth.uuid)
    response = _fg(world).get(reverse("audit:export_pdf"), {"youth": str(world.youth.uuid)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="toegangslog-')
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"J-{world.youth.uuid.hex[:8].upper()}" in text
    for value in world.pii():
        assert value not in text
    event = AccessEvent.objects.get(action=Action.AUDIT_EXPORTED)
    assert event.reason.startswith("pdf rows=4 ")


def test_one_export_recomputes_a_bounded_number_of_blocks(world, monkeypatch):
    """Issue 5, performance: a slice spread over many blocks recomputes only the newest few in
    the request; the others are listed as covered and the latest full check is named."""
    from audit.verification import audit_verify

    monkeypatch.setattr(workbench, "SEAL_VERIFY_MAX_BLOCKS", 2)
    exported = _events(world, 9)
    seal(block_size=2)
    audit_verify()
    ids = [event.pk for event in exported]
    covering = [
        b
        for b in SealBlock.objects.order_by("number")
        if any(b.first_id <= i <= b.last_id for i in ids)
    ]
    assert len(covering) >= 5
    rows, trailer = _csv(_fg(world).get(reverse("audit:export_csv"), {"action": "case.viewed"}))
    assert len(rows) == 9
    block_lines = [line for line in trailer if line.startswith("seal block: ")]
    assert len(block_lines) == len(covering)
    for block in covering[:-2]:
        assert any(
            f"number={block.number} " in line and "verified_here=no" in line for line in block_lines
        )
    for block in covering[-2:]:
        assert any(
            f"number={block.number} " in line and "verified_here=yes" in line
            for line in block_lines
        )
    checked = sum(block.event_count for block in covering[-2:])
    assert f"seal events checked: {checked}" in trailer
    assert "seal verification: passed" in trailer
    assert any(
        line.startswith("latest full verification: ") and " ok: " in line for line in trailer
    )
