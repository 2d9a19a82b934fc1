"""Ownership in a capacity, outdated PDFs, reading after expiry, and a robust expiry job.

A municipality is one organisation acting as youth services, leerplicht and RMC, each on its
own legal basis (SPEC §4, R-P-4): the owner of an item is the party *in the capacity it shared
in*. And whatever an item's reader can no longer read must not live on in a stored PDF.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

import pytest

from casusoverleg import services
from casusoverleg.choices import DocumentKind, EntryKind
from casusoverleg.models import CaseDocument, SharedItem
from casusoverleg.permissions import ItemAction, can_item
from casusoverleg.querysets import VIEW_CASE
from convenant.models import DataCategory, LegalBasis
from core.permissions import grant
from parties.choices import Capacity
from tests.factories.casusoverleg import CaseDocumentFactory, CaseFactory, ParticipantFactory
from tests.factories.parties import ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db


def _seat(case, user, role):
    seat = ParticipantFactory(
        case=case, user=user, organisation=user.professional.organisation, role=role, accepted=True
    )
    grant(user, VIEW_CASE, case)
    return seat


@pytest.fixture
def wijkteam(world):
    """A wijkteam professional of the world's municipality (youth services), at the table."""
    user = UserFactory(role="professional")
    ProfessionalFactory(user=user, organisation=world.municipality, capacity=Capacity.YOUTH_ACT)
    _seat(world.case, user, "wijkteam_jeugdhulp")
    return user


def _wijkteam_health_item(world, wijkteam):
    school_seat = world.participants["involved_professional"]
    return services.shared_item_add(
        actor=wijkteam,
        case=world.case,
        category=DataCategory.objects.get(code="C4"),
        kind=EntryKind.OPINION,
        text="Zorgen over slaap en stemming; thuis besproken.",
        legal_basis=LegalBasis.objects.get(code="gemeente-jeugd-health"),
        audience_all=False,
        recipients=[school_seat],
    )


def test_a_colleague_in_another_capacity_is_no_owner(world, wijkteam):
    """R-T-3, R-4-4, R-P-4, R-2-3: the municipality's leerplicht officer at the table does not
    read the wijkteam's health item narrowed to the school, nor correct or delete it."""
    leerplicht = world.users["invited_professional"]  # same municipality, leerplicht capacity
    seat = world.participants["invited_professional"]
    seat.response = "accepted"
    seat.save()
    grant(leerplicht, VIEW_CASE, world.case)
    item = _wijkteam_health_item(world, wijkteam)
    assert item.owner_capacity == Capacity.YOUTH_ACT
    assert item not in SharedItem.objects.visible_to(leerplicht)
    assert item in SharedItem.objects.visible_to(wijkteam)
    assert item in SharedItem.objects.visible_to(world.users["involved_professional"])
    assert not can_item(leerplicht, ItemAction.MANAGE, item)
    with pytest.raises(PermissionDenied):
        services.shared_item_delete(actor=leerplicht, item=item)


def test_health_for_everyone_names_the_same_municipalitys_leerplicht(world, wijkteam):
    """R-T-3: sharing health data with everyone is refused while the municipality's own
    leerplicht officer sits at the table: they are a reader, not the owner."""
    from django.core.exceptions import ValidationError

    seat = world.participants["invited_professional"]
    seat.response = "accepted"
    seat.save()
    grant(seat.user, VIEW_CASE, world.case)
    with pytest.raises(ValidationError) as error:
        services.shared_item_add(
            actor=wijkteam,
            case=world.case,
            category=DataCategory.objects.get(code="C4"),
            kind=EntryKind.OPINION,
            text="Zorgen over slaap.",
            legal_basis=LegalBasis.objects.get(code="gemeente-jeugd-health"),
            audience_all=True,
            recipients=[],
        )
    assert seat.user.get_full_name() in error.value.message_dict["recipients"][0]


