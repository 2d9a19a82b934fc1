"""The retention engine (SPEC art. 9 R-9-1..4, §7.3 R-RET-1..3; DESIGN invariant 8).

Every test moves the clock of one record back (its trigger date) and runs the engine on today:
what passed its period goes, what did not stays, what a legal hold covers stays until the hold
ends, and a second run removes and records nothing.
"""

from datetime import date, datetime, time, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

import factory
import pytest
from factory.django import DjangoModelFactory

from audit.models import AccessEvent
from casusoverleg.choices import CaseStatus
from casusoverleg.models import (
    Case,
    CaseDocument,
    LegalHold,
    LegalHoldScope,
    Meeting,
    MinutesEntry,
    RetentionBatch,
    RetentionRemoval,
    SharedItem,
)
from casusoverleg.retention import (
    DESTRUCTION_CODE,
    REMOVED_TEXT,
    months_before,
    retention_apply,
    retention_batch_execute,
    retention_due,
)
from consent.choices import ConsenterKind, RequestKind, RequestOutcome, RequestStatus
from consent.models import Consent, RightsRequest
from convenant.models import RetentionRule
from core.querysets import bulk_writes_allowed
from tests.factories.casusoverleg import CaseDocumentFactory, MinutesEntryFactory, SharedItemFactory

pytestmark = pytest.mark.django_db

TODAY = date.today()  # noqa: DTZ011 - the local date the engine uses by default


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _set(model, pk: int, **fields) -> None:
    with bulk_writes_allowed("test set-up: a record whose trigger lies in the past"):
        model.objects.filter(pk=pk).update(**fields)


def _close(case: Case, months: int, days: int = 0) -> None:
    """Close `case` `months` months (and `days` days) before today."""
    closed = _moment(months_before(TODAY, months) - timedelta(days=days))
    _set(Case, case.pk, status=CaseStatus.CLOSED, closed_at=closed)


def _removed(record) -> bool:
    return RetentionRemoval.objects.filter(
        record_type=record._meta.label_lower, record_id=record.pk
    ).exists()


class RightsRequestFactory(DjangoModelFactory[RightsRequest]):
    """A request already answered by its organisation."""

    class Meta:
        model = RightsRequest

    filing = factory.Faker("uuid4")
    kind = RequestKind.DESTRUCTION
    requester_kind = ConsenterKind.YOUTH
    requester = factory.SelfAttribute("youth.user")
    status = RequestStatus.CLOSED
    outcome = RequestOutcome.GRANTED
    due_on = factory.LazyFunction(lambda: TODAY + timedelta(days=90))
    closed_at = factory.LazyFunction(timezone.now)
    answer = "Vernietigd."


@pytest.fixture
def care_item(world):
    """An item the youth care provider shared in the world's case (R-RET-2)."""
    return SharedItemFactory(
        case=world.case,
        meeting=world.meeting,
        author=world.users["youth_care"],
        text="Jeugdhulp: gesprekken over slaapproblemen, tweewekelijks.",
    )


# --- Triggers (R-9-2) -----------------------------------------------------------------------


def test_casus_closed_removes_what_the_case_holds_and_keeps_consents_as_proof(world):
    """R-9-2 casus_closed, R-9-1, R-RET-1: two years after closing, the case's meetings,
    minutes, shared items, documents (with their files) and access go; the consents stay two
    more years as proof (§7.3), then they and the emptied case go too."""
    case = world.case
    file_name = world.document.file.name
    assert default_storage.exists(file_name)
    _close(case, months=24, days=1)

    retention_apply(on=TODAY)

    case.refresh_from_db()
    assert case.purpose_specification == REMOVED_TEXT
    assert not Meeting.objects.filter(case=case).exists()
    assert not SharedItem.objects.filter(case=case).exists()
    assert not CaseDocument.objects.filter(case=case).exists()
    assert not default_storage.exists(file_name)
    assert not Case.objects.visible_to(world.users["case_coordinator"]).filter(pk=case.pk).exists()
    assert Consent.objects.filter(pk=world.consent.pk).exists()
    assert _removed(case)

    # Two years after the data went, the consent's proof goes, and the empty case with it.
    later = TODAY + timedelta(days=2 * 366)
    retention_apply(on=later)
    assert not Consent.objects.filter(pk=world.consent.pk).exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert _removed(world.consent)


def test_a_case_without_consents_is_deleted_whole(world):
    """R-9-2 casus_closed: the other case (no consents) goes entirely."""
    other = Case.objects.get(youth=world.other_youth)
    _close(other, months=25)
    retention_apply(on=TODAY)
    assert not Case.objects.filter(pk=other.pk).exists()
    assert _removed(other)


