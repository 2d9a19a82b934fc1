"""Who reads a shared item, decided at read time on every request (SPEC R-2-3, R-4-2, R-4-4,
R-6-1, R-6-2, R-6-3, R-7-2, R-T-3; DESIGN invariants 1 and 4).

`SharedItem.objects.visible_to(user)` is the one read rule: the owner party's own people at the
table read their data; anyone else only within a case they see, when the item is provided (not
withheld, not waiting on consent records), addressed to them, of a class their party and capacity
may receive on a statutory ground, and, for health data, when they are bound by secrecy.
How items get stored is tested in test_sharing_rules.py.
"""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

import pytest

from casusoverleg import selectors, services, sharing
from casusoverleg.choices import EntryKind, Response
from casusoverleg.models import Case, SharedItem
from casusoverleg.querysets import VIEW_CASE
from consent.choices import ConsentStatus
from convenant.choices import DataClass
from convenant.models import DataCategory, LegalBasis
from core.permissions import grant
from core.querysets import bulk_writes_allowed
from parties.choices import Capacity, PartyType, Role, Secrecy
from parties.models import User
from tests.factories.casusoverleg import ParticipantFactory, SharedItemFactory
from tests.factories.consent import ConsentFactory
from tests.factories.convenant import CovenantPartyFactory
from tests.factories.parties import OrganisationFactory, ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _category(code):
    return DataCategory.objects.get(code=code)


def _basis(code):
    return LegalBasis.objects.get(code=code)


def _organisation(world, name, party_type, capacity):
    org = OrganisationFactory(
        region=world.covenant.region, name=name, party_type=party_type, capacities=[capacity]
    )
    CovenantPartyFactory(covenant=world.covenant, organisation=org)
    return org


def _professional(org, capacity, secrecy=Secrecy.DUTY):
    user = UserFactory(role=Role.PROFESSIONAL)
    ProfessionalFactory(user=user, organisation=org, capacity=capacity, secrecy=secrecy)
    return user


def _seat(case, user, role="leerkracht_mentor"):
    """`user` accepted the invitation: an accepted seat and the case grant (invariant 1)."""
    seat = ParticipantFactory(
        case=case, user=user, organisation=user.professional.organisation, role=role, accepted=True
    )
    grant(user, VIEW_CASE, case)
    return seat


def _accept(world, key):
    seat = world.participants[key]
    seat.response = Response.ACCEPTED
    seat.responded_at = timezone.now()
    seat.save()
    grant(seat.user, VIEW_CASE, seat.case)
    return seat


def _reads(user, item):
    return SharedItem.objects.visible_to(user).filter(pk=item.pk).exists()


def _readers(item):
    return {u.pk for u in User.objects.all() if _reads(u, item)}


@pytest.fixture
def care(world):
    """Youth care (beroepsgeheim) accepted at the table of the world's case."""
    _seat(world.case, world.users["youth_care"], role="wijkteam_jeugdhulp")
    return world.users["youth_care"]


# --- The world's items, for every kind of user ------------------------------------------------

# The school shared an education fact and a health item for everyone. The school's own people at
# the table read both; nobody else sits at the table with a grant, so nobody else reads anything:
# not the FG or the beheerder (no role reads case content), not the school's own professional who
# is not at the table, not the invited leerplicht officer who has not accepted, not the people of
# another case, and not parents or youths (they read in the portal, issue 6).
WHO_READS = {
    "coordinator": set(),
    "professional": set(),
    "youth_care": set(),
    "leerplicht": set(),
    "privacy_officer": set(),
    "administrator": set(),
    "involved_professional": {"education", "health"},
    "case_coordinator": {"education", "health"},
    "invited_professional": set(),
    "youth": set(),
    "parent": set(),
    "parent_without_authority": set(),
    "other_parent": set(),
    "other_youth": set(),
    "other_case_coordinator": set(),  # directs another case about another youth
    "other_case_professional": set(),  # sits at that other table
}


def test_who_reads_the_worlds_items(world):
    """R-7-2, R-2-3, R-DPIA-3: only the owner party's people at the table read the school's
    items; no role (FG, beheerder, another professional, a family member) reads them by itself.
    The table covers every user of the world, so a new one cannot slip past it."""
    reads = {
        who: {key for key, item in world.shared.items() if _reads(user, item)}
        for who, user in world.users.items()
    }
    assert reads == WHO_READS


