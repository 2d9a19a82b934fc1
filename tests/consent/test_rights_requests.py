"""Rights requests through the services (SPEC R-13-1..5, R-RIGHTS-1..3, R-AGE-5, §7.1).

The world's youth is 14; its parent with gezag filed an inzage request with the school
(`world.rights_request`). Dates are moved with time-machine where the age or the deadline
matters.
"""

from datetime import date, timedelta

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

import pytest
import time_machine

from audit.models import AccessEvent
from consent import services
from consent.choices import RequestKind, RequestOutcome, RequestStatus
from consent.models import ParentAccess, RightsRequest
from parties.choices import PartyType
from tests.factories.parties import GuardianFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _refused(call, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.message_dict


def _file(world, actor, kind=RequestKind.ACCESS, organisations=None, **kwargs):
    return services.rights_request_file(
        actor=actor,
        youth=world.youth,
        case=world.case,
        kind=kind,
        organisations=organisations or [world.school],
        identity_method="portal",
        **kwargs,
    )


def _turn(world, age):
    today = timezone.localdate()
    world.youth.date_of_birth = date(today.year - age, today.month, today.day)
    world.youth.save()


def test_a_request_is_due_one_calendar_month_after_receipt(world):
    """R-13-1, R-13-2: filed on 31 January, due 28 February; identity verified by the portal's
    login; the filing is logged and the handlers are told (link only)."""
    coordinator = world.users["coordinator"]  # a procesregisseur of the school
    coordinator.email = "regie@example.org"
    coordinator.save()
    with time_machine.travel(date(2027, 1, 31), tick=False):
        (request,) = _file(world, world.users["youth"], RequestKind.OBJECTION, description="Nee.")
    assert request.status == RequestStatus.OPEN
    assert request.due_on == date(2027, 2, 28)
    assert request.identity_verified_at is not None
    assert AccessEvent.objects.filter(action="request.filed", object_id=request.uuid).exists()


def test_a_request_goes_to_each_owner_party_chosen(world):
    """R-13-3: one row per organisation that holds the case's data, sharing one filing; an
    organisation without data in the case cannot be chosen."""
    outsider = world.school.region.organisations.create(name="Elders", party_type="swv")
    errors = _refused(
        services.rights_request_file,
        actor=world.users["youth"],
        youth=world.youth,
        case=world.case,
        kind=RequestKind.ACCESS,
        organisations=[outsider],
    )
    assert errors["organisations"] == ["Choose only organisations of this case."]
    assert services.request_organisation_choices(case=world.case) == [world.school]


def test_a_parent_without_gezag_or_of_another_child_cannot_file(world):
    """R-13-4, SPEC §6: no rights functions without gezag; nothing about another family."""
    without = world.youth.guardians.get(has_authority=False).user
    with pytest.raises(PermissionDenied):
        _file(world, without)
    with pytest.raises(PermissionDenied):
        _file(world, world.users["other_parent"])


def test_a_parents_request_about_a_16_year_old_waits_for_the_youth(world):
    """R-AGE-5, R-13-4: the parent of a 16-year-old files; the request waits, without a deadline;
    when the youth allows the parent, it opens and its month starts that day."""
    _turn(world, 16)
    (request,) = _file(world, world.guardian.user)
    assert request.status == RequestStatus.AWAITING_YOUTH
    assert request.due_on is None
    later = timezone.now() + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        services.parent_access_give(actor=world.users["youth"], guardian=world.guardian)
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    assert request.due_on == services.due_on(RequestKind.ACCESS, timezone.localdate(later))
    with pytest.raises(PermissionDenied):  # only the youth gives that permission
        services.parent_access_give(actor=world.guardian.user, guardian=world.guardian)


def test_the_youths_permission_for_a_parent_can_be_taken_back(world):
    """R-AGE-5: from 16 a parent sees only while the youth allows it; taking it back ends it."""
    _turn(world, 16)
    assert not services.parent_may_see(guardian=world.guardian)
    services.parent_access_give(actor=world.users["youth"], guardian=world.guardian)
    assert services.parent_may_see(guardian=world.guardian)
    services.parent_access_withdraw(actor=world.users["youth"], guardian=world.guardian)
    assert not services.parent_may_see(guardian=world.guardian)
    assert ParentAccess.objects.filter(guardian=world.guardian).count() == 1
    _turn(world, 15)
    assert services.parent_may_see(guardian=world.guardian)


def test_destruction_only_of_youth_care_and_not_for_a_youth_under_12(world):
    """R-13-2, Jeugdwet 7.3.9: vernietiging is asked of youth care only (three months); a youth
    under 12 has no such right (SPEC §7.1)."""
    care = world.users["youth_care"].professional.organisation
    assert care.party_type == PartyType.YOUTH_CARE_PROVIDER
    assert RequestKind.DESTRUCTION not in services.request_kinds_for(
        youth=world.youth, organisation=world.school, on=timezone.localdate()
    )
    assert RequestKind.DESTRUCTION in services.request_kinds_for(
        youth=world.youth, organisation=care, on=timezone.localdate()
    )
    (request,) = services.rights_request_file(
        actor=world.users["youth"],
        youth=world.youth,
        case=None,
        kind=RequestKind.DESTRUCTION,
        organisations=[care],
    )
    assert request.due_on == services.due_on(RequestKind.DESTRUCTION, timezone.localdate())
    _turn(world, 11)
    errors = _refused(
        services.rights_request_file,
        actor=world.guardian.user,
        youth=world.youth,
        case=None,
        kind=RequestKind.DESTRUCTION,
        organisations=[care],
    )
    assert "Destroying a file" in errors["kind"][0]


def test_an_extension_is_at_most_two_months_with_reasons_before_the_deadline(
    world, django_capture_on_commit_callbacks
):
    """R-13-2, AVG art. 12(3): extend once, by at most two months past the first deadline, with
    a reason told to the requester before the deadline; only the handling procesregisseur."""
    request = world.rights_request
    handler = world.users["coordinator"]
    with pytest.raises(PermissionDenied):
        services.rights_request_extend(
            actor=world.users["privacy_officer"], request=request, until=request.due_on, reason="x"
        )
    too_far = services.latest_extension(request.kind, timezone.localdate(request.received_at))
    errors = _refused(
        services.rights_request_extend,
        actor=handler,
        request=request,
        until=too_far + timedelta(days=1),
        reason="",
    )
    assert errors["reason"] == ["Give the reason; the requester reads it."]
    assert errors["until"][0].startswith("At most two months longer")
    world.guardian.user.email = "ouder@example.org"
    world.guardian.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.rights_request_extend(
            actor=handler, request=request, until=too_far, reason="Veel dossiers."
        )
    request.refresh_from_db()
    assert request.deadline == too_far
    assert request.extension_notified_at is not None
    assert request.reminders_sent == []  # R-RIGHTS-1: the reminders count to the new deadline
    assert [m.to for m in mail.outbox] == [["ouder@example.org"]]
    assert "Veel dossiers" not in mail.outbox[0].body  # the reason is read in the portal
    errors = _refused(
        services.rights_request_extend, actor=handler, request=request, until=too_far, reason="x"
    )
    assert errors["__all__"] == ["This request has been extended already."]


def test_no_extension_after_the_deadline(world):
    """R-13-2: the notice must come before the first deadline."""
    request = world.rights_request
    with time_machine.travel(request.due_on + timedelta(days=1), tick=False):
        errors = _refused(
            services.rights_request_extend,
            actor=world.users["coordinator"],
            request=request,
            until=request.due_on + timedelta(days=20),
            reason="Te laat.",
        )
    assert errors["__all__"] == ["The deadline has passed; it can no longer be extended."]


def test_a_refusal_states_its_legal_ground(world):
    """R-RIGHTS-3: refused or partly granted needs the legal ground; granted does not."""
    request = world.rights_request
    errors = _refused(
        services.rights_request_close,
        actor=world.users["coordinator"],
        request=request,
        outcome=RequestOutcome.PARTLY,
        answer="Een deel.",
    )
    assert errors["refusal_ground"] == ["Name the legal ground for refusing."]
    services.rights_request_close(
        actor=world.users["coordinator"],
        request=request,
        outcome=RequestOutcome.PARTLY,
        answer="Een deel.",
        refusal_ground="UAVG art. 41 lid 1 sub i: rechten van anderen.",
        document=b"%PDF-1.4 test",
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert request.answer_document.read() == b"%PDF-1.4 test"
    assert len(request.answer_document_sha256) == 64


def test_forwarding_goes_to_another_party_of_the_region_and_is_logged(world):
    """R-13-3: the school forwards to the municipality with a reason; the deadline keeps
    running from receipt, and the forwarding is in the access log."""
    request = world.rights_request
    due = request.due_on
    services.rights_request_forward(
        actor=world.users["coordinator"],
        request=request,
        to=world.municipality,
        reason="De gegevens zijn van leerplicht.",
    )
    request.refresh_from_db()
    assert request.organisation == world.municipality
    assert request.forwarded_from == world.school
    assert request.due_on == due
    assert AccessEvent.objects.filter(action="request.updated", reason__startswith="forwarded")


def test_reminders_go_seven_days_and_one_day_before_once_each(
    world, django_capture_on_commit_callbacks
):
    """R-RIGHTS-1: the beat job reminds the handlers at 7 days and at 1 day; running it again on
    the same day sends nothing; a closed request gets none."""
    coordinator = world.users["coordinator"]
    coordinator.email = "regie@example.org"
    coordinator.save()
    request = world.rights_request
    with django_capture_on_commit_callbacks(execute=True):
        assert services.rights_requests_remind(today=request.due_on - timedelta(days=8)) == 0
        assert services.rights_requests_remind(today=request.due_on - timedelta(days=7)) == 1
        assert services.rights_requests_remind(today=request.due_on - timedelta(days=7)) == 0
        assert services.rights_requests_remind(today=request.due_on - timedelta(days=1)) == 1
    request.refresh_from_db()
    assert request.reminders_sent == [7, 1]
    reminders = [m for m in mail.outbox if m.to == ["regie@example.org"]]
    assert len(reminders) == 2
    assert all("Zoë" not in m.body for m in reminders)


def test_requests_are_visible_to_the_requester_the_youth_and_the_handlers_only(world):
    """R-13-1, invariant 1: the requester, the youth it is about and the procesregisseurs and FG
    of the handling organisation see it; another organisation's FG and the other parent do not."""
    request = world.rights_request
    sees = {
        key
        for key, user in world.users.items()
        if RightsRequest.objects.visible_to(user).filter(pk=request.pk).exists()
    }
    assert sees == {"parent", "youth", "coordinator", "case_coordinator", "other_case_coordinator"}
    second_parent = GuardianFactory(youth=world.youth).user
    assert not RightsRequest.objects.visible_to(second_parent).filter(pk=request.pk).exists()