@pytest.mark.parametrize("change", ["rectify", "delete", "withhold"])
def test_a_changed_item_outdates_the_stored_minutes_pdfs(
    world, change, django_capture_on_commit_callbacks
):
    """R-8-2, R-6-3, R-9-3: after a correction, deletion or withdrawal no stored minutes PDF
    keeps the old content; readers ask for a new copy. Other PDFs stay."""
    from tests.factories.casusoverleg import SharedItemFactory

    care = world.users["youth_care"]
    _seat(world.case, care, "wijkteam_jeugdhulp")
    item = SharedItemFactory(
        case=world.case,
        meeting=world.meeting,
        author=care,
        category=DataCategory.objects.get(code="C6"),
        legal_basis=LegalBasis.objects.get(code="jeugdhulp-health"),
    )
    minutes_pdf = CaseDocumentFactory(
        case=world.case,
        kind=DocumentKind.MINUTES,
        meeting=world.meeting,
        ready=True,
        requested_by=world.users["involved_professional"],
    )
    notice_pdf = CaseDocumentFactory(case=world.case, kind=DocumentKind.PRIVACY_NOTICE, ready=True)
    school = world.users["involved_professional"]
    with django_capture_on_commit_callbacks(execute=True):
        if change == "rectify":
            services.shared_item_rectify(
                actor=school,
                item=world.shared["education"],
                kind=EntryKind.FACT,
                text="Gecorrigeerd.",
                audience_all=True,
                recipients=[],
            )
        elif change == "delete":
            services.shared_item_delete(actor=school, item=world.shared["education"])
        else:
            services.shared_item_withhold(actor=care, item=item, reason="Zorg goed hulpverlener.")
    assert not CaseDocument.objects.filter(pk=minutes_pdf.pk).exists()
    assert CaseDocument.objects.filter(pk=notice_pdf.pk).exists()


def test_after_expiry_the_procesregisseur_keeps_only_their_own_partys_items(world, wijkteam):
    """R-2-1, R-2-3, invariant 1: once the participants' access expired, the procesregisseur
    still holds the case record but no longer reads the other parties' disclosures."""
    other = services.shared_item_add(
        actor=wijkteam,
        case=world.case,
        category=DataCategory.objects.get(code="C2"),
        kind=EntryKind.FACT,
        text="Aangemeld bij het wijkteam.",
        legal_basis=LegalBasis.objects.get(code="gemeente-jeugd-ordinary"),
        audience_all=True,
        recipients=[],
    )
    coordinator = world.users["case_coordinator"]
    own = world.shared["education"]  # the school's; the procesregisseur is of the school
    coordinator.professional.capacity = own.owner_capacity
    coordinator.professional.save()
    assert {other, own} <= set(SharedItem.objects.visible_to(coordinator))
    world.case.status = "afgesloten"
    world.case.closed_at = timezone.now() - timedelta(
        days=settings.CASE_ACCESS_DAYS_AFTER_CLOSE + 1
    )
    world.case.save()
    services.case_access_expire()
    visible = set(SharedItem.objects.visible_to(coordinator))
    assert own in visible
    assert other not in visible


def test_one_broken_case_does_not_stop_the_expiry_of_the_others(world, monkeypatch):
    """Invariant 1: the nightly job logs a case it cannot handle and goes on with the rest."""
    closed_at = timezone.now() - timedelta(days=settings.CASE_ACCESS_DAYS_AFTER_CLOSE + 1)
    broken, fine = (
        CaseFactory(
            covenant=world.covenant, organisation=world.school, closed=True, closed_at=closed_at
        )
        for _ in range(2)
    )
    real = services._case_access_expire_one

    def flaky(*, pk, now):
        if pk == broken.pk:
            raise RuntimeError("boom")
        return real(pk=pk, now=now)

    monkeypatch.setattr(services, "_case_access_expire_one", flaky)
    assert services.case_access_expire() == 1
    fine.refresh_from_db()
    broken.refresh_from_db()
    assert fine.access_expired_at is not None
    assert broken.access_expired_at is None