def test_list_and_detail_agree_for_every_user_and_item(world, care):
    """STYLE rule 4: the case page's list (`shared_item_list`) and the item page
    (`shared_item_get`) give the same answer for every user and item."""
    _accept(world, "invited_professional")
    narrowed = SharedItemFactory(case=world.case, author=world.users["involved_professional"])
    narrowed.audience_all = False
    narrowed.save()
    narrowed.recipients.set([world.case.participants.get(user=care)])
    items = [*world.shared.values(), narrowed]
    for key, user in world.users.items():
        listed = {i.pk for i in selectors.shared_item_list(user=user, case=world.case)}
        for item in items:
            try:
                selectors.shared_item_get(user=user, uuid=item.uuid)
                detail = True
            except SharedItem.DoesNotExist:
                detail = False
            assert (item.pk in listed) == detail == _reads(user, item), (key, item.category.code)


def test_reading_is_one_query_whatever_the_number_of_items(world, django_assert_num_queries):
    """Issue 4 (no N+1): the read rule is one query for 1 item and for 50."""
    reader = User.objects.select_related("professional__organisation").get(
        pk=world.users["involved_professional"].pk
    )
    for extra in (0, 49):
        SharedItemFactory.create_batch(extra, case=world.case, author=reader)
        with django_assert_num_queries(1):
            count = len(list(SharedItem.objects.visible_to(reader)))
        assert count == 2 + extra


# --- The owner party, the case and the audience (R-2-1, R-7-2) --------------------------------


def test_the_owner_party_reads_only_at_a_table_it_sits_at(world):
    """R-7-2, R-2-3: a school professional who is not at the table does not read the school's
    items in that case; once seated (with the grant) they do."""
    colleague = world.users["professional"]
    assert not SharedItem.objects.visible_to(colleague).exists()
    _seat(world.case, colleague)
    assert set(SharedItem.objects.visible_to(colleague)) == set(world.shared.values())


def test_a_narrowed_item_is_read_by_its_recipients_only(world, care):
    """R-2-3, R-7-2: an item narrowed to youth care is read by youth care and the owner party,
    not by leerplicht at the same table."""
    leerplicht = _accept(world, "invited_professional").user
    item = SharedItemFactory(
        case=world.case, author=world.users["involved_professional"], audience_all=False
    )
    item.recipients.set([world.case.participants.get(user=care)])
    assert _readers(item) == {
        care.pk,
        world.users["involved_professional"].pk,
        world.users["case_coordinator"].pk,
    }
    assert _reads(leerplicht, world.shared["education"])


def test_a_recipient_who_leaves_the_table_reads_no_more(world, care):
    """Invariant 1, R-7-2: removed from the table, youth care reads nothing of the case at once;
    a seat that has left is no recipient even where a grant would remain."""
    seat = world.case.participants.get(user=care)
    item = SharedItemFactory(
        case=world.case, author=world.users["involved_professional"], audience_all=False
    )
    item.recipients.set([seat])
    assert _reads(care, item)
    # The seat alone: left, while (only in this test) the grant stays.
    seat.left_at = timezone.now()
    seat.save()
    assert not _reads(care, item)
    assert _reads(care, world.shared["education"])  # still holds the grant here
    seat.left_at = None
    seat.save()
    services.participant_remove(actor=world.users["case_coordinator"], participant=seat)
    assert not SharedItem.objects.visible_to(care).exists()
    assert not Case.objects.visible_to(care).exists()


def test_a_withheld_item_is_read_by_its_owner_party_only(world, care):
    """R-6-3: "niet verstrekken" overrides everything: only youth care reads it."""
    colleague = _professional(
        care.professional.organisation, Capacity.YOUTH_CARE, Secrecy.PROFESSIONAL_SECRECY
    )
    _seat(world.case, colleague, role="wijkteam_jeugdhulp")
    item = SharedItemFactory(
        case=world.case,
        author=care,
        category=_category("C2"),
        legal_basis=_basis("jeugdhulp-ordinary"),
    )
    assert world.users["case_coordinator"].pk in _readers(item)
    item.withheld_at = timezone.now()
    item.withheld_by = care
    item.withheld_reason = "Goed hulpverlener"
    item.save()
    assert _readers(item) == {care.pk, colleague.pk}


