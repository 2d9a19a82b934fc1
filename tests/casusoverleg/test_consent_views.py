"""Consent in a case, the professional's side, in the browser's terms: the consent list and
detail, asking for consent, recording a signed paper form (give, refuse, withdraw), the logged
downloads of forms and receipts, and the judgement that a youth cannot judge.

Who is who: `case_coordinator` directs the world's case for the school and asked the world's
consent (school → municipality, C2), which the youth (14) and the parent with gezag gave in the
portal; `involved_professional` (school) sits at the table. Outsiders hold no grant on the case.
"""

import re
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.models import SharedItem
from consent.age import Consenter
from consent.choices import (
    AgeRule,
    ConsenterKind,
    ConsentMethod,
    ConsentStatus,
    DecisionKind,
)
from consent.models import Consent, ConsentDecision, IncapacityJudgement
from consent.services import consent_request
from convenant.models import DataCategory
from core.permissions import grant
from tests.factories.casusoverleg import ParticipantFactory, SharedItemFactory
from tests.factories.consent import ConsentFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ON_CONSENT = "Op toestemming gedeeld: leest op AVI-niveau E3 na de zomer."


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _field_error(body: str, field: str) -> str:
    """The text of the error block next to `field` (empty when there is none)."""
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', body, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


def _seat(world, key: str):
    """Seat `world.users[key]` at the world's case: accepted, with the grant and an e-mail."""
    user = world.users[key]
    user.email = f"{key}@example.org"
    user.save(update_fields=["email"])
    ParticipantFactory(
        case=world.case, user=user, organisation=user.professional.organisation, accepted=True
    )
    grant(user, "casusoverleg.view_case", world.case)
    return user


def _pending(world) -> Consent:
    """A consent the school asks now: C2 to the municipality, nobody decided yet."""
    return consent_request(
        actor=world.users["case_coordinator"],
        case=world.case,
        categories=[DataCategory.objects.get(code="C2")],
        recipients=[world.municipality],
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + timedelta(days=90),
    )


def _url(name: str, obj) -> str:
    return reverse(f"casusoverleg:{name}", kwargs={"uuid": obj.uuid})


def _record_data(**overrides) -> dict:
    data = {
        "consenter": "youth",
        "decision": DecisionKind.GIVEN,
        "signed_form": SimpleUploadedFile("formulier.pdf", PDF, content_type="application/pdf"),
        "signed_on": timezone.localdate().isoformat(),
        "reason": "",
    }
    data.update(overrides)
    return data


# --- Who sees what -------------------------------------------------------------------------------

CASE_PAGES = ["consent_list", "consent_request", "incapacity"]
CONSENT_PAGES = ["consent_detail", "consent_record"]


@pytest.mark.parametrize("who", ["case_coordinator", "involved_professional"])
@pytest.mark.parametrize("page", CASE_PAGES + CONSENT_PAGES)
def test_people_at_the_table_see_the_consent_pages(world, who, page):
    """R-6-2, invariant 1: the professionals at the table open every consent page; the look is
    logged for the youth (invariant 2)."""
    target = world.case if page in CASE_PAGES else world.consent
    user = world.users[who]
    response = _client(user).get(_url(page, target))
    assert response.status_code == 200
    assert AccessEvent.objects.filter(actor=user, youth_uuid=world.youth.uuid).exists()


@pytest.mark.parametrize(
    "who", ["professional", "leerplicht", "invited_professional", "other_case_professional"]
)
@pytest.mark.parametrize("page", CASE_PAGES + CONSENT_PAGES)
def test_outsiders_get_a_logged_404(world, who, page):
    """Invariant 1, STYLE rule 5: someone not at the table cannot learn a consent exists; the
    refusal is logged and no look at the youth is."""
    target = world.case if page in CASE_PAGES else world.consent
    user = world.users[who]
    response = _client(user).get(_url(page, target))
    assert response.status_code == 404
    assert AccessEvent.objects.filter(actor=user, action="access.denied").count() == 1
    assert not AccessEvent.objects.filter(actor=user, youth_uuid=world.youth.uuid).exists()


