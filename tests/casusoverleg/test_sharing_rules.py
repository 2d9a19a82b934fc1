"""The rules of sharing data in a case, through the services (SPEC art. 4–8, §4; issue 4).

Minimal data (R-5-*), the providing party's legal basis (R-4-*), consent where the source has
professional secrecy or a reader has no ground (R-6-2, R-T-*), "niet verstrekken" (R-6-3),
rectifying and deleting with notice to the readers (R-8-2) and nothing half-written (invariant 9).
Who reads an item once it is stored is tested in test_shared_item_visibility.py.

The world's case is an MDO directed by the school's `case_coordinator`; the school's
`involved_professional` sits at the table. Other professionals are seated here as accepting an
invitation leaves them: an accepted Participant row plus the case grant.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

import pytest
from auditlog.models import LogEntry

from audit.models import AccessEvent
from casusoverleg import services, sharing
from casusoverleg.choices import CaseStatus, EntryKind, Response
from casusoverleg.models import SharedItem
from casusoverleg.notifications import SUBJECTS
from casusoverleg.querysets import VIEW_CASE
from consent.checks import ConsentAnswer, covering_consent
from consent.choices import ConsentStatus
from convenant.choices import DataClass
from convenant.models import ConsultationType, DataCategory, LegalBasis
from core.permissions import grant
from core.querysets import bulk_writes_allowed
from parties.choices import Capacity, PartyType, Role, Secrecy
from tests.factories.casusoverleg import CaseFactory, ParticipantFactory, SharedItemFactory
from tests.factories.consent import ConsentFactory
from tests.factories.convenant import CovenantPartyFactory
from tests.factories.parties import OrganisationFactory, ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = "Leest op niveau groep 5; extra instructie bij begrijpend lezen."


@pytest.fixture(autouse=True)
def english():
    """The services' messages are compared in English here; the Dutch is the catalogue's."""
    with translation.override("en"):
        yield


# --- Helpers --------------------------------------------------------------------------------


def _category(code):
    return DataCategory.objects.get(code=code)


def _basis(code):
    return LegalBasis.objects.get(code=code)


def _professional(org, capacity, secrecy=Secrecy.DUTY, role=Role.PROFESSIONAL, email=""):
    user = UserFactory(role=role, email=email)
    ProfessionalFactory(user=user, organisation=org, capacity=capacity, secrecy=secrecy)
    return user


def _seat(case, user, role="leerkracht_mentor"):
    """`user` accepted the invitation: an accepted seat and the case grant (invariant 1)."""
    seat = ParticipantFactory(
        case=case,
        user=user,
        organisation=user.professional.organisation,
        role=role,
        accepted=True,
    )
    grant(user, VIEW_CASE, case)
    return seat


def _accept(world, key):
    """A world participant who was invited accepts: their seat answers yes, the grant is given."""
    seat = world.participants[key]
    seat.response = Response.ACCEPTED
    seat.responded_at = timezone.now()
    seat.save()
    grant(seat.user, VIEW_CASE, seat.case)
    return seat


def _share(actor, case, category, basis, *, recipients=None, withhold_reason="", text=TEXT):
    """Share through the service; `recipients=None` is "for everyone at the table"."""
    return services.shared_item_add(
        actor=actor,
        case=case,
        category=_category(category) if category else None,
        kind=EntryKind.FACT,
        text=text,
        legal_basis=_basis(basis) if basis else None,
        audience_all=recipients is None,
        recipients=list(recipients or []),
        withhold_reason=withhold_reason,
    )


def _refused(call, *args, **kwargs):
    """The messages per field of the ValidationError that `call` raises."""
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    if hasattr(error.value, "error_dict"):
        return error.value.message_dict
    return {"__all__": error.value.messages}


def _readers(item):
    """The ids of every user who reads `item` now, by the one read rule."""
    from parties.models import User

    return {u.pk for u in User.objects.all() if SharedItem.objects.visible_to(u).filter(pk=item.pk)}


@pytest.fixture
def school(world):
    """The school's professional at the table (duty of confidentiality, education capacity)."""
    return world.users["involved_professional"]


@pytest.fixture
def care(world):
    """The youth-care professional (beroepsgeheim), accepted at the table of the world's case."""
    _seat(world.case, world.users["youth_care"], role="wijkteam_jeugdhulp")
    return world.users["youth_care"]


@pytest.fixture
def zat(world, school):
    """A ZAT about the world's youth (its allow-list has C3b), the school professional seated."""
    case = CaseFactory(
        youth=world.youth,
        covenant=world.covenant,
        coordinator=world.users["case_coordinator"],
        organisation=world.school,
        consultation_type=ConsultationType.objects.get(code="zat"),
        held=True,
    )
    _seat(case, school, role="ib_zorgcoordinator")
    return case


def _jgz_organisation(world):
    org = OrganisationFactory(region=world.covenant.region, name="Test-GGD", youth_health=True)
    CovenantPartyFactory(covenant=world.covenant, organisation=org)
    return org


# --- 1. Minimal data (R-5-1, R-5-2, R-5-3, R-TYPE-3) ---------------------------------------