def test_an_item_shared_on_consent_is_read_only_under_that_consent(world, care):
    """R-6-2, invariant 7: an item shared on consent is read outside its owner party only while
    its consent is in force and names the reader's organisation: pending, withdrawn, expired or
    not naming the school, nobody at the school reads it; valid, the school's recipient does."""
    consent = ConsentFactory(
        case=world.case,
        agreed_with=care,
        covers_special=True,
        categories=[_category("C7")],
        recipients=[world.school],
    )
    item = SharedItemFactory(
        case=world.case,
        author=care,
        category=_category("C7"),
        legal_basis=_basis("jeugdhulp-health"),
        shared_on_consent=True,
        consent=consent,
        audience_all=False,
    )
    item.recipients.set([world.participants["involved_professional"]])
    assert _readers(item) == {care.pk}  # pending
    consent.status = ConsentStatus.VALID
    consent.save()
    reader = world.users["involved_professional"].pk
    assert _readers(item) == {care.pk, reader}
    consent.recipients.set([world.municipality])
    assert _readers(item) == {care.pk}  # the consent does not name the school
    consent.recipients.set([world.school])
    consent.valid_until = consent.valid_from = timezone.localdate() - timedelta(days=1)
    consent.save()
    assert _readers(item) == {care.pk}  # its period has passed
    consent.valid_until = timezone.localdate()
    consent.status = ConsentStatus.WITHDRAWN
    consent.save()
    assert _readers(item) == {care.pk}


# --- The receiving side (R-4-2, R-4-4, R-T-3, R-6-1) ------------------------------------------


def test_leerplicht_who_joins_later_does_not_read_earlier_health_data(world):
    """R-T-3, R-4-4: the school's health item was shared with everyone before leerplicht
    accepted; leerplicht then reads the education item but never the health item."""
    leerplicht = _accept(world, "invited_professional").user
    assert _reads(leerplicht, world.shared["education"])
    assert not _reads(leerplicht, world.shared["health"])


def test_a_municipal_reader_needs_a_ground_for_the_class(world):
    """R-4-2, R-4-4, R-T-3: the municipality's capacities differ: leerplicht and RMC receive
    health data only on consent, the Jeugdwet college on its statutory ground (art. 7.4.0)."""
    for capacity, reads_health in [
        (Capacity.COMPULSORY_EDUCATION, False),
        (Capacity.RMC, False),
        (Capacity.YOUTH_ACT, True),
    ]:
        reader = _professional(world.municipality, capacity)
        _seat(world.case, reader, role="smw_wijkteam")
        assert _reads(reader, world.shared["education"]), capacity
        assert _reads(reader, world.shared["health"]) is reads_health, capacity


def test_a_basis_not_yet_in_force_is_no_ground_to_receive(world):
    """R-4-5, R-W-1, R-4-2: a basis enabled ahead of its entry into force is no ground yet, to
    receive as to provide (the sharing check refuses it as "not in force"): a Wams coordinator
    reads nothing until the day the Wams bases are in force, then reads what they cover."""
    world.municipality.capacities = [*world.municipality.capacities, Capacity.WAMS]
    world.municipality.save()
    reader = _professional(world.municipality, Capacity.WAMS)
    _seat(world.case, reader, role="smw_wijkteam")
    wams = LegalBasis.objects.filter(code__in=["wams-ordinary", "wams-health"])
    with bulk_writes_allowed("test arrangement"):
        wams.update(enabled=True, in_force_from=timezone.localdate() + timedelta(days=30))
    assert not _reads(reader, world.shared["education"])
    assert not _reads(reader, world.shared["health"])
    with bulk_writes_allowed("test arrangement"):
        wams.update(in_force_from=timezone.localdate())
    assert _reads(reader, world.shared["education"])
    assert _reads(reader, world.shared["health"])


def test_a_party_without_any_basis_reads_only_anonymous_data(world):
    """R-4-2: an acceded party with no legal basis of its own receives only aggregated figures
    (C3d, anonymous), which need no ground."""
    other = _organisation(world, "Test-toegetreden", PartyType.OTHER_JOINED, Capacity.EDUCATION)
    reader = _professional(other, Capacity.EDUCATION)
    _seat(world.case, reader)
    figures = SharedItemFactory(
        case=world.case,
        author=world.users["involved_professional"],
        category=_category("C3d"),
        data_class=DataClass.ANONYMOUS,
        text="Verzuim in de klas: 4% dit kwartaal.",
    )
    assert {i.pk for i in SharedItem.objects.visible_to(reader)} == {figures.pk}


