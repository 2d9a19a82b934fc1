"""The breach register's services (issue 7, SPEC §7.2): deadline, notifications, escalation,
closure rules and the register that keeps everything."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

import pytest
import time_machine

from audit.models import AccessEvent
from convenant import incidents
from convenant.choices import RiskAssessment, SubjectsException
from convenant.models import (
    AP_DEADLINE,
    CovenantParty,
    DataCategory,
    Incident,
    IncidentDeletionRefusedError,
)
from parties.choices import Role
from tests.factories.parties import OrganisationFactory, ProfessionalFactory, UserFactory

pytestmark = pytest.mark.django_db

DISCOVERED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# What the report says: it names the youth on purpose, to prove it never leaves the register.
SECRET = "Zoë Vandersteen: verslag over faalangst naar verkeerd adres gemaild"


def staff(username: str, role: str, organisation, email: str = ""):
    """A user of `role` working for `organisation`, with an e-mail address."""
    user = UserFactory(username=username, role=role, email=email or f"{username}@example.org")
    ProfessionalFactory(user=user, organisation=organisation, capacity="")
    return user


def report(world, *, actor=None, discovered_at=DISCOVERED, parties=None, **kwargs):
    return incidents.incident_report(
        actor=actor or world.users["professional"],
        discovered_at=discovered_at,
        description=kwargs.pop("description", SECRET),
        n_subjects=kwargs.pop("n_subjects", 3),
        affected_parties=parties if parties is not None else [world.school, world.municipality],
        data_categories=kwargs.pop("data_categories", [DataCategory.objects.get(code="C2")]),
        containment=kwargs.pop("containment", "Ontvanger gevraagd de e-mail te wissen."),
        **kwargs,
    )


@pytest.fixture
def fgs(world):
    """An FG for the school and one for the municipality (the world's), each with an address,
    and distinct FG contacts in the covenant for the three parties."""
    municipality_fg = world.users["privacy_officer"]
    municipality_fg.email = "fg.gemeente@example.org"
    municipality_fg.save()
    school_fg = staff("school_fg", Role.PRIVACY_OFFICER, world.school, "fg.school@example.org")
    for party in CovenantParty.objects.filter(covenant=world.covenant).select_related(
        "organisation"
    ):
        party.privacy_officer_email = f"contact.{party.organisation.name.lower()}@example.org"
        party.save()
    return {"school": school_fg, "municipality": municipality_fg}


def test_deadline_is_discovery_plus_72_hours(world):
    """R-BREACH-1: ap_deadline = discovered_at + 72 h, computed and stored at report time."""
    incident = report(world)
    incident.refresh_from_db()
    assert incident.ap_deadline == DISCOVERED + timedelta(hours=72)
    assert timedelta(hours=72) == AP_DEADLINE
    assert incident.reported_by == world.users["professional"]
    assert incident.organisation == world.school
    assert incident.region_id == world.covenant.region_id
    assert set(incident.affected_parties.all()) == {world.school, world.municipality}
    assert AccessEvent.objects.filter(
        action="incident.reported", object_id=str(incident.uuid)
    ).exists()


def test_every_affected_partys_fg_is_emailed_at_once_without_personal_data(
    world, fgs, mailoutbox, django_capture_on_commit_callbacks
):
    """R-BREACH-2, R-10-3: on creation the FG users and the covenant's FG contacts of the
    reporting and every affected party get an e-mail after commit; it holds a link and the
    deadline, never the youth's name or what happened; parties_notified_at is recorded."""
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(world)
    to = sorted(address for message in mailoutbox for address in message.to)
    assert to == sorted(
        [
            "contact.testgemeente@example.org",
            "contact.testschool@example.org",
            "fg.gemeente@example.org",
            "fg.school@example.org",
        ]
    )
    for message in mailoutbox:
        text = message.subject + message.body
        for secret in ("Zoë", "Vandersteen", "faalangst", SECRET, "Ontvanger gevraagd"):
            assert secret not in text
        assert f"/datalekken/{incident.uuid}/" in message.body
        assert "datalek" in message.subject.lower()
    incident.refresh_from_db()
    assert incident.parties_notified_at is not None


def test_nothing_is_sent_when_the_report_fails(world, fgs, mailoutbox):
    """R-BREACH-2 with invariant 9: a refused report writes no row and sends no e-mail."""
    before = Incident.objects.count()
    with pytest.raises(ValidationError) as error:
        report(world, description="  ", n_subjects=-1, parties=[])
    assert set(error.value.message_dict) == {"description", "n_subjects", "affected_parties"}
    assert Incident.objects.count() == before
    assert mailoutbox == []


def test_a_party_of_another_region_cannot_be_named(world):
    """R-DPIA-3: a report concerns parties of the reporter's own region only."""
    stranger = OrganisationFactory(name="Elders")
    with pytest.raises(ValidationError) as error:
        report(world, parties=[stranger])
    assert "affected_parties" in error.value.message_dict
    assert not Incident.objects.exists()


def test_parents_and_youths_cannot_report(world):
    """R-BREACH-6 (who): citizens use a rights request or their organisation's FG, not the
    register; the service refuses them."""
    for who in ("parent", "youth"):
        with pytest.raises(PermissionDenied):
            report(world, actor=world.users[who])
    assert not Incident.objects.exists()


def test_discovery_in_the_future_is_refused_at_the_field(world):
    """Invariant 9: a discovery moment in the future gets a message at its field."""
    with pytest.raises(ValidationError) as error:
        report(world, discovered_at=timezone.now() + timedelta(days=1))
    assert "discovered_at" in error.value.message_dict
    assert not Incident.objects.exists()


def _escalations():
    return AccessEvent.objects.filter(action="incident.escalated").count()


def test_escalation_happens_once_at_t_minus_24_hours(
    world, fgs, mailoutbox, django_capture_on_commit_callbacks
):
    """R-BREACH-3: an incident with risk and no AP report is escalated to the FGs and the
    party's beheerders at T-24h, exactly once; not before."""
    admin = world.users["administrator"]
    admin.email = "beheer.gemeente@example.org"
    admin.save()
    incident = report(world)
    incident_fg = incidents.incident_assess(
        actor=fgs["municipality"], incident=incident, risk_assessment="risk", risk_notes="x"
    )
    assert incident_fg.risk_assessment == RiskAssessment.RISK
    mailoutbox.clear()
    # T-25h: not yet.
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents.incidents_escalate(now=DISCOVERED + timedelta(hours=47)) == 0
    assert mailoutbox == []
    # T-24h: once, to the FGs and the beheerder.
    with time_machine.travel(DISCOVERED + timedelta(hours=48), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert incidents.incidents_escalate() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert incidents.incidents_escalate() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert incidents.incidents_escalate(now=DISCOVERED + timedelta(hours=60)) == 0
    to = {address for message in mailoutbox for address in message.to}
    assert "beheer.gemeente@example.org" in to
    assert {"fg.gemeente@example.org", "fg.school@example.org"} <= to
    assert len(mailoutbox) == len(to)  # each address once
    for message in mailoutbox:
        assert "Zoë" not in message.body
        assert "faalangst" not in message.body
    incident.refresh_from_db()
    assert incident.escalated_at == DISCOVERED + timedelta(hours=48)
    assert _escalations() == 1


def test_escalation_through_the_beat_task(world, fgs, mailoutbox):
    """R-BREACH-3: the beat job escalates an unassessed incident too (it may be a risk), and
    the job is scheduled every 15 minutes."""
    from django.conf import settings

    from convenant.tasks import incidents_escalate_task

    report(world, discovered_at=timezone.now() - timedelta(hours=50))
    assert incidents_escalate_task() == 1
    assert incidents_escalate_task() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE["incident-escalation"]
    assert schedule["task"] == "convenant.tasks.incidents_escalate_task"
    assert str(schedule["schedule"]._orig_minute) == "*/15"


def test_no_escalation_without_risk_or_after_the_ap_report(world, fgs):
    """R-BREACH-3: no escalation for NONE, nor once the AP was told."""
    fg = fgs["municipality"]
    no_risk = report(world)
    incidents.incident_assess(actor=fg, incident=no_risk, risk_assessment="none", risk_notes="x")
    told = report(world)
    incidents.incident_assess(actor=fg, incident=told, risk_assessment="high_risk", risk_notes="x")
    incidents.incident_record_ap_notification(
        actor=fg, incident=told, notified_at=DISCOVERED + timedelta(hours=5), reference="AP-1"
    )
    assert incidents.incidents_escalate(now=DISCOVERED + timedelta(hours=70)) == 0
    assert _escalations() == 0


def _closing_refused(fg, incident, field: str, reason: str = ""):
    with pytest.raises(ValidationError) as error:
        incidents.incident_close(actor=fg, incident=incident, ap_not_notified_reason=reason)
    assert field in error.value.message_dict, error.value.message_dict
    incident.refresh_from_db()
    assert incident.closed_at is None


def test_closure_rules(world, fgs):
    """R-BREACH-4: closing needs an assessment; RISK and HIGH_RISK need the AP report or a
    documented reason why not; HIGH_RISK also the subjects told or a documented AVG 34(3)
    exception. Each refusal names its field and changes nothing."""
    fg = fgs["municipality"]
    incident = report(world)
    _closing_refused(fg, incident, "risk_assessment")
    incidents.incident_assess(
        actor=fg, incident=incident, risk_assessment="high_risk", risk_notes="Gezondheidsdata."
    )
    _closing_refused(fg, incident, "ap_not_notified_reason")
    incidents.incident_record_ap_notification(
        actor=fg, incident=incident, notified_at=DISCOVERED + timedelta(hours=20), reference="M1"
    )
    _closing_refused(fg, incident, "subjects")
    # An exception without its explanation is no documented exception.
    with pytest.raises(ValidationError) as error:
        incidents.incident_record_subject_notification(
            actor=fg, incident=incident, exception_ground=SubjectsException.ENCRYPTED
        )
    assert "exception" in error.value.message_dict
    incidents.incident_record_subject_notification(
        actor=fg,
        incident=incident,
        exception_ground=SubjectsException.MITIGATED,
        exception="De ontvanger heeft schriftelijk verklaard alles te hebben verwijderd.",
    )
    closed = incidents.incident_close(actor=fg, incident=incident)
    assert closed.closed_at is not None
    assert closed.closed_by == fg
    assert AccessEvent.objects.filter(action="incident.closed").count() == 1


def test_risk_without_ap_report_closes_with_a_documented_reason(world, fgs):
    """R-BREACH-4: RISK without AP report closes only with the reason why not, kept."""
    fg = fgs["school"]
    incident = report(world)
    incidents.incident_assess(actor=fg, incident=incident, risk_assessment="risk", risk_notes="x")
    _closing_refused(fg, incident, "ap_not_notified_reason", reason="   ")
    incidents.incident_close(
        actor=fg, incident=incident, ap_not_notified_reason="Na overleg: geen risico meer."
    )
    incident.refresh_from_db()
    assert incident.ap_not_notified_reason == "Na overleg: geen risico meer."


def test_no_risk_closes_after_assessment_and_stays_in_the_register(world, fgs):
    """R-BREACH-5: a "no risk" incident is closed but kept; the reporter still sees it."""
    fg = fgs["school"]
    incident = report(world)
    incidents.incident_assess(actor=fg, incident=incident, risk_assessment="none", risk_notes="x")
    incidents.incident_close(actor=fg, incident=incident)
    assert incident in incidents.incidents_visible_to(fg)
    assert incident in incidents.incidents_visible_to(world.users["professional"])


def test_incidents_are_never_deleted(world):
    """R-BREACH-5: the model and its queryset refuse deletion."""
    incident = report(world)
    with pytest.raises(IncidentDeletionRefusedError):
        incident.delete()
    with pytest.raises(IncidentDeletionRefusedError):
        Incident.objects.all().delete()
    assert Incident.objects.filter(pk=incident.pk).exists()


@pytest.mark.postgres
def test_the_database_refuses_to_delete_an_incident(world):
    """R-BREACH-5: also a raw DELETE fails (pgtrigger, like the access log)."""
    from django.db import DatabaseError, transaction

    incident = report(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM convenant_incident WHERE id = %s", [incident.pk])
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_free_text_stays_out_of_the_row_history(world, fgs):
    """R-10-3 / special data: the row history (django-auditlog) keeps no free text."""
    from auditlog.models import LogEntry

    incident = report(world)
    incidents.incident_assess(
        actor=fgs["school"], incident=incident, risk_assessment="risk", risk_notes="Geheim-123"
    )
    history = " ".join(
        str(entry.changes) for entry in LogEntry.objects.get_for_object(incident).all()
    )
    assert history  # the row history exists
    for secret in ("Zoë", "faalangst", "Ontvanger gevraagd", "Geheim-123"):
        assert secret not in history
    assert "risk" in history


def test_fg_scoping(world, fgs):
    """R-DPIA-3: an FG sees the incidents of their own party (reported by it or touching its
    data), never another party's; a professional only their own reports."""
    school_only = report(world, parties=[world.school])
    both = report(world)
    care = OrganisationFactory(region=world.school.region, name="Zorgpartij")
    care_fg = staff("care_fg", Role.PRIVACY_OFFICER, care)
    assert set(incidents.incidents_visible_to(fgs["school"])) == {school_only, both}
    assert set(incidents.incidents_visible_to(fgs["municipality"])) == {both}
    assert set(incidents.incidents_visible_to(care_fg)) == set()
    assert set(incidents.incidents_visible_to(world.users["coordinator"])) == set()
    with pytest.raises(PermissionDenied):
        incidents.incident_assess(
            actor=care_fg, incident=both, risk_assessment="none", risk_notes="x"
        )
    with pytest.raises(PermissionDenied):
        incidents.incident_assess(
            actor=world.users["professional"], incident=both, risk_assessment="none", risk_notes="x"
        )
    both.refresh_from_db()
    assert both.risk_assessment == ""


def test_countdown(world):
    """R-BREACH-3: the hours left, red under 24, overdue after the deadline; none once the AP
    was told or without risk."""
    incident = report(world)
    at = incidents.countdown(incident, now=DISCOVERED + timedelta(hours=22, minutes=30))
    assert (at.hours_left, at.urgent, at.overdue) == (49, False, False)
    at = incidents.countdown(incident, now=DISCOVERED + timedelta(hours=50))
    assert (at.hours_left, at.urgent) == (22, True)
    at = incidents.countdown(incident, now=DISCOVERED + timedelta(hours=75))
    assert (at.hours_overdue, at.overdue, at.urgent) == (3, True, True)
    incident.risk_assessment = RiskAssessment.NONE
    assert incidents.countdown(incident, now=DISCOVERED) is None


def test_a_redelivered_report_task_sends_nothing_twice(world, fgs, mailoutbox):
    """R-BREACH-2 with acks_late: once the FGs were told, the same task again sends nothing."""
    from convenant.incident_mail import notify_incident

    incident = report(world)
    notify_incident(incident_id=incident.pk, kind="reported")
    sent = len(mailoutbox)
    assert sent == 4
    notify_incident(incident_id=incident.pk, kind="reported")
    assert len(mailoutbox) == sent
