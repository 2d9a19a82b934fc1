"""Shared data (gedeelde gegevens) in the browser's terms: the case page, the share, correct,
delete and (not) provide pages, the minutes and the minutes PDF.

Who is who in the world: `involved_professional` (the school, at the table) shared the two items
of `world.shared`, an education fact and a health item; the school is their owner party. The
tests seat a leerplicht officer (municipality: may read ordinary data, no ground for health data
without consent) and a youth-care professional (beroepsgeheim) where they need them.
"""

import re

from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg.choices import CaseStatus, DocumentKind, EntryKind
from casusoverleg.documents import document_context
from casusoverleg.forms.minutes import MinutesEntryForm
from casusoverleg.models import SharedItem
from casusoverleg.permissions import ItemAction, can_item
from casusoverleg.views.sharing import item_rows
from convenant.models import DataCategory, LegalBasis
from core.forms import BSN_WARNING
from core.minimisation import MINIMISATION_HINT
from core.permissions import grant
from parties.models import Organisation
from portal.forms import StatementForm
from tests.factories.casusoverleg import (
    CaseDocumentFactory,
    ParticipantFactory,
    SharedItemFactory,
)
from tests.factories.consent import ConsentFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

# Nine digits that pass the elfproef: what a BSN looks like (R-5-3).
BSN_LIKE = "111222333"
BSN_MESSAGE_NL = (
    "Dit lijkt op een BSN. Een BSN hoort niet in een casusoverleg. Haal het weg, of bevestig "
    "dat het geen BSN is."
)


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _seat(world, key: str):
    """Seat `world.users[key]` at the world's case: accepted, with the case grant and an
    e-mail address for the notifications (R-8-2)."""
    user = world.users[key]
    user.email = f"{key}@example.org"
    user.save(update_fields=["email"])
    participant = ParticipantFactory(
        case=world.case, user=user, organisation=user.professional.organisation, accepted=True
    )
    grant(user, "casusoverleg.view_case", world.case)
    return participant


def _care_item(world, **kwargs) -> SharedItem:
    """An item the youth-care professional's party shared (needs them seated)."""
    user = world.users["youth_care"]
    return SharedItemFactory(
        case=world.case,
        meeting=world.meeting,
        author=user,
        category=DataCategory.objects.get(code="C6"),
        legal_basis=LegalBasis.objects.get(code="jeugdhulp-health"),
        text="Jeugdhulp is sinds maart betrokken bij het gezin.",
        **kwargs,
    )


def _case_url(world) -> str:
    return reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})


def _url(name: str, item: SharedItem) -> str:
    return reverse(f"casusoverleg:{name}", kwargs={"uuid": item.uuid})


def _share_url(world) -> str:
    return reverse("casusoverleg:shared_item_create", kwargs={"uuid": world.case.uuid})


def _share_data(**overrides) -> dict:
    """A valid share by the school: an education fact on the school's basis, for everyone."""
    data = {
        "category": DataCategory.objects.get(code="C2").pk,
        "kind": EntryKind.FACT,
        "text": "Leest op niveau groep 4; krijgt twee keer per week extra leesles.",
        "legal_basis": LegalBasis.objects.get(code="school-ordinary").pk,
        "audience": "all",
    }
    data.update(overrides)
    return data


def _field_error(body: str, field: str) -> str:
    """The text of the error block next to `field` (empty when there is none)."""
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


# --- The case page ----------------------------------------------------------------------------


def test_case_page_shows_each_item_with_source_owner_basis_date_and_tag(world):
    """R-8-1, R-2-1, R-4-2: a reader sees the category, the fact/opinion/agreement tag, the text,
    the source (author and organisation), the owner party, the basis with its statute, the date
    and who reads it."""
    _seat(world, "leerplicht")
    item = world.shared["education"]

    body = _client(world.users["leerplicht"]).get(_case_url(world)).content.decode()

    section = body[body.index('id="shared-items"') :]
    assert "Gedeelde gegevens" in body
    assert "C2 — Onderwijsgegevens" in section
    assert ">Feit<" in section
    assert item.text in section
    assert f"{item.author.get_full_name()} (Testschool)" in section  # the source
    assert "Eigenaar" in section
    assert "Testschool" in section
    assert item.legal_basis.label in section
    assert item.legal_basis.statute_reference in section
    assert timezone.localtime(item.created_at).strftime("%Y") in section
    assert "alle deelnemers" in section