def test_a_reader_without_secrecy_never_reads_health_data(world, care):
    """R-6-1: a reader not bound by secrecy reads the education item but not the health item,
    though their party (the SWV) has a ground for health data; when a reader's secrecy is
    taken away, the health item is gone on the next read (nothing cached)."""
    swv = _organisation(world, "Test-SWV", PartyType.SWV, Capacity.SWV_TASK)
    consultant = _professional(swv, Capacity.SWV_TASK, secrecy=Secrecy.NONE)
    _seat(world.case, consultant, role="swv_consultant")
    assert _reads(consultant, world.shared["education"])
    assert not _reads(consultant, world.shared["health"])
    assert _reads(care, world.shared["health"])
    professional = care.professional
    professional.secrecy = Secrecy.NONE
    professional.save()
    care = User.objects.get(pk=care.pk)
    assert not _reads(care, world.shared["health"])


def test_the_owner_partys_own_people_without_secrecy_do_not_read_health_data(world):
    """R-6-1 ("only users with bound_by_secrecy=True can view SPECIAL items"), UAVG art. 30
    lid 5: the rule has no exception for the owner party. A school colleague at the table who is
    not bound by secrecy reads the school's education item, but not its health item."""
    colleague = _professional(world.school, Capacity.EDUCATION, secrecy=Secrecy.NONE)
    _seat(world.case, colleague)
    assert _reads(colleague, world.shared["education"])
    assert not _reads(colleague, world.shared["health"])


def test_nobody_unauthenticated_inactive_or_without_a_professional_role_reads(world):
    """Invariant 1: an anonymous visitor, a deactivated professional and a family member read
    no item (parents and youths read in the portal, issue 6)."""
    assert not SharedItem.objects.visible_to(AnonymousUser()).exists()
    involved = world.users["involved_professional"]
    involved.is_active = False
    involved.save()
    assert not SharedItem.objects.visible_to(involved).exists()
    assert not SharedItem.objects.visible_to(world.users["parent"]).exists()


# --- What the sharer was told is who reads it -------------------------------------------------


def test_the_readers_checked_when_sharing_are_the_readers_afterwards(world, care):
    """R-4-2, R-6-1, R-T-3: for every accepted share at a mixed table, the people outside the owner
    party who read the item are exactly those `check_share` judged, so no one reads it on a
    ground nobody checked, and no one who was checked is silently left out."""
    leerplicht_seat = _accept(world, "invited_professional")
    jgz = _organisation(world, "Test-GGD", PartyType.YOUTH_HEALTH_SERVICE, Capacity.YOUTH_HEALTH)
    doctor_seat = _seat(world.case, _professional(jgz, Capacity.YOUTH_HEALTH), role="jeugdarts")
    care_seat = world.case.participants.get(user=care)
    author = world.users["involved_professional"]
    owner = author.professional.organisation_id
    shares = [
        ("C2", "school-ordinary", None),
        ("C11", "school-ordinary", None),
        ("C8", "school-ordinary", [leerplicht_seat]),
        ("C4", "school-health", [care_seat]),
        ("C11", "school-health", [care_seat, doctor_seat]),
        ("C5", "school-health", [doctor_seat]),
    ]
    for code, basis, recipients in shares:
        item = services.shared_item_add(
            actor=author,
            case=world.case,
            category=_category(code),
            kind=EntryKind.FACT,
            text="Feitelijk en minimaal.",
            legal_basis=_basis(basis),
            audience_all=recipients is None,
            recipients=recipients or [],
        )
        checked = sharing.readers(
            case=world.case,
            owner_id=owner,
            owner_capacity=author.professional.capacity,
            audience_all=recipients is None,
            recipients=recipients or [],
        )
        outside = {
            pk
            for pk in _readers(item)
            if User.objects.get(pk=pk).professional.organisation_id != owner
        }
        assert outside == {r.user.pk for r in checked}, (code, basis)
        assert outside  # each share reaches someone, so the comparison means something
