"""Consent records through the services (SPEC R-6-2, R-AGE-1, R-AGE-4, R-AGE-6; invariant 7).

The world's youth is 14: the youth and the parent with gezag consent together. The youth-care
professional sits at the table and asks consent to share treatment information (C7, health)
with the school; the school's people at the table are the readers.
"""

import io
from datetime import date, timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone, translation

import pytest
import time_machine
from pypdf import PdfReader

from audit.models import AccessEvent
from casusoverleg import services as case_services
from casusoverleg.choices import DocumentKind, EntryKind
from casusoverleg.models import CaseDocument, SharedItem
from casusoverleg.querysets import VIEW_CASE
from consent import services
from consent.age import Consenter
from consent.choices import (
    ConsenterKind,
    ConsentMethod,
    ConsentStatus,
    DecisionKind,
)
from consent.models import ConsentDecision, ConsentReceipt
from convenant.models import DataCategory, LegalBasis
from core.permissions import grant
from tests.factories.casusoverleg import CaseDocumentFactory, ParticipantFactory
from tests.factories.parties import GuardianFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English; the Dutch is the catalogue's."""
    with translation.override("en"):
        yield


@pytest.fixture
def care(world):
    """The youth-care professional (beroepsgeheim), accepted at the world's table."""
    user = world.users["youth_care"]
    ParticipantFactory(
        case=world.case,
        user=user,
        organisation=user.professional.organisation,
        role="wijkteam_jeugdhulp",
        accepted=True,
    )
    grant(user, VIEW_CASE, world.case)
    return user


def _ask(world, care, **overrides):
    today = timezone.localdate()
    arguments = {
        "actor": care,
        "case": world.case,
        "categories": [DataCategory.objects.get(code="C7")],
        "recipients": [world.school],
        "valid_from": today,
        "valid_until": today + timedelta(days=180),
        "covers_special": True,
    }
    arguments.update(overrides)
    return services.consent_request(**arguments)


def _youth():
    return Consenter(ConsenterKind.YOUTH)


def _parent(world):
    return Consenter(ConsenterKind.PARENT, world.guardian.pk)


def _give(world, consent, who):
    actor = world.users["youth"] if who == "youth" else world.guardian.user
    consenter = _youth() if who == "youth" else _parent(world)
    return services.consent_decide(
        actor=actor, consent=consent, consenter=consenter, kind=DecisionKind.GIVEN
    )


def _share_c7(care, world):
    return case_services.shared_item_add(
        actor=care,
        case=world.case,
        category=DataCategory.objects.get(code="C7"),
        kind=EntryKind.FACT,
        text="Behandeling bij de jeugd-GGZ loopt sinds september.",
        legal_basis=LegalBasis.objects.get(code="jeugdhulp-health"),
        audience_all=True,
        recipients=[],
    )