def test_special_items_are_collapsed_and_marked(world):
    """R-DPIA-4, R-6-1: a health item is marked "bijzonder gegeven (gezondheid)" and its content
    sits in a closed <details>; an ordinary item is shown open."""
    body = _client(world.users["involved_professional"]).get(_case_url(world)).content.decode()
    health = world.shared["health"]
    education = world.shared["education"]

    health_block = body[body.index(f'id="item-{health.uuid}"') :]
    health_block = health_block[: health_block.index("</li>")]
    assert "Bijzonder gegeven (gezondheid)" in health_block
    assert "<details" in health_block
    assert "open" not in health_block.split("<details")[1][:40]
    assert health.text in health_block.split("<details")[1]
    education_block = body[body.index(f'id="item-{education.uuid}"') :]
    education_block = education_block[: education_block.index("</li>")]
    assert "<details" not in education_block
    assert education.text in education_block


def test_a_reader_without_a_ground_does_not_see_the_health_item(world):
    """R-6-1, R-T-3: leerplicht has no ground to receive health data without consent: the case
    page shows the education item, not the health item."""
    _seat(world, "leerplicht")

    body = _client(world.users["leerplicht"]).get(_case_url(world)).content.decode()

    assert world.shared["education"].text in body
    assert world.shared["health"].text not in body
    # The category code, as a word: "C4" can occur by chance inside the random CSRF token.
    assert not re.search(r"\bC4\b", body)


def test_withheld_items_are_shown_to_the_owner_party_only_with_reason(world):
    """R-6-3: an item marked "niet verstrekken" shows its badge and reason to its own party, and
    nothing to the others."""
    _seat(world, "youth_care")
    item = _care_item(
        world,
        withheld_at=timezone.now(),
        withheld_by=world.users["youth_care"],
        withheld_reason="Zou de behandelrelatie schaden.",
    )

    own = _client(world.users["youth_care"]).get(_case_url(world)).content.decode()
    other = _client(world.users["involved_professional"]).get(_case_url(world)).content.decode()

    assert "Niet verstrekken" in own
    assert "Zou de behandelrelatie schaden." in own
    assert item.text in own
    assert item.text not in other
    assert "Zou de behandelrelatie schaden." not in other


def test_narrowed_items_name_their_readers(world):
    """R-8-2: an item for some participants says who reads it."""
    seat = _seat(world, "leerplicht")
    item = SharedItemFactory(
        case=world.case,
        meeting=world.meeting,
        author=world.users["involved_professional"],
        audience_all=False,
        text="Alleen voor leerplicht.",
    )
    item.recipients.set([seat])

    body = _client(world.users["leerplicht"]).get(_case_url(world)).content.decode()

    block = body[body.index(f'id="item-{item.uuid}"') :]
    block = block[: block.index("</li>")]
    assert world.users["leerplicht"].get_full_name() in block
    assert "alle deelnemers" not in block


@pytest.mark.parametrize("who", ["involved_professional", "case_coordinator", "leerplicht"])
def test_owner_links_agree_with_the_policy_item_by_item(world, who):
    """R-8-2, R-2-1: the links to correct, delete and (not) provide an item show exactly where
    `can_item` allows them, for every item on the page (the page asks once per owner party)."""
    _seat(world, "leerplicht")
    user = world.users[who]

    body = _client(user).get(_case_url(world)).content.decode()

    for item in SharedItem.objects.visible_to(user):
        assert (_url("shared_item_rectify", item) in body) == can_item(
            user, ItemAction.MANAGE, item
        )
        assert (_url("shared_item_delete", item) in body) == can_item(user, ItemAction.MANAGE, item)
        assert (_url("shared_item_withhold", item) in body) == can_item(
            user, ItemAction.WITHHOLD, item
        )
    if who == "leerplicht":
        assert "/corrigeren/" not in body  # a reader, not the owner