def test_family_has_no_workplace_consent_pages(world):
    """R-1-2: a parent decides in the portal; the workplace answers 403 (logged)."""
    parent = world.users["parent"]
    response = login_verified(Client(), parent).get(_url("consent_list", world.case))
    assert response.status_code == 403
    assert AccessEvent.objects.filter(actor=parent, action="access.denied").exists()


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_scope_decisions_items_and_what_is_still_needed(world):
    """R-6-2, R-AGE-1: each consent with its status, source, scope, recipients and decisions;
    a waiting consent names who still has to decide today (the youth of 14 and the parent with
    gezag); the items shared on a consent are listed to whoever may read them; the age rule is
    explained."""
    pending = _pending(world)
    item = SharedItemFactory(
        case=world.case,
        author=world.users["involved_professional"],
        shared_on_consent=True,
        consent=world.consent,
        text=ON_CONSENT,
    )
    response = _client(world.users["case_coordinator"]).get(_url("consent_list", world.case))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="consent-{world.consent.uuid}"' in body
    assert f'id="consent-{pending.uuid}"' in body
    valid_block = body.split(f'id="consent-{world.consent.uuid}"')[1].split("</article>")[0]
    assert f'data-status="{ConsentStatus.VALID}"' in valid_block
    assert "C2" in valid_block
    assert "Testgemeente" in valid_block
    assert f'id="consent-item-{item.uuid}"' in valid_block
    assert valid_block.count("Zoë Vandersteen") >= 1  # the youth decided
    assert "Wilhelmina Oosterbroek" in valid_block  # and the parent
    assert 'data-testid="still-needed"' not in valid_block
    pending_block = body.split(f'id="consent-{pending.uuid}"')[1].split("</article>")[0]
    needed = pending_block.split('data-testid="still-needed"')[1].split("</dd>")[0]
    assert "Zoë Vandersteen" in needed
    assert "Wilhelmina Oosterbroek" in needed
    # The parent without gezag is not asked (SPEC §6).
    assert "Bartholomeus" not in needed
    assert 'data-testid="age-rule"' in body


def test_list_hides_items_the_reader_may_not_read(world):
    """R-6-1: an item on a consent is listed only to readers who may read it; health data not
    for a reader not bound by secrecy."""
    reader = _seat(world, "leerplicht")
    reader.professional.secrecy = "none"
    reader.professional.save(update_fields=["secrecy"])
    world.consent.covers_special = True
    world.consent.save(update_fields=["covers_special"])
    health = SharedItemFactory(
        case=world.case,
        author=world.users["involved_professional"],
        health=True,
        shared_on_consent=True,
        consent=world.consent,
    )
    body = _client(reader).get(_url("consent_list", world.case)).content.decode()
    assert f'id="consent-{world.consent.uuid}"' in body
    assert f"consent-item-{health.uuid}" not in body


def test_list_query_count_does_not_grow_with_the_consents(world):
    """STYLE §4.8: the list page costs a fixed number of queries, however many consents."""
    client = _client(world.users["case_coordinator"])
    url = _url("consent_list", world.case)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(4):
        ConsentFactory(
            case=world.case,
            agreed_with=world.users["case_coordinator"],
            categories=[DataCategory.objects.get(code="C2")],
            recipients=[world.municipality],
        )
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five.captured_queries) == len(one.captured_queries)
    assert len(one.captured_queries) <= 30


def test_case_page_has_a_consent_section_with_counts_and_links(world):
    """R-6-2: the case page counts the consents by status and links to the list and to asking."""
    _pending(world)
    body = (
        _client(world.users["case_coordinator"]).get(_url("case_detail", world.case)).content
    ).decode()
    section = body.split('id="consents"')[1].split("</section>")[0]
    assert 'data-testid="consent-counts"' in section
    assert ": 1</li>" in section  # one valid, one waiting
    assert _url("consent_list", world.case) in section
    assert _url("consent_request", world.case) in section


