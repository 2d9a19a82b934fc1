"""Access ends after a case closes (DESIGN invariant 1, issue 4 "Access").

Participants keep their grant for CASE_ACCESS_DAYS_AFTER_CLOSE days after closing, so they can
read the minutes and follow up; then the nightly beat job `case_access_expire` revokes every grant
but the procesregisseur's (whose party keeps the record until retention ends), logs each one, and
marks the case done, so a second run changes nothing. Permission changes apply on the very next
request: nothing about grants is cached.
"""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from audit.models import AccessEvent
from casusoverleg import services
from casusoverleg.choices import CaseStatus
from casusoverleg.models import Case, SharedItem
from casusoverleg.querysets import VIEW_CASE
from casusoverleg.tasks import case_access_expire_task
from core.permissions import grant, holders
from parties.choices import Capacity, Secrecy
from tests.factories.casusoverleg import CaseFactory, ParticipantFactory
from tests.factories.parties import ProfessionalFactory, UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

DAYS = 30


@pytest.fixture(autouse=True)
def access_days(settings):
    settings.CASE_ACCESS_DAYS_AFTER_CLOSE = DAYS


def _seat(case, user, role):
    seat = ParticipantFactory(
        case=case, user=user, organisation=user.professional.organisation, role=role, accepted=True
    )
    grant(user, VIEW_CASE, case)
    return seat


@pytest.fixture
def closed(world):
    """The world's case with youth care at the table too, closed at a fixed moment."""
    _seat(world.case, world.users["youth_care"], "wijkteam_jeugdhulp")
    case = world.case
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now().replace(microsecond=0) - timedelta(days=1)
    case.save()
    return case


def _holders(case):
    return set(holders(VIEW_CASE, case))


def _case_url(case):
    return reverse("casusoverleg:case_detail", kwargs={"uuid": case.uuid})


def test_participants_keep_access_until_the_set_number_of_days_after_closing(world, closed):
    """Invariant 1: a second before the period ends nothing changes; the job handles no case."""
    before = _holders(closed)
    assert before == {
        world.users["case_coordinator"].pk,
        world.users["involved_professional"].pk,
        world.users["youth_care"].pk,
    }
    almost = closed.closed_at + timedelta(days=DAYS) - timedelta(seconds=1)
    assert services.case_access_expire(now=almost) == 0
    assert _holders(closed) == before
    closed.refresh_from_db()
    assert closed.access_expired_at is None
    assert not AccessEvent.objects.filter(action="grant.expired").exists()


def test_after_the_period_every_grant_but_the_procesregisseurs_ends_and_is_logged(world, closed):
    """Invariant 1, invariant 2: the grants of both participants are revoked and logged as
    expired (one event each, naming the seat); the procesregisseur keeps theirs; the case records
    when; the Participant rows stay as the history of who took part."""
    now = closed.closed_at + timedelta(days=DAYS)
    assert services.case_access_expire(now=now) == 1
    assert _holders(closed) == {world.users["case_coordinator"].pk}
    closed.refresh_from_db()
    assert closed.access_expired_at == now
    events = AccessEvent.objects.filter(action="grant.expired", case_uuid=closed.uuid)
    seats = {
        str(closed.participants.get(user=world.users[key]).uuid)
        for key in ("involved_professional", "youth_care")
    }
    assert {e.object_id for e in events} == seats
    assert events.count() == 2
    assert all(e.actor is None and e.youth_uuid == world.youth.uuid for e in events)
    assert closed.participants.filter(user=world.users["youth_care"], left_at=None).exists()


def test_running_the_job_twice_changes_nothing(world, closed):
    """Idempotent: the second run (and one a month later) finds nothing to do and logs nothing."""
    now = closed.closed_at + timedelta(days=DAYS + 1)
    services.case_access_expire(now=now)
    closed.refresh_from_db()
    expired_at = closed.access_expired_at
    events = AccessEvent.objects.count()
    assert services.case_access_expire(now=now) == 0
    assert services.case_access_expire(now=now + timedelta(days=30)) == 0
    closed.refresh_from_db()
    assert closed.access_expired_at == expired_at
    assert AccessEvent.objects.count() == events
    assert _holders(closed) == {world.users["case_coordinator"].pk}


