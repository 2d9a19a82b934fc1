"""The model covenant is loaded as data exactly as SPEC.md's tables say (issue 2 item 3, R-T-1).

The expectations below restate SPEC independently of the migration that loads it, so a change on
either side shows up here.
"""

import pytest

from convenant.models import (
    ChecklistItem,
    ConsultationType,
    DataCategory,
    LegalBasis,
    RetentionRule,
)

pytestmark = pytest.mark.django_db

# SPEC art. 5: code → (class, never shared, excluded from forms, only with capacities)
CATEGORIES = {
    "C1": ("ordinary", False, False, []),
    "C2": ("ordinary", False, False, []),
    "C3a": ("ordinary", False, False, []),
    "C3b": ("ordinary", False, False, ["leerplicht", "jgz"]),
    "C3c": ("ordinary", True, False, []),
    "C3d": ("anonymous", False, False, []),
    "C4": ("special_health", False, False, []),
    "C5": ("special_health", False, False, []),
    "C6": ("special_health", False, False, []),
    "C7": ("special_health", False, False, []),
    "C8": ("mixed", False, False, []),
    "C9": ("criminal", False, True, []),
    "C10": ("national_id", False, True, []),
    "C11": ("mixed", False, False, []),
}

# SPEC §5.1: code → (allowed categories, required roles)
CONSULTATION_TYPES = {
    "mdo": ({"C1", "C2", "C4", "C5", "C6", "C7", "C8", "C11"},
            {"ouders", "leerkracht_mentor", "ib_zorgcoordinator", "swv_consultant"}),
    "zat": ({"C1", "C2", "C3a", "C3b", "C4", "C5", "C6", "C7", "C11"},
            {"ib_zorgcoordinator", "jeugdarts", "smw_wijkteam", "swv_consultant"}),
    "verzuimoverleg": ({"C1", "C3a", "C3b", "C11"}, {"verzuimcoordinator", "ouders", "jeugdarts"}),
    "thuiszittersoverleg": ({"C1", "C2", "C3a", "C3b", "C4", "C6", "C7", "C11"},
                            {"leerplicht", "swv", "schoolbestuur", "ouders"}),
    "bilateraal": ({"C1", "C2", "C4", "C6", "C7", "C11"}, {"school", "jeugdprofessional"}),
    "zorgplatform": ({"C1", "C2", "C3a", "C3b", "C4", "C6", "C7", "C11"},
                     {"swv", "schoolbestuur", "gemeente", "jeugdhulp"}),
    "anoniem-consult": ({"C2", "C3a", "C3d", "C4", "C5", "C6", "C11"}, set()),
    "gecoordineerde-aanpak": (set(), {"gemeente_coordinator"}),
}  # fmt: skip

# SPEC §4: (party type, capacity) → does it have a special-data basis that needs no consent?
HEALTH_WITHOUT_CONSENT = {
    ("schoolbestuur", "onderwijs"): True,
    ("swv", "passend_onderwijs"): True,
    ("gemeente_college", "jeugd"): True,
    ("gemeente_college", "leerplicht"): False,
    ("gemeente_college", "rmc"): False,
    ("jeugdhulpaanbieder", "jeugdhulp"): False,
    ("jeugdhulpaanbieder", "ggz"): False,
    ("jgz", "jgz"): False,
    ("mbo_instelling", "mbo"): True,
}


@pytest.mark.parametrize(("code", "expected"), CATEGORIES.items())
def test_data_categories_match_spec(code, expected):
    """R-5-2, R-5-3: C1-C11 with their class; C3c never shared; C9 and C10 excluded."""
    category = DataCategory.objects.get(code=code)
    assert (
        category.data_class,
        category.never_shared,
        category.excluded,
        category.restricted_to_capacities,
    ) == expected


def test_no_other_data_categories():
    """Art. 5 lists exactly these categories."""
    assert set(DataCategory.objects.values_list("code", flat=True)) == set(CATEGORIES)


@pytest.mark.parametrize(("code", "expected"), CONSULTATION_TYPES.items())
def test_consultation_types_match_spec(code, expected):
    """R-TYPE-1, R-5-1: each type's allow-list and required roles are SPEC §5.1's."""
    allowed, required = expected
    ctype = ConsultationType.objects.get(code=code)
    assert set(ctype.allowed_categories.values_list("code", flat=True)) == allowed
    assert set(ctype.roles.filter(required=True).values_list("role", flat=True)) == required