def test_a_category_outside_the_types_allow_list_is_refused(world, school, zat):
    """R-5-1: an MDO does not share ongeoorloofd verzuim (C3a); a ZAT, whose list has it, does.
    The form offers only the type's categories."""
    errors = _refused(_share, school, world.case, "C3a", "school-ordinary")
    assert "does not share this kind of data" in errors["category"][0]
    assert world.case.consultation_type.name in errors["category"][0]
    offered = {c.code for c in sharing.category_choices(case=world.case, author=school)}
    assert "C3a" not in offered
    assert "C2" in offered
    item = _share(school, zat, "C3a", "school-ordinary")
    assert item.category.code == "C3a"


def test_authorised_absence_is_never_shared(world, school):
    """R-5-2, invariant 5: geoorloofd verzuim (C3c) is refused in every type, even when a
    beheerder put it on the type's list by mistake, and the form never offers it."""
    for type_code in ("mdo", "zat", "verzuimoverleg"):
        ctype = ConsultationType.objects.get(code=type_code)
        ctype.allowed_categories.add(_category("C3c"))
        case = CaseFactory(
            youth=world.youth,
            covenant=world.covenant,
            coordinator=world.users["case_coordinator"],
            organisation=world.school,
            consultation_type=ctype,
            held=True,
        )
        _seat(case, school)
        errors = _refused(_share, school, case, "C3c", "school-ordinary")
        assert errors["category"] == ["Authorised absence (geoorloofd verzuim) is never shared."]
        assert "C3c" not in {c.code for c in sharing.category_choices(case=case, author=school)}
        assert not SharedItem.objects.filter(case=case).exists()


def test_criminal_data_and_the_bsn_are_never_shared(world, school):
    """R-5-3: criminal data (C9) and the BSN (C10) are refused, even on a type's list."""
    for code in ("C9", "C10"):
        world.case.consultation_type.allowed_categories.add(_category(code))
        errors = _refused(_share, school, world.case, code, "school-ordinary")
        assert errors["category"] == ["Criminal data and the BSN are not processed in a case."]
        offered = sharing.category_choices(case=world.case, author=school)
        assert code not in {c.code for c in offered}


def test_no_model_has_a_bsn_field():
    """R-5-3: there is nowhere to store a BSN or PGN: no field of a shared item, a youth, a
    parent or any other model of ours is named after one."""
    from django.apps import apps

    ours = ("parties", "convenant", "consent", "casusoverleg", "audit", "portal")
    fields = [
        (model.__name__, field.name)
        for app in ours
        if app in {c.label for c in apps.get_app_configs()}
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
    ]
    assert ("SharedItem", "text") in fields  # the scan sees the models
    suspicious = [
        (model, name)
        for model, name in fields
        if any(word in name.lower() for word in ("bsn", "burgerservice", "pgn", "citizen_number"))
    ]
    assert suspicious == []


def test_worrying_authorised_absence_needs_leerplicht_at_the_table(world, school, zat):
    """R-5-2, R-TYPE-3: zorgelijk geoorloofd verzuim (C3b) is refused while leerplicht is only
    invited; once leerplicht accepted, "everyone" is still refused (whoever joins later would
    read it), and so are readers beside leerplicht; narrowed to leerplicht it is accepted."""
    leerplicht = world.users["invited_professional"]
    pending = ParticipantFactory(
        case=zat, user=leerplicht, organisation=world.municipality, role="leerplicht"
    )
    errors = _refused(_share, school, zat, "C3b", "school-ordinary")
    assert "neither has accepted" in errors["category"][0]

    wijkteam = _professional(world.municipality, Capacity.YOUTH_ACT)
    wijkteam_seat = _seat(zat, wijkteam, role="smw_wijkteam")
    pending.response = Response.ACCEPTED
    pending.save()
    grant(leerplicht, VIEW_CASE, zat)
    seat = pending
    errors = _refused(_share, school, zat, "C3b", "school-ordinary")
    assert errors["recipients"] == ["Choose leerplicht or the youth doctor as the only readers."]
    errors = _refused(
        _share, school, zat, "C3b", "school-ordinary", recipients=[seat, wijkteam_seat]
    )
    assert wijkteam.get_full_name() in errors["recipients"][0]
    assert leerplicht.get_full_name() not in errors["recipients"][0]
    assert not SharedItem.objects.filter(case=zat).exists()

    item = _share(school, zat, "C3b", "school-ordinary", recipients=[seat])
    assert list(item.recipients.all()) == [seat]
    assert not item.audience_all
    assert leerplicht.pk in _readers(item)
    assert wijkteam.pk not in _readers(item)


def test_worrying_authorised_absence_goes_to_the_youth_doctor(world, school, zat):
    """R-5-2, R-TYPE-3: the JGZ youth doctor at the table is the other permitted reader."""
    doctor = _professional(_jgz_organisation(world), Capacity.YOUTH_HEALTH)
    seat = _seat(zat, doctor, role="jeugdarts")
    item = _share(school, zat, "C3b", "school-ordinary", recipients=[seat])
    assert doctor.pk in _readers(item)


