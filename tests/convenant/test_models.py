"""Model rules of the covenant's data."""

from datetime import date

from django.core.exceptions import ValidationError

import pytest

from convenant.choices import CovenantPartyStatus
from tests.factories.convenant import CovenantFactory, CovenantPartyFactory, LegalBasisFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "reference", ["Convenant", "Privacyconvenant Onderwijs-Gemeenten-Jeugdhulp art. 4", "covenant"]
)
def test_the_covenant_is_never_a_legal_basis(reference):
    """R-4-3: a LegalBasis whose statute reference is only the covenant is refused."""
    basis = LegalBasisFactory.build(statute_reference=reference)
    with pytest.raises(ValidationError) as exc:
        basis.full_clean()
    assert "statute_reference" in exc.value.message_dict


def test_a_statute_reference_is_accepted():
    """R-4-1: a basis naming a statute is valid."""
    LegalBasisFactory.build(statute_reference="WPO art. 18a lid 13").full_clean()


def test_wams_basis_cannot_be_enabled_without_entry_into_force():
    """R-W-1, R-4-5: enabling a Wams basis needs the date and the Staatsblad reference."""
    basis = LegalBasisFactory.build(capacity="wams", statute_reference="Wams", enabled=True)
    with pytest.raises(ValidationError) as exc:
        basis.full_clean()
    assert "enabled" in exc.value.message_dict
    basis.in_force_from = date(2027, 1, 1)
    basis.staatsblad_reference = "Stb. 2026, 123"
    basis.full_clean()


def test_mandated_school_board_needs_its_mandate():
    """R-P-2: a school board represented by the SWV needs a recorded volmacht."""
    party = CovenantPartyFactory.build(
        covenant=CovenantFactory(), status=CovenantPartyStatus.MANDATED, mandate_reference=""
    )
    party.organisation.save()
    with pytest.raises(ValidationError) as exc:
        party.full_clean()
    assert "mandate_reference" in exc.value.message_dict


def test_party_needs_an_fg_contact():
    """R-15-1: every party has an FG contact."""
    party = CovenantPartyFactory.build(covenant=CovenantFactory(), privacy_officer_email="")
    party.organisation.save()
    with pytest.raises(ValidationError) as exc:
        party.full_clean()
    assert "privacy_officer_email" in exc.value.message_dict