def test_a_former_participant_sees_no_case_and_no_item(world, closed):
    """Invariant 1, R-7-2: after expiry the former participants see neither the case nor its
    items; the procesregisseur still sees both."""
    services.case_access_expire(now=closed.closed_at + timedelta(days=DAYS))
    for key in ("involved_professional", "youth_care"):
        user = world.users[key]
        assert not Case.objects.visible_to(user).filter(pk=closed.pk).exists()
        assert not SharedItem.objects.visible_to(user).exists()
    coordinator = world.users["case_coordinator"]
    assert Case.objects.visible_to(coordinator).filter(pk=closed.pk).exists()
    assert set(SharedItem.objects.visible_to(coordinator)) == set(world.shared.values())


def test_open_and_recently_closed_cases_are_left_alone(world, closed):
    """Only cases closed at least the set number of days ago are handled; an open case and one
    closed yesterday keep every grant."""
    involved = world.users["involved_professional"]
    open_case = CaseFactory(covenant=world.covenant, held=True)
    recent = CaseFactory(covenant=world.covenant, closed=True)
    for case in (open_case, recent):
        _seat(case, involved, "leerkracht_mentor")
    assert services.case_access_expire(now=closed.closed_at + timedelta(days=DAYS)) == 1
    for case in (open_case, recent):
        assert involved.pk in _holders(case)
        case.refresh_from_db()
        assert case.access_expired_at is None


def test_the_job_works_through_every_due_case_in_batches(world):
    """A run handles every due case, however many batches it takes."""
    long_ago = timezone.now() - timedelta(days=DAYS + 5)
    cases = []
    for _ in range(5):
        case = CaseFactory(covenant=world.covenant, closed=True, closed_at=long_ago)
        user = UserFactory()
        ProfessionalFactory(user=user, organisation=world.school)
        _seat(case, user, "leerkracht_mentor")
        cases.append(case)
    assert services.case_access_expire(batch_size=2) == 5
    for case in cases:
        assert _holders(case) == {case.coordinator_id}
    assert services.case_access_expire(batch_size=2) == 0


def test_the_beat_task_runs_the_job(world, closed):
    """The Celery beat task calls the service with the current time (time-machine moves it)."""
    with time_machine.travel(closed.closed_at + timedelta(days=DAYS, hours=1), tick=False):
        assert case_access_expire_task.delay().get() == 1
    assert _holders(closed) == {world.users["case_coordinator"].pk}
    closed.refresh_from_db()
    assert closed.access_expired_at is not None


def test_the_setting_decides_the_period(world, closed, settings):
    """The number of days is configuration (CASE_ACCESS_DAYS_AFTER_CLOSE), not a constant."""
    settings.CASE_ACCESS_DAYS_AFTER_CLOSE = 90
    assert services.case_access_expire(now=closed.closed_at + timedelta(days=DAYS)) == 0
    assert services.case_access_expire(now=closed.closed_at + timedelta(days=90)) == 1


def test_the_next_request_after_expiry_is_a_404(world, closed):
    """Issue 4: permission changes apply on the next request. A former participant who has the
    case page open gets a 404 on the next GET (logged as denied); the procesregisseur does not."""
    client = Client()
    login_verified(client, world.users["youth_care"])
    coordinator = Client()
    login_verified(coordinator, world.users["case_coordinator"])
    url = _case_url(closed)
    assert client.get(url).status_code == 200
    services.case_access_expire(now=closed.closed_at + timedelta(days=DAYS))
    response = client.get(url)
    assert response.status_code == 404
    for text in world.pii():
        assert text not in response.content.decode()
    assert AccessEvent.objects.filter(
        action="access.denied", actor=world.users["youth_care"]
    ).exists()
    assert coordinator.get(url).status_code == 200


def test_the_next_request_after_removal_is_a_404(world):
    """Invariant 1: a professional removed from the table of an open case loses the page at once,
    in the same session; nothing about the grant was cached."""
    user = UserFactory()
    ProfessionalFactory(
        user=user,
        organisation=world.municipality,
        capacity=Capacity.YOUTH_ACT,
        secrecy=Secrecy.DUTY,
    )
    seat = _seat(world.case, user, "smw_wijkteam")
    client = Client()
    login_verified(client, user)
    url = _case_url(world.case)
    assert client.get(url).status_code == 200
    services.participant_remove(actor=world.users["case_coordinator"], participant=seat)
    assert client.get(url).status_code == 404