# --- 2. The providing party's legal basis (R-4-2, R-4-4, R-4-5, R-T-1) ----------------------


def test_a_basis_of_another_party_or_capacity_is_refused(world):
    """R-4-2, R-T-1: the basis must be one of the providing party's type in the author's
    capacity; the form offers only those."""
    _seat(world.case, world.users["leerplicht"], role="leerplicht")
    for author_key, category, basis in [
        ("involved_professional", "C2", "swv-ordinary"),  # another party type
        ("involved_professional", "C2", "jeugdhulp-ordinary"),  # another party type
        ("leerplicht", "C1", "gemeente-jeugd-ordinary"),  # same party, another capacity
        ("leerplicht", "C1", "rmc-ordinary"),  # same party, another capacity
    ]:
        author = world.users[author_key]
        errors = _refused(_share, author, world.case, category, basis)
        assert errors["legal_basis"] == [
            "This legal basis is not one of your party in your capacity."
        ], basis
        assert basis not in {b.code for b in sharing.basis_choices(author=author)}


def test_a_basis_not_in_force_is_refused(world, school):
    """R-4-5, R-W-1: the Wams bases are seeded disabled and refused; a basis whose entry into
    force lies ahead is refused too, until that day."""
    world.municipality.capacities = [*world.municipality.capacities, Capacity.WAMS]
    world.municipality.save()
    coordinator = _professional(world.municipality, Capacity.WAMS)
    _seat(world.case, coordinator, role="smw_wijkteam")
    errors = _refused(_share, coordinator, world.case, "C1", "wams-ordinary")
    assert errors["legal_basis"] == ["This legal basis is not in force."]
    assert not sharing.basis_choices(author=coordinator).filter(code__startswith="wams").exists()

    basis = _basis("school-ordinary")
    basis.in_force_from = timezone.localdate() + timedelta(days=1)
    basis.save()
    errors = _refused(_share, school, world.case, "C2", "school-ordinary")
    assert errors["legal_basis"] == ["This legal basis is not in force."]
    assert basis not in sharing.basis_choices(author=school)


def test_health_data_needs_a_special_data_basis(world, school):
    """R-4-4: health data on the school's ordinary basis is refused with a message that says
    why; on the school's special-data exception (UAVG art. 30 lid 2 sub a) it is accepted and
    stored as special."""
    for category in ("C4", "C5", "C6"):
        errors = _refused(_share, school, world.case, category, "school-ordinary")
        assert errors["legal_basis"] == [
            "This is health data: choose a basis for special data, or consent (R-4-4)."
        ]
        item = _share(school, world.case, category, "school-health")
        assert item.data_class == DataClass.SPECIAL_HEALTH
        assert item.is_special


def test_ordinary_data_on_a_special_basis_is_refused(world, school):
    """R-4-2: a basis covers its own class only; education data is not shared as health data."""
    errors = _refused(_share, school, world.case, "C2", "school-health")
    assert errors["legal_basis"] == ["This legal basis does not cover this kind of data."]


def test_a_mixed_category_takes_the_class_of_its_basis(world, school):
    """SPEC art. 5 (C8, C11 "inherits the highest class of its content"), R-4-4: the sharer says
    which by the basis; the item is stored, and read, as that class: a reader without a ground
    for health data reads the ordinary one only."""
    classes = {"school-ordinary": DataClass.ORDINARY, "school-health": DataClass.SPECIAL_HEALTH}
    items = {}
    for category in ("C8", "C11"):
        for basis, data_class in classes.items():
            item = _share(school, world.case, category, basis)
            assert item.data_class == data_class, (category, basis)
            items[category, basis] = item
    leerplicht = _accept(world, "invited_professional").user
    for (category, basis), item in items.items():
        assert (leerplicht.pk in _readers(item)) is (basis == "school-ordinary"), category


def test_the_access_event_of_a_share_names_its_basis(world, school):
    """R-4-2, invariant 2: share.added records the basis code and the category; the youth and the
    case are its scope; the text of the item is not in the log."""
    item = _share(school, world.case, "C4", "school-health", text="Faalangst bij toetsen XYZ123")
    event = AccessEvent.objects.get(action="share.added")
    assert event.legal_basis == "school-health"
    assert event.reason == "C4"
    assert event.actor == school
    assert event.object_type == "casusoverleg.shareditem"
    assert event.object_id == str(item.uuid)
    assert event.case_uuid == world.case.uuid
    assert event.youth_uuid == world.youth.uuid
    assert event.purpose == world.case.purpose.code
    assert "XYZ123" not in json.dumps(
        [str(getattr(event, f.attname)) for f in AccessEvent._meta.concrete_fields]
    )