def test_a_case_inside_its_period_stays(world):
    """R-9-1: closed 23 months ago, the case is not due yet."""
    _close(world.case, months=23)
    retention_apply(on=TODAY)
    world.case.refresh_from_db()
    assert world.case.purpose_specification != REMOVED_TEXT
    assert SharedItem.objects.filter(case=world.case).count() == 2
    assert not RetentionRemoval.objects.exists()


def test_meeting_date_anonymises_agenda_and_place(world):
    """R-9-2 meeting_date, R-9-1 anonymise: a year after the meeting its agenda and place are
    gone; the meeting, its minutes and the case stay."""
    _set(Meeting, world.meeting.pk, starts_at=_moment(months_before(TODAY, 12) - timedelta(1)))
    retention_apply(on=TODAY)
    meeting = Meeting.objects.get(pk=world.meeting.pk)
    assert meeting.agenda == ""
    assert meeting.location == REMOVED_TEXT
    assert MinutesEntry.objects.filter(minutes__meeting=meeting).exists()
    removal = RetentionRemoval.objects.get(record_type="casusoverleg.meeting")
    assert removal.action == "anonymise"
    assert removal.rule_code == "casusoverleg-agenda"


def test_last_change_deletes_youth_care_items_only(world, care_item):
    """R-9-2 last_change, R-RET-2: a youth care item unchanged for two years goes, even while
    the case runs; the school's items (another owner) stay."""
    _set(SharedItem, care_item.pk, updated_at=_moment(months_before(TODAY, 24) - timedelta(1)))
    for item in world.shared.values():
        _set(SharedItem, item.pk, updated_at=_moment(months_before(TODAY, 30)))
    retention_apply(on=TODAY)
    assert not SharedItem.objects.filter(pk=care_item.pk).exists()
    assert SharedItem.objects.filter(case=world.case).count() == 2


def test_an_anonymising_item_rule_clears_the_text_and_the_reason_for_not_providing(
    world, care_item
):
    """R-9-1 action anonymise, R-9-3: an item kept for counts loses its text and, when youth care
    did not provide it, the reason it typed (free text about the youth too)."""
    from django.utils import timezone as tz

    rule = RetentionRule.objects.get(code="jeugdhulp-in-casusoverleg")
    _set(RetentionRule, rule.pk, action="anonymise")
    _set(
        SharedItem,
        care_item.pk,
        withheld_at=tz.now(),
        withheld_by=world.users["youth_care"].pk,
        withheld_reason="Behandeling bij de GGZ loopt nog.",
        updated_at=_moment(months_before(TODAY, 24) - timedelta(1)),
    )
    retention_apply(on=TODAY)
    item = SharedItem.objects.get(pk=care_item.pk)
    assert item.text == REMOVED_TEXT
    assert item.withheld_reason == REMOVED_TEXT
    assert _removed(item)


def test_pupil_left_school_deletes_the_schools_items(world, care_item):
    """R-9-2 pupil_left_school: two years after the youth left school, what the school shared
    goes; what youth care shared stays."""
    _set(type(world.youth), world.youth.pk, left_school_on=months_before(TODAY, 24))
    school_entry = MinutesEntryFactory(minutes=world.meeting.minutes, owner=world.school)
    retention_apply(on=TODAY)
    assert not SharedItem.objects.filter(pk__in=[i.pk for i in world.shared.values()]).exists()
    assert not MinutesEntry.objects.filter(pk=school_entry.pk).exists()
    assert SharedItem.objects.filter(pk=care_item.pk).exists()


def test_a_rule_that_anonymises_keeps_a_case_without_the_youth(world):
    """R-9-1 action anonymise: the case stays as a shell for counts (R-20-1), without youth,
    purpose text or anything it held."""
    rule = RetentionRule.objects.get(code="casusoverleg-verslag")
    _set(RetentionRule, rule.pk, action="anonymise")
    _close(world.case, months=25)
    retention_apply(on=TODAY)
    case = Case.objects.get(pk=world.case.pk)
    assert case.youth_id is None
    assert case.purpose_specification == REMOVED_TEXT
    assert RetentionRemoval.objects.get(
        record_id=case.pk, record_type="casusoverleg.case"
    ).action == ("anonymise")


def test_closed_rights_requests_go_after_five_years(world):
    """§7.3 rights requests (5 years after closure, rule verzoeken-incidenten)."""
    old = RightsRequestFactory(
        youth=world.youth,
        organisation=world.school,
        kind=RequestKind.ACCESS,
        closed_at=_moment(months_before(TODAY, 60) - timedelta(1)),
    )
    recent = RightsRequestFactory(youth=world.youth, organisation=world.school, kind="inzage")
    retention_apply(on=TODAY)
    assert not RightsRequest.objects.filter(pk=old.pk).exists()
    assert RightsRequest.objects.filter(pk=recent.pk).exists()
    assert RightsRequest.objects.filter(pk=world.rights_request.pk).exists()  # still open


