"""The breach register's pages (issue 7): "Datalek melden" everywhere, the report form, the FG's
register with the countdown, scoping, the workflow steps and bad input."""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from convenant import incidents
from convenant.models import DataCategory, Incident
from parties.choices import Role
from tests.factories.parties import OrganisationFactory, ProfessionalFactory, UserFactory
from tests.helpers import login_verified
from tests.urls import routes

pytestmark = pytest.mark.django_db

REPORT_LINK = 'data-testid="report-breach"'


def _client(user) -> Client:
    return login_verified(Client(), user)


def _report(world, *, hours_ago: float = 10, actor=None, parties=None) -> Incident:
    return incidents.incident_report(
        actor=actor or world.users["professional"],
        discovered_at=timezone.now() - timedelta(hours=hours_ago),
        description="Map met verslagen in de trein laten liggen.",
        n_subjects=4,
        affected_parties=parties or [world.school, world.municipality],
        data_categories=[DataCategory.objects.get(code="C2")],
    )


def _staff(username: str, role: str, organisation):
    user = UserFactory(username=username, role=role)
    ProfessionalFactory(user=user, organisation=organisation, capacity="")
    return user


@pytest.mark.parametrize(
    "who", ["case_coordinator", "involved_professional", "privacy_officer", "administrator"]
)
def test_report_link_on_every_page(world, who):
    """R-BREACH-6: "Datalek melden" is on every page a professional, procesregisseur, FG or
    beheerder can open (every URL of tests/urls.py that answers with a page)."""
    client = _client(world.users[who])
    pages = 0
    missing = []
    for route in routes(world):
        if route.name in ("logout",):
            continue
        response = client.get(route.path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        body = response.content.decode()
        if REPORT_LINK not in body or reverse("incidents:incident_report") not in body:
            missing.append(str(route))
    assert pages > 5
    assert not missing, f"no 'Datalek melden' on {missing}"


def test_no_report_link_for_parents_and_youths(world):
    """Parents and youths use a rights request or the FG; the portal shows no breach link."""
    body = _client(world.users["parent"]).get(reverse("portal:home")).content.decode()
    assert REPORT_LINK not in body
    response = _client(world.users["parent"]).get(reverse("incidents:incident_report"))
    assert response.status_code == 403


def test_report_form_registers_and_shows_the_status(world):
    """R-BREACH-1: the calm form registers an incident; the reporter lands on its status page
    with the deadline, in Dutch."""
    client = _client(world.users["involved_professional"])
    page = client.get(reverse("incidents:incident_report"))
    assert page.status_code == 200
    assert "Wat is er gebeurd?" in page.content.decode()
    moment = timezone.localtime() - timedelta(hours=2)
    response = client.post(
        reverse("incidents:incident_report"),
        {
            "description": "Verslag naar verkeerde ouder gemaild.",
            "discovered_at": moment.strftime("%Y-%m-%dT%H:%M"),
            "n_subjects": "1",
            "affected_parties": [world.school.pk],
            "data_categories": [DataCategory.objects.get(code="C2").pk],
            "containment": "",
        },
        follow=True,
    )
    incident = Incident.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "incidents:incident_detail", kwargs={"uuid": incident.uuid}
    )
    body = response.content.decode()
    assert "Dank u wel" in body
    assert "Verslag naar verkeerde ouder gemaild." in body  # the reporter reads their own text
    assert "nog 69 uur" in body or "nog 70 uur" in body
    assert incident.ap_deadline == moment.replace(second=0, microsecond=0) + timedelta(hours=72)