def test_share_form_links_to_asking_for_consent(world):
    """R-6-2: where a share is refused for lack of consent, the form shows the way to ask."""
    body = (
        _client(world.users["involved_professional"])
        .get(reverse("casusoverleg:shared_item_create", kwargs={"uuid": world.case.uuid}))
        .content.decode()
    )
    ask = body.split('data-testid="ask-consent"')[1].split("</p>")[0]
    assert _url("consent_request", world.case) in ask


# --- Asking ------------------------------------------------------------------------------------


def test_asking_creates_a_waiting_consent(world):
    """R-6-2 (a)–(c): the scope, the recipients at the table, the period and the professional
    who agreed are recorded; nobody has decided yet."""
    user = world.users["involved_professional"]
    response = _client(user).post(
        _url("consent_request", world.case),
        {
            "categories": [DataCategory.objects.get(code="C2").pk],
            "recipients": [world.municipality.pk],
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "items_description": "Het handelingsplan van maart",
        },
    )
    consent = Consent.objects.exclude(pk=world.consent.pk).get()
    assert response.status_code == 302
    assert response.url == _url("consent_detail", consent)
    assert consent.status == ConsentStatus.PENDING
    assert consent.agreed_with == user
    assert consent.source_organisation == world.school
    assert list(consent.recipients.all()) == [world.municipality]
    assert consent.items_description == "Het handelingsplan van maart"
    assert AccessEvent.objects.filter(actor=user, action="consent.requested").exists()


def test_asking_with_an_empty_scope_is_refused_next_to_the_fields(world):
    """Invariant 9, R-6-2: no categories and no recipients: messages next to both fields,
    status 400, nothing stored."""
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_request", world.case),
        {
            "valid_from": timezone.localdate().isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert _field_error(body, "categories")
    assert _field_error(body, "recipients")
    assert Consent.objects.count() == 1


def test_asking_in_the_past_or_backwards_is_refused(world):
    """Invariant 9: an end before the start is refused next to the end date."""
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_request", world.case),
        {
            "categories": [DataCategory.objects.get(code="C2").pk],
            "recipients": [world.municipality.pk],
            "valid_from": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "valid_until": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "valid_until")
    assert Consent.objects.count() == 1


def test_asking_in_a_closed_case_is_forbidden_and_logged(world):
    """Invariant 1: a closed case is frozen; asking answers 403, logged, nothing stored."""
    world.case.status = "afgesloten"
    world.case.closed_at = timezone.now()
    world.case.save(update_fields=["status", "closed_at"])
    user = world.users["case_coordinator"]
    response = _client(user).get(_url("consent_request", world.case))
    assert response.status_code == 403
    assert AccessEvent.objects.filter(actor=user, action="access.denied").exists()


# --- Recording a signed form ------------------------------------------------------------------


def test_recording_signed_forms_makes_the_consent_valid(world):
    """R-6-2, R-AGE-1: at 14 the youth and the parent with gezag both consent; recorded from
    signed forms (method, signing date, the form's hash kept), the consent becomes valid only
    after the second; each decision gets its receipt."""
    consent = _pending(world)
    client = _client(world.users["case_coordinator"])
    response = client.post(_url("consent_record", consent), _record_data())
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.PENDING
    response = client.post(
        _url("consent_record", consent),
        _record_data(
            consenter=f"guardian-{world.guardian.uuid}",
            signed_form=SimpleUploadedFile("scan.png", PNG, content_type="image/png"),
        ),
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.VALID
    decisions = list(consent.decisions.all())
    assert [d.method for d in decisions] == [ConsentMethod.SIGNED_FORM] * 2
    assert all(d.signed_form_sha256 and d.signed_on for d in decisions)
    assert consent.receipts.count() == 2


def test_refusing_on_a_form_refuses_the_consent(world):
    """R-6-2: one required person's refusal refuses a waiting consent."""
    consent = _pending(world)
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_record", consent), _record_data(decision=DecisionKind.DECLINED)
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.REFUSED


@pytest.mark.parametrize(
    ("_case", "upload"),
    [
        (
            "a GIF named .pdf",
            SimpleUploadedFile("x.pdf", b"GIF89a" + b"\0" * 32, "application/pdf"),
        ),
        ("text named .png", SimpleUploadedFile("x.png", b"just some text here", "image/png")),
        ("an empty file", SimpleUploadedFile("x.pdf", b"", "application/pdf")),
    ],
)
def test_a_form_that_is_no_pdf_or_image_by_its_bytes_is_refused(world, _case, upload):
    """Invariant 9: the type is decided by the file's first bytes, not its name or the
    browser's claim; refused next to the field, status 400, nothing recorded."""
    consent = _pending(world)
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_record", consent), _record_data(signed_form=upload)
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "signed_form")
    assert not ConsentDecision.objects.filter(consent=consent).exists()


@override_settings(CONSENT_FORM_MAX_BYTES=1024)
def test_a_form_that_is_too_large_is_refused(world):
    """Invariant 9: a form above the configured size is refused next to the field."""
    consent = _pending(world)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_record", consent), _record_data(signed_form=big)
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "signed_form")
    assert not ConsentDecision.objects.filter(consent=consent).exists()