def _refused(call, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.message_dict


def _school_reads(world, item):
    reader = world.users["involved_professional"]
    return SharedItem.objects.visible_to(reader).filter(pk=item.pk).exists()


# --- Asking -------------------------------------------------------------------------------------


def test_asking_for_consent_refuses_a_scope_outside_the_rules(world, care):
    """R-6-2 (a), R-5-1, invariant 9: no category, a recipient not at the table, the own
    organisation, a past start, health data without saying so: refused per field, nothing
    stored."""
    stranger = GuardianFactory().youth.region.organisations.create(
        name="Elders", party_type="schoolbestuur"
    )
    errors = _refused(
        services.consent_request,
        actor=care,
        case=world.case,
        categories=[],
        recipients=[stranger],
        valid_from=timezone.localdate() - timedelta(days=1),
        valid_until=timezone.localdate(),
    )
    assert errors["categories"] == ["Choose what may be shared."]
    assert errors["recipients"] == ["Choose only organisations at the table."]
    assert errors["valid_from"] == ["Consent cannot start in the past."]
    errors = _refused(_ask, world=world, care=care, recipients=[care.professional.organisation])
    assert errors["recipients"] == ["Your own organisation holds this data already."]
    errors = _refused(_ask, world=world, care=care, covers_special=False)
    assert "explicitly includes health data" in errors["covers_special"][0]
    assert world.case.consents.count() == 1  # the world's own


def test_only_a_professional_at_the_table_asks(world):
    """R-6-2, invariant 1: a professional without the case's grant cannot ask consent."""
    with pytest.raises(PermissionDenied):
        _ask(world, world.users["youth_care"])  # not seated
    with pytest.raises(PermissionDenied):
        _ask(world, world.users["parent"])


def test_asking_notifies_the_family_with_a_link_only(
    world, care, django_capture_on_commit_callbacks
):
    """R-6-2, R-10-3: the youth and the parent with an account get an e-mail without content."""
    for user in (world.users["youth"], world.guardian.user):
        user.email = f"{user.username}@example.org"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        consent = _ask(world, care)
    assert consent.status == ConsentStatus.PENDING
    assert sorted(m.to[0] for m in mail.outbox) == ["parent@example.org", "youth@example.org"]
    for message in mail.outbox:
        assert world.youth.given_name not in message.body
        assert "Testjeugdhulp" not in message.body
        assert settings.SITE_URL in message.body
    assert AccessEvent.objects.filter(action="consent.requested", object_id=consent.uuid).exists()


# --- Giving -------------------------------------------------------------------------------------


def test_valid_only_when_every_required_person_gave_it(world, care):
    """R-AGE-1, R-6-2 (b): at 14 the youth and the parent with gezag; one is not enough."""
    consent = _ask(world, care)
    _give(world, consent, "youth")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.PENDING
    errors = _refused(_share_c7, care=care, world=world)
    assert "No valid consent of the family covers" in errors["legal_basis"][0]
    _give(world, consent, "parent")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.VALID
    assert consent.valid_since is not None
    item = _share_c7(care, world)
    assert item.consent == consent
    assert _school_reads(world, item)


def test_both_parents_with_joint_gezag_must_consent(world, care):
    """R-AGE-1, SPEC §10 Q4: a second parent with gezag is asked too, unless the region asks
    for one parent only."""
    second = GuardianFactory(youth=world.youth)
    consent = _ask(world, care)
    _give(world, consent, "youth")
    _give(world, consent, "parent")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.PENDING
    services.consent_decide(
        actor=second.user,
        consent=consent,
        consenter=Consenter(ConsenterKind.PARENT, second.pk),
        kind=DecisionKind.GIVEN,
    )
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.VALID


def test_nobody_decides_for_someone_else(world, care):
    """R-6-2, R-AGE-1: a parent cannot decide as the youth, a parent without gezag and another
    family's parent cannot decide at all."""
    consent = _ask(world, care)
    with pytest.raises(PermissionDenied):
        services.consent_decide(
            actor=world.guardian.user, consent=consent, consenter=_youth(), kind="given"
        )
    without = world.youth.guardians.get(has_authority=False)
    with pytest.raises(PermissionDenied):
        services.consent_decide(
            actor=without.user,
            consent=consent,
            consenter=Consenter(ConsenterKind.PARENT, without.pk),
            kind="given",
        )
    with pytest.raises(PermissionDenied):
        services.consent_decide(
            actor=world.users["other_parent"],
            consent=consent,
            consenter=_parent(world),
            kind="given",
        )
    assert not consent.decisions.exists()


def test_a_refusal_ends_a_waiting_consent(world, care):
    """R-6-2: one required person refusing: the consent is refused and carries nothing."""
    consent = _ask(world, care)
    services.consent_decide(
        actor=world.users["youth"], consent=consent, consenter=_youth(), kind="declined"
    )
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.REFUSED
    errors = _refused(
        services.consent_decide,
        actor=world.guardian.user,
        consent=consent,
        consenter=_parent(world),
        kind="given",
    )
    assert "has ended" in errors["__all__"][0]


def test_a_signed_form_is_recorded_by_a_professional_with_the_file(world, care):
    """R-6-2: a professional at the table records a signed form; the file is checked by its
    content (a PDF named .jpg is fine, a text named .pdf is not), its size and date."""
    consent = _ask(world, care)
    bad = SimpleUploadedFile("formulier.pdf", b"just text", content_type="application/pdf")
    errors = _refused(
        services.consent_decide,
        actor=care,
        consent=consent,
        consenter=_parent(world),
        kind="given",
        method=ConsentMethod.SIGNED_FORM,
        signed_form=bad,
        signed_on=timezone.localdate() + timedelta(days=1),
    )
    assert errors["signed_form"] == ["Upload a PDF, JPEG or PNG file."]
    assert errors["signed_on"] == ["The form cannot be signed in the future."]
    good = SimpleUploadedFile("scan.jpg", PDF, content_type="image/jpeg")
    decision = services.consent_decide(
        actor=care,
        consent=consent,
        consenter=_parent(world),
        kind="given",
        method=ConsentMethod.SIGNED_FORM,
        signed_form=good,
        signed_on=timezone.localdate(),
    )
    assert decision.recorded_by == care
    assert decision.signed_form.read() == PDF
    assert len(decision.signed_form_sha256) == 64
    with pytest.raises(PermissionDenied):  # a professional of another case, not at this table
        services.consent_decide(
            actor=world.users["other_case_professional"],
            consent=consent,
            consenter=_youth(),
            kind="given",
            method=ConsentMethod.SIGNED_FORM,
            signed_form=SimpleUploadedFile("a.pdf", PDF),
            signed_on=timezone.localdate(),
        )


def test_a_form_larger_than_the_limit_is_refused(world, care, settings):
    """Invariant 9: uploads are checked on size; the message names the limit."""
    settings.CONSENT_FORM_MAX_BYTES = 1024 * 1024
    consent = _ask(world, care)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024))
    errors = _refused(
        services.consent_decide,
        actor=care,
        consent=consent,
        consenter=_parent(world),
        kind="given",
        method=ConsentMethod.SIGNED_FORM,
        signed_form=big,
        signed_on=timezone.localdate(),
    )
    assert errors["signed_form"] == ["The file is too large: at most 1 MB."]


