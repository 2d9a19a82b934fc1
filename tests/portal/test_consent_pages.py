"""Consents from the family's side (issue 6): the list, one consent, deciding with one clear
action and a confirmation, and the receipts (SPEC R-6-2, R-AGE-1, R-AGE-4, invariant 7)."""

import io

from django.urls import reverse
from django.utils import timezone

import pytest
from pypdf import PdfReader

from audit.choices import Action
from audit.models import AccessEvent
from casusoverleg.choices import Response
from casusoverleg.models import SharedItem
from casusoverleg.querysets import VIEW_CASE
from consent.age import Consenter
from consent.choices import ConsenterKind, ConsentStatus, DecisionKind, ReceiptKind
from consent.services import consent_decide, consent_request, consents_apply_calendar
from convenant.models import DataCategory
from core.permissions import grant
from tests.factories.casusoverleg import SharedItemFactory

from .family import allow_parent, client_for, set_age

pytestmark = pytest.mark.django_db


def _detail(consent) -> str:
    return reverse("portal:consent_detail", kwargs={"uuid": consent.uuid})


def _decide(consent) -> str:
    return reverse("portal:consent_decide", kwargs={"uuid": consent.uuid})


def _list(world) -> str:
    return reverse("portal:consent_list", kwargs={"youth": world.youth.uuid})


def _ask(world, **kwargs):
    """The school asks the family's consent to share C2 with the municipality (pending)."""
    today = timezone.localdate()
    return consent_request(
        actor=world.users["case_coordinator"],
        case=world.case,
        categories=[DataCategory.objects.get(code="C2")],
        recipients=[world.municipality],
        valid_from=today,
        valid_until=today.replace(year=today.year + 1),
        **kwargs,
    )


def _leerplicht_at_the_table(world):
    """The invited leerplicht officer accepts: a seat and the case grant (a recipient)."""
    seat = world.participants["invited_professional"]
    seat.response = Response.ACCEPTED
    seat.responded_at = timezone.now()
    seat.save()
    grant(seat.user, VIEW_CASE, world.case)
    return seat.user


# --- Who sees a consent --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["parent_without_authority", "other_parent", "other_youth"])
@pytest.mark.parametrize("name", ["portal:consent_detail", "portal:consent_decide"])
def test_others_get_a_logged_404(world, who, name):
    """R-1-2, invariant 1: a consent of another family, or without gezag, does not exist."""
    url = reverse(name, kwargs={"uuid": world.consent.uuid})
    client = client_for(world, who)
    assert client.get(url).status_code == 404
    if name == "portal:consent_decide":
        assert client.post(url, {"action": "withdraw"}).status_code == 404
    world.consent.refresh_from_db()
    assert world.consent.status == ConsentStatus.VALID
    assert AccessEvent.objects.filter(actor=world.users[who], action=Action.ACCESS_DENIED).exists()


def test_parent_of_a_sixteen_year_old_gets_404_on_a_consent_without_permission(world):
    """R-AGE-5, AVG art. 7(3): objects behind the 16+ wall answer 404 to the parent: a consent
    they did not give, and the youth's receipt of one they did; with permission, 200. Their own
    consent and receipt stay theirs (to withdraw)."""
    from tests.factories.consent import ConsentFactory

    set_age(world, 16)
    client = client_for(world, "parent")
    not_theirs = ConsentFactory(case=world.case, agreed_with=world.users["case_coordinator"])
    assert client.get(_detail(not_theirs)).status_code == 404
    youths = world.consent.receipts.get(decision__consenter_kind="youth")
    own = world.consent.receipts.get(decision__consenter_kind="parent")
    assert client.get(_receipt(youths)).status_code == 404
    assert client.get(_detail(world.consent)).status_code == 200
    assert client.get(_receipt(own)).status_code == 200
    allow_parent(world)
    assert client.get(_detail(not_theirs)).status_code == 200


def _receipt(receipt) -> str:
    return reverse("portal:receipt_download", kwargs={"uuid": receipt.uuid})


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_consent_list_shows_scope_deciders_and_status(world, who):
    """R-6-2 (a)-(c), R-AGE-1: who asked, what, to whom, why, until when, and who decided."""
    response = client_for(world, who).get(_list(world))
    assert response.status_code == 200
    (row,) = response.context["page"].rows
    assert row.consent == world.consent
    assert [c.code for c in row.categories] == ["C2"]
    assert row.recipients == [world.municipality]
    people = [person for group in row.required for person in group]
    assert {p.decision for p in people} == {DecisionKind.GIVEN}
    assert sum(p.is_you for p in people) == 1
    assert row.actions == ["withdraw"]
    body = response.content.decode()
    assert world.municipality.name in body
    assert world.consent.purpose.name in body
    assert "Valid: the data may be shared" in body
    event = AccessEvent.objects.get(actor=world.users[who], action=Action.CONSENT_VIEWED)
    assert event.youth_uuid == world.youth.uuid


