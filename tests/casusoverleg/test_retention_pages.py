"""Retention pages (/bewaren/) and the daily dry-run report (SPEC R-9-1, R-9-4, R-10-3).

Beheerders and FGs see counts and pseudonyms, never content; an FG of the region or the case's
procesregisseur places and ends legal holds; bad input is refused at the field and nothing is
written; every page writes its access event.
"""

from datetime import date, datetime, time, timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg.choices import CaseStatus
from casusoverleg.models import Case, LegalHold, RetentionRun
from casusoverleg.retention import months_before, retention_apply, retention_report_send
from core.querysets import bulk_writes_allowed
from tests.factories.parties import (
    OrganisationFactory,
    ProfessionalFactory,
    RegionFactory,
    UserFactory,
)
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

TODAY = date.today()  # noqa: DTZ011 - the local date the engine uses by default


def _close(case: Case, day: date) -> None:
    with bulk_writes_allowed("test set-up: a case closed long ago"):
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED,
            closed_at=timezone.make_aware(datetime.combine(day, time(12))),
        )


@pytest.fixture
def due_soon(world):
    """The world's case reaches the end of its two years in 5 days: due within 14 days."""
    _close(world.case, months_before(TODAY, 24) + timedelta(days=5))
    return world.case


def _body(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("who", ["administrator", "privacy_officer"])
def test_the_report_page_shows_counts_and_pseudonyms_only(
    client, world, due_soon, who, django_assert_max_num_queries
):
    """R-9-1, R-9-3: the beheerder and the FG see what becomes due within 14 days, per rule,
    with pseudonymous references; no name, no shared text. The look is logged."""
    login_verified(client, world.users[who])
    with django_assert_max_num_queries(45):
        response = client.get(reverse("retention:overview"))
    assert response.status_code == 200
    body = _body(response)
    assert 'data-testid="due-casusoverleg-verslag"' in body
    assert f"C-{world.case.uuid.hex[:8].upper()}" in body
    assert not [text for text in world.pii() if text in body]
    assert AccessEvent.objects.filter(actor=world.users[who], action="retention.viewed").exists()


def test_the_report_page_costs_the_same_with_more_cases(
    client, world, due_soon, django_assert_max_num_queries
):
    """The page's queries do not grow with the number of due records (pages are bounded)."""
    from tests.factories.casusoverleg import CaseFactory

    for _ in range(5):
        _close(CaseFactory(covenant=world.covenant), months_before(TODAY, 24))
    login_verified(client, world.users["privacy_officer"])
    with django_assert_max_num_queries(45):
        assert client.get(reverse("retention:overview")).status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "professional", "parent", "youth"])
def test_others_get_403_on_the_report(client, world, who):
    """Only beheerders and FGs oversee retention; the refusal is logged."""
    login_verified(client, world.users[who])
    assert client.get(reverse("retention:overview")).status_code == 403
    assert AccessEvent.objects.filter(actor=world.users[who], action="access.denied").exists()


def test_an_fg_of_another_region_sees_nothing_of_this_one(client, world, due_soon):
    """The report is per region."""
    region = RegionFactory(name="Andere regio")
    officer = UserFactory(username="other_fg", role="privacy_officer")
    ProfessionalFactory(user=officer, organisation=OrganisationFactory(region=region), capacity="")
    login_verified(client, officer)
    body = _body(client.get(reverse("retention:overview")))
    assert 'data-testid="nothing-due"' in body
    url = reverse("retention:hold_place", kwargs={"uuid": world.case.uuid})
    assert client.get(url).status_code == 404


def _hold_post(client, case, **data):
    payload = {"scope": "case", "reason": "Klacht bij de AP", "ends_on": TODAY + timedelta(30)}
    payload.update(data)
    return client.post(reverse("retention:hold_place", kwargs={"uuid": case.uuid}), payload)


@pytest.mark.parametrize("who", ["privacy_officer", "case_coordinator"])
def test_the_fg_or_the_procesregisseur_places_a_legal_hold(client, world, who):
    """R-9-4: a hold with reason and end date; logged with the youth and the case."""
    login_verified(client, world.users[who])
    response = _hold_post(client, world.case)
    assert response.status_code == 302
    hold = LegalHold.objects.get(case=world.case)
    assert hold.reason == "Klacht bij de AP"
    assert hold.placed_by == world.users[who]
    assert AccessEvent.objects.filter(
        action="hold.placed", youth_uuid=world.youth.uuid, case_uuid=world.case.uuid
    ).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "   "}, "reason", "Geef de reden"),
        (
            {"ends_on": TODAY - timedelta(days=1)},
            "ends_on",
            "De einddatum kan niet in het verleden",
        ),
        ({"ends_on": ""}, "ends_on", "Geef de datum"),
    ],
)
def test_bad_hold_input_is_refused_at_the_field(client, world, data, field, message):
    """Invariant 9: an empty reason or an end date in the past gets a message next to the
    field; no hold and no event are written."""
    login_verified(client, world.users["privacy_officer"])
    response = _hold_post(client, world.case, **data)
    assert response.status_code == 400
    assert message in _body(response)
    assert field in response.context["form"].errors
    assert not LegalHold.objects.exists()
    assert not AccessEvent.objects.filter(action="hold.placed").exists()