def test_only_someone_at_the_table_of_an_open_case_shares(world, school):
    """R-7-2, R-2-3: a professional of the school who is not at the table cannot share; nobody
    adds to a closed case (403, not a form message)."""
    with pytest.raises(PermissionDenied):
        _share(world.users["professional"], world.case, "C2", "school-ordinary")
    with pytest.raises(PermissionDenied):  # invited, has not accepted
        _share(world.users["invited_professional"], world.case, "C1", "leerplicht-ordinary")
    world.case.status = CaseStatus.CLOSED
    world.case.closed_at = timezone.now()
    world.case.save()
    with pytest.raises(PermissionDenied):
        _share(school, world.case, "C2", "school-ordinary")
    assert not AccessEvent.objects.filter(action="share.added").exists()


# --- 3. The consent interface (R-6-2, R-T-2, invariant 4) ----------------------------------


def test_youth_care_cannot_share_anything_without_consent(world, care):
    """R-6-2, invariant 4: a professional with beroepsgeheim shares nothing without a consent:
    every category and basis the form offers them is refused, with a message that says consent
    is needed and that none is recorded yet (never silently allowed)."""
    categories = list(sharing.category_choices(case=world.case, author=care))
    bases = list(sharing.basis_choices(author=care))
    assert {c.code for c in categories} >= {"C2", "C4", "C7"}
    assert {b.code for b in bases} == {"jeugdhulp-ordinary", "jeugdhulp-health"}
    refused_on_consent = set()
    for category in categories:
        for basis in bases:
            errors = _refused(_share, care, world.case, category.code, basis.code)
            messages = errors.get("legal_basis", [])
            if any("needs the consent" in m for m in messages):
                refused_on_consent.add(category.code)
                assert "you have professional secrecy" in messages[0]
                assert "No valid consent of the family covers" in messages[0]
    assert refused_on_consent == {c.code for c in categories}
    assert not SharedItem.objects.filter(author=care).exists()


def test_a_basis_that_requires_consent_is_refused(world):
    """R-6-2, R-4-4: a basis that rests on, or requires, consent is refused until a consent
    covers the share, also for a sharer without beroepsgeheim."""
    for org, capacity, category, basis in [
        # JGZ: "verstrekken alleen met toestemming".
        (_jgz_organisation(world), Capacity.YOUTH_HEALTH, "C1", "jgz-ordinary"),
        # The school's explicit-consent basis for health data.
        (world.school, Capacity.EDUCATION, "C4", "school-health-consent"),
    ]:
        author = _professional(org, capacity, secrecy=Secrecy.DUTY)
        _seat(world.case, author, role="jeugdarts")
        errors = _refused(_share, author, world.case, category, basis)
        assert "the legal basis requires consent" in errors["legal_basis"][0], basis
        assert "professional secrecy" not in errors["legal_basis"][0]
    assert not SharedItem.objects.exclude(pk__in=[i.pk for i in world.shared.values()]).exists()


def test_treatment_information_never_comes_from_a_school(world, school, care, monkeypatch):
    """R-T-2: a party type without beroepsgeheim cannot provide treatment information (C7) at
    all, not even with a consent; the form offers C7 only to youth care."""
    monkeypatch.setattr(sharing, "covering_consent", lambda question: ConsentAnswer(consent_id=1))
    errors = _refused(_share, school, world.case, "C7", "school-health")
    assert errors["category"] == [
        "Only a professional with professional secrecy can share treatment information."
    ]
    assert "C7" not in {c.code for c in sharing.category_choices(case=world.case, author=school)}
    assert "C7" in {c.code for c in sharing.category_choices(case=world.case, author=care)}


def _given_consent(world, care, codes, recipients, *, special=True):
    """A valid consent of the family for youth care's `codes`, naming `recipients`."""
    return ConsentFactory(
        case=world.case,
        agreed_with=care,
        given=True,
        covers_special=special,
        categories=[_category(code) for code in codes],
        recipients=recipients,
    )


def test_with_a_covering_consent_youth_care_shares_on_that_consent(world, care, monkeypatch):
    """R-6-2: the share asks `consent.checks.covering_consent` who would read it; with a consent
    the item is stored as shared on that consent, the log names the basis and the consent, and
    the readers are the ones of the organisations the consent names (here: the school)."""
    colleague = _professional(
        care.professional.organisation, Capacity.YOUTH_CARE, Secrecy.PROFESSIONAL_SECRECY
    )
    _seat(world.case, colleague, role="wijkteam_jeugdhulp")
    errors = _refused(_share, care, world.case, "C7", "jeugdhulp-health")
    assert "it is treatment information" in errors["legal_basis"][0]
    consent = _given_consent(world, care, ["C7"], [world.school])
    questions = []

    def asked(question):
        questions.append(question)
        return covering_consent(question)

    monkeypatch.setattr(sharing, "covering_consent", asked)
    item = _share(care, world.case, "C7", "jeugdhulp-health")
    assert item.shared_on_consent
    assert item.consent == consent
    assert item.data_class == DataClass.SPECIAL_HEALTH
    (question,) = questions
    assert question.case_id == world.case.pk
    assert question.youth_id == world.youth.pk
    assert question.source_organisation_id == care.professional.organisation_id
    assert question.category_id == _category("C7").pk
    assert question.purpose_id == world.case.purpose_id
    assert question.on == timezone.localdate()
    # Everyone at the table outside youth care: the procesregisseur and the school professional.
    school_readers = {world.users["case_coordinator"].pk, world.users["involved_professional"].pk}
    assert set(question.recipient_user_ids) == school_readers
    event = AccessEvent.objects.get(action="share.added")
    assert event.legal_basis == f"jeugdhulp-health; consent {consent.pk}"
    assert _readers(item) == {care.pk, colleague.pk} | school_readers