def test_a_form_signed_in_the_future_is_refused(world):
    """Invariant 9: a signing date after today is refused next to the date."""
    consent = _pending(world)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_record", consent), _record_data(signed_on=tomorrow)
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "signed_on")
    assert not ConsentDecision.objects.filter(consent=consent).exists()


def test_someone_the_age_table_does_not_ask_cannot_be_chosen(world):
    """R-AGE-1: the parent without gezag is not among the people whose form can be recorded."""
    consent = _pending(world)
    without = world.youth.guardians.get(has_authority=False)
    response = _client(world.users["case_coordinator"]).post(
        _url("consent_record", consent), _record_data(consenter=f"guardian-{without.uuid}")
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "consenter")
    assert not ConsentDecision.objects.filter(consent=consent).exists()


def test_withdrawing_on_a_form_hides_the_items_at_once_and_tells_the_readers(
    world, django_capture_on_commit_callbacks
):
    """Invariant 7, R-6-2: a withdrawal recorded from a signed form goes through
    casusoverleg.services.consent_withdraw: the consent ends, the item shared on it disappears
    from its reader (the municipality) in the same request, and the reader gets an e-mail with
    a link only (R-10-3); the item stays with its owner."""
    reader = _seat(world, "leerplicht")
    item = SharedItemFactory(
        case=world.case,
        author=world.users["involved_professional"],
        shared_on_consent=True,
        consent=world.consent,
        text=ON_CONSENT,
    )
    reader_client = _client(reader)
    before = reader_client.get(_url("consent_list", world.case)).content.decode()
    assert f"consent-item-{item.uuid}" in before
    spy = mock.patch.object(services, "consent_withdraw", wraps=services.consent_withdraw)
    with spy as withdraw, django_capture_on_commit_callbacks(execute=True):
        response = _client(world.users["case_coordinator"]).post(
            _url("consent_record", world.consent),
            _record_data(
                consenter=f"guardian-{world.guardian.uuid}", decision=DecisionKind.WITHDRAWN
            ),
        )
    assert response.status_code == 302
    assert withdraw.call_count == 1
    world.consent.refresh_from_db()
    assert world.consent.status == ConsentStatus.WITHDRAWN
    after = reader_client.get(_url("consent_list", world.case)).content.decode()
    assert f"consent-item-{item.uuid}" not in after
    assert not SharedItem.objects.visible_to(reader).filter(pk=item.pk).exists()
    assert (
        SharedItem.objects.visible_to(world.users["involved_professional"])
        .filter(pk=item.pk)
        .exists()
    )
    sent = [m for m in mail.outbox if reader.email in m.to]
    assert sent
    assert ON_CONSENT not in sent[0].body