def test_geoorloofd_verzuim_is_allowed_in_no_consultation_type():
    """R-5-2, R-TYPE-3: C3c (geoorloofd verzuim) can be shared in no Casusoverleg."""
    assert not ConsultationType.objects.filter(allowed_categories__code="C3c").exists()


def test_excluded_categories_are_allowed_nowhere():
    """R-5-3: criminal data and BSN are in no allow-list."""
    assert not ConsultationType.objects.filter(allowed_categories__excluded=True).exists()


def test_every_consultation_type_lists_its_roles():
    """R-TYPE-1: every type says who sits at the table; schedulable types have required roles."""
    for ctype in ConsultationType.objects.all():
        assert ctype.roles.exists(), ctype.code
        if ctype.requires_roles_to_schedule:
            assert ctype.roles.filter(required=True).exists(), ctype.code
    # R-TYPE-2 applies to ZAT, MDO and thuiszittersoverleg.
    assert set(
        ConsultationType.objects.filter(requires_roles_to_schedule=True).values_list(
            "code", flat=True
        )
    ) == {"mdo", "zat", "thuiszittersoverleg"}


def test_wams_is_present_but_disabled():
    """R-W-1, R-4-5: Wams bases and the gecoördineerde aanpak exist but are disabled."""
    assert ConsultationType.objects.get(code="gecoordineerde-aanpak").enabled is False
    wams = LegalBasis.objects.filter(capacity="wams")
    assert wams.count() == 2
    assert not wams.filter(enabled=True).exists()


@pytest.mark.parametrize(("party", "expected"), HEALTH_WITHOUT_CONSENT.items())
def test_health_data_bases_per_party(party, expected):
    """R-4-4, R-T-3: leerplicht and RMC have no basis for health data without consent; jeugdhulp,
    GGZ and JGZ disclose only with consent (beroepsgeheim, invariant 4)."""
    party_type, capacity = party
    bases = LegalBasis.objects.filter(
        party_type=party_type, capacity=capacity, data_class="special_health", enabled=True
    )
    assert bases.exists()
    assert bases.filter(requires_consent=False).exists() is expected


def test_every_enabled_party_capacity_has_an_ordinary_basis():
    """R-4-1: every party row of §4 (except Wams) has a basis for ordinary data."""
    for party_type, capacity in HEALTH_WITHOUT_CONSENT:
        assert LegalBasis.objects.filter(
            party_type=party_type, capacity=capacity, data_class="ordinary", enabled=True
        ).exists(), (party_type, capacity)


def test_no_legal_basis_is_the_covenant():
    """R-4-3: no seeded legal basis rests on the covenant, and every one names a statute."""
    for basis in LegalBasis.objects.all():
        basis.full_clean()
        assert "convenant" not in basis.statute_reference.lower()


def test_inferred_rows_are_flagged_for_review():
    """R-T-1, R-RET-1: rows tagged [I] carry needs_legal_review; verified ones do not."""
    assert LegalBasis.objects.get(code="jeugdhulp-health").needs_legal_review
    assert not LegalBasis.objects.get(code="leerplicht-ordinary").needs_legal_review
    assert RetentionRule.objects.get(code="casusoverleg-verslag").needs_legal_review
    assert not RetentionRule.objects.get(code="jeugdhulpdossier").needs_legal_review
    assert ChecklistItem.objects.filter(needs_legal_review=False).count() == 0


def test_retention_periods_match_spec():
    """R-RET-1, §7.3: the seeded periods in months and their triggers."""
    expected = {
        "leerlingdossier": (24, "pupil_left_school"),
        "verzuim-inschrijving": (60, "pupil_deregistered"),
        "verwijzing-so": (36, "pupil_left_school"),
        "jeugdhulpdossier": (240, "last_change"),
        "jgz-dossier": (240, "last_change"),
        "casusoverleg-verslag": (24, "casus_closed"),
        "leerplichtdossier": (None, "closed"),
    }
    for code, (months, trigger) in expected.items():
        rule = RetentionRule.objects.get(code=code)
        assert (rule.period_months, rule.trigger) == (months, trigger), code
    # Only what the application itself holds is enforced by it (R-RET-2).
    assert not RetentionRule.objects.get(code="jeugdhulpdossier").applies_in_app
    assert RetentionRule.objects.get(code="casusoverleg-verslag").applies_in_app


def test_checklist_gates_every_transition():
    """R-CHK-1: the checklist is data, and each transition before closing has items."""
    transitions = set(ChecklistItem.objects.values_list("transition", flat=True))
    assert transitions == {"voorbereid", "gepland", "gehouden", "verslag_vastgesteld", "afgesloten"}