def test_rows_and_policy_agree_for_every_item_and_owner(world):
    """The one-answer-per-owner shortcut of the page equals asking `can_item` per item."""
    _seat(world, "youth_care")
    _care_item(world)
    for key in ("involved_professional", "youth_care", "case_coordinator"):
        user = world.users[key]
        items = list(SharedItem.objects.visible_to(user).filter(case=world.case))
        for row in item_rows(user, world.case, items):
            assert row.can_manage == can_item(user, ItemAction.MANAGE, row.item)
            assert row.can_withhold == can_item(user, ItemAction.WITHHOLD, row.item)


def test_share_button_only_for_who_may_share(world):
    """R-7-2: "Gegevens delen" shows for someone at the table of an open case only."""
    _seat(world, "leerplicht")
    share = _share_url(world)
    assert (
        share
        in _client(world.users["involved_professional"]).get(_case_url(world)).content.decode()
    )
    assert share in _client(world.users["case_coordinator"]).get(_case_url(world)).content.decode()
    world.case.status = CaseStatus.CLOSED
    world.case.save(update_fields=["status"])
    assert (
        share not in _client(world.users["case_coordinator"]).get(_case_url(world)).content.decode()
    )


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(
        [
            q
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
    )


@pytest.mark.parametrize("who", ["involved_professional", "leerplicht"])
def test_case_page_costs_the_same_with_1_and_50_items(world, who):
    """Issue 4 "Proof", STYLE §4.8: the case page's query count does not grow with the number of
    shared items (no query per item for its category, basis, owner, author or readers)."""
    seat = _seat(world, "leerplicht")
    SharedItem.objects.filter(pk=world.shared["health"].pk).delete()
    user = world.users[who]
    client = _client(user)
    url = _case_url(world)
    client.get(url)  # warm the session and the content-type cache

    one = _page_queries(client, url)
    for number in range(49):
        item = SharedItemFactory(
            case=world.case,
            meeting=world.meeting,
            author=world.users["involved_professional"],
            text=f"Punt {number}",
            audience_all=number % 2 == 0,
        )
        if number % 2:
            item.recipients.set([seat])
    fifty = _page_queries(client, url)

    body = client.get(url).content.decode()
    assert body.count('class="co-shared-item ') == 50
    assert one == fifty


# --- Sharing ------------------------------------------------------------------------------------


def test_share_page_offers_only_allowed_categories_and_the_own_bases(world):
    """R-5-1, R-7-1, R-T-2, R-4-2: the form lists only the type's categories the author may
    share (no geoorloofd verzuim, no treatment information for a school), the school's own
    bases grouped by data class with their statute, and the minimisation hint; and explains
    in plain Dutch why the rest is missing."""
    response = _client(world.users["involved_professional"]).get(_share_url(world))
    body = response.content.decode()

    assert response.status_code == 200
    options = re.findall(r'<option value="\d+"[^>]*>(C\w+) —', body)
    assert options
    assert "C2" in options
    assert "C4" in options
    assert "C7" not in options  # treatment information: beroepsgeheim only
    assert "C3c" not in options
    assert "C9" not in options
    assert "C10" not in options
    assert '<optgroup label="Gewone gegevens">' in body
    assert '<optgroup label="Bijzondere gegevens (gezondheid)">' in body
    school = LegalBasis.objects.get(code="school-ordinary")
    assert f"{school.label} ({school.statute_reference})" in body
    assert "Samenwerkingsverband" not in body  # another party's basis
    assert "Alleen noodzakelijke feiten; geen gegevens van derden." in body
    assert "Behandelinformatie" in body
    assert "beroepsgeheim" in body
    assert 'name="withhold"' not in body  # not providing is for beroepsgeheim only


def test_share_saves_the_item_and_goes_back_to_the_case(world):
    """R-8-1, R-2-1: a valid share stores the item with its owner and author, logs it and
    returns to the case page with a Dutch message."""
    user = world.users["involved_professional"]
    client = _client(user)

    response = client.post(_share_url(world), _share_data(kind=EntryKind.OPINION), follow=True)

    item = next(
        row for row in SharedItem.objects.all() if row.text.startswith("Leest op niveau groep 4")
    )
    assert response.redirect_chain[-1][0] == f"{_case_url(world)}#shared-items"
    assert "Het gegeven is gedeeld." in response.content.decode()
    assert item.owner == world.school
    assert item.author == user
    assert item.kind == EntryKind.OPINION
    assert AccessEvent.objects.filter(action="share.added", actor=user).exists()


def test_a_refused_basis_shows_next_to_the_basis_and_saves_nothing(world):
    """R-4-4, invariant 9: health data on an ordinary basis is refused next to the basis field;
    nothing is saved."""
    before = SharedItem.objects.count()

    response = _client(world.users["involved_professional"]).post(
        _share_url(world), _share_data(category=DataCategory.objects.get(code="C4").pk)
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "bijzondere gegevens" in _field_error(body, "legal_basis")
    assert 'aria-invalid="true"' in body
    assert SharedItem.objects.count() == before


def test_chosen_audience_without_recipients_shows_next_to_recipients(world):
    """R-8-2: "only the people I choose" without anyone chosen is refused at the recipients."""
    before = SharedItem.objects.count()

    response = _client(world.users["involved_professional"]).post(
        _share_url(world), _share_data(audience="chosen")
    )

    assert _field_error(response.content.decode(), "recipients")
    assert SharedItem.objects.count() == before


def test_share_to_chosen_recipients_stores_them(world):
    """R-8-2: the chosen readers are stored; the item is no longer for everyone."""
    seat = _seat(world, "leerplicht")

    _client(world.users["involved_professional"]).post(
        _share_url(world), _share_data(audience="chosen", recipients=[str(seat.uuid)])
    )

    item = next(
        row for row in SharedItem.objects.all() if row.text.startswith("Leest op niveau groep 4")
    )
    assert not item.audience_all
    assert list(item.recipients.all()) == [seat]


def test_a_forged_category_is_refused(world):
    """R-5-1: a category outside the form's choices (geoorloofd verzuim) is never saved."""
    before = SharedItem.objects.count()

    response = _client(world.users["involved_professional"]).post(
        _share_url(world), _share_data(category=DataCategory.objects.get(code="C3c").pk)
    )

    assert _field_error(response.content.decode(), "category")
    assert SharedItem.objects.count() == before


def test_bsn_like_number_is_warned_and_can_be_confirmed(world):
    """R-5-3: a nine-digit number passing the elfproef gets the BSN warning next to the text and
    a confirm box; nothing is saved until the box is ticked."""
    client = _client(world.users["involved_professional"])
    text = f"Leerlingnummer {BSN_LIKE} in de administratie nagekeken."

    warned = client.post(_share_url(world), _share_data(text=text))
    body = warned.content.decode()

    assert BSN_MESSAGE_NL in _field_error(body, "text").replace("\n", " ")
    assert 'name="text_not_bsn"' in body
    assert not any(row.text == text for row in SharedItem.objects.all())

    confirmed = client.post(_share_url(world), _share_data(text=text, text_not_bsn="on"))

    assert confirmed.status_code == 302
    assert any(row.text == text for row in SharedItem.objects.all())


def test_youth_care_can_record_an_item_as_not_provided(world):
    """R-6-3: a professional with beroepsgeheim may record an item as "niet verstrekken" with a
    reason; then only their own party reads it. Without a reason nothing is saved."""
    _seat(world, "youth_care")
    client = _client(world.users["youth_care"])
    data = {
        "category": DataCategory.objects.get(code="C6").pk,
        "kind": EntryKind.FACT,
        "text": "Gezin krijgt ambulante hulp.",
        "legal_basis": LegalBasis.objects.get(code="jeugdhulp-health").pk,
        "audience": "all",
        "withhold": "on",
    }
    page = client.get(_share_url(world)).content.decode()
    assert 'name="withhold"' in page

    refused = client.post(_share_url(world), {**data, "withhold_reason": ""})
    assert _field_error(refused.content.decode(), "withhold_reason")
    assert not any(row.text == "Gezin krijgt ambulante hulp." for row in SharedItem.objects.all())

    client.post(_share_url(world), {**data, "withhold_reason": "Schaadt de hulpverlening."})
    item = next(
        row for row in SharedItem.objects.all() if row.text == "Gezin krijgt ambulante hulp."
    )
    assert item.is_withheld
    assert item.withheld_reason == "Schaadt de hulpverlening."
    assert not SharedItem.objects.visible_to(world.users["involved_professional"]).filter(
        pk=item.pk
    )


def test_youth_care_share_without_consent_is_refused_with_the_reason(world):
    """R-6-2: a source with beroepsgeheim shares only with consent; until consent records exist
    the share is refused with a clear message at the basis, and nothing is saved."""
    _seat(world, "youth_care")
    response = _client(world.users["youth_care"]).post(
        _share_url(world),
        {
            "category": DataCategory.objects.get(code="C6").pk,
            "kind": EntryKind.FACT,
            "text": "Gezin krijgt ambulante hulp.",
            "legal_basis": LegalBasis.objects.get(code="jeugdhulp-health").pk,
            "audience": "all",
        },
    )
    assert "toestemming" in _field_error(response.content.decode(), "legal_basis")
    assert not any(row.text == "Gezin krijgt ambulante hulp." for row in SharedItem.objects.all())


# --- Who may open which page: 200, 404, 403 -----------------------------------------------------


def test_share_page_answers_404_to_outsiders_and_403_where_sharing_is_closed(world):
    """Invariant 1: an outsider cannot learn the case exists (404); someone who sees the case but
    may not share in it (a closed case) gets 403, logged."""
    assert _client(world.users["professional"]).get(_share_url(world)).status_code == 404
    assert (
        _client(world.users["professional"]).post(_share_url(world), _share_data()).status_code
        == 404
    )
    world.case.status = CaseStatus.CLOSED
    world.case.save(update_fields=["status"])
    coordinator = world.users["case_coordinator"]
    assert _client(coordinator).get(_share_url(world)).status_code == 403
    assert AccessEvent.objects.filter(actor=coordinator, action="access.denied").exists()


ITEM_PAGES = ["shared_item_rectify", "shared_item_delete", "shared_item_withhold"]


@pytest.mark.parametrize("name", ITEM_PAGES)
def test_item_pages_answer_200_to_the_owner(world, name):
    """R-8-2, R-6-3: the owner party opens its item's pages (youth care for "niet verstrekken")."""
    if name == "shared_item_withhold":
        _seat(world, "youth_care")
        item, user = _care_item(world), world.users["youth_care"]
    else:
        item, user = world.shared["education"], world.users["involved_professional"]
    response = _client(user).get(_url(name, item))
    assert response.status_code == 200
    assert item.text in response.content.decode()
    assert AccessEvent.objects.filter(
        actor=user, action="case.viewed", youth_uuid=world.youth.uuid
    ).exists()


@pytest.mark.parametrize("name", [*ITEM_PAGES, "shared_item_release"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_item_pages_answer_404_to_outsiders_and_to_readers_who_may_not_read_it(world, name, method):
    """Invariant 1, R-6-1: an outsider, and a reader at the table who may not read the health
    item, get 404 — as if it did not exist — and nothing changes."""
    _seat(world, "leerplicht")
    item = world.shared["health"]
    # Release takes only POST: a GET is refused before anything is looked up.
    expected = 405 if (name, method) == ("shared_item_release", "get") else 404
    for who in ("professional", "coordinator", "leerplicht"):
        response = getattr(_client(world.users[who]), method)(_url(name, item))
        assert response.status_code == expected, (who, response.status_code)
    item.refresh_from_db()
    assert item.text
    assert not item.is_withheld


@pytest.mark.parametrize("name", [*ITEM_PAGES, "shared_item_release"])
def test_item_pages_answer_403_to_a_reader_who_is_not_the_owner(world, name):
    """R-2-1, R-8-2: a reader of another party may read the item but not change it (403,
    logged); nothing changes."""
    _seat(world, "leerplicht")
    item = world.shared["education"]
    user = world.users["leerplicht"]

    response = _client(user).post(_url(name, item), {"reason": "x", "text": "Anders."})

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.text != "Anders."
    assert not item.is_withheld
    assert AccessEvent.objects.filter(actor=user, action="access.denied").exists()


def test_not_providing_is_for_beroepsgeheim_only(world):
    """R-6-3: the school owns its item but has no beroepsgeheim: "niet verstrekken" is 403."""
    item = world.shared["education"]
    client = _client(world.users["involved_professional"])
    assert client.get(_url("shared_item_withhold", item)).status_code == 403
    assert client.post(_url("shared_item_release", item)).status_code == 403


# --- Correcting, deleting, (not) providing ----------------------------------------------------


def test_rectify_changes_the_item_tells_its_readers_and_shows_corrected_on(
    world, django_capture_on_commit_callbacks
):
    """R-8-2: the owner corrects the text; the item shows "gecorrigeerd op", readers get a
    notification (a link, no content) and the change is logged."""
    _seat(world, "leerplicht")
    item = world.shared["education"]
    user = world.users["involved_professional"]
    client = _client(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("shared_item_rectify", item),
            {"kind": EntryKind.FACT, "text": "Leest op niveau groep 5.", "audience": "all"},
        )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text == "Leest op niveau groep 5."
    assert item.rectified_at is not None
    assert AccessEvent.objects.filter(action="share.rectified", actor=user).exists()
    assert any(world.users["leerplicht"].email in m.to for m in mail.outbox)
    assert all("groep 5" not in m.body for m in mail.outbox)
    page = client.get(_case_url(world)).content.decode()
    assert "gecorrigeerd op" in page
    assert "Het gegeven is gecorrigeerd." in page


def test_rectify_form_errors_stay_next_to_the_field_and_save_nothing(world):
    """Invariant 9, R-5-3: an empty text or a BSN-like number is refused next to the text."""
    item = world.shared["education"]
    client = _client(world.users["involved_professional"])

    empty = client.post(
        _url("shared_item_rectify", item), {"kind": EntryKind.FACT, "text": "", "audience": "all"}
    )
    bsn = client.post(
        _url("shared_item_rectify", item),
        {"kind": EntryKind.FACT, "text": f"Nummer {BSN_LIKE}", "audience": "all"},
    )

    assert _field_error(empty.content.decode(), "text")
    assert BSN_MESSAGE_NL in _field_error(bsn.content.decode(), "text").replace("\n", " ")
    item.refresh_from_db()
    assert item.rectified_at is None


def test_delete_asks_first_then_deletes_and_tells_the_readers(
    world, django_capture_on_commit_callbacks
):
    """R-8-2, AVG art. 17: GET asks; POST deletes, notifies the readers and logs the delete."""
    _seat(world, "leerplicht")
    item = world.shared["education"]
    client = _client(world.users["involved_professional"])

    ask = client.get(_url("shared_item_delete", item))
    assert ask.status_code == 200
    assert SharedItem.objects.filter(pk=item.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("shared_item_delete", item), follow=True)

    assert not SharedItem.objects.filter(pk=item.pk).exists()
    assert "Het gegeven is verwijderd." in response.content.decode()
    assert any(world.users["leerplicht"].email in m.to for m in mail.outbox)
    assert AccessEvent.objects.filter(action="share.deleted").exists()


def test_withhold_needs_a_reason_then_hides_the_item_from_others(world):
    """R-6-3: without a reason the message sits next to the reason; with one, only the owner
    party reads the item, and the case page shows the badge and the reason."""
    _seat(world, "youth_care")
    item = _care_item(world)
    client = _client(world.users["youth_care"])

    refused = client.post(_url("shared_item_withhold", item), {"reason": ""})
    assert _field_error(refused.content.decode(), "reason")
    item.refresh_from_db()
    assert not item.is_withheld

    client.post(_url("shared_item_withhold", item), {"reason": "Schaadt de behandeling."})
    item.refresh_from_db()
    assert item.is_withheld
    assert item.withheld_reason == "Schaadt de behandeling."
    page = client.get(_case_url(world)).content.decode()
    assert "Niet verstrekken" in page
    assert "Schaadt de behandeling." in page
    assert _url("shared_item_release", item) in page  # "Toch verstrekken"


def test_release_without_consent_is_refused_and_keeps_the_item_withheld(world):
    """R-6-3, R-6-2: providing a youth-care item after all needs consent; without it the
    refusal is shown on the case page and the item stays withheld."""
    _seat(world, "youth_care")
    item = _care_item(
        world,
        withheld_at=timezone.now(),
        withheld_by=world.users["youth_care"],
        withheld_reason="Nee.",
    )

    response = _client(world.users["youth_care"]).post(
        _url("shared_item_release", item), follow=True
    )

    assert "toestemming" in response.content.decode()
    item.refresh_from_db()
    assert item.is_withheld


def test_release_with_consent_provides_the_item_again(world):
    """R-6-3, R-6-2: with a covering consent the item is provided again (on that consent)."""
    _seat(world, "youth_care")
    ConsentFactory(
        case=world.case,
        agreed_with=world.users["youth_care"],
        given=True,
        covers_special=True,
        categories=[DataCategory.objects.get(code="C6")],
        recipients=[world.school],
    )
    item = _care_item(
        world,
        withheld_at=timezone.now(),
        withheld_by=world.users["youth_care"],
        withheld_reason="Nee.",
    )

    response = _client(world.users["youth_care"]).post(
        _url("shared_item_release", item), follow=True
    )

    item.refresh_from_db()
    assert not item.is_withheld
    assert item.shared_on_consent
    assert "weer verstrekt" in response.content.decode()


def test_release_answers_405_to_get(world):
    """Providing again changes data: only by POST."""
    _seat(world, "youth_care")
    item = _care_item(world)
    assert (
        _client(world.users["youth_care"]).get(_url("shared_item_release", item)).status_code == 405
    )


# --- Minutes and the minutes PDF ---------------------------------------------------------------


def test_minutes_page_lists_the_meetings_items_the_reader_may_read(world):
    """R-8-1: the minutes page shows the items shared for its meeting, with the same details;
    a reader without a ground for health data does not see the health item there either."""
    _seat(world, "leerplicht")
    url = reverse("casusoverleg:minutes", kwargs={"uuid": world.case.uuid})

    own = _client(world.users["involved_professional"]).get(url).content.decode()
    reader = _client(world.users["leerplicht"]).get(url).content.decode()

    assert "Gedeelde gegevens bij dit overleg" in own
    assert world.shared["education"].text in own
    assert world.shared["health"].text in own
    assert world.shared["education"].legal_basis.statute_reference in own
    assert world.shared["education"].text in reader
    assert world.shared["health"].text not in reader


def test_minutes_pdf_lists_the_items_of_its_reader(world):
    """R-11-2, R-8-1, R-6-1: each reader's minutes PDF holds the items that reader may read, with
    source, owner and basis; leerplicht's copy lacks the health item."""
    _seat(world, "leerplicht")

    def shared_for(key):
        document = CaseDocumentFactory(
            case=world.case,
            kind=DocumentKind.MINUTES,
            meeting=world.meeting,
            requested_by=world.users[key],
        )
        _template, context = document_context(document)
        return context["shared"]

    own = shared_for("involved_professional")
    reader = shared_for("leerplicht")

    # Health data is left out of every PDF until exporting it can be approved (R-11-2).
    assert {row.text for row in own} == {world.shared["education"].text}
    assert [row.text for row in reader] == [world.shared["education"].text]
    row = reader[0]
    assert row.owner == "Testschool"
    assert "Testschool" in row.source
    assert row.statute_reference == world.shared["education"].legal_basis.statute_reference


def test_minutes_pdf_costs_the_same_with_2_and_22_items(world):
    """STYLE §4.8: the shared items of the minutes PDF cost a fixed number of queries (no lazy
    query per item for its category, basis, owner, author or readers)."""
    seat = _seat(world, "leerplicht")
    user = world.users["involved_professional"]
    user.professional  # noqa: B018 (loaded as document_render loads it)

    def count() -> int:
        document = CaseDocumentFactory(
            case=world.case, kind=DocumentKind.MINUTES, meeting=world.meeting, requested_by=user
        )
        with CaptureQueriesContext(connection) as captured:
            template, context = document_context(document)
            render_to_string(template, context)
        return len(captured.captured_queries)

    two = count()
    for number in range(20):
        item = SharedItemFactory(
            case=world.case,
            meeting=world.meeting,
            author=user,
            text=f"Punt {number}",
            audience_all=number % 2 == 0,
        )
        if number % 2:
            item.recipients.set([seat])
    assert count() == two


# --- The BSN warning on the other free-text fields (R-5-3, R-7-1) ------------------------------


def test_minutes_entry_text_warns_on_a_bsn_and_shows_the_hint(world):
    """R-5-3, R-7-1: the minutes entry text carries the hint and refuses a BSN-like number next
    to the field, with a confirm box (prefixed like the form), until confirmed."""
    owners = Organisation.objects.filter(pk=world.school.pk)
    form = MinutesEntryForm(prefix="entry", owners=owners)
    assert str(MINIMISATION_HINT) in str(form.fields["text"].help_text)
    url = reverse("casusoverleg:minutes", kwargs={"uuid": world.case.uuid})
    client = _client(world.users["case_coordinator"])
    text = f"Dossiernummer {BSN_LIKE} besproken."
    data = {"entry-kind": EntryKind.FACT, "entry-text": text, "entry-owner": world.school.uuid}
    entries = world.meeting.minutes.entries

    warned = client.post(url, data)

    body = warned.content.decode()
    assert BSN_MESSAGE_NL in _field_error(body, "entry-text").replace("\n", " ")
    assert 'name="entry-text_not_bsn"' in body
    assert not any(row.text == text for row in entries.all())
    assert client.post(url, {**data, "entry-text_not_bsn": "on"}).status_code == 302
    assert any(row.text == text for row in entries.all())


def test_purpose_specification_warns_on_a_bsn(world):
    """R-5-3: changing the purpose of a case to a text with a BSN-like number is refused next to
    the field (and the case is not changed) until confirmed."""
    url = reverse("casusoverleg:case_edit", kwargs={"uuid": world.case.uuid})
    client = _client(world.users["case_coordinator"])
    data = {"target_group": world.case.target_group, "purpose_specification": f"BSN {BSN_LIKE}"}

    warned = client.post(url, data)

    assert BSN_MESSAGE_NL in _field_error(warned.content.decode(), "purpose_specification").replace(
        "\n", " "
    )
    world.case.refresh_from_db()
    assert BSN_LIKE not in world.case.purpose_specification
    assert client.post(url, {**data, "purpose_specification_not_bsn": "on"}).status_code == 302


def test_portal_statement_warns_on_a_bsn():
    """R-5-3, R-7-1: a parent's own statement shows the hint and warns on a BSN-like number."""
    form = StatementForm({"text": f"Mijn BSN is {BSN_LIKE}."})
    assert not form.is_valid()
    assert str(BSN_WARNING) in form.errors["text"]
    assert str(MINIMISATION_HINT) in str(form.fields["text"].help_text)
    assert StatementForm({"text": f"Mijn BSN is {BSN_LIKE}.", "text_not_bsn": "on"}).is_valid()
    assert StatementForm({"text": "Telefoon 0612345678 is geen BSN."}).is_valid()