# --- Withdrawing (invariant 7) --------------------------------------------------------------------


def test_withdrawal_by_any_required_person_hides_the_items_at_once(
    world, care, django_capture_on_commit_callbacks
):
    """Invariant 7, R-6-2 (d), AVG art. 7(3): the parent withdraws; in that same transaction the
    item disappears from the school's view, stays with youth care, the readers get an e-mail
    without content, the minutes PDFs that showed it are deleted, and it is logged."""
    consent = _ask(world, care)
    _give(world, consent, "youth")
    _give(world, consent, "parent")
    item = _share_c7(care, world)
    reader = world.users["involved_professional"]
    reader.email = "lezer@example.org"
    reader.save()
    CaseDocumentFactory(case=world.case, kind=DocumentKind.MINUTES, ready=True)
    assert _school_reads(world, item)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.consent_withdraw(
            actor=world.guardian.user, consent=consent, consenter=_parent(world)
        )
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN
    assert not _school_reads(world, item)
    assert SharedItem.objects.visible_to(care).filter(pk=item.pk).exists()  # owner keeps it
    assert not CaseDocument.objects.filter(case=world.case, kind=DocumentKind.MINUTES).exists()
    assert "lezer@example.org" in [m.to[0] for m in mail.outbox]
    assert all("Behandeling" not in m.body for m in mail.outbox)
    assert AccessEvent.objects.filter(
        action="consent.withdrawn", youth_uuid=world.youth.uuid
    ).exists()
    errors = _refused(_share_c7, care=care, world=world)
    assert "No valid consent" in errors["legal_basis"][0]