# --- Legal hold (R-9-4) ---------------------------------------------------------------------


@pytest.mark.parametrize("scope", [LegalHoldScope.CASE, LegalHoldScope.YOUTH])
def test_a_legal_hold_suspends_deletion_until_it_ends(world, scope):
    """R-9-4: a hold on the case or on the youth keeps everything due until its end date; the
    day after, the engine removes it."""
    _close(world.case, months=25)
    LegalHold.objects.create(
        scope=scope,
        case=world.case if scope == LegalHoldScope.CASE else None,
        youth=world.youth if scope == LegalHoldScope.YOUTH else None,
        region=world.covenant.region,
        reason="Klacht in behandeling",
        ends_on=TODAY + timedelta(days=10),
        placed_by=world.users["privacy_officer"],
    )
    retention_apply(on=TODAY)
    assert not _removed(world.case)
    assert SharedItem.objects.filter(case=world.case).count() == 2

    retention_apply(on=TODAY + timedelta(days=11))
    assert _removed(world.case)
    assert not SharedItem.objects.filter(case=world.case).exists()


# --- Idempotence (invariant 8) --------------------------------------------------------------


def test_a_second_run_removes_and_records_nothing(world, care_item):
    """Invariant 8: the engine is idempotent; a batch executed again does nothing, and a record
    removed once is never recorded twice."""
    _close(world.case, months=25)
    first = retention_apply(on=TODAY, batch_size=1)
    removals = RetentionRemoval.objects.count()
    events = AccessEvent.objects.filter(action="retention.removed").count()
    assert removals >= 1
    assert first.batches.count() == first.planned

    second = retention_apply(on=TODAY)
    assert second.planned == 0
    batch = RetentionBatch.objects.filter(run=first).first()
    assert retention_batch_execute(batch_id=batch.pk) == 0
    assert RetentionRemoval.objects.count() == removals
    assert AccessEvent.objects.filter(action="retention.removed").count() == events


def test_the_dry_run_changes_nothing(world):
    """R-9-1: the dry run counts per rule and touches no record."""
    _close(world.case, months=25)
    counts = retention_apply(on=TODAY, dry_run=True)
    assert counts["casusoverleg-verslag:casusoverleg.case"] == 1
    assert not RetentionRemoval.objects.exists()
    assert SharedItem.objects.filter(case=world.case).count() == 2


# --- Propagation and the access log (R-9-3) -------------------------------------------------


def test_deletion_removes_the_item_from_every_readers_view(world, care_item):
    """R-9-3: a deleted item is gone for every recipient that saw it (and from the minutes
    PDFs that showed it)."""
    readers = [
        user
        for user in world.users.values()
        if SharedItem.objects.visible_to(user).filter(pk=care_item.pk).exists()
    ]
    assert len(readers) >= 2  # the owner's people and at least one recipient
    minutes_pdf = CaseDocumentFactory(case=world.case, ready=True)
    _set(SharedItem, care_item.pk, updated_at=_moment(months_before(TODAY, 25)))
    retention_apply(on=TODAY)
    for user in readers:
        assert not SharedItem.objects.visible_to(user).filter(pk=care_item.pk).exists()
    assert not CaseDocument.objects.filter(pk=minutes_pdf.pk).exists()


def test_after_deletion_the_access_log_holds_only_pseudonymous_metadata(world):
    """R-9-3: after the case is deleted, every access event about the youth and every removal
    record carries ids and labels only: no shared text, no minutes, no purpose, no name."""
    entries = list(MinutesEntry.objects.filter(minutes__meeting__case=world.case))
    content = [item.text for item in world.shared.values()]
    content += [entry.text for entry in entries] + [world.case.purpose_specification]
    youth = world.youth
    content += [youth.given_name, youth.family_name, youth.date_of_birth.isoformat()]
    _close(world.case, months=25)
    retention_apply(on=TODAY)
    assert not SharedItem.objects.filter(case=world.case).exists()

    events = AccessEvent.objects.filter(youth_uuid=youth.uuid)
    assert events.filter(action="retention.removed").exists()
    rows = [str(row) for row in events.values_list()]
    rows += [str(row) for row in RetentionRemoval.objects.values_list()]
    leaks = [text for text in content for row in rows if text in row]
    assert not leaks


# --- R-RET-3 --------------------------------------------------------------------------------


