"""'Who may look along?' (issue 6; SPEC §6, R-AGE-5, R-AGE-6): the youth of 16 or older allows
a parent to see their data, or stops it; with permission the parent reads the minutes again."""

from django.urls import reverse

import pytest

from audit.choices import Action
from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.choices import CaseStatus
from consent.models import ParentAccess

from .family import client_for, set_age

pytestmark = pytest.mark.django_db

URL = reverse("portal:parent_access")
ENTRY_TEXT = "De leerling is sinds september vaker afwezig."  # MinutesEntryFactory's text


def _shared(world) -> str:
    return reverse("portal:youth_shared", kwargs={"youth": world.youth.uuid})


def test_under_sixteen_the_page_explains_and_offers_nothing(world):
    """SPEC §6: under 16 the parents with gezag see the data anyway."""
    response = client_for(world, "youth").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="under-sixteen"' in body
    assert "actie=allow" not in body
    assert AccessEvent.objects.filter(
        actor=world.users["youth"], action=Action.YOUTH_VIEWED, youth_uuid=world.youth.uuid
    ).exists()


@pytest.mark.parametrize("who", ["parent", "parent_without_authority", "other_parent"])
def test_parents_are_refused_by_role(world, who):
    """R-AGE-5: only the youth decides; a parent gets a logged 403 and changes nothing."""
    set_age(world, 16)
    client = client_for(world, who)
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"guardian": str(world.guardian.uuid), "action": "allow"})
    assert response.status_code == 403
    assert not ParentAccess.objects.exists()


def test_the_youth_allows_and_stops_a_parent(world):
    """R-AGE-5, R-AGE-6: one clear action with a confirmation; the parent sees at once, and no
    longer once it is stopped. Only parents with gezag are listed."""
    set_age(world, 16)
    youth = client_for(world, "youth")
    page = youth.get(URL).context["page"]
    assert [line.guardian for line in page.parents] == [world.guardian]
    confirm = youth.get(f"{URL}?ouder={world.guardian.uuid}&actie=allow")
    assert 'data-testid="effect"' in confirm.content.decode()
    assert not ParentAccess.objects.exists()

    parent = client_for(world, "parent")
    assert 'data-testid="restricted"' in parent.get(_shared(world)).content.decode()
    response = youth.post(URL, {"guardian": str(world.guardian.uuid), "action": "allow"})
    assert response.status_code == 302
    assert ParentAccess.objects.live().filter(guardian=world.guardian).exists()
    assert world.shared["education"].text in parent.get(_shared(world)).content.decode()

    response = youth.post(
        URL, {"guardian": str(world.guardian.uuid), "action": "stop"}, follow=True
    )
    assert "can no longer see your data" in response.content.decode()
    assert not ParentAccess.objects.live().exists()
    assert 'data-testid="restricted"' in parent.get(_shared(world)).content.decode()
    assert AccessEvent.objects.filter(action=Action.PARENT_ACCESS_WITHDRAWN).exists()


def test_another_youth_cannot_allow_this_youths_parent(world):
    """Invariant 1: a parent not of one's own is not in one's list; nothing is changed."""
    set_age(world, 16)
    response = client_for(world, "other_youth").post(
        URL, {"guardian": str(world.guardian.uuid), "action": "allow"}
    )
    assert response.status_code == 302
    assert not ParentAccess.objects.exists()


def test_allowing_under_sixteen_is_refused(world):
    """SPEC §6: under 16 there is nothing to allow; the service refuses, nothing is stored."""
    response = client_for(world, "youth").post(
        URL, {"guardian": str(world.guardian.uuid), "action": "allow"}
    )
    assert response.status_code == 400
    assert not ParentAccess.objects.exists()


def test_with_permission_the_parent_reads_the_minutes_again(world):
    """SPEC §6, R-12-3, R-AGE-5: from 16 the minutes reach the parent only with the youth's
    permission."""
    set_age(world, 16)
    world.case.status = CaseStatus.MINUTES_ADOPTED
    world.case.save(update_fields=["status"])
    services.minutes_share_with_family(actor=world.users["case_coordinator"], case=world.case)
    detail = reverse("portal:case_detail", kwargs={"uuid": world.case.uuid})
    parent = client_for(world, "parent")
    assert ENTRY_TEXT not in parent.get(detail).content.decode()
    client_for(world, "youth").post(URL, {"guardian": str(world.guardian.uuid), "action": "allow"})
    response = parent.get(detail)
    assert ENTRY_TEXT in response.content.decode()
    assert response.context["page"].receives_minutes


def test_a_parent_can_withdraw_what_they_gave_after_the_youth_turned_16(world):
    """AVG art. 7(3), R-AGE-5, invariant 7: from 16 the parent no longer sees the youth's data,
    but a consent the parent gave stays theirs to withdraw: it is listed (scope only) and the
    withdrawal works; a consent they did not give stays hidden (404)."""
    from datetime import date

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from consent.choices import ConsentStatus
    from tests.helpers import login_verified

    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 16, today.month, 1)
    world.youth.save()
    client = login_verified(Client(), world.guardian.user)
    listing = client.get(reverse("portal:consent_list", kwargs={"youth": world.youth.uuid}))
    assert b'data-testid="consents-own"' in listing.content
    for item in world.shared.values():
        assert item.text.encode() not in listing.content
    url = reverse("portal:consent_decide", kwargs={"uuid": world.consent.uuid})
    assert client.get(url + "?action=withdraw").status_code == 200
    response = client.post(url, {"action": "withdraw", "reason": ""})
    assert response.status_code == 302
    world.consent.refresh_from_db()
    assert world.consent.status == ConsentStatus.WITHDRAWN


def test_a_restricted_parent_files_with_the_procesregisseurs_organisation_only(world):
    """R-AGE-5, R-13-3: from 16, without the youth's permission, the request form does not list
    which other organisations shared data; the procesregisseur's organisation forwards."""
    from datetime import date

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from tests.factories.casusoverleg import SharedItemFactory
    from tests.helpers import login_verified

    SharedItemFactory(case=world.case, author=world.users["youth_care"], text="Hulp loopt.")
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 16, today.month, 1)
    world.youth.save()
    client = login_verified(Client(), world.guardian.user)
    page = client.get(reverse("portal:request_create", kwargs={"youth": world.youth.uuid}))
    assert page.status_code == 200
    assert b"Testjeugdhulp" not in page.content
    assert b"Testschool" in page.content
    world.youth.date_of_birth = date(today.year - 14, today.month, 1)
    world.youth.save()
    page = client.get(reverse("portal:request_create", kwargs={"youth": world.youth.uuid}))
    assert b"Testjeugdhulp" in page.content