def test_a_consent_waiting_for_the_user_comes_first_with_give_and_refuse(world):
    """Issue 6: what waits for THIS user is highlighted, with one clear action each."""
    asked = _ask(world)
    response = client_for(world, "parent").get(_list(world))
    page = response.context["page"]
    assert [r.consent for r in page.waiting] == [asked]
    assert page.waiting[0].actions == ["give", "refuse"]
    body = response.content.decode()
    assert 'data-testid="consents-waiting"' in body
    assert f"{_decide(asked)}?action=give" in body


# --- Deciding ------------------------------------------------------------------------------------


def test_the_confirmation_page_explains_the_effect_and_changes_nothing(world):
    """Issue 6: 'Are you sure?' in plain words; a GET decides nothing."""
    asked = _ask(world)
    response = client_for(world, "youth").get(f"{_decide(asked)}?action=give")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Are you sure?" in body
    assert 'data-testid="effect"' in body
    assert world.municipality.name in body
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.PENDING
    assert not asked.decisions.exists()


def test_an_action_that_is_not_possible_leads_back_to_the_consent(world):
    """A GET for an action the user cannot take offers no confirmation."""
    response = client_for(world, "parent").get(f"{_decide(world.consent)}?action=give")
    assert response.status_code == 302
    assert response.url == _detail(world.consent)


def test_give_by_both_makes_it_valid_and_withdraw_hides_the_item_at_once(world):
    """R-AGE-1, R-6-2, invariant 7: the youth (14) and the parent give consent in the portal;
    the item shared on it reaches the municipality's officer; the parent withdraws and the
    officer no longer reads it, in the same request. Each step has a receipt."""
    officer = _leerplicht_at_the_table(world)
    asked = _ask(world)
    item = SharedItemFactory(
        case=world.case,
        author=world.users["involved_professional"],
        shared_on_consent=True,
        consent=asked,
        text="Verzuim in oktober: 6 lesuren.",
    )
    assert not SharedItem.objects.visible_to(officer).filter(pk=item.pk).exists()

    youth = client_for(world, "youth")
    response = youth.post(_decide(asked), {"action": "give"})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.PENDING  # the parent has not decided yet
    parent = client_for(world, "parent")
    response = parent.post(_decide(asked), {"action": "give"}, follow=True)
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.VALID
    receipt = asked.receipts.order_by("-created_at", "-id").first()
    assert response.redirect_chain[-1][0].startswith(_detail(asked))
    body = response.content.decode()
    assert "Your consent is recorded." in body
    assert reverse("portal:receipt_download", kwargs={"uuid": receipt.uuid}) in body
    assert 'data-testid="new-receipt"' in body
    assert SharedItem.objects.visible_to(officer).filter(pk=item.pk).exists()

    response = parent.post(_decide(asked), {"action": "withdraw", "reason": ""}, follow=True)
    assert "Your consent is withdrawn." in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.WITHDRAWN
    assert not SharedItem.objects.visible_to(officer).filter(pk=item.pk).exists()
    # The item stays with its owner.
    assert (
        SharedItem.objects.visible_to(world.users["involved_professional"])
        .filter(pk=item.pk)
        .exists()
    )
    assert [r.kind for r in asked.receipts.order_by("created_at", "id")] == [
        ReceiptKind.GIVEN,
        ReceiptKind.GIVEN,
        ReceiptKind.WITHDRAWN,
    ]
    assert AccessEvent.objects.filter(
        actor=world.users["parent"], action=Action.CONSENT_WITHDRAWN
    ).exists()


