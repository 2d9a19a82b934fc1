"""The functioneel beheerder views and edits the region's covenant data in the browser."""

from django.urls import reverse

import pytest
from auditlog.models import LogEntry

from audit.models import AccessEvent
from convenant.models import ConsultationType, LegalBasis
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def beheerder(client, world):
    login_verified(client, world.users["administrator"])
    return client


def test_overview_shows_every_table_and_review_counts(beheerder):
    """R-T-1: the beheerder sees each table with the rows that still need legal review."""
    response = beheerder.get(reverse("convenant:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    for slug in (
        "grondslagen",
        "overlegtypen",
        "gegevenscategorieen",
        "bewaartermijnen",
        "partijen",
    ):
        assert reverse("convenant:reference_list", kwargs={"kind": slug}) in body


def test_legal_basis_list_badges_rows_needing_review(beheerder):
    """R-T-1: rows tagged [I] show a warning badge to the beheerder."""
    response = beheerder.get(reverse("convenant:reference_list", kwargs={"kind": "grondslagen"}))
    body = response.content.decode()
    flagged = LegalBasis.objects.filter(needs_legal_review=True).count()
    assert body.count("utrecht-status-badge--warning") == flagged


def _form_data(response) -> dict:
    """The form's current values as a browser would post them."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = (
                str(field.prepare_value(value)) if hasattr(field, "prepare_value") else value
            )
    return data


def test_editing_a_legal_basis_saves_and_records_history(beheerder, world):
    """R-4-1: changes by the beheerder are saved, diffed by auditlog and logged as access."""
    basis = LegalBasis.objects.get(code="swv-ordinary")
    url = reverse("convenant:reference_edit", kwargs={"kind": "grondslagen", "uuid": basis.uuid})
    data = _form_data(beheerder.get(url))
    data["label"] = "Samenwerkingsverband: wettelijke taak (herzien)"
    response = beheerder.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    basis.refresh_from_db()
    assert basis.label.endswith("(herzien)")
    assert LogEntry.objects.get_for_object(basis).filter(action=LogEntry.Action.UPDATE).exists()
    assert AccessEvent.objects.filter(
        action="reference.updated", actor=world.users["administrator"], object_id=str(basis.uuid)
    ).exists()


def test_covenant_as_legal_basis_is_refused_next_to_the_field(beheerder):
    """R-4-3, invariant 9: the error stands next to the field and nothing is saved."""
    basis = LegalBasis.objects.get(code="swv-ordinary")
    url = reverse("convenant:reference_edit", kwargs={"kind": "grondslagen", "uuid": basis.uuid})
    data = _form_data(beheerder.get(url))
    data["statute_reference"] = "Het privacyconvenant"
    response = beheerder.post(url, data)
    assert response.status_code == 400
    assert "statute_reference" in response.context["form"].errors
    assert 'id="id_statute_reference_error"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    basis.refresh_from_db()
    assert "privacyconvenant" not in basis.statute_reference.lower()


def test_consultation_type_roles_are_edited_with_the_type(beheerder):
    """R-TYPE-1: required and optional roles are maintained on the type's own form."""
    ctype = ConsultationType.objects.get(code="bilateraal")
    url = reverse("convenant:reference_edit", kwargs={"kind": "overlegtypen", "uuid": ctype.uuid})
    data = _form_data(beheerder.get(url))
    data["required_roles"] = ["school", "jeugdprofessional", "ouders"]
    data["optional_roles"] = ["tolk"]
    assert beheerder.post(url, data).status_code == 302
    assert set(ctype.roles.filter(required=True).values_list("role", flat=True)) == {
        "school",
        "jeugdprofessional",
        "ouders",
    }
    assert list(ctype.roles.filter(required=False).values_list("role", flat=True)) == ["tolk"]


def test_a_role_cannot_be_both_required_and_optional(beheerder):
    """Invariant 9: contradictory input is refused with a message, nothing is saved."""
    ctype = ConsultationType.objects.get(code="bilateraal")
    url = reverse("convenant:reference_edit", kwargs={"kind": "overlegtypen", "uuid": ctype.uuid})
    data = _form_data(beheerder.get(url))
    data["optional_roles"] = ["school"]
    response = beheerder.post(url, data)
    assert response.status_code == 400
    assert "optional_roles" in response.context["form"].errors
    assert not ctype.roles.filter(role="school", required=False).exists()


def test_beheerder_adds_an_organisation_in_their_own_region(beheerder, world):
    """R-P-1: a new organisation belongs to the beheerder's region."""
    url = reverse("convenant:reference_create", kwargs={"kind": "organisaties"})
    response = beheerder.post(
        url, {"name": "Nieuwe school", "party_type": "schoolbestuur", "capacities": ["onderwijs"]}
    )
    assert response.status_code == 302
    from parties.models import Organisation

    org = Organisation.objects.get(name="Nieuwe school")
    assert org.region_id == world.covenant.region_id


def test_duplicate_organisation_name_is_refused_next_to_the_field(beheerder, world):
    """Invariant 9: uniqueness within the region is checked before saving, not as a crash."""
    url = reverse("convenant:reference_create", kwargs={"kind": "organisaties"})
    response = beheerder.post(url, {"name": world.school.name, "party_type": "schoolbestuur"})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_other_regions_rows_are_not_found(beheerder):
    """Invariant 1: the beheerder of one region cannot open another region's rows (404)."""
    from tests.factories.parties import OrganisationFactory

    foreign = OrganisationFactory(name="Elders")
    url = reverse("convenant:reference_edit", kwargs={"kind": "organisaties", "uuid": foreign.uuid})
    assert beheerder.get(url).status_code == 404


def test_unknown_table_is_not_found(beheerder):
    """A made-up table name answers 404."""
    assert beheerder.get("/beheer/bestaat-niet/").status_code == 404


def test_list_page_query_count_does_not_grow_with_rows(beheerder, django_assert_max_num_queries):
    """The list of legal bases is a fixed number of queries (no N+1)."""
    with django_assert_max_num_queries(12):
        beheerder.get(reverse("convenant:reference_list", kwargs={"kind": "partijen"}))
