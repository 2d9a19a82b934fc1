"""Management figures (R-20-1, R-20-2) and the verwerkingsregister-extract (R-15-2), issue 7."""

import csv
import io
from datetime import UTC, datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg.dashboard import cell, dashboard_tables, total
from casusoverleg.models import Case
from convenant.models import ConsultationType
from core.querysets import bulk_writes_allowed
from tests.factories.casusoverleg import CaseFactory
from tests.factories.parties import OrganisationFactory, YouthFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

OVERVIEW = "/sturing/"
EXPORT = "/sturing/jaarevaluatie.csv"


def _last_year() -> int:
    return timezone.now().year - 1


def _cases(world, code: str, n: int, *, month: int = 3) -> list[Case]:
    """n cases of consultation type `code` in the world's region, opened on the 15th of `month`
    last year (each about a youth of its own, whose names must never show)."""
    cases = [
        CaseFactory(
            youth=YouthFactory(region=world.covenant.region, school=world.school),
            covenant=world.covenant,
            consultation_type=ConsultationType.objects.get(code=code),
            coordinator=world.users["case_coordinator"],
            organisation=world.school,
        )
        for _ in range(n)
    ]
    opened = datetime(_last_year(), month, 15, 12, tzinfo=UTC)
    with bulk_writes_allowed("test: cases opened in the past"):
        Case.objects.filter(pk__in=[c.pk for c in cases]).update(created_at=opened)
    return cases


def _client(world, who: str) -> Client:
    return login_verified(Client(), world.users[who])


def test_cells_of_1_to_4_are_suppressed_0_and_5_are_exact():
    """R-20-1, R-5-4: 0 and 5+ exactly, 1..4 as "< 5"."""
    assert [cell(n).text for n in (0, 1, 4, 5, 17)] == ["0", "< 5", "< 5", "5", "17"]


def test_a_total_never_gives_a_suppressed_cell_away():
    """R-20-1: a total over a suppressed cell is only a lower bound (subtraction would reveal
    the cell); a total of exact cells is exact; a small total is suppressed itself."""
    assert total([cell(7), cell(0)]).text == "7"
    assert total([cell(7), cell(3)]).text == "≥ 8"  # 7 + at least 1, never 10
    assert total([cell(2), cell(1)]).text == "< 5"
    assert total([cell(2), cell(4)]).text == "≥ 2"  # 6 in truth: two cells of at least 1
    assert total([cell(5), cell(6)]).text == "11"


def test_the_figures_count_per_type_and_month_with_suppression(world):
    """R-20-1: cases opened are counted per consultation type and month in the region; the
    small cell is "< 5" and the totals that include it are lower bounds."""
    _cases(world, "mdo", 7)
    _cases(world, "zat", 2)
    # Another region's cases do not count.
    other = OrganisationFactory(name="Elders")
    CaseFactory(youth=YouthFactory(region=other.region), organisation=other)
    tables = {
        t.key: t for t in dashboard_tables(user=world.users["privacy_officer"], year=_last_year())
    }
    opened = tables["cases_opened"]
    rows = {row.label: row for row in opened.rows}
    mdo = rows[ConsultationType.objects.get(code="mdo").name]
    zat = rows[ConsultationType.objects.get(code="zat").name]
    assert mdo.cells[2].text == "7"
    assert mdo.total.text == "7"
    assert zat.cells[2].text == "< 5"
    assert zat.total.text == "< 5"
    assert mdo.cells[3].text == "0"
    assert opened.column_totals[2].text == "≥ 8"
    assert opened.grand_total.text == "≥ 8"
    assert {t.key for t in tables.values()} == {
        "cases_opened",
        "cases_closed",
        "meetings",
        "consents",
        "requests",
        "shares",
    }


@pytest.mark.parametrize("who", ["privacy_officer", "administrator"])
def test_the_page_shows_counts_only_and_is_logged(world, who):
    """R-20-1: the page shows counts, no name of any youth or parent, and the view is logged."""
    cases = _cases(world, "mdo", 6)
    response = _client(world, who).get(OVERVIEW, {"jaar": _last_year()})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="table-cases_opened"' in body
    names = world.pii() + [c.youth.family_name for c in cases] + [c.youth.given_name for c in cases]
    assert not [n for n in names if n in body]
    assert AccessEvent.objects.filter(
        actor=world.users[who], action="dashboard.viewed", reason=f"year {_last_year()}"
    ).exists()


@pytest.mark.parametrize(
    "who", ["professional", "coordinator", "case_coordinator", "parent", "youth"]
)
def test_only_beheerder_and_fg_see_the_figures(world, who):
    """R-20-1: professionals, procesregisseurs, parents and youths get 403 (logged)."""
    client = _client(world, who)
    for url in (OVERVIEW, EXPORT, reverse("dashboard:register_list")):
        assert client.get(url).status_code == 403, url
    assert not AccessEvent.objects.filter(action__startswith="dashboard.").exists()