def test_the_youth_alone_can_withdraw_a_joint_consent(world, care):
    """Invariant 7: withdrawal by ANY required person ends the consent, the youth included."""
    consent = _ask(world, care)
    _give(world, consent, "youth")
    _give(world, consent, "parent")
    item = _share_c7(care, world)
    case_services.consent_withdraw(actor=world.users["youth"], consent=consent, consenter=_youth())
    assert not _school_reads(world, item)


# --- Receipts -----------------------------------------------------------------------------------


def test_each_decision_has_a_receipt_with_the_iso_27560_fields(world, care):
    """R-6-2, issue 6 "receipts checked field by field": who, what, to whom, why, on which basis,
    valid until, with a SHA-256 that chains to the previous receipt of the same consent."""
    consent = _ask(world, care, items_description="Het behandelplan van september")
    first = _give(world, consent, "youth").receipt
    second = _give(world, consent, "parent").receipt
    fields = second.payload
    assert fields["receipt_id"] == str(second.uuid)
    assert fields["record_id"] == str(consent.uuid)
    assert fields["event"] == "given"
    assert fields["state_after"] == ConsentStatus.VALID
    assert fields["pii_principal"] == {
        "role": "parent",
        "name": "Wilhelmina Oosterbroek (Parent)",
        "youth": "Zoë Vandersteen",
    }
    assert fields["method"] == "portal"
    assert fields["controller"] == "Testjeugdhulp"
    assert fields["agreed_with"] == str(care)
    assert fields["pii_categories"][0].startswith("C7 ")
    assert fields["special_category_data"] is True
    assert fields["named_items"] == "Het behandelplan van september"
    assert fields["recipients"] == ["Testschool"]
    assert fields["purpose"]["code"] == world.case.purpose.code
    assert fields["legal_basis"] == ["AVG art. 6 lid 1 sub a", "AVG art. 9 lid 2 sub a"]
    assert fields["valid_until"] == consent.valid_until.isoformat()
    assert first.payload["state_after"] == ConsentStatus.PENDING
    assert second.previous_sha256 == first.sha256
    assert services.receipt_verify(first)
    assert services.receipt_verify(second)
    second.payload["recipients"] = ["Testschool", "Testgemeente"]
    assert not services.receipt_verify(second)


def test_the_receipt_pdf_shows_the_fields_and_its_hash(world, care):
    """R-6-2: the receipt as a PDF (rendered once, idempotent) carries the decision, the scope
    and the SHA-256 the payload has."""
    consent = _ask(world, care)
    receipt = _give(world, consent, "youth").receipt
    rendered = services.receipt_render(receipt_id=receipt.pk)
    again = services.receipt_render(receipt_id=receipt.pk)
    assert again.pdf.name == rendered.pdf.name
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf.read())).pages)
    flat = " ".join(text.split())
    assert receipt.sha256[:32] in flat.replace(" ", "")
    assert "Testschool" in flat
    assert "Zoë Vandersteen" in flat