def test_a_consent_that_does_not_name_a_reader_covers_nothing(world, care):
    """R-6-2 (a): a consent for the school only does not cover a share that leerplicht would read;
    the message says the consent does not name every organisation that would read it."""
    _accept(world, "invited_professional")  # leerplicht (the municipality) at the table
    _given_consent(world, care, ["C7"], [world.school])
    errors = _refused(_share, care, world.case, "C7", "jeugdhulp-health")
    assert "does not name every organisation" in errors["legal_basis"][0]
    assert not SharedItem.objects.filter(author=care).exists()


def test_health_data_needs_a_consent_that_says_so(world, care):
    """R-6-2, AVG art. 9(2)(a): a consent without explicit health data covers no health item."""
    _given_consent(world, care, ["C7"], [world.school], special=False)
    errors = _refused(_share, care, world.case, "C7", "jeugdhulp-health")
    assert "No valid consent of the family covers" in errors["legal_basis"][0]


# --- 4. The receiving side (R-4-2, R-4-4, R-T-3, R-6-1) -------------------------------------


def test_health_data_for_everyone_is_refused_while_leerplicht_sits_at_the_table(world, school):
    """R-T-3, R-4-4: leerplicht has no ground to receive health data without consent; a health
    item for everyone is refused with a message that names the leerplicht officer."""
    _accept(world, "invited_professional")
    leerplicht = world.users["invited_professional"]
    errors = _refused(_share, school, world.case, "C4", "school-health")
    (message,) = errors["recipients"]
    assert "no legal ground to receive this kind of data without consent" in message
    assert f"{leerplicht.get_full_name()} (Testgemeente)" in message
    # Ordinary data for everyone is fine: leerplicht has its own statutory ground for it.
    assert _share(school, world.case, "C2", "school-ordinary").audience_all


def test_health_data_narrowed_to_readers_with_a_ground_is_accepted(world, school, care):
    """R-4-2, R-T-3: narrowed to the youth-care professional (who may receive health data), the
    school's health item is accepted while leerplicht sits at the table; leerplicht reads it not."""
    seat = _accept(world, "invited_professional")
    care_seat = world.case.participants.get(user=care)
    item = _share(school, world.case, "C4", "school-health", recipients=[care_seat])
    assert care.pk in _readers(item)
    assert seat.user_id not in _readers(item)
    errors = _refused(_share, school, world.case, "C4", "school-health", recipients=[seat])
    assert seat.user.get_full_name() in errors["recipients"][0]


def test_a_reader_without_secrecy_is_refused_for_health_data(world, school):
    """R-6-1: a reader not bound by secrecy has no ground for health data, whatever the basis
    of their party (here the SWV's health exception): refused for everyone and narrowed alike."""
    swv = OrganisationFactory(
        region=world.covenant.region,
        name="Test-SWV",
        party_type=PartyType.SWV,
        capacities=[Capacity.SWV_TASK],
    )
    CovenantPartyFactory(covenant=world.covenant, organisation=swv)
    consultant = _professional(swv, Capacity.SWV_TASK, secrecy=Secrecy.NONE)
    seat = _seat(world.case, consultant, role="swv_consultant")
    for recipients in (None, [seat]):
        errors = _refused(_share, school, world.case, "C4", "school-health", recipients=recipients)
        assert consultant.get_full_name() in errors["recipients"][0]
    assert _share(school, world.case, "C2", "school-ordinary", recipients=[seat])


def test_an_author_without_secrecy_cannot_record_health_data(world, school):
    """R-6-1: health data is processed only by people bound by secrecy, so someone without a
    duty of confidentiality cannot record it (they could not even read it back)."""
    colleague = _professional(world.school, Capacity.EDUCATION, secrecy=Secrecy.NONE)
    _seat(world.case, colleague)
    errors = _refused(_share, colleague, world.case, "C4", "school-health")
    assert "bound by secrecy" in errors["legal_basis"][0]
    assert not SharedItem.objects.filter(author=colleague).exists()
    assert _share(colleague, world.case, "C2", "school-ordinary")  # ordinary data is fine