def test_bad_input_is_refused_at_the_field_and_nothing_is_written(world):
    """Invariant 9: every bad field gets its own message; no incident, no event, no e-mail."""
    client = _client(world.users["professional"])
    events = AccessEvent.objects.count()
    response = client.post(
        reverse("incidents:incident_report"),
        {"description": "", "discovered_at": "gisteren", "n_subjects": "-3"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    for message in (
        "Beschrijf wat er is gebeurd.",
        "Vul een datum en tijd in, bijvoorbeeld 3-12-2026 09:30.",
        "Geef een schatting van het aantal mensen (0 of meer).",
        "Kies minstens één organisatie van wie de gegevens zijn.",
    ):
        assert message in body
    assert 'aria-invalid="true"' in body
    assert Incident.objects.count() == 0
    assert AccessEvent.objects.count() == events


def test_fg_register_shows_the_countdown_red_under_24_hours(world):
    """R-BREACH-3, R-DPIA-3: the FG's register counts down the hours to the AP deadline, red
    when fewer than 24 are left; server-rendered, no script."""
    calm = _report(world, hours_ago=10)  # 62 hours left
    urgent = _report(world, hours_ago=60)  # 12 hours left
    response = _client(world.users["privacy_officer"]).get(reverse("incidents:incident_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Datalekkenregister" in body
    for incident, hours, red in ((calm, 61, False), (urgent, 11, True)):
        start = body.index(f'data-testid="incident-{incident.uuid}"')
        row = body[start : body.index("</tr>", start)]
        assert f"nog {hours} uur" in row, row
        assert ("co-countdown--urgent" in row) is red
    # The countdown needs no script: the only one in the body is the idle-timeout warning
    # (issue 7, docs/authentication.md), loaded from a static file.
    scripts = re.findall(r"<script[^>]*>", body.split("</head>")[1])
    assert [tag for tag in scripts if "session-timeout.js" not in tag] == []
    assert AccessEvent.objects.filter(action="incident.listed").exists()


def test_another_organisations_fg_gets_404(world):
    """R-DPIA-3: the FG of a party the incident does not concern cannot learn it exists (404,
    logged), nor act on it."""
    incident = _report(world, parties=[world.school])
    municipality_fg = world.users["privacy_officer"]
    client = _client(municipality_fg)
    url = reverse("incidents:incident_detail", kwargs={"uuid": incident.uuid})
    assert client.get(url).status_code == 404
    assert AccessEvent.objects.filter(
        actor=municipality_fg, action="access.denied", outcome="denied"
    ).exists()
    response = client.post(
        reverse("incidents:incident_assess", kwargs={"uuid": incident.uuid}),
        {"assess-risk_assessment": "none", "assess-risk_notes": "x"},
    )
    assert response.status_code == 404
    incident.refresh_from_db()
    assert incident.risk_assessment == ""
    listing = client.get(reverse("incidents:incident_list")).content.decode()
    assert str(incident.uuid) not in listing


def test_other_professional_gets_404_and_beheerder_sees_no_content(world):
    """R-DPIA-3: a colleague who did not report it gets 404; the beheerder of a concerned party
    sees the dates and steps but not what happened."""
    incident = _report(world)
    url = reverse("incidents:incident_detail", kwargs={"uuid": incident.uuid})
    assert _client(world.users["coordinator"]).get(url).status_code == 404
    response = _client(world.users["administrator"]).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Map met verslagen" not in body
    assert 'data-testid="metadata-only"' in body
    assert "Risico beoordelen" not in body  # no workflow for the beheerder


def test_fg_works_through_the_steps(world):
    """R-BREACH-4 through the pages: assess, AP report, subjects, close; a refused close shows
    its message and closes nothing."""
    incident = _report(world)
    client = _client(world.users["privacy_officer"])
    detail = reverse("incidents:incident_detail", kwargs={"uuid": incident.uuid})
    page = client.get(detail).content.decode()
    assert "Map met verslagen in de trein laten liggen." in page
    assert "1. Risico beoordelen" in page

    def post(step: str, data: dict) -> object:
        return client.post(
            reverse(f"incidents:incident_{step}", kwargs={"uuid": incident.uuid}), data
        )

    bad = post("assess", {"assess-risk_assessment": "high_risk", "assess-risk_notes": ""})
    assert bad.status_code == 400
    assert "Geef de onderbouwing van deze beoordeling." in bad.content.decode()
    assert (
        post(
            "assess", {"assess-risk_assessment": "high_risk", "assess-risk_notes": "BSN"}
        ).status_code
        == 302
    )
    refused = post("close", {"close-ap_not_notified_reason": ""})
    assert refused.status_code == 400
    assert "Leg de melding bij de Autoriteit Persoonsgegevens vast" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.closed_at is None
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert post("ap", {"ap-notified_at": now, "ap-reference": "M-2026-1"}).status_code == 302
    assert post("subjects", {"subjects-notified_at": now}).status_code == 302
    assert post("close", {}).status_code == 302
    incident.refresh_from_db()
    assert incident.closed_at is not None
    assert incident.ap_reference == "M-2026-1"
    assert incident.subjects_notified_at is not None
    page = client.get(detail).content.decode()
    assert "Gemeld op" in page
    assert "M-2026-1" in page


def test_register_query_count_does_not_grow(world, django_assert_max_num_queries):
    """The register and the detail page take a fixed number of queries."""
    client = _client(world.users["privacy_officer"])
    _report(world)
    client.get(reverse("incidents:incident_list"))  # warm the session
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("incidents:incident_list"))
    for _ in range(5):
        _report(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("incidents:incident_list")).status_code == 200
    incident = Incident.objects.first()
    with django_assert_max_num_queries(16):
        client.get(reverse("incidents:incident_detail", kwargs={"uuid": incident.uuid}))


def test_fg_of_a_school_board_sees_its_schools_incidents(world):
    """R-DPIA-3: a school takes part through its board; the board's FG sees its incidents."""
    board = OrganisationFactory(region=world.school.region, name="Bestuur")
    world.school.parent = board
    world.school.save()
    board_fg = _staff("board_fg", Role.PRIVACY_OFFICER, board)
    incident = _report(world, parties=[world.school])
    assert incident in incidents.incidents_visible_to(board_fg)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:00"])
def test_impossible_moments_are_refused_at_the_field(world, moment):
    """Invariant 9: a discovery in year 1, in 9999 or before 2000 gets a message at its field,
    no server error, nothing written."""
    response = _client(world.users["professional"]).post(
        reverse("incidents:incident_report"),
        {
            "description": "Iets ging mis.",
            "discovered_at": moment,
            "n_subjects": "1",
            "affected_parties": [world.school.pk],
        },
    )
    assert response.status_code == 400
    assert 'id="id_discovered_at_error"' in response.content.decode()
    assert not Incident.objects.exists()
    incident = _report(world)
    response = _client(world.users["privacy_officer"]).post(
        reverse("incidents:incident_subjects", kwargs={"uuid": incident.uuid}),
        {"subjects-notified_at": moment},
    )
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.subjects_notified_at is None
