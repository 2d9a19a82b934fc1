"""Covenant governance (issue 7): versions, accession, leaving and the DPIA gate.

SPEC art. 17–19: R-17-1, R-18-1, R-P-3, R-19-1, R-DPIA-1, R-DPIA-2, R-15-1.
"""

from datetime import UTC, date, datetime, timedelta

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from audit.models import AccessEvent
from casusoverleg import services as case_services
from casusoverleg.choices import TargetGroup
from casusoverleg.models import Case, SharedItem
from convenant import governance_services as services
from convenant.choices import CovenantPartyStatus, DPIAReviewTrigger
from convenant.forms import ConsultationTypeForm, DataCategoryForm
from convenant.governance_selectors import (
    active_parties_without_dpia,
    dpia_activation_refusal,
    open_review_prompts,
)
from convenant.models import (
    ConsultationType,
    Covenant,
    CovenantParty,
    DataCategory,
    DPIAEndorsement,
    DPIARecord,
    DPIAReviewPrompt,
    LegalBasis,
)
from convenant.selectors import participation_refusal
from convenant.services import reference_save
from core.permissions import grant
from parties.choices import Capacity, PartyType, Role
from parties.models import Organisation
from tests.factories.casusoverleg import CaseFactory, SharedItemFactory
from tests.factories.convenant import CovenantFactory, CovenantPartyFactory, DPIARecordFactory
from tests.factories.parties import (
    OrganisationFactory,
    ProfessionalFactory,
    RegionFactory,
    UserFactory,
)
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def _pdf(content: bytes = PDF, name: str = "toetreding.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _client(user) -> Client:
    return login_verified(Client(), user)


def _events(action: str) -> int:
    return AccessEvent.objects.filter(action=action).count()


def _staff(org: Organisation, role: str = Role.PROFESSIONAL, **kwargs):
    user = UserFactory(role=role)
    ProfessionalFactory(user=user, organisation=org, **kwargs)
    return user


# --- Covenant versions (R-17-1) --------------------------------------------------------------


def test_a_new_version_ends_the_previous_one_and_carries_the_parties_over(world):
    """R-17-1: the beheerder adds a version; the previous one ends the day before, the parties
    that take part carry over with their accession history, and it is logged."""
    admin = world.users["administrator"]
    before = world.covenant.parties.count()
    response = _client(admin).post(
        reverse("governance:version_create"),
        {"title": "Privacyconvenant", "version": "2.0", "effective_from": "2027-01-01"},
    )
    assert response.status_code == 302
    new = Covenant.objects.get(region=world.covenant.region, version="2.0")
    world.covenant.refresh_from_db()
    assert world.covenant.effective_until == date(2026, 12, 31)
    assert new.effective_until is None
    assert new.parties.count() == before
    assert AccessEvent.objects.filter(
        action="covenant.version_added", actor=admin, object_id=str(new.uuid)
    ).exists()


def test_a_version_must_start_after_the_current_one(world):
    """R-17-1, invariant 9: an earlier start date is refused at the field; nothing is written."""
    covenants = Covenant.objects.count()
    response = _client(world.users["administrator"]).post(
        reverse("governance:version_create"),
        {"title": "Privacyconvenant", "version": "0.9", "effective_from": "2025-06-01"},
    )
    assert response.status_code == 400
    assert "effective_from" in response.context["form"].errors
    assert "aria-invalid" in response.content.decode()
    assert Covenant.objects.count() == covenants
    world.covenant.refresh_from_db()
    assert world.covenant.effective_until is None


def _open_case(world) -> Case:
    return case_services.case_open(
        actor=world.users["coordinator"],
        youth=world.youth,
        consultation_type=ConsultationType.objects.get(code="mdo"),
        purpose_specification="Passende ondersteuning in de klas.",
        target_group=TargetGroup.EDUCATION_AND_YOUTH_CARE,
    )


def test_a_case_records_the_version_in_force_when_it_was_opened(world):
    """R-17-1: a case opened the day before a new version keeps the old one; a case opened on
    its first day records the new one (time-machine across the change date)."""
    new = services.covenant_version_add(
        actor=world.users["administrator"],
        region_id=world.covenant.region_id,
        title="Privacyconvenant",
        version="2.0",
        effective_from=date(2027, 1, 1),
        hosting_organisation=None,
    )
    with time_machine.travel(datetime(2026, 12, 31, 11, 0, tzinfo=UTC), tick=False):
        before = _open_case(world)
    with time_machine.travel(datetime(2027, 1, 1, 11, 0, tzinfo=UTC), tick=False):
        after = _open_case(world)
    assert before.covenant == world.covenant
    assert after.covenant == new
    # The case page shows the version it was opened under.
    client = _client(world.users["coordinator"])
    body = client.get(reverse("casusoverleg:case_detail", kwargs={"uuid": after.uuid})).content
    assert "2.0" in body.decode()


# --- Accession (R-18-1, R-P-3) ---------------------------------------------------------------


@pytest.fixture
def newcomer(world):
    """A youth care provider of the region that is not a party yet, with one professional."""
    org = OrganisationFactory(
        region=world.covenant.region, name="Nieuwe Jeugdhulp", youth_care=True
    )
    user = _staff(org, capacity=Capacity.YOUTH_CARE, professional_secrecy=True)
    user.email = "hulpverlener@nieuw.example"
    user.save()
    return org, user


def _accede(world, org) -> CovenantParty:
    response = _client(world.users["administrator"]).post(
        reverse("governance:accession_create"),
        {
            "organisation": org.pk,
            "joined_on": "2026-11-01",
            "privacy_officer_name": "N. Nieuw",
            "privacy_officer_email": "fg@nieuw.example",
            "signed_document": _pdf(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return CovenantParty.objects.get(covenant=world.covenant, organisation=org)


def test_accession_upload_approval_notification_then_selectable(
    world, newcomer, django_capture_on_commit_callbacks
):
    """R-18-1, R-P-3: upload → the FG approves → the other parties' FGs and the region's
    beheerders are e-mailed a link (no personal data) and it is logged → only then can the
    organisation be added to a case."""
    org, professional = newcomer
    for i, party in enumerate(world.covenant.parties.order_by("pk")):
        party.privacy_officer_email = f"fg{i}@partij.example"
        party.save()
    world.users["administrator"].email = "beheer@gemeente.example"
    world.users["administrator"].save()
    party = _accede(world, org)
    assert party.status == CovenantPartyStatus.ACCEDED
    assert party.signed_document.name.endswith(".pdf")
    assert "Nieuwe" not in party.signed_document.name  # the stored name says nothing
    coordinator = world.users["case_coordinator"]
    with pytest.raises(ValidationError, match="Nieuwe Jeugdhulp"):
        case_services.participant_add(
            actor=coordinator, case=world.case, user=professional, role="jeugdhulp"
        )
    page = _client(world.users["privacy_officer"]).get(
        reverse("governance:party_detail", kwargs={"uuid": party.uuid})
    )
    assert "Approve accession" in page.content.decode() or "Toetreding goedkeuren" in (
        page.content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world.users["privacy_officer"]).post(
            reverse("governance:accession_approve", kwargs={"uuid": party.uuid})
        )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.accession_approved_by == world.users["privacy_officer"]
    assert party.accession_notified_at is not None
    notified = AccessEvent.objects.get(action="accession.notified", object_id=str(party.uuid))
    assert notified.reason == f"{len(mail.outbox)} recipients"
    addresses = sorted(a for m in mail.outbox for a in m.to)
    expected = ["fg0@partij.example", "fg1@partij.example", "fg2@partij.example"]
    assert addresses == sorted([*expected, "beheer@gemeente.example"])
    for message in mail.outbox:
        assert reverse("governance:overview") in message.body
        # A link only: no party, no person, no youth (R-10-3).
        for text in ("Nieuwe Jeugdhulp", "N. Nieuw", *world.pii()):
            assert text not in message.body
            assert text not in message.subject
    seat = case_services.participant_add(
        actor=coordinator, case=world.case, user=professional, role="jeugdhulp"
    )
    assert seat.organisation == org


@pytest.mark.parametrize(
    ("_case", "content", "name"),
    [
        ("a PNG named .pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "formulier.pdf"),
        ("an empty file", b"", "formulier.pdf"),
        ("a script", b"<script>alert(1)</script>", "formulier.pdf"),
        ("a Word file", b"PK\x03\x04" + b"0" * 64, "formulier.docx"),
    ],
)
def test_a_wrong_upload_is_refused_at_the_field(world, newcomer, _case, content, name):
    """R-18-1, issue 7 hardening: only a PDF (by its first bytes) is kept; the message is at the
    field and nothing is written."""
    org, _ = newcomer
    parties, events = CovenantParty.objects.count(), _events("accession.uploaded")
    response = _client(world.users["administrator"]).post(
        reverse("governance:accession_create"),
        {
            "organisation": org.pk,
            "joined_on": "2026-11-01",
            "privacy_officer_name": "N. Nieuw",
            "privacy_officer_email": "fg@nieuw.example",
            "signed_document": _pdf(content, name),
        },
    )
    assert response.status_code == 400
    assert "signed_document" in response.context["form"].errors
    assert CovenantParty.objects.count() == parties
    assert _events("accession.uploaded") == events


def test_a_too_large_upload_is_refused(world, newcomer, monkeypatch):
    """R-18-1: the size is checked as well as the type."""
    monkeypatch.setattr("convenant.uploads.MAX_BYTES", 16)
    org, _ = newcomer
    parties = CovenantParty.objects.count()
    response = _client(world.users["administrator"]).post(
        reverse("governance:accession_create"),
        {
            "organisation": org.pk,
            "joined_on": "2026-11-01",
            "privacy_officer_name": "N. Nieuw",
            "privacy_officer_email": "fg@nieuw.example",
            "signed_document": _pdf(),
        },
    )
    assert response.status_code == 400
    assert "signed_document" in response.context["form"].errors
    assert CovenantParty.objects.count() == parties


def test_only_the_fg_approves_and_an_approved_form_is_not_replaced(world, newcomer):
    """R-18-1 (four eyes): the beheerder who uploaded cannot approve; after approval the form
    is the record and cannot be replaced."""
    org, _ = newcomer
    party = _accede(world, org)
    admin = _client(world.users["administrator"])
    url = reverse("governance:accession_approve", kwargs={"uuid": party.uuid})
    assert admin.post(url).status_code == 403
    party.refresh_from_db()
    assert party.accession_approved_at is None
    assert _client(world.users["privacy_officer"]).post(url).status_code == 302
    response = admin.post(
        reverse("governance:accession_upload", kwargs={"uuid": party.uuid}),
        {"signed_document": _pdf()},
    )
    assert response.status_code == 400
    assert "signed_document" in response.context["upload_form"].errors
    # Approving twice is refused too, and notifies no one again.
    notified = _events("accession.notified")
    assert _client(world.users["privacy_officer"]).post(url).status_code == 400
    assert _events("accession.notified") == notified


def test_the_signed_form_is_downloaded_only_by_the_region_and_logged(world, newcomer):
    """R-18-1, issue 7 hardening: the form is served only through the authorised, logged
    download; other roles get 403, another region's beheerder 404."""
    org, _ = newcomer
    party = _accede(world, org)
    url = reverse("governance:accession_download", kwargs={"uuid": party.uuid})
    response = _client(world.users["privacy_officer"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert AccessEvent.objects.filter(
        action="accession.downloaded", actor=world.users["privacy_officer"]
    ).exists()
    assert _client(world.users["coordinator"]).get(url).status_code == 403
    elsewhere = OrganisationFactory(region=RegionFactory(name="Elders"), municipality=True)
    assert _client(_staff(elsewhere, Role.ADMINISTRATOR)).get(url).status_code == 404


# --- Leaving (R-19-1) -----------------------------------------------------------------------


def _municipality_party(world) -> CovenantParty:
    return world.covenant.parties.get(organisation=world.municipality)


def test_a_party_that_left_cannot_be_added_to_new_cases(world):
    """R-19-1: from its end date the party is refused, with the reason, by the service and
    the form of the case page."""
    today = timezone.localdate()
    services.party_leave(
        actor=world.users["administrator"], party=_municipality_party(world), left_on=today
    )
    refusal = participation_refusal(
        covenant=world.covenant, organisation=world.municipality, on=today
    )
    assert "uitgetreden uit het convenant" in refusal
    coordinator = world.users["case_coordinator"]
    with pytest.raises(ValidationError, match="uitgetreden uit het convenant"):
        case_services.participant_add(
            actor=coordinator, case=world.case, user=world.users["leerplicht"], role="leerplicht"
        )
    # The day before the end date it could still be added.
    yesterday = today - timedelta(days=1)
    assert (
        participation_refusal(
            covenant=world.covenant, organisation=world.municipality, on=yesterday
        )
        == ""
    )


def test_a_party_that_left_cannot_open_a_case(world):
    """R-19-1: a procesregisseur of a party that left opens no new case."""
    services.party_leave(
        actor=world.users["administrator"],
        party=world.covenant.parties.get(organisation=world.school),
        left_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="uitgetreden uit het convenant"):
        _open_case(world)


def test_its_people_lose_other_parties_data_on_the_end_date_not_the_day_before(world):
    """R-19-1: on the end date (before any nightly job) the departed party's professionals no
    longer see other parties' cases or items; the day before they still do. Their own party's
    case and items stay visible to them."""
    reader = world.users["other_case_professional"]  # municipality, at the school's other case
    other_case = Case.objects.get(youth=world.other_youth)
    own_case = CaseFactory(
        youth=world.other_youth,
        covenant=world.covenant,
        organisation=world.municipality,
        coordinator=_staff(world.municipality, Role.COORDINATOR, capacity=Capacity.YOUTH_ACT),
    )
    grant(reader, "casusoverleg.view_case", own_case)
    own_item = SharedItemFactory(
        case=own_case,
        author=reader,
        legal_basis=LegalBasis.objects.get(code="gemeente-jeugd-ordinary"),
        text="Eigen gegevens van de gemeente.",
    )
    schools_item = SharedItemFactory(
        case=own_case, author=world.users["involved_professional"], text="Gegevens van school."
    )
    end = date(2027, 1, 10)
    services.party_leave(
        actor=world.users["administrator"], party=_municipality_party(world), left_on=end
    )
    with time_machine.travel(datetime(2027, 1, 9, 22, 0, tzinfo=UTC), tick=False):  # 23:00 NL
        cases = set(Case.objects.visible_to(reader))
        items = set(SharedItem.objects.visible_to(reader))
    assert {other_case, own_case} <= cases
    assert {own_item, schools_item} <= items
    with time_machine.travel(datetime(2027, 1, 9, 23, 30, tzinfo=UTC), tick=False):  # 00:30 NL
        cases = set(Case.objects.visible_to(reader))
        items = set(SharedItem.objects.visible_to(reader))
        response = _client(reader).get(
            reverse("casusoverleg:case_detail", kwargs={"uuid": other_case.uuid})
        )
    assert other_case not in cases
    assert own_case in cases
    assert own_item in items
    assert schools_item not in items
    assert response.status_code == 404
    # The other parties' people are not affected.
    assert world.case in Case.objects.visible_to(world.users["involved_professional"])


def test_the_nightly_job_ends_grants_and_seats_on_other_parties_cases(world):
    """R-19-1: the beat job revokes what the read rule already hides (grants and seats agree
    again, invariant 1), logs it, does nothing before the end date and nothing twice."""
    from core.permissions import has_grant

    reader = world.users["other_case_professional"]
    other_case = Case.objects.get(youth=world.other_youth)
    party = _municipality_party(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.party_leave(actor=world.users["administrator"], party=party, left_on=tomorrow)
    assert case_services.departed_party_access_end() == 0
    assert has_grant(reader, "casusoverleg.view_case", other_case)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert case_services.departed_party_access_end() == 1
        assert case_services.departed_party_access_end() == 0
    assert not has_grant(reader, "casusoverleg.view_case", other_case)
    assert other_case.participants.get(user=reader).left_at is not None
    assert AccessEvent.objects.filter(
        action="grant.revoked", reason="party left the covenant", case_uuid=other_case.uuid
    ).exists()
    # The school's people keep their access.
    assert has_grant(world.users["other_case_coordinator"], "casusoverleg.view_case", other_case)


def test_an_end_date_before_joining_is_refused_at_the_field(world):
    """R-19-1, invariant 9: a wrong end date is shown at its field and nothing changes."""
    party = _municipality_party(world)
    response = _client(world.users["administrator"]).post(
        reverse("governance:party_leave", kwargs={"uuid": party.uuid}), {"left_on": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "left_on" in response.context["leave_form"].errors
    party.refresh_from_db()
    assert party.left_on is None
    assert _events("party.left") == 0


def test_leaving_sets_the_end_date_in_every_version_and_is_logged(world):
    """R-19-1: a party that leaves is refused under every covenant version."""
    admin = world.users["administrator"]
    new = services.covenant_version_add(
        actor=admin,
        region_id=world.covenant.region_id,
        title="Privacyconvenant",
        version="2.0",
        effective_from=date(2027, 1, 1),
        hosting_organisation=None,
    )
    response = _client(admin).post(
        reverse("governance:party_leave", kwargs={"uuid": _municipality_party(world).uuid}),
        {"left_on": "2027-03-01"},
    )
    assert response.status_code == 302
    rows = CovenantParty.objects.filter(organisation=world.municipality)
    assert {r.covenant for r in rows} == {world.covenant, new}
    assert {r.left_on for r in rows} == {date(2027, 3, 1)}
    assert _events("party.left") == 1


# --- The DPIA gate (R-DPIA-1) ---------------------------------------------------------------


def _activate(world, org) -> tuple[int, Organisation]:
    client = _client(world.users["administrator"])
    url = reverse("convenant:reference_edit", kwargs={"kind": "organisaties", "uuid": org.uuid})
    response = client.post(
        url,
        {
            "name": org.name,
            "party_type": org.party_type,
            "capacities": org.capacities,
            "is_active": "on",
        },
    )
    org.refresh_from_db()
    return response.status_code, org


def test_a_party_is_not_made_active_without_endorsing_the_dpia(world):
    """R-DPIA-1: activating a party that has not adopted or endorsed the DPIA is refused at the
    `is_active` field; after its endorsement is recorded it succeeds."""
    org = OrganisationFactory(region=world.covenant.region, name="Nieuw SWV", is_active=False)
    org.party_type = PartyType.SWV
    org.capacities = [Capacity.SWV_TASK]
    org.save()
    status, org = _activate(world, org)
    assert status == 400
    assert org.is_active is False
    dpia = DPIARecord.objects.get(region=world.covenant.region)
    response = _client(world.users["privacy_officer"]).post(
        reverse("governance:dpia_endorse", kwargs={"uuid": dpia.uuid}),
        {
            "organisation": org.pk,
            "kind": "endorsed",
            "reference": "Bestuursbesluit 2026-12",
            "endorsed_on": "2026-11-30",
        },
    )
    assert response.status_code == 302
    assert AccessEvent.objects.filter(action="dpia.endorsed").exists()
    status, org = _activate(world, org)
    assert status == 302
    assert org.is_active is True


def test_a_new_organisation_starts_inactive_and_cannot_be_created_active(world):
    """R-DPIA-1, invariant 9: the form offers a new party inactive; creating it active before
    its DPIA decision is refused at the field and no row is written."""
    client = _client(world.users["administrator"])
    url = reverse("convenant:reference_create", kwargs={"kind": "organisaties"})
    assert client.get(url).context["form"]["is_active"].value() is False
    count = Organisation.objects.count()
    response = client.post(
        url,
        {"name": "GGZ Nieuw", "party_type": PartyType.YOUTH_CARE_PROVIDER, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "is_active" in response.context["form"].errors
    assert Organisation.objects.count() == count
    response = client.post(url, {"name": "GGZ Nieuw", "party_type": PartyType.YOUTH_CARE_PROVIDER})
    assert response.status_code == 302
    assert Organisation.objects.get(name="GGZ Nieuw").is_active is False


def test_the_gate_needs_a_dpia_of_the_gemeente_and_the_host(world):
    """R-DPIA-1: without a DPIA covering the gemeente and the hosting party no party can be
    made active; the refusal says what is missing."""
    region = RegionFactory(name="Nieuwe regio")
    gemeente = OrganisationFactory(region=region, municipality=True)
    host = OrganisationFactory(region=region, name="Hostingpartij")
    CovenantFactory(region=region, hosting_organisation=host)
    org = OrganisationFactory(region=region, is_active=False)
    assert "nog geen DPIA" in dpia_activation_refusal(organisation=org)
    # A DPIA of the gemeente alone does not cover the hosting party.
    DPIARecordFactory(region=region, controllers=[gemeente])
    assert "nog geen DPIA" in dpia_activation_refusal(organisation=org)
    dpia = DPIARecordFactory(region=region, controllers=[gemeente, host])
    assert "nog niet vastgesteld of onderschreven" in dpia_activation_refusal(organisation=org)
    DPIAEndorsement.objects.create(
        dpia=dpia, organisation=org, kind="adopted", reference="B-1", endorsed_on=date(2026, 1, 1)
    )
    assert dpia_activation_refusal(organisation=org) == ""
    # A controller needs no endorsement of its own.
    assert dpia_activation_refusal(organisation=host) == ""


def test_existing_active_parties_are_kept_and_listed_without_dpia(world):
    """R-DPIA-1: parties that were active before the gate stay active; the beheerder's
    governance page warns about them."""
    legacy = OrganisationFactory(region=world.covenant.region, name="Oude Partij")
    assert legacy.is_active
    assert active_parties_without_dpia(region_id=world.covenant.region_id) == [legacy]
    response = _client(world.users["administrator"]).get(reverse("governance:overview"))
    assert "Oude Partij" in response.content.decode()
    legacy.refresh_from_db()
    assert legacy.is_active


def test_a_dpia_with_high_risk_needs_prior_consultation(world):
    """R-DPIA-1, invariant 9: a high residual risk without the AP's prior consultation is
    refused at the field and no record is written."""
    dpias = DPIARecord.objects.count()
    response = _client(world.users["privacy_officer"]).post(
        reverse("governance:dpia_create"),
        {
            "performed_on": "2026-11-20",
            "version": "2.0",
            "controllers": [world.municipality.pk],
            "fg_advice_on": "2026-11-25",
            "fg_advice_summary": "Hoog risico.",
            "residual_risk": "high",
        },
    )
    assert response.status_code == 400
    assert "prior_consultation" in response.context["form"].errors
    assert DPIARecord.objects.count() == dpias


def test_a_dpia_document_must_be_a_pdf(world):
    """R-DPIA-1: the optional DPIA document is checked like the accession form."""
    dpias = DPIARecord.objects.count()
    response = _client(world.users["privacy_officer"]).post(
        reverse("governance:dpia_create"),
        {
            "performed_on": "2026-11-20",
            "version": "2.0",
            "controllers": [world.municipality.pk],
            "fg_advice_on": "2026-11-25",
            "fg_advice_summary": "Akkoord.",
            "residual_risk": "low",
            "document": _pdf(b"GIF89a" + b"0" * 32, "dpia.pdf"),
        },
    )
    assert response.status_code == 400
    assert "document" in response.context["form"].errors
    assert DPIARecord.objects.count() == dpias


# --- DPIA review prompts (R-DPIA-2) ---------------------------------------------------------


def _new_consultation_type(world):
    form = ConsultationTypeForm(
        {
            "code": "nieuw-overleg",
            "name": "Nieuw overleg",
            "purpose": ConsultationType.objects.first().purpose_id,
        },
        instance=ConsultationType(),
    )
    assert form.is_valid(), form.errors
    reference_save(actor=world.users["administrator"], form=form)


def _new_data_category(world):
    form = DataCategoryForm(
        {"code": "C99", "name": "Nieuwe categorie", "data_class": "ordinary"},
        instance=DataCategory(),
    )
    assert form.is_valid(), form.errors
    reference_save(actor=world.users["administrator"], form=form)


def _new_party_type(world):
    mbo = OrganisationFactory(region=world.covenant.region, name="ROC", is_active=False)
    client = _client(world.users["administrator"])
    url = reverse("convenant:reference_edit", kwargs={"kind": "organisaties", "uuid": mbo.uuid})
    response = client.post(
        url, {"name": "ROC", "party_type": PartyType.MBO_INSTITUTION, "capacities": ["mbo"]}
    )
    assert response.status_code == 302


def _wams_enabled(world):
    basis = LegalBasis.objects.get(code="wams-ordinary")
    client = _client(world.users["administrator"])
    url = reverse("convenant:reference_edit", kwargs={"kind": "grondslagen", "uuid": basis.uuid})
    response = client.post(
        url,
        {
            "label": basis.label,
            "party_type": basis.party_type,
            "capacity": basis.capacity,
            "data_class": basis.data_class,
            "avg_article": basis.avg_article,
            "statute_reference": basis.statute_reference,
            "enabled": "on",
            "in_force_from": "2027-01-01",
            "staatsblad_reference": "Stb. 2026, 123",
        },
    )
    assert response.status_code == 302, response.content.decode()[:300]


def _hosting_changed(world):
    client = _client(world.users["administrator"])
    url = reverse(
        "convenant:reference_edit", kwargs={"kind": "convenanten", "uuid": world.covenant.uuid}
    )
    response = client.post(
        url,
        {
            "title": world.covenant.title,
            "version": world.covenant.version,
            "effective_from": "2026-01-01",
            "hosting_organisation": world.municipality.pk,
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("trigger", "change"),
    [
        (DPIAReviewTrigger.CONSULTATION_TYPE, _new_consultation_type),
        (DPIAReviewTrigger.DATA_CATEGORY, _new_data_category),
        (DPIAReviewTrigger.PARTY_TYPE, _new_party_type),
        (DPIAReviewTrigger.WAMS, _wams_enabled),
        (DPIAReviewTrigger.HOSTING, _hosting_changed),
    ],
)
def test_each_change_prompts_a_dpia_review_until_a_newer_dpia(world, trigger, change):
    """R-DPIA-2: each change that needs a DPIA review leaves a prompt on the beheerder's and
    the FG's overview pages, logged; a DPIA dated before the change does not close it, one
    dated on or after it does."""
    region_id = world.covenant.region_id
    assert not open_review_prompts(region_id=region_id).exists()
    change(world)
    prompt = DPIAReviewPrompt.objects.get(trigger=trigger)
    assert AccessEvent.objects.filter(
        action="dpia.review_prompted", object_id=str(prompt.uuid)
    ).exists()
    assert list(open_review_prompts(region_id=region_id)) == [prompt]
    for who, url in (
        ("administrator", "convenant:overview"),
        ("privacy_officer", "audit:dashboard"),
        ("administrator", "governance:overview"),
    ):
        body = _client(world.users[who]).get(reverse(url)).content.decode()
        assert 'data-testid="dpia-review-prompts"' in body, (who, url)
        assert str(prompt.subject) in body
    DPIARecordFactory(
        region=world.covenant.region,
        controllers=[world.municipality],
        performed_on=timezone.localdate() - timedelta(days=1),
    )
    assert open_review_prompts(region_id=region_id).exists()
    DPIARecordFactory(
        region=world.covenant.region,
        controllers=[world.municipality],
        performed_on=timezone.localdate(),
    )
    assert not open_review_prompts(region_id=region_id).exists()
    body = _client(world.users["administrator"]).get(reverse("convenant:overview")).content
    assert b'data-testid="dpia-review-prompts"' not in body


def test_ordinary_changes_prompt_nothing(world):
    """R-DPIA-2: editing an existing party without a new type or Wams prompts no review."""
    client = _client(world.users["administrator"])
    url = reverse(
        "convenant:reference_edit", kwargs={"kind": "organisaties", "uuid": world.school.uuid}
    )
    response = client.post(
        url,
        {
            "name": "Testschool (hernoemd)",
            "party_type": world.school.party_type,
            "capacities": world.school.capacities,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert not DPIAReviewPrompt.objects.exists()


def test_a_new_version_with_another_host_prompts_a_review(world):
    """R-DPIA-2: a hosting change through a new covenant version prompts a review too."""
    services.covenant_version_add(
        actor=world.users["administrator"],
        region_id=world.covenant.region_id,
        title="Privacyconvenant",
        version="2.0",
        effective_from=date(2027, 1, 1),
        hosting_organisation=world.municipality,
    )
    assert DPIAReviewPrompt.objects.filter(trigger=DPIAReviewTrigger.HOSTING).exists()


# --- Pages per role and query counts --------------------------------------------------------

PAGES = [
    ("governance:overview", {"administrator": 200, "privacy_officer": 200}),
    ("governance:version_create", {"administrator": 200}),
    ("governance:accession_create", {"administrator": 200}),
    ("governance:dpia_create", {"administrator": 200, "privacy_officer": 200}),
]


@pytest.mark.parametrize(("url_name", "allowed"), PAGES)
def test_governance_pages_per_role(world, url_name, allowed):
    """R-18-1, R-DPIA-1, invariant 1: the beheerder and the FG of the region only; every other
    role gets 403 and the denial is logged."""
    for who in (
        "administrator",
        "privacy_officer",
        "coordinator",
        "professional",
        "parent",
        "youth",
    ):
        user = world.users[who]
        denied = AccessEvent.objects.filter(action="access.denied", actor=user).count()
        response = _client(user).get(reverse(url_name))
        expected = allowed.get(who, 403)
        assert response.status_code == expected, (url_name, who)
        if expected == 403:
            after = AccessEvent.objects.filter(action="access.denied", actor=user).count()
            assert after == denied + 1


def test_party_page_of_another_region_is_404(world):
    """Invariant 1: a party row of another region does not exist for this beheerder."""
    other = CovenantPartyFactory()
    response = _client(world.users["administrator"]).get(
        reverse("governance:party_detail", kwargs={"uuid": other.uuid})
    )
    assert response.status_code == 404


def test_overview_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    """The overview reads a fixed number of queries, however many parties and DPIAs."""
    client = _client(world.users["administrator"])
    client.get(reverse("governance:overview"))
    for i in range(5):
        CovenantPartyFactory(covenant=world.covenant)
        DPIARecordFactory(region=world.covenant.region, controllers=[world.municipality])
        services.dpia_review_prompt(
            actor=None, region_id=world.covenant.region_id, trigger="hosting", subject=f"x{i}"
        )
    # +1 since the second factor: django-otp loads the session's device on every request.
    with django_assert_max_num_queries(21):
        response = client.get(reverse("governance:overview"))
    assert response.status_code == 200


def test_party_page_query_count(world, django_assert_max_num_queries):
    """The party page reads a fixed few queries."""
    client = _client(world.users["administrator"])
    url = reverse("governance:party_detail", kwargs={"uuid": _municipality_party(world).uuid})
    client.get(url)
    # +1 since the second factor: django-otp loads the session's device on every request.
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200


def test_party_page_logs_the_view(world):
    """Invariant 2: the party page is reference data, and its reading is still logged."""
    party = _municipality_party(world)
    response = _client(world.users["privacy_officer"]).get(
        reverse("governance:party_detail", kwargs={"uuid": party.uuid})
    )
    assert response.status_code == 200
    assert AccessEvent.objects.filter(
        action="reference.viewed", object_id=str(party.uuid), purpose="party"
    ).exists()


def test_a_departed_party_reads_only_its_own_minutes_entries_and_no_minutes_pdf(world):
    """R-19-1: in its own case, a party that left the covenant keeps its own minutes entries but
    no longer reads the entries other parties provided, on the page, in a new minutes PDF and
    through the minutes PDFs made before; the day before it still reads them all."""
    from casusoverleg.choices import DocumentKind
    from casusoverleg.models import CaseDocument, MinutesEntry
    from tests.factories.casusoverleg import (
        CaseDocumentFactory,
        MeetingFactory,
        MinutesEntryFactory,
        MinutesFactory,
    )

    reader = world.users["other_case_professional"]  # municipality
    own_case = CaseFactory(
        youth=world.other_youth,
        covenant=world.covenant,
        organisation=world.municipality,
        coordinator=_staff(world.municipality, Role.COORDINATOR, capacity=Capacity.YOUTH_ACT),
    )
    grant(reader, "casusoverleg.view_case", own_case)
    minutes = MinutesFactory(meeting=MeetingFactory(case=own_case))
    own_entry = MinutesEntryFactory(
        minutes=minutes, owner=world.municipality, text="Eigen afspraak van de gemeente."
    )
    schools_entry = MinutesEntryFactory(
        minutes=minutes, owner=world.school, text="Wat de school inbracht."
    )
    old_pdf = CaseDocumentFactory(case=own_case, kind=DocumentKind.MINUTES, requested_by=reader)
    school_reader = world.users["involved_professional"]
    grant(school_reader, "casusoverleg.view_case", own_case)
    end = date(2027, 1, 10)
    services.party_leave(
        actor=world.users["administrator"], party=_municipality_party(world), left_on=end
    )
    with time_machine.travel(datetime(2027, 1, 9, 22, 0, tzinfo=UTC), tick=False):  # 23:00 NL
        assert set(MinutesEntry.objects.visible_to(reader)) >= {own_entry, schools_entry}
        assert old_pdf in CaseDocument.objects.visible_to(reader)
    with time_machine.travel(datetime(2027, 1, 9, 23, 30, tzinfo=UTC), tick=False):  # 00:30 NL
        entries = set(MinutesEntry.objects.visible_to(reader))
        documents = set(CaseDocument.objects.visible_to(reader))
        # The other parties' people are not affected.
        schools_view = set(MinutesEntry.objects.visible_to(school_reader))
    assert own_entry in entries
    assert schools_entry not in entries
    assert old_pdf not in documents
    assert {own_entry, schools_entry} <= schools_view
