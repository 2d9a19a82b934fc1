"""Regression tests for the bugs the hostile-input walk found (invariant 9, issue 7).

Each was a server error or a silent refusal on input a browser can send; each now gets a clear
answer and writes nothing.
"""

from django.test import Client
from django.urls import reverse

import pytest

from casusoverleg.models import ActionItem
from consent.models import IncapacityJudgement
from convenant.models import DataCategory, LegalBasis, Purpose
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def beheerder(world) -> Client:
    return login_verified(Client(), world.users["administrator"])


@pytest.mark.parametrize(
    ("kind", "model", "data"),
    [
        ("doelen", Purpose, {"name": "Nieuw doel"}),
        (
            "gegevenscategorieen",
            DataCategory,
            {"name": "Nieuwe categorie", "data_class": "ordinary"},
        ),
    ],
)
def test_invariant_9_a_new_reference_row_asks_its_code(beheerder, kind, model, data):
    """Invariant 9: creating a purpose or data category used to fail with a server error (the
    code was not on the form); now the code is asked, refused next to the field when empty,
    and the row is saved with it."""
    url = reverse("convenant:reference_create", kwargs={"kind": kind})
    before = model.objects.count()
    response = beheerder.post(url, data)
    assert response.status_code == 400
    assert "code" in response.context["form"].errors
    assert model.objects.count() == before
    response = beheerder.post(url, {**data, "code": "nieuw-1"})
    assert response.status_code == 302
    assert model.objects.filter(code="nieuw-1").exists()


def test_invariant_9_an_existing_rows_code_cannot_be_changed(beheerder):
    """The code is how the application refers to a row: the edit form does not offer it."""
    basis = LegalBasis.objects.get(code="school-ordinary")
    url = reverse("convenant:reference_edit", kwargs={"kind": "grondslagen", "uuid": basis.uuid})
    page = beheerder.get(url)
    assert "code" not in page.context["form"].fields


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("'; DROP TABLE casusoverleg_case; --", "/werkplek/acties/"),
        ("casusoverleg:dashboard", "/werkplek/acties/"),
        ("//evil.example/", "/werkplek/acties/"),
        ("https://evil.example/", "/werkplek/acties/"),
        ("/werkplek/", "/werkplek/"),
    ],
)
def test_invariant_9_completing_an_action_with_a_forged_next_goes_to_the_list(
    world, next_url, expected
):
    """Invariant 9: a `next` that is not a local path used to reach `redirect`'s view-name
    lookup (a server error); now only a local path is followed, anything else goes to the
    action list."""
    client = login_verified(Client(), world.users["involved_professional"])
    url = reverse("casusoverleg:action_complete", kwargs={"uuid": world.action.uuid})
    response = client.post(url, {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == expected
    assert ActionItem.objects.get(pk=world.action.pk).completed_at is not None


def test_invariant_9_a_judgement_post_without_its_button_says_what_is_missing(world):
    """Invariant 9: a POST to the capacity judgement page without the button's value used to
    re-render the page silently; now it answers 400 with a message and records nothing."""
    client = login_verified(Client(), world.users["case_coordinator"])
    url = reverse("casusoverleg:incapacity", kwargs={"uuid": world.case.uuid})
    response = client.post(url, {"action": "<script>", "reason": "x"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not IncapacityJudgement.objects.exists()


def test_invariant_9_a_party_without_a_valid_start_date_is_refused_at_the_field(beheerder, world):
    """Invariant 9: a covenant party with an end date but an invalid start date used to fail
    with a server error in the model's date comparison; now the start date is refused at its
    field and nothing is saved."""
    from convenant.models import CovenantParty

    url = reverse("convenant:reference_create", kwargs={"kind": "partijen"})
    before = CovenantParty.objects.count()
    response = beheerder.post(
        url,
        {
            "covenant": world.covenant.pk,
            "organisation": world.school.pk,
            "status": "signatory",
            "joined_on": "2026-02-30",
            "left_on": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "joined_on" in response.context["form"].errors
    assert CovenantParty.objects.count() == before


def test_invariant_9_a_choice_number_beyond_the_database_integer_is_an_unknown_choice(
    beheerder, world
):
    """Invariant 9: a consultation type posted with a category number larger than the database's
    integer (found by the walk after the merge of issue 7) used to end in a server error
    (OverflowError on SQLite, an out-of-range error on PostgreSQL); now it is an unknown choice
    at the field, and nothing is saved."""
    from convenant.models import ConsultationType

    kind = ConsultationType.objects.first()
    url = reverse("convenant:reference_edit", kwargs={"kind": "overlegtypen", "uuid": kind.uuid})
    before = list(kind.allowed_categories.values_list("pk", flat=True))
    response = beheerder.post(
        url, {"name": kind.name, "purpose": kind.purpose_id, "allowed_categories": [str(10**30)]}
    )
    assert response.status_code == 400
    assert "allowed_categories" in response.context["form"].errors
    kind.refresh_from_db()
    assert list(kind.allowed_categories.values_list("pk", flat=True)) == before


def test_invariant_9_a_dpia_document_that_is_not_a_pdf_is_refused_at_its_field(world):
    """Invariant 9 (R-DPIA-1 form): a script named .pdf posted as the DPIA document is refused
    next to the file field even when other fields are wrong too (the check used to run only in
    the service, after the form had passed), and no DPIA is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from convenant.models import DPIARecord

    client = login_verified(Client(), world.users["privacy_officer"])
    before = DPIARecord.objects.count()
    response = client.post(
        reverse("governance:dpia_create"),
        {"version": "", "document": SimpleUploadedFile("formulier.pdf", b"<script>x</script>")},
    )
    assert response.status_code == 400
    assert "document" in response.context["form"].errors
    assert DPIARecord.objects.count() == before