@pytest.mark.postgres
def test_decisions_cannot_be_changed_in_the_database(world, care):
    """R-6-2, STYLE "append-only events": an UPDATE on a decision is refused by the trigger."""
    from django.db import DatabaseError, transaction

    decision = _give(world, _ask(world, care), "youth")
    with (
        pytest.raises(DatabaseError, match="Cannot update"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE consent_consentdecision SET kind = 'withdrawn' WHERE id = %s", [decision.pk]
        )
    assert ConsentDecision.objects.get(pk=decision.pk).kind == DecisionKind.GIVEN


# --- Birthdays and end dates (R-AGE-4, R-AGE-6) -------------------------------------------------


def test_at_16_a_parents_only_consent_waits_for_the_youth_and_hides_health_data_from_new_readers(
    world, care
):
    """R-AGE-4: given by the parents while the youth was 11 (judged by the age table then); the
    youth turns 16 in the open case: the beat job flags the consent. Health data shared on it
    stays with readers who were at the table, is hidden from a new reader, and shows again once
    the youth confirms. The job is idempotent."""
    world.youth.date_of_birth = timezone.localdate().replace(year=timezone.localdate().year - 11)
    world.youth.save()
    consent = _ask(world, care)
    _give(world, consent, "parent")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.VALID
    item = _share_c7(care, world)
    later = timezone.localdate() + timedelta(days=5 * 366)
    world.youth.date_of_birth = later.replace(year=later.year - 16)
    world.youth.save()
    consent.valid_until = later + timedelta(days=30)
    consent.save()
    with time_machine.travel(later, tick=False):
        counts = case_services.family_calendar_apply(today=later)
        assert counts["flagged"] == 1
        assert case_services.family_calendar_apply(today=later)["flagged"] == 0
        consent.refresh_from_db()
        assert consent.status == ConsentStatus.RECONFIRM
        assert _school_reads(world, item)  # at the table before the flag
        newcomer = world.users["professional"]  # the school, joining now
        ParticipantFactory(
            case=world.case,
            user=newcomer,
            organisation=world.school,
            role="leerkracht_mentor",
            accepted=True,
        )
        grant(newcomer, VIEW_CASE, world.case)
        assert not SharedItem.objects.visible_to(newcomer).filter(pk=item.pk).exists()
        services.consent_decide(
            actor=world.users["youth"], consent=consent, consenter=_youth(), kind="reconfirmed"
        )
        assert SharedItem.objects.visible_to(newcomer).filter(pk=item.pk).exists()


def test_a_consent_past_its_end_date_expires(world, care):
    """R-6-2 (d), invariant 7: the period is part of the consent: past it the item is hidden even
    before the nightly job runs (the read rule checks the date); the job records the expiry once
    and deletes the minutes PDFs that showed the item."""
    consent = _ask(world, care, valid_until=timezone.localdate() + timedelta(days=10))
    _give(world, consent, "youth")
    _give(world, consent, "parent")
    item = _share_c7(care, world)
    CaseDocumentFactory(case=world.case, kind=DocumentKind.MINUTES, ready=True)
    later = timezone.localdate() + timedelta(days=11)
    with time_machine.travel(later, tick=False):
        assert not _school_reads(world, item)
        assert case_services.family_calendar_apply(today=later)["expired"] >= 1
        # The minutes PDFs that showed the item are gone with it (invariant 7).
        assert not CaseDocument.objects.filter(case=world.case, kind=DocumentKind.MINUTES)
        consent.refresh_from_db()
        assert consent.status == ConsentStatus.EXPIRED
        assert case_services.family_calendar_apply(today=later)["expired"] == 0


def test_at_18_the_case_is_marked_once_and_the_procesregisseur_told(
    world, django_capture_on_commit_callbacks
):
    """R-AGE-6: the youth turns 18 during an open case: the procesregisseur gets an e-mail
    (link only), the case is marked once; a second run does nothing."""
    coordinator = world.users["case_coordinator"]
    coordinator.email = "regie@example.org"
    coordinator.save()
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 18, today.month, 1)
    world.youth.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert case_services.family_calendar_apply(today=today)["adult"] == 1
    assert case_services.family_calendar_apply(today=today)["adult"] == 0
    world.case.refresh_from_db()
    assert world.case.adulthood_applied_at is not None
    (message,) = [m for m in mail.outbox if m.to == ["regie@example.org"]]
    assert "Zoë" not in message.body
    assert ConsentReceipt.objects.count() >= 2  # the world's own receipts are untouched


def test_only_the_asking_organisation_or_the_procesregisseur_records_a_form(world, care):
    """R-6-2: another party at the table cannot make youth care's consent valid with a form."""
    consent = _ask(world, care)
    school = world.users["involved_professional"]
    with pytest.raises(PermissionDenied):
        services.consent_decide(
            actor=school,
            consent=consent,
            consenter=_youth(),
            kind="given",
            method=ConsentMethod.SIGNED_FORM,
            signed_form=SimpleUploadedFile("a.pdf", PDF),
            signed_on=timezone.localdate(),
        )
    services.consent_decide(
        actor=world.users["case_coordinator"],
        consent=consent,
        consenter=_youth(),
        kind="given",
        method=ConsentMethod.SIGNED_FORM,
        signed_form=SimpleUploadedFile("a.pdf", PDF),
        signed_on=timezone.localdate(),
    )
    assert consent.decisions.count() == 1


