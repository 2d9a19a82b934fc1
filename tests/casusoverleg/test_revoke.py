"""Revoking a mis-shared item in one action (issue 7, SPEC R-BREACH-6).

`involved_professional` (the school) shared the world's items; a leerplicht officer of the
municipality is seated to read them.
"""

from django.test import Client
from django.urls import reverse

import pytest

from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.models import SharedItem
from casusoverleg.permissions import can_revoke
from convenant import incidents
from convenant.models import Incident
from core.permissions import grant
from tests.factories.casusoverleg import ParticipantFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def _seat(world, key: str):
    user = world.users[key]
    user.email = f"{key}@example.org"
    user.save(update_fields=["email"])
    ParticipantFactory(
        case=world.case, user=user, organisation=user.professional.organisation, accepted=True
    )
    grant(user, "casusoverleg.view_case", world.case)
    return user


def _reads(user, item: SharedItem) -> bool:
    return SharedItem.objects.visible_to(user).filter(pk=item.pk).exists()


def test_revoke_hides_the_item_from_a_recipient_and_opens_an_incident(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """R-BREACH-6: one action by the author hides the item from every reader at once, is
    logged, tells the readers (a link only) and opens a pre-filled incident that the owner
    party's FG is told about."""
    reader = _seat(world, "leerplicht")
    item = world.shared["education"]
    author = world.users["involved_professional"]
    client = login_verified(Client(), reader)
    case_url = reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})
    assert item.text in client.get(case_url).content.decode()

    author_client = login_verified(Client(), author)
    url = reverse("casusoverleg:shared_item_revoke", kwargs={"uuid": item.uuid})
    confirm = author_client.get(url)
    assert confirm.status_code == 200
    assert "Onterecht gedeeld: intrekken" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = author_client.post(url, {"note": "Verkeerde casus."})
    assert response.status_code == 302

    # The reader no longer sees it, in the same moment.
    assert not _reads(reader, item)
    assert item.text not in client.get(case_url).content.decode()
    # The owner party still reads its own record, marked.
    assert _reads(author, item)
    item.refresh_from_db()
    assert item.withheld_by == author
    assert "Ingetrokken" in item.withheld_reason

    incident = Incident.objects.get()
    assert incident.shared_item == item
    assert list(incident.affected_parties.all()) == [item.owner]
    assert list(incident.data_categories.all()) == [item.category]
    assert incident.n_subjects == 1
    assert incident.reported_by == author
    assert "Verkeerde casus." in incident.description
    assert item.text not in incident.description  # the content stays in the case
    assert AccessEvent.objects.filter(action="share.revoked", actor=author).count() == 1
    assert AccessEvent.objects.filter(action="incident.reported", actor=author).count() == 1
    # The reader was told it was withdrawn; the school's FG contact got the breach e-mail.
    to = {address for message in mailoutbox for address in message.to}
    assert "leerplicht@example.org" in to
    assert "fg@example.org" in to
    for message in mailoutbox:
        assert item.text not in message.body
        assert "Zoë" not in message.body
    incident.refresh_from_db()
    assert incident.parties_notified_at is not None


def test_who_may_revoke(world):
    """R-BREACH-6: the author, the owner party's professionals and the procesregisseur; not a
    reader of another party. A reader of another party gets 403 and nothing changes."""
    item = world.shared["education"]
    reader = _seat(world, "leerplicht")
    assert can_revoke(world.users["involved_professional"], item)  # author
    assert can_revoke(world.users["case_coordinator"], item)  # procesregisseur
    assert not can_revoke(reader, item)
    response = login_verified(Client(), reader).post(
        reverse("casusoverleg:shared_item_revoke", kwargs={"uuid": item.uuid}), {}
    )
    assert response.status_code == 403
    assert _reads(reader, item)
    assert not Incident.objects.exists()
    # An outsider cannot learn the item exists.
    response = login_verified(Client(), world.users["coordinator"]).get(
        reverse("casusoverleg:shared_item_revoke", kwargs={"uuid": item.uuid})
    )
    assert response.status_code == 404


def test_the_procesregisseur_revokes_once(world):
    """R-BREACH-6: the procesregisseur revokes; a second revoke is not offered, and the
    procesregisseur follows the incident as its reporter."""
    item = world.shared["health"]
    incident = services.shared_item_revoke(actor=world.users["case_coordinator"], item=item)
    item.refresh_from_db()
    assert item.is_withheld
    assert not can_revoke(world.users["case_coordinator"], item)
    assert incident in incidents.incidents_visible_to(world.users["case_coordinator"])


def test_case_page_offers_revoke_to_the_author(world):
    """R-BREACH-6: the link sits on the shared item on the case page."""
    item = world.shared["education"]
    body = (
        login_verified(Client(), world.users["involved_professional"])
        .get(reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid}))
        .content.decode()
    )
    assert f'data-testid="revoke-{item.uuid}"' in body


def test_a_revoked_item_cannot_be_provided_again(world):
    """R-BREACH-6: "verstrekken" of a revoked item is refused, so the breach is not repeated;
    the youth-care professional of the owner party revokes their own item."""
    from django.core.exceptions import ValidationError

    from convenant.models import DataCategory, LegalBasis
    from tests.factories.casusoverleg import SharedItemFactory

    care = _seat(world, "youth_care")
    item = SharedItemFactory(
        case=world.case,
        meeting=world.meeting,
        author=care,
        category=DataCategory.objects.get(code="C6"),
        legal_basis=LegalBasis.objects.get(code="jeugdhulp-health"),
        text="Jeugdhulp is betrokken.",
    )
    services.shared_item_revoke(actor=care, item=item)
    item.refresh_from_db()
    with pytest.raises(ValidationError, match=r"ingetrokken|revoked"):
        services.shared_item_release(actor=care, item=item)
    item.refresh_from_db()
    assert item.is_withheld