def test_an_ended_consent_offers_no_form(world):
    """R-6-2: nothing can be decided on a withdrawn consent; a POST is refused (400)."""
    services.consent_withdraw(
        actor=world.users["youth"],
        consent=world.consent,
        consenter=Consenter(ConsenterKind.YOUTH),
    )
    client = _client(world.users["case_coordinator"])
    page = client.get(_url("consent_record", world.consent)).content.decode()
    assert 'data-testid="consent-ended"' in page
    assert 'enctype="multipart/form-data"' not in page
    response = client.post(
        _url("consent_record", world.consent), _record_data(decision=DecisionKind.WITHDRAWN)
    )
    assert response.status_code == 400


def test_the_record_form_is_multipart(world):
    """The upload reaches the server only with a multipart form."""
    body = (
        _client(world.users["case_coordinator"]).get(_url("consent_record", _pending(world)))
    ).content.decode()
    assert 'enctype="multipart/form-data"' in body


# --- Downloads ----------------------------------------------------------------------------------


def test_the_uploaded_form_is_served_only_through_the_logged_download(world):
    """R-6-2, invariant 2: the form comes back as an attachment, not cached, with the type its
    bytes show (PNG here, whatever the name said); the download is logged; an outsider gets
    a logged 404."""
    consent = _pending(world)
    client = _client(world.users["case_coordinator"])
    client.post(
        _url("consent_record", consent),
        _record_data(signed_form=SimpleUploadedFile("scan.pdf", PNG, "application/pdf")),
    )
    decision = consent.decisions.get()
    response = client.get(_url("consent_form_download", decision))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == PNG
    assert AccessEvent.objects.filter(
        actor=world.users["case_coordinator"],
        action="document.downloaded",
        object_id=str(decision.uuid),
        youth_uuid=world.youth.uuid,
    ).exists()
    outsider = world.users["professional"]
    assert _client(outsider).get(_url("consent_form_download", decision)).status_code == 404
    assert AccessEvent.objects.filter(actor=outsider, action="access.denied").exists()


def test_a_portal_decision_has_no_form_to_download(world):
    """A decision given in the portal has no uploaded form: 404."""
    decision = world.consent.decisions.first()
    response = _client(world.users["case_coordinator"]).get(_url("consent_form_download", decision))
    assert response.status_code == 404