def test_a_reader_whose_basis_is_not_yet_in_force_has_no_ground(world, school):
    """R-4-5, R-W-1, R-4-2: a receiving basis counts from its entry into force, as a providing
    basis does: with the Wams bases enabled ahead of that date, a Wams coordinator at the table
    has no ground yet, and sharing with them is refused with their name."""
    # The world's consent (C2 for the municipality) would be their ground; this is about bases.
    world.consent.status = ConsentStatus.WITHDRAWN
    world.consent.save()
    world.municipality.capacities = [*world.municipality.capacities, Capacity.WAMS]
    world.municipality.save()
    coordinator = _professional(world.municipality, Capacity.WAMS)
    seat = _seat(world.case, coordinator, role="smw_wijkteam")
    with bulk_writes_allowed("test arrangement"):
        LegalBasis.objects.filter(code__in=["wams-ordinary", "wams-health"]).update(
            enabled=True, in_force_from=timezone.localdate() + timedelta(days=30)
        )
    errors = _refused(_share, school, world.case, "C2", "school-ordinary", recipients=[seat])
    assert coordinator.get_full_name() in errors["recipients"][0]
    with bulk_writes_allowed("test arrangement"):
        LegalBasis.objects.filter(code__startswith="wams-").update(in_force_from=None)
    assert _share(school, world.case, "C2", "school-ordinary", recipients=[seat])


def test_recipients_must_be_accepted_professionals_at_this_table(world, school, zat):
    """R-7-2: an item is narrowed only to professionals at this table who accepted, and a
    narrowed item needs at least one of them."""
    pending = world.participants["invited_professional"]
    parent = world.participants["parent"]
    other_table = _seat(zat, world.users["leerplicht"], role="leerplicht")
    for recipients in ([pending], [parent], [other_table]):
        errors = _refused(
            _share, school, world.case, "C2", "school-ordinary", recipients=recipients
        )
        assert errors["recipients"] == ["Choose only professionals at the table who accepted."]
    errors = _refused(_share, school, world.case, "C2", "school-ordinary", recipients=[])
    assert errors["recipients"] == ["Choose who may read it, or share it with everyone."]


def test_an_item_needs_its_tag_and_text(world, school):
    """R-8-1: fact, opinion or agreement, and something to share."""
    errors = _refused(
        services.shared_item_add,
        actor=school,
        case=world.case,
        category=_category("C2"),
        kind="gerucht",
        text="   ",
        legal_basis=_basis("school-ordinary"),
        audience_all=True,
        recipients=[],
    )
    assert set(errors) == {"kind", "text"}


# --- 5. "Niet verstrekken" (R-6-3) ---------------------------------------------------------


def test_only_professional_secrecy_records_an_item_as_not_provided(world, school, care):
    """R-6-3: a school professional cannot record "niet verstrekken"; youth care can, without a
    consent (nothing is provided), and then only youth care reads it; the log says withheld."""
    errors = _refused(_share, school, world.case, "C2", "school-ordinary", withhold_reason="Zorg")
    assert errors["withhold_reason"] == [
        "Only a professional with professional secrecy can mark data as not provided."
    ]
    item = _share(care, world.case, "C7", "jeugdhulp-health", withhold_reason="Goed hulpverlener")
    assert item.is_withheld
    assert item.withheld_by == care
    assert item.withheld_reason == "Goed hulpverlener"
    assert AccessEvent.objects.filter(action="share.withheld", object_id=str(item.uuid)).exists()
    assert not AccessEvent.objects.filter(action="share.added").exists()
    assert _readers(item) == {care.pk}


@pytest.fixture
def provided_by_care(world, care):
    """An ordinary item youth care provided for everyone (as if on a consent that was given)."""
    return SharedItemFactory(
        case=world.case,
        author=care,
        category=_category("C2"),
        legal_basis=_basis("jeugdhulp-ordinary"),
        text="Jeugdhulp sinds maart; wekelijks gesprek.",
    )


