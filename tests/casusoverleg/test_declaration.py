"""The yearly geheimhoudingsverklaring before any case page (SPEC art. 11, R-11-1, issue 7)."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from audit.models import AccessEvent
from parties import confidentiality
from parties.models import ConfidentialityDeclaration
from tests.factories.parties import declare
from tests.helpers import login_verified
from tests.urls import routes

pytestmark = pytest.mark.django_db

DECLARATION = "/werkplek/geheimhoudingsverklaring/"


def _undeclared(world, who: str):
    """`who` of the world, with every acceptance of theirs removed."""
    user = world.users[who]
    ConfidentialityDeclaration.objects.filter(user=user).delete()
    return user


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


@pytest.mark.parametrize("who", ["involved_professional", "case_coordinator"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_case_url_answers_before_the_declaration(world, who, method):
    """R-11-1: with no declaration, every URL of the workplace (casusoverleg namespace) but the
    declaration page sends the professional to it, and none shows any data of the case."""
    user = _undeclared(world, who)
    client = login_verified(Client(), user)
    workplace = [
        r for r in routes(world) if r.name.startswith("casusoverleg:") and r.path != DECLARATION
    ]
    assert len(workplace) > 40
    before = AccessEvent.objects.filter(actor=user).count()
    wrong = []
    for route in workplace:
        response = getattr(client, method)(route.path)
        if response.status_code != 302 or not response.url.startswith(DECLARATION):
            wrong.append((str(route), response.status_code))
            continue
        leaked = [text for text in world.pii() if text in _body(response)]
        assert not leaked, (route, leaked)
        if method == "get":
            assert response.url == f"{DECLARATION}?next={route.path.replace('/', '%2F')}"
    assert not wrong, f"answered without the declaration: {wrong}"
    # Nothing was read: no access event (no "viewed", no "listed") was written.
    assert AccessEvent.objects.filter(actor=user).count() == before
    assert not ConfidentialityDeclaration.objects.filter(user=user).exists()


def test_accepting_opens_the_case_and_is_logged(world):
    """R-11-1: the declaration is accepted with a ticked box; the acceptance is stored with its
    time, version and the text's hash, logged, and the case then opens."""
    user = _undeclared(world, "involved_professional")
    client = login_verified(Client(), user)
    case_url = reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})
    first = client.get(case_url)
    assert first.status_code == 302
    page = client.get(first.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Geheimhoudingsverklaring" in text
    assert "ook nadat" in text  # art. 11: confidentiality continues after leaving
    # Without the box ticked nothing is stored and the message is at the field.
    refused = client.post(DECLARATION, {"next": case_url})
    assert refused.status_code == 400
    assert "Vink het vakje aan" in refused.content.decode()
    assert not ConfidentialityDeclaration.objects.filter(user=user).exists()
    assert not AccessEvent.objects.filter(actor=user, action="declaration.accepted").exists()
    accepted = client.post(DECLARATION, {"agree": "on", "next": case_url})
    assert accepted.status_code == 302
    assert accepted.url == case_url
    row = ConfidentialityDeclaration.objects.get(user=user)
    assert row.version == confidentiality.VERSION
    assert row.text_sha256 == confidentiality.text_sha256()
    assert abs((timezone.now() - row.accepted_at).total_seconds()) < 60
    event = AccessEvent.objects.get(actor=user, action="declaration.accepted")
    assert event.object_id == str(row.pk)
    assert world.youth.family_name in client.get(case_url).content.decode()


def test_next_must_stay_on_the_site(world):
    """R-11-1: the page only sends on to a path of this site (no open redirect)."""
    user = _undeclared(world, "professional")
    client = login_verified(Client(), user)
    response = client.post(DECLARATION, {"agree": "on", "next": "https://evil.example/"})
    assert response.url == reverse("casusoverleg:dashboard")


def test_a_year_later_the_declaration_is_asked_again(world):
    """R-11-1: an acceptance holds for 365 days; on day 366 the next case page asks again."""
    user = _undeclared(world, "involved_professional")
    declare(user, accepted_at=timezone.now())
    client = login_verified(Client(), user)
    case_url = reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})
    assert client.get(case_url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=364)):
        client = login_verified(Client(), user)
        assert client.get(case_url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=366)):
        client = login_verified(Client(), user)
        response = client.get(case_url)
        assert response.status_code == 302
        assert response.url.startswith(DECLARATION)
        page = client.get(DECLARATION).content.decode()
        assert "laatst" in page


def test_a_new_version_is_asked_again(world, monkeypatch):
    """R-11-1: when the text gets a new version, everyone is asked again, also those who
    accepted the old one last week."""
    user = world.users["involved_professional"]
    client = login_verified(Client(), user)
    case_url = reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})
    assert client.get(case_url).status_code == 200
    monkeypatch.setattr(confidentiality, "VERSION", "2099-1")
    response = client.get(case_url)
    assert response.status_code == 302
    assert response.url.startswith(DECLARATION)
    client.post(DECLARATION, {"agree": "on"})
    assert ConfidentialityDeclaration.objects.filter(user=user, version="2099-1").count() == 1
    # The old acceptance stays: the history is append-only.
    assert ConfidentialityDeclaration.objects.filter(user=user).count() == 2
    assert client.get(case_url).status_code == 200


@pytest.mark.parametrize("who", ["privacy_officer", "administrator"])
def test_fg_and_beheerder_are_not_asked(world, who):
    """R-11-1, R-DPIA-3: FGs and beheerders see no case content; they are not sent to the
    declaration (the FG still reaches the organisation's rights requests)."""
    user = world.users[who]
    assert not ConfidentialityDeclaration.objects.filter(user=user).exists()
    client = login_verified(Client(), user)
    response = client.get(reverse("casusoverleg:request_list"))
    assert response.status_code == (200 if who == "privacy_officer" else 403)


def test_the_declaration_page_is_for_professionals_only(world):
    """A parent gets 403 (logged) on the declaration page: it is not theirs to accept."""
    user = world.users["parent"]
    client = login_verified(Client(), user)
    assert client.get(DECLARATION).status_code == 403
    assert AccessEvent.objects.filter(actor=user, action="access.denied").exists()


@pytest.mark.postgres
def test_an_acceptance_cannot_be_changed(world):
    """R-11-1: the stored acceptance is evidence; the database refuses an UPDATE."""
    from django.db import InternalError, ProgrammingError, connection, transaction

    row = ConfidentialityDeclaration.objects.filter(user=world.users["professional"]).first()
    with (
        pytest.raises((InternalError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE parties_confidentialitydeclaration SET version = 'x' WHERE id = %s", [row.pk]
        )


def test_an_htmx_request_is_sent_to_the_declaration_page_whole(world):
    """R-11-1: a fragment request (htmx) gets no fragment and no data, but an HX-Redirect to
    the declaration page, so the browser opens that page instead of swapping it into a part."""
    user = _undeclared(world, "involved_professional")
    client = login_verified(Client(), user)
    url = reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(DECLARATION)
    assert response.content == b""