def test_a_receipt_is_rendered_on_demand_and_logged(world):
    """Issue 6 receipts: a receipt whose PDF the background job has not made yet is made on the
    download; it is a PDF, not cached, and the download is logged."""
    receipt = world.consent.receipts.first()
    assert not receipt.pdf
    response = _client(world.users["involved_professional"]).get(
        _url("consent_receipt_download", receipt)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    receipt.refresh_from_db()
    assert receipt.pdf
    assert AccessEvent.objects.filter(
        action="document.downloaded", object_id=str(receipt.uuid)
    ).exists()
    assert (
        _client(world.users["leerplicht"])
        .get(_url("consent_receipt_download", receipt))
        .status_code
        == 404
    )


def test_the_detail_page_lists_the_receipts(world):
    """The consent's receipts are linked from its page, one per decision."""
    body = (
        _client(world.users["case_coordinator"]).get(_url("consent_detail", world.consent))
    ).content.decode()
    for receipt in world.consent.receipts.all():
        assert _url("consent_receipt_download", receipt) in body


# --- Not able to judge (R-AGE-1) ------------------------------------------------------------------


def test_recording_a_judgement_moves_consent_to_the_parents(world):
    """R-AGE-1: with a judgement in force the parents decide for a youth of 14; the consent
    pages then name the rule and only the parent as the one to decide."""
    client = _client(world.users["case_coordinator"])
    response = client.post(
        _url("incapacity", world.case),
        {
            "action": "record",
            "reason": "Kan de gevolgen van delen tijdens de crisis niet overzien.",
            "judged_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    judgement = IncapacityJudgement.objects.get(youth=world.youth)
    assert judgement.judged_by == world.users["case_coordinator"]
    body = client.get(_url("consent_list", world.case)).content.decode()
    rule = body.split('data-testid="age-rule"')[1].split("</section>")[0]
    assert str(AgeRule.INCAPABLE_MINOR.label) in rule
    assert "Wilhelmina Oosterbroek" in rule
    assert "Zoë Vandersteen" not in rule


def test_a_judgement_in_the_future_is_refused_next_to_the_date(world):
    """Invariant 9: a judgement cannot be dated in the future."""
    response = _client(world.users["case_coordinator"]).post(
        _url("incapacity", world.case),
        {
            "action": "record",
            "reason": "Crisis.",
            "judged_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "judged_on")
    assert not IncapacityJudgement.objects.exists()


def test_a_judgement_can_be_ended(world):
    """R-AGE-1: ending the judgement gives the decision back to the youth from that day."""
    from tests.factories.consent import IncapacityJudgementFactory

    judgement = IncapacityJudgementFactory(
        youth=world.youth, case=world.case, judged_by=world.users["case_coordinator"]
    )
    client = _client(world.users["case_coordinator"])
    response = client.post(
        _url("incapacity", world.case),
        {
            "action": "end",
            "judgement": str(judgement.uuid),
            "ended_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    judgement.refresh_from_db()
    assert judgement.ended_on == timezone.localdate()
    too_early = client.post(
        _url("incapacity", world.case),
        {
            "action": "end",
            "judgement": str(judgement.uuid),
            "ended_on": timezone.localdate().isoformat(),
        },
    )
    assert too_early.status_code == 400


def test_a_judgement_stays_at_its_own_table_and_its_reason_with_secrecy(world):
    """Invariant 1, R-6-1, R-AGE-1: a judgement made in another case of the same youth is not
    listed here; a reader not bound by secrecy sees that a judgement holds but not its reason;
    only the judging organisation ends it."""
    from casusoverleg.models import Case
    from parties.choices import Secrecy
    from tests.factories.casusoverleg import CaseFactory
    from tests.factories.consent import IncapacityJudgementFactory

    other_case = CaseFactory(
        youth=world.youth,
        covenant=world.covenant,
        coordinator=world.users["other_case_coordinator"],
        organisation=world.school,
    )
    IncapacityJudgementFactory(
        youth=world.youth,
        case=other_case,
        judged_by=world.users["other_case_coordinator"],
        reason="Opname in de kliniek.",
    )
    here = IncapacityJudgementFactory(
        youth=world.youth,
        case=world.case,
        judged_by=world.users["youth_care"],
        reason="Crisis thuis; kan de gevolgen nu niet overzien.",
    )
    reader = world.users["involved_professional"]
    page = _client(reader).get(_url("incapacity", world.case)).content.decode()
    assert "Opname in de kliniek." not in page
    assert "Crisis thuis" in page
    reader.professional.secrecy = Secrecy.NONE
    reader.professional.save()
    page = _client(reader).get(_url("incapacity", world.case)).content.decode()
    assert "Crisis thuis" not in page
    response = _client(world.users["case_coordinator"]).post(
        _url("incapacity", world.case),
        {
            "action": "end",
            "judgement": str(here.uuid),
            "ended_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 403  # the school did not make youth care's judgement
    here.refresh_from_db()
    assert here.ended_on is None
    assert Case.objects.filter(pk=other_case.pk).exists()