@pytest.mark.parametrize(("who", "status"), [("administrator", 403), ("coordinator", 404)])
def test_others_cannot_place_a_hold(client, world, who, status):
    """R-9-4: the beheerder (role) and another procesregisseur (not their case) cannot."""
    login_verified(client, world.users[who])
    assert _hold_post(client, world.case).status_code == status
    assert not LegalHold.objects.exists()


def test_ending_a_hold_lets_the_next_run_remove(client, world):
    """R-9-4: the hold keeps an overdue case; ended by the FG (logged), the next run removes."""
    _close(world.case, months_before(TODAY, 30))
    login_verified(client, world.users["privacy_officer"])
    _hold_post(client, world.case)
    retention_apply()
    assert Case.objects.get(pk=world.case.pk).meetings.exists()
    hold = LegalHold.objects.get()
    url = reverse("retention:hold_end", kwargs={"uuid": hold.uuid})
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    hold.refresh_from_db()
    assert hold.ended_at is not None
    assert AccessEvent.objects.filter(action="hold.ended").exists()
    retention_apply()
    assert not Case.objects.get(pk=world.case.pk).meetings.exists()


def test_the_procesregisseur_cannot_end_a_hold_the_fg_placed(client, world):
    """R-9-4: a hold the FG placed on a case (for instance over a complaint about how the case
    was handled) is not the procesregisseur's to end: 404, and the hold stays."""
    login_verified(client, world.users["privacy_officer"])
    _hold_post(client, world.case)
    hold = LegalHold.objects.get()
    coordinator = Client()
    login_verified(coordinator, world.users["case_coordinator"])
    url = reverse("retention:hold_end", kwargs={"uuid": hold.uuid})
    assert coordinator.post(url).status_code == 404
    hold.refresh_from_db()
    assert hold.ended_at is None


def test_past_runs_list_what_was_removed_by_pseudonym(client, world, django_assert_max_num_queries):
    """R-9-1: the runs page and a run's page show rule, type and pseudonyms; no content."""
    _close(world.case, months_before(TODAY, 25))
    run = retention_apply()
    login_verified(client, world.users["administrator"])
    response = client.get(reverse("retention:run_list"))
    assert response.status_code == 200
    assert reverse("retention:run_detail", kwargs={"uuid": run.uuid}) in _body(response)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("retention:run_detail", kwargs={"uuid": run.uuid}))
    body = _body(response)
    assert "casusoverleg-verslag" in body
    assert f"C-{world.case.uuid.hex[:8].upper()}" in body
    assert not [text for text in world.pii() if text in body]


def test_the_daily_report_mails_a_link_to_beheerders_and_fgs_once(
    world, due_soon, django_capture_on_commit_callbacks
):
    """R-9-1, R-10-3: the dry-run report of the next 14 days goes to the region's beheerders and
    FGs, as a link without content; the job running twice mails once."""
    for who in ("administrator", "privacy_officer", "coordinator"):
        user = world.users[who]
        user.email = f"{who}@example.org"
        user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_report_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "administrator@example.org",
        "privacy_officer@example.org",
    ]
    body = mail.outbox[0].body
    assert reverse("retention:overview") in body
    assert not [text for text in world.pii() if text in body]
    report = RetentionRun.objects.get(kind="report")
    assert report.planned >= 1
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_report_send() == 0
    assert len(mail.outbox) == 2


def test_nothing_due_mails_nobody(world, django_capture_on_commit_callbacks):
    """R-9-1: without anything due within 14 days, no e-mail."""
    world.users["privacy_officer"].email = "fg@example.org"
    world.users["privacy_officer"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_report_send() == 0
    assert not mail.outbox


def test_the_procesregisseur_finds_the_hold_page_on_the_closed_case(client, world):
    """R-9-4: the case page links to the hold form for its procesregisseur, also once closed."""
    _close(world.case, TODAY)
    login_verified(client, world.users["case_coordinator"])
    body = _body(client.get(reverse("casusoverleg:case_detail", kwargs={"uuid": world.case.uuid})))
    assert reverse("retention:hold_place", kwargs={"uuid": world.case.uuid}) in body