def test_a_wrong_year_gets_a_message_and_nothing_is_logged(world):
    """Invariant 9: a year outside the list is refused at the field (400), nothing logged."""
    response = _client(world, "privacy_officer").get(OVERVIEW, {"jaar": "1999"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AccessEvent.objects.filter(action="dashboard.viewed").exists()
    assert _client(world, "privacy_officer").get(EXPORT, {"jaar": "x"}).status_code == 400
    assert not AccessEvent.objects.filter(action="dashboard.exported").exists()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_figures_cost_the_same_queries_with_1_and_40_cases(world):
    """R-20-1, STYLE §4.8: every table is one GROUP BY query; the count does not grow with
    the number of cases."""
    client = _client(world, "administrator")
    url = f"{OVERVIEW}?jaar={_last_year()}"
    client.get(url)  # warm the session
    _cases(world, "mdo", 1)
    one = _queries(client, url)
    _cases(world, "zat", 20, month=5)
    _cases(world, "verzuimoverleg", 19, month=9)
    assert _queries(client, url) == one
    assert one <= 20


def test_the_annual_export_has_the_same_suppressed_figures_and_is_logged(world):
    """R-20-2: the CSV for a chosen year holds the page's figures (suppressed alike), no
    names, who made it and when; the export is logged."""
    cases = _cases(world, "mdo", 7) + _cases(world, "zat", 3)
    response = _client(world, "administrator").get(EXPORT, {"jaar": _last_year()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["table", "row", "column", "count"]
    opened = [r for r in rows if r and r[0].startswith("Geopende casussen")]
    mdo = ConsultationType.objects.get(code="mdo").name
    zat = ConsultationType.objects.get(code="zat").name
    assert [mdo, "Mrt", "7"] in [r[1:] for r in opened] or [mdo, "mrt", "7"] in [
        r[1:] for r in opened
    ]
    assert any(r[1] == zat and r[3] == "< 5" for r in opened)
    assert not any(r[3] == "3" for r in opened if r[1] == zat)
    assert "# exported by:" in text
    assert not [c.youth.family_name for c in cases if c.youth.family_name in text]
    assert AccessEvent.objects.filter(
        actor=world.users["administrator"], action="dashboard.exported"
    ).exists()


def test_the_register_extract_of_a_party(world):
    """R-15-2: the extract of a party lists purposes, data categories, recipients (party
    types), its legal bases, retention, security measures and its FG; the view is logged."""
    client = _client(world, "privacy_officer")
    url = reverse("dashboard:register_detail", kwargs={"uuid": world.school.uuid})
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Verwerkingsregister-extract: Testschool" in body
    assert ConsultationType.objects.get(code="mdo").purpose.name in body
    assert "C2 " in body  # a data category of the types
    assert "Schoolbestuur: publieke taak en wettelijke plicht" in body  # the school's basis
    assert "Jeugdhulpaanbieder" in body or "jeugdhulp" in body.lower()  # a recipient type
    assert "Bewaartermijn" in body
    assert "Beveiligingsmaatregelen" in body
    assert "F. G. Functionaris" in body
    assert "fg@example.org" in body
    assert not [n for n in world.pii() if n in body]
    assert AccessEvent.objects.filter(
        action="register.viewed", object_id=str(world.school.uuid)
    ).exists()
    listing = client.get(reverse("dashboard:register_list")).content.decode()
    assert "Testschool" in listing
    assert "Testgemeente" in listing


def test_the_register_extract_downloads_are_logged(world):
    """R-15-2: the extract as CSV (sections and items) and as PDF; each download is logged."""
    client = _client(world, "administrator")
    kwargs = {"uuid": world.municipality.uuid}
    response = client.get(reverse("dashboard:register_export", kwargs={**kwargs, "fmt": "csv"}))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    sections = {r[0] for r in rows[1:] if r and not r[0].startswith("#")}
    assert {"Verwerkingsverantwoordelijke", "Ontvangers", "Bewaartermijn"} <= sections
    assert {"Beveiligingsmaatregelen", "Functionaris gegevensbescherming (FG)"} & sections
    pdf = client.get(reverse("dashboard:register_export", kwargs={**kwargs, "fmt": "pdf"}))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert (
        AccessEvent.objects.filter(action="register.exported", reason__in=["csv", "pdf"]).count()
        == 2
    )
    assert client.get(f"/sturing/verwerkingsregister/{world.school.uuid}/xls/").status_code == 404


def test_a_party_of_another_region_is_not_found(world):
    """R-15-2: only parties of the user's own region; another's answers 404."""
    other = OrganisationFactory(name="Elders")
    url = reverse("dashboard:register_detail", kwargs={"uuid": other.uuid})
    assert _client(world, "privacy_officer").get(url).status_code == 404
    assert not AccessEvent.objects.filter(action="register.viewed").exists()