def test_a_double_submit_records_one_decision(world, care):
    """Invariant 9: giving twice (a double click) keeps one decision and one receipt."""
    consent = _ask(world, care)
    _give(world, consent, "youth")
    errors = _refused(
        services.consent_decide,
        actor=world.users["youth"],
        consent=consent,
        consenter=_youth(),
        kind=DecisionKind.GIVEN,
    )
    assert errors["__all__"] == ["This decision has been recorded already."]
    assert consent.decisions.count() == consent.receipts.count() == 1


def test_a_parent_whose_gezag_ended_loses_the_case(world):
    """SPEC §6, R-1-2: a parent's seat counts only while the parent has gezag."""
    from casusoverleg.models import Case

    parent = world.guardian.user
    assert Case.objects.visible_to(parent).filter(pk=world.case.pk).exists()
    world.guardian.has_authority = False
    world.guardian.authority_source = ""
    world.guardian.authority_checked_on = None
    world.guardian.save()
    assert not Case.objects.visible_to(parent).filter(pk=world.case.pk).exists()


def test_from_18_a_parent_sees_the_case_only_with_the_youths_permission(world):
    """R-AGE-6: on the youth's 18th birthday the parent's seat stops giving access, at once
    (not at the next meeting); the youth's permission gives it back."""
    from casusoverleg.models import Case
    from consent.services import parent_access_give

    parent = world.guardian.user
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 18, today.month, today.day)
    world.youth.save()
    assert not Case.objects.visible_to(parent).filter(pk=world.case.pk).exists()
    assert Case.objects.visible_to(world.users["youth"]).filter(pk=world.case.pk).exists()
    parent_access_give(actor=world.users["youth"], guardian=world.guardian)
    assert Case.objects.visible_to(parent).filter(pk=world.case.pk).exists()
    world.youth.date_of_birth = date(today.year - 18, today.month, today.day) + timedelta(days=1)
    world.youth.save()  # a day younger: 17, the parent sees it anyway
    assert Case.objects.visible_to(parent).filter(pk=world.case.pk).exists()


@pytest.mark.postgres
def test_a_receipts_fields_cannot_be_changed_in_the_database(world, care):
    """R-6-2: the receipt's fields and hashes are fixed (trigger); only its PDF is written once."""
    from django.db import DatabaseError, transaction

    receipt = _give(world, _ask(world, care), "youth").receipt
    with (
        pytest.raises(DatabaseError, match="Cannot update"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE consent_consentreceipt SET sha256 = %s WHERE id = %s", ["0" * 64, receipt.pk]
        )
    rendered = services.receipt_render(receipt_id=receipt.pk)
    assert rendered.pdf
    assert ConsentReceipt.objects.get(pk=receipt.pk).sha256 == receipt.sha256


def test_at_16_a_youth_judged_not_able_is_not_asked_to_confirm(world, care):
    """R-AGE-1, R-AGE-4: with a judgement in force the parents still decide at 16: the birthday
    job does not flag their consent for the youth's confirmation."""
    from tests.factories.consent import IncapacityJudgementFactory

    consent = _ask(world, care)
    _give(world, consent, "youth")
    _give(world, consent, "parent")
    # Made valid by the parents alone, as under 12 (the youth's own decision is left out).
    consent.decisions.filter(consenter_kind="youth").delete()
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - 16, today.month, 1)
    world.youth.save()
    IncapacityJudgementFactory(
        youth=world.youth, case=world.case, judged_by=care, judged_on=today - timedelta(days=3)
    )
    assert case_services.family_calendar_apply(today=today)["flagged"] == 0
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.VALID