def test_a_granted_destruction_request_deletes_the_providers_items(world, care_item):
    """R-RET-3: a granted Jw 7.3.9 destruction request deletes the youth care provider's items
    about the youth at the next run (well within three months); others' items stay."""
    care = care_item.owner
    RightsRequestFactory(youth=world.youth, case=world.case, organisation=care)
    retention_apply(on=TODAY)
    assert not SharedItem.objects.filter(pk=care_item.pk).exists()
    assert SharedItem.objects.filter(case=world.case).count() == 2
    assert RetentionRemoval.objects.get(record_id=care_item.pk).rule_code == DESTRUCTION_CODE


def test_a_destruction_request_with_a_recorded_exception_deletes_nothing(world, care_item):
    """R-RET-3: refused in part with its legal ground (the recorded exception), nothing goes."""
    RightsRequestFactory(
        youth=world.youth,
        case=world.case,
        organisation=care_item.owner,
        outcome=RequestOutcome.PARTLY,
        refusal_ground="Aanmerkelijk belang van een ander (Jw 7.3.9 lid 3).",
    )
    retention_apply(on=TODAY)
    assert SharedItem.objects.filter(pk=care_item.pk).exists()


def test_due_lists_each_rule_that_is_enforced(world):
    """R-RET-1: the rules the application enforces each have a plan; the [I] rules added for
    R-9-2's triggers are flagged for legal review."""
    keys = {plan.key for plan, _ in retention_due(TODAY)}
    assert "casusoverleg-verslag:casusoverleg.case" in keys
    assert "casusoverleg-agenda:casusoverleg.meeting" in keys
    assert "jeugdhulp-in-casusoverleg:casusoverleg.shareditem" in keys
    assert "school-in-casusoverleg:casusoverleg.minutesentry" in keys
    assert "toestemming:consent.consent" in keys
    assert "verzoeken-incidenten:consent.rightsrequest" in keys
    for code in ("casusoverleg-agenda", "jeugdhulp-in-casusoverleg", "school-in-casusoverleg"):
        assert RetentionRule.objects.get(code=code).needs_legal_review


def test_granting_a_destruction_request_in_the_workplace_deletes_at_once(
    client, world, care_item, django_capture_on_commit_callbacks
):
    """R-RET-3: the youth care provider's procesregisseur grants a Jw 7.3.9 destruction request
    filed by the youth; its items about the youth are gone when the answer is saved."""
    from django.urls import reverse

    from consent.services import rights_request_file
    from tests.factories.parties import ProfessionalFactory, UserFactory
    from tests.helpers import login_verified

    care = care_item.owner
    handler = UserFactory(username="care_coordinator", role="coordinator")
    ProfessionalFactory(user=handler, organisation=care, capacity="jeugdhulp")
    (request,) = rights_request_file(
        actor=world.users["youth"],
        youth=world.youth,
        case=world.case,
        kind=RequestKind.DESTRUCTION,
        organisations=[care],
        identity_method="portal",
    )
    login_verified(client, handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("casusoverleg:request_close", kwargs={"uuid": request.uuid}),
            {"outcome": "granted", "answer": "Uw gegevens zijn vernietigd.", "refusal_ground": ""},
        )
    assert response.status_code == 302
    assert not SharedItem.objects.filter(pk=care_item.pk).exists()
    assert SharedItem.objects.filter(case=world.case).count() == 2


def test_a_batch_of_a_rule_switched_off_meanwhile_removes_nothing(world):
    """R-RET-1: a rule switched off after planning removes nothing; its batch is done, so it is
    not queued again night after night."""
    from casusoverleg.retention import retention_plan

    _close(world.case, months=25)
    run = retention_plan(on=TODAY)
    _set(
        RetentionRule,
        RetentionRule.objects.get(code="casusoverleg-verslag").pk,
        applies_in_app=False,
    )
    batch = run.batches.get(rule_code="casusoverleg-verslag")
    assert retention_batch_execute(batch_id=batch.pk) == 0
    batch.refresh_from_db()
    assert batch.done_at is not None
    assert not _removed(world.case)


def test_the_nightly_task_queues_every_batch_and_is_safe_to_run_twice(world, care_item):
    """Invariant 8: the beat job plans and runs one task per batch; run again, it queues the
    batches not done (none) and removes nothing more."""
    from casusoverleg.tasks import retention_task

    _close(world.case, months=25)
    assert retention_task(batch_size=1) >= 1  # eager in tests: the batches ran inline
    assert _removed(world.case)
    removals = RetentionRemoval.objects.count()
    assert retention_task() == 0
    assert RetentionRemoval.objects.count() == removals