def test_only_professional_secrecy_marks_an_item_as_not_provided(
    world, care, provided_by_care, django_capture_on_commit_callbacks
):
    """R-6-3, R-8-2: only the owner party's professional with beroepsgeheim marks its item "niet
    verstrekken", with a reason; from then on only youth care reads it and its readers are told."""
    item = provided_by_care
    school_item = world.shared["education"]
    coordinator = world.users["case_coordinator"]
    coordinator.email = "regie@example.org"
    coordinator.save()
    assert coordinator.pk in _readers(item)
    with pytest.raises(PermissionDenied):  # not the owner party
        services.shared_item_withhold(actor=care, item=school_item, reason="Zorg")
    with pytest.raises(PermissionDenied):  # the school has no beroepsgeheim
        services.shared_item_withhold(
            actor=world.users["involved_professional"], item=school_item, reason="Zorg"
        )
    assert _refused(services.shared_item_withhold, actor=care, item=item, reason=" ") == {
        "reason": ["Give the reason for not providing it."]
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.shared_item_withhold(actor=care, item=item, reason="Goed hulpverlener")
    item.refresh_from_db()
    assert item.is_withheld
    assert _readers(item) == {care.pk}
    assert [m.to for m in mail.outbox] == [["regie@example.org"]]
    assert "wekelijks" not in mail.outbox[0].body
    errors = _refused(services.shared_item_withhold, actor=care, item=item, reason="Nogmaals")
    assert errors == {"__all__": ["This item is already marked as not provided."]}


def test_releasing_a_withheld_item_runs_every_check_again(world, care):
    """R-6-3, R-6-2: lifting "niet verstrekken" provides the item only as a new share would be:
    refused for youth care without consent (it stays withheld); accepted on a consent."""
    item = _share(care, world.case, "C4", "jeugdhulp-health", withhold_reason="Goed hulpverlener")
    with pytest.raises(PermissionDenied):  # another party
        services.shared_item_release(actor=world.users["case_coordinator"], item=item)
    errors = _refused(services.shared_item_release, actor=care, item=item)
    assert "needs the consent" in errors["legal_basis"][0]
    item.refresh_from_db()
    assert item.is_withheld
    consent = _given_consent(world, care, ["C4"], [world.school])
    services.shared_item_release(actor=care, item=item)
    item.refresh_from_db()
    assert not item.is_withheld
    assert item.consent == consent
    event = AccessEvent.objects.get(action="share.released")
    assert event.legal_basis == f"jeugdhulp-health; consent {consent.pk}"
    # On that consent the school's people at the table read it (R-6-2).
    assert _readers(item) == {
        care.pk,
        world.users["case_coordinator"].pk,
        world.users["involved_professional"].pk,
    }


# --- 6. Rectifying and deleting (R-8-2, R-2-1, R-10-3, R-9-3) --------------------------------


@pytest.fixture
def table(world, care):
    """The school's education item is read by leerplicht and youth care; all have an address."""
    _accept(world, "invited_professional")
    for key in ("invited_professional", "youth_care", "case_coordinator", "involved_professional"):
        user = world.users[key]
        user.email = f"{key}@example.org"
        user.save()
    item = world.shared["education"]
    assert _readers(item) >= {world.users["invited_professional"].pk, care.pk}
    return item


def _rectify(actor, item, **kwargs):
    defaults = {"kind": EntryKind.FACT, "text": "Gecorrigeerd.", "audience_all": True}
    return services.shared_item_rectify(
        actor=actor, item=item, recipients=kwargs.pop("recipients", []), **(defaults | kwargs)
    )


@pytest.mark.parametrize(
    "actor_key",
    [
        "involved_professional",  # the author, at the table
        "case_coordinator",  # the procesregisseur, of the owner party
    ],
)
def test_the_owner_party_at_the_table_rectifies_and_deletes(world, table, actor_key):
    """R-8-2, R-2-1: the owner party's people at the table correct and delete its item."""
    actor = world.users[actor_key]
    _rectify(actor, table, text="Gecorrigeerd door de school.")
    table.refresh_from_db()
    assert table.rectified_at is not None
    assert table.text == "Gecorrigeerd door de school."
    services.shared_item_delete(actor=actor, item=table)
    assert not SharedItem.objects.filter(pk=table.pk).exists()


def test_nobody_else_rectifies_or_deletes(world, table):
    """R-8-2, R-2-1: other parties who read the item, the owner party's people who are not at
    the table, and the FG get 403; nothing changes and nothing is logged."""
    for actor_key in (
        "youth_care",  # reads it, another party
        "invited_professional",  # reads it, another party
        "professional",  # the owner party, but not at the table
        "privacy_officer",
        "administrator",
    ):
        actor = world.users[actor_key]
        with pytest.raises(PermissionDenied):
            _rectify(actor, table)
        with pytest.raises(PermissionDenied):
            services.shared_item_delete(actor=actor, item=table)
    text_before = table.text
    table.refresh_from_db()
    assert table.text == text_before
    assert table.rectified_at is None
    assert not AccessEvent.objects.filter(action__startswith="share.").exists()


def test_a_closed_case_is_frozen_for_its_items(world, table):
    """R-8-2, SPEC art. 9: closing starts retention; the owner no longer changes items."""
    world.case.status = CaseStatus.CLOSED
    world.case.closed_at = timezone.now()
    world.case.save()
    with pytest.raises(PermissionDenied):
        _rectify(world.users["involved_professional"], table)
    with pytest.raises(PermissionDenied):
        services.shared_item_delete(actor=world.users["involved_professional"], item=table)


def _assert_link_only(message, world, *texts):
    """R-10-3: a subject and a link; not the item, not the youth, not the case's purpose."""
    content = message.subject + message.body
    for forbidden in (*texts, *world.pii(), world.case.purpose_specification):
        assert forbidden not in content
    assert reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid}) in message.body


def test_rectifying_tells_the_readers_before_and_after(
    world, table, care, django_capture_on_commit_callbacks
):
    """R-8-2, R-10-3: narrowing an item to youth care tells leerplicht (who read it) and youth care
    (who reads it still), once each, after commit; the owner party is not told; the e-mail holds
    a link only. The change is logged without its content."""
    author = world.users["involved_professional"]
    care_seat = world.case.participants.get(user=care)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _rectify(
            author,
            table,
            text="Leesniveau groep 6 GECORRIGEERD",
            audience_all=False,
            recipients=[care_seat],
        )
        assert mail.outbox == []  # queued on commit, not sent inside the transaction
    # Two notifications, and the removal of the outdated minutes PDFs' files.
    assert len(callbacks) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "invited_professional@example.org",
        "youth_care@example.org",
    ]
    with translation.override(settings.LANGUAGE_CODE):  # notifications go out in Dutch
        subject = SUBJECTS["item_changed"]()
    for message in mail.outbox:
        assert message.subject == subject
        _assert_link_only(message, world, SharedItemFactory.text, "GECORRIGEERD")
    table.refresh_from_db()
    assert table.text == "Leesniveau groep 6 GECORRIGEERD"
    assert list(table.recipients.all()) == [care_seat]
    assert _readers(table) == {author.pk, world.users["case_coordinator"].pk, care.pk}
    event = AccessEvent.objects.get(action="share.rectified")
    assert event.object_id == str(table.uuid)
    assert "GECORRIGEERD" not in event.reason