def test_refusing_ends_the_consent(world):
    """R-6-2: a refusal by a required person: the consent is refused and carries nothing."""
    asked = _ask(world)
    response = client_for(world, "youth").post(
        _decide(asked), {"action": "refuse", "reason": "Ik wil dit niet."}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.REFUSED
    assert asked.decisions.get().reason == "Ik wil dit niet."


def test_a_decision_the_service_refuses_is_shown_with_400_and_changes_nothing(world):
    """Invariant 9: giving a consent that is valid already is refused with the reason."""
    response = client_for(world, "parent").post(_decide(world.consent), {"action": "give"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    world.consent.refresh_from_db()
    assert world.consent.status == ConsentStatus.VALID
    assert world.consent.decisions.count() == 2


def test_an_unknown_action_is_refused(world):
    """Invariant 9: a made-up action is refused, nothing is recorded."""
    response = client_for(world, "parent").post(_decide(world.consent), {"action": "maybe"})
    assert response.status_code == 400
    assert world.consent.decisions.count() == 2


def test_a_youth_of_sixteen_confirms_a_consent_only_the_parents_gave(world):
    """R-AGE-4, R-AGE-1: given by the parent when the youth was 11; at 16 it waits for the
    youth, who confirms it in the portal; the parent sees that it waits for the youth."""
    set_age(world, 11)
    asked = _ask(world)
    consent_decide(
        actor=world.users["parent"],
        consent=asked,
        consenter=Consenter(ConsenterKind.PARENT, world.guardian.pk),
        kind=DecisionKind.GIVEN,
    )
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.VALID
    set_age(world, 16)
    assert consents_apply_calendar()["flagged"] >= 1
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.RECONFIRM

    allow_parent(world)
    parent_page = client_for(world, "parent").get(_list(world)).context["page"]
    (parent_row,) = [r for r in parent_page.rows if r.consent == asked]
    assert parent_row.waits_for_youth
    assert "confirm" not in parent_row.actions

    youth = client_for(world, "youth")
    page = youth.get(_list(world)).context["page"]
    (row,) = [r for r in page.waiting if r.consent == asked]
    assert row.actions == ["confirm", "withdraw"]
    assert youth.get(f"{_decide(asked)}?action=confirm").status_code == 200
    response = youth.post(_decide(asked), {"action": "confirm"})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.VALID
    assert asked.receipts.order_by("-created_at", "-id").first().kind == ReceiptKind.RECONFIRMED


def test_a_parent_cannot_confirm_for_the_youth(world):
    """R-AGE-4: only the youth confirms; the parent's POST is refused and changes nothing."""
    set_age(world, 11)
    asked = _ask(world)
    consent_decide(
        actor=world.users["parent"],
        consent=asked,
        consenter=Consenter(ConsenterKind.PARENT, world.guardian.pk),
        kind=DecisionKind.GIVEN,
    )
    set_age(world, 16)
    consents_apply_calendar()
    allow_parent(world)
    response = client_for(world, "parent").post(_decide(asked), {"action": "confirm"})
    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == ConsentStatus.RECONFIRM


# --- Receipts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "youth"])
def test_receipts_are_pdfs_that_match_the_decision(world, who):
    """Issue 6: each decision's receipt downloads as a PDF with its fields and hash; the
    download is logged and never cached."""
    for receipt in world.consent.receipts.all():
        url = reverse("portal:receipt_download", kwargs={"uuid": receipt.uuid})
        response = client_for(world, who).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "no-store"
        data = b"".join(response.streaming_content)
        assert data.startswith(b"%PDF")
        text = "".join(
            "".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
        )
        assert receipt.sha256 in text
        assert str(receipt.uuid) in text
        assert str(world.consent.uuid) in text
        assert "".join(receipt.payload["pii_principal"]["name"].split()) in text
        receipt.refresh_from_db()
        assert receipt.pdf_sha256
        assert AccessEvent.objects.filter(
            actor=world.users[who],
            action=Action.DOCUMENT_DOWNLOADED,
            object_id=str(receipt.uuid),
            youth_uuid=world.youth.uuid,
        ).exists()


def test_a_receipt_of_another_family_is_404(world):
    """Invariant 1: receipts are for those who may see the consent."""
    url = reverse("portal:receipt_download", kwargs={"uuid": world.consent.receipts.first().uuid})
    assert client_for(world, "other_parent").get(url).status_code == 404


# --- Query counts --------------------------------------------------------------------------------


def test_consent_detail_query_count_does_not_grow(world, django_assert_max_num_queries):
    """STYLE §4.8: a consent's page costs the same with more decisions and receipts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    asked = _ask(world)
    client = client_for(world, "parent")
    client.get(_detail(asked))
    with CaptureQueriesContext(connection) as before:
        client.get(_detail(asked))
    baseline = len(before)  # now: the next request resets the connection's query log
    client_for(world, "youth").post(_decide(asked), {"action": "give"})
    client.post(_decide(asked), {"action": "give"})
    client.post(_decide(asked), {"action": "withdraw"})
    with django_assert_max_num_queries(baseline):
        response = client.get(_detail(asked))
    assert len(response.context["row"].receipts) == 3