def test_rectifying_checks_new_readers_as_a_new_share(world, school, care):
    """R-8-2, R-T-3: widening a health item to everyone while leerplicht sits at the table is
    refused, as sharing it so would be."""
    care_seat = world.case.participants.get(user=care)
    item = _share(school, world.case, "C4", "school-health", recipients=[care_seat])
    _accept(world, "invited_professional")
    errors = _refused(_rectify, school, item, audience_all=True)
    assert world.users["invited_professional"].get_full_name() in errors["recipients"][0]
    item.refresh_from_db()
    assert not item.audience_all
    assert item.text == TEXT


def test_deleting_removes_the_item_logs_it_and_tells_its_readers(
    world, table, django_capture_on_commit_callbacks
):
    """R-8-2, R-9-3, R-10-3: the row goes; share.deleted keeps the reference, not the content;
    the readers outside the owner party are told, with a link only."""
    uuid = table.uuid
    with django_capture_on_commit_callbacks(execute=True):
        services.shared_item_delete(actor=world.users["case_coordinator"], item=table)
    assert not SharedItem.objects.filter(uuid=uuid).exists()
    event = AccessEvent.objects.get(action="share.deleted")
    assert event.object_id == str(uuid)
    assert event.reason == "C2"
    assert event.actor == world.users["case_coordinator"]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "invited_professional@example.org",
        "youth_care@example.org",
    ]
    for message in mail.outbox:
        _assert_link_only(message, world, SharedItemFactory.text)


def test_the_row_history_of_an_item_never_holds_its_text(world, school, care):
    """R-9-3, STYLE §4.6: django-auditlog keeps the diffs of a shared item (created, corrected,
    narrowed, deleted) without its text, so a deleted item does not live on in its history."""
    care_seat = world.case.participants.get(user=care)
    item = _share(school, world.case, "C2", "school-ordinary", text="ORIGINEEL-7Q")
    _rectify(school, item, text="GECORRIGEERD-7Q", audience_all=False, recipients=[care_seat])
    services.shared_item_delete(actor=school, item=item)
    entries = LogEntry.objects.get_for_model(SharedItem).filter(object_pk=str(item.pk))
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    assert entries.filter(action=LogEntry.Action.UPDATE).exists()
    assert entries.filter(action=LogEntry.Action.DELETE).exists()
    for entry in entries:
        stored = json.dumps(
            [
                entry.changes,
                entry.changes_text,
                entry.object_repr,
                entry.serialized_data,
                entry.additional_data,
            ],
            default=str,
        )
        assert "7Q" not in stored


# --- 7. Nothing half-written (invariant 9) ---------------------------------------------------


def _footprint():
    return (
        SharedItem.objects.count(),
        SharedItem.recipients.through.objects.count(),
        AccessEvent.objects.filter(action__startswith="share.").count(),
        LogEntry.objects.get_for_model(SharedItem).count(),
    )


def test_a_refused_share_leaves_nothing_behind(world, school, care):
    """Invariant 9, R-4-2: a refused share leaves no item, no recipient rows, no share event and
    no row history."""
    _accept(world, "invited_professional")
    leerplicht_seat = world.participants["invited_professional"]
    care_seat = world.case.participants.get(user=care)
    before = _footprint()
    refusals = {
        "outside the allow-list": lambda: _share(
            school, world.case, "C3a", "school-ordinary", recipients=[care_seat]
        ),
        "no ground for a reader": lambda: _share(
            school, world.case, "C4", "school-health", recipients=[care_seat, leerplicht_seat]
        ),
        "youth care without consent": lambda: _share(
            care, world.case, "C2", "jeugdhulp-ordinary", recipients=[leerplicht_seat]
        ),
    }
    for refusal, call in refusals.items():
        with pytest.raises(ValidationError):
            call()
        assert _footprint() == before, refusal


def test_a_failure_after_saving_rolls_the_share_back(world, school, care, monkeypatch):
    """Invariant 9, invariant 2: if the access event cannot be written, the item and its
    recipients go with it (one transaction)."""
    care_seat = world.case.participants.get(user=care)
    before = _footprint()

    def broken_log(**kwargs):
        raise RuntimeError("access log unavailable")

    monkeypatch.setattr(services, "record", broken_log)
    with pytest.raises(RuntimeError):
        _share(school, world.case, "C2", "school-ordinary", recipients=[care_seat])
    assert _footprint() == before
