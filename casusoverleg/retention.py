"""The retention engine: what has passed its retention period goes (SPEC art. 9, §7.3; invariant 8).

A `convenant.RetentionRule` the application enforces (`applies_in_app`) names a trigger (R-9-2);
`SUBJECTS` says which records each trigger acts on and from which date the period counts:

| trigger | records | counted from |
| --- | --- | --- |
| `casus_closed` | the case with everything it holds | `Case.closed_at` |
| `meeting_date` | a meeting (agenda, place, reason for cancelling) | `Meeting.starts_at` |
| `last_change` | shared items, minutes entries of the rule's owner party type | `updated_at` |
| `pupil_left_school` | the same | `Youth.left_school_on` |
| `data_deleted` | consents with their decisions and receipts | the removal of their case |
| `closed` | rights requests | `RightsRequest.closed_at` |

Besides the rules, a granted Jw 7.3.9 destruction request (`consent.RightsRequest`, kind
vernietiging, outcome granted) makes the handling organisation's items about the youth due at
once (R-RET-3); a partly granted or refused one is the recorded exception, and nothing goes.

A legal hold on the case or on the youth suspends everything it covers (R-9-4). A run is planned
in batches (`retention_plan`), each executed once in its own transaction
(`retention_batch_execute`): the records are re-checked under a row lock, removed, and one
`RetentionRemoval` per record plus one access event per record are written in that transaction.
A batch delivered twice finds itself done; a record removed once is never recorded again
(unique constraint), so the engine is idempotent however often it runs.

Deleting goes past django-auditlog's row history (`disable_auditlog`): its delete entry would
copy the row (names in `object_repr`, free text) into the append-only change log. The removal
record and the access event, both pseudonymous, record the deletion instead (R-9-3).
"""

import calendar
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from auditlog.context import disable_auditlog

from audit.choices import Action
from audit.services import record_shown
from consent.choices import RequestKind, RequestOutcome, RequestStatus
from consent.models import Consent, ConsentDecision, ConsentReceipt, RightsRequest
from convenant.choices import RetentionAction, RetentionTrigger
from convenant.models import RetentionRule
from core.querysets import bulk_writes_allowed

from .choices import CaseStatus, DocumentKind
from .models import (
    Case,
    CaseDocument,
    CaseUserObjectPermission,
    LegalHold,
    LegalHoldScope,
    Meeting,
    MinutesEntry,
    RetentionBatch,
    RetentionRemoval,
    RetentionRun,
    RunKind,
    SharedItem,
)

logger = logging.getLogger(__name__)

# The pseudo-rule of a granted Jw 7.3.9 destruction request (R-RET-3): not a RetentionRule row,
# because it is no period but a decision on one request.
DESTRUCTION_CODE = "jw-7.3.9"
# What an anonymised free-text field says instead of its content.
REMOVED_TEXT = "—"


def months_before(day: date, months: int) -> date:
    """`day` minus `months` calendar months (the 31st becomes the month's last day)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last))


def _end_of_day(day: date) -> datetime:
    """The first moment after `day`, local time: a datetime before it falls on or before `day`."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@dataclass(frozen=True)
class Subject:
    """One kind of record a trigger acts on, and the paths from it to its case, youth and region."""

    model: type[models.Model]
    start: str  # the date or datetime the period counts from
    case_id: str
    youth_id: str
    case_uuid: str
    youth_uuid: str
    region_id: str
    condition: Q = field(default_factory=Q)
    owner_type: str = ""  # path to the owner's party type, for rules of one party type

    @property
    def record_type(self) -> str:
        """The record type as the removal record and the access log name it."""
        return self.model._meta.label_lower

    def base(self) -> QuerySet[Any]:
        """The records of this kind that can be due at all."""
        return self.model._default_manager.filter(self.condition)


def _consent_start() -> Subquery:
    """When the data a consent legitimises was removed: the removal of its case (§7.3)."""
    return Subquery(
        RetentionRemoval.objects.filter(
            record_type="casusoverleg.case", record_id=OuterRef("case_id")
        ).values("removed_at")[:1]
    )


CASE = Subject(
    Case,
    start="closed_at",
    case_id="pk",
    youth_id="youth_id",
    case_uuid="uuid",
    youth_uuid="youth__uuid",
    region_id="covenant__region_id",
    condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False),
)
MEETING = Subject(
    Meeting,
    start="starts_at",
    case_id="case_id",
    youth_id="case__youth_id",
    case_uuid="case__uuid",
    youth_uuid="case__youth__uuid",
    region_id="case__covenant__region_id",
)


def _item(start: str) -> Subject:
    return Subject(
        SharedItem,
        start=start,
        case_id="case_id",
        youth_id="case__youth_id",
        case_uuid="case__uuid",
        youth_uuid="case__youth__uuid",
        region_id="case__covenant__region_id",
        owner_type="owner__party_type",
    )


def _entry(start: str) -> Subject:
    return Subject(
        MinutesEntry,
        start=start,
        case_id="minutes__meeting__case_id",
        youth_id="minutes__meeting__case__youth_id",
        case_uuid="minutes__meeting__case__uuid",
        youth_uuid="minutes__meeting__case__youth__uuid",
        region_id="minutes__meeting__case__covenant__region_id",
        owner_type="owner__party_type",
    )


CONSENT = Subject(
    Consent,
    start="data_removed_at",
    case_id="case_id",
    youth_id="youth_id",
    case_uuid="case__uuid",
    youth_uuid="youth__uuid",
    region_id="youth__region_id",
)
RIGHTS_REQUEST = Subject(
    RightsRequest,
    start="closed_at",
    case_id="case_id",
    youth_id="youth_id",
    case_uuid="case__uuid",
    youth_uuid="youth__uuid",
    region_id="youth__region_id",
    condition=Q(status=RequestStatus.CLOSED, closed_at__isnull=False),
)

SUBJECTS: dict[str, list[Subject]] = {
    RetentionTrigger.CASE_CLOSED: [CASE],
    RetentionTrigger.MEETING_DATE: [MEETING],
    RetentionTrigger.LAST_CHANGE: [_item("updated_at"), _entry("updated_at")],
    RetentionTrigger.PUPIL_LEFT_SCHOOL: [
        _item("case__youth__left_school_on"),
        _entry("minutes__meeting__case__youth__left_school_on"),
    ],
    RetentionTrigger.DATA_DELETED: [CONSENT],
    RetentionTrigger.CLOSED: [RIGHTS_REQUEST],
}
DESTRUCTION_SUBJECTS = [_item("created_at"), _entry("created_at")]
DATETIME_STARTS = {"closed_at", "starts_at", "updated_at", "created_at", "data_removed_at"}


@dataclass(frozen=True)
class Plan:
    """One rule (or the destruction pseudo-rule) applied to one kind of record."""

    code: str
    action: str
    subject: Subject
    rule: RetentionRule | None

    @property
    def key(self) -> str:
        """Identifies the plan in a batch: rule code and record type."""
        return f"{self.code}:{self.subject.record_type}"


def plans() -> list[Plan]:
    """Every rule the application enforces, per kind of record, plus R-RET-3's destruction."""
    found = []
    for rule in RetentionRule.objects.filter(applies_in_app=True, period_months__isnull=False):
        found += [Plan(rule.code, rule.action, s, rule) for s in SUBJECTS.get(rule.trigger, [])]
    found += [Plan(DESTRUCTION_CODE, RetentionAction.DELETE, s, None) for s in DESTRUCTION_SUBJECTS]
    return found


def _plan_for(key: str) -> Plan:
    for plan in plans():
        if plan.key == key:
            return plan
    raise LookupError(key)


def _held(subject: Subject, on: date) -> Q:
    """Records under a legal hold on `on`: of a held case, or about a held youth (R-9-4)."""
    active = LegalHold.objects.filter(ended_at__isnull=True, ends_on__gte=on)
    return Q(
        **{f"{subject.case_id}__in": active.filter(scope=LegalHoldScope.CASE).values("case_id")}
    ) | Q(
        **{f"{subject.youth_id}__in": active.filter(scope=LegalHoldScope.YOUTH).values("youth_id")}
    )


def _destruction_requests(subject: Subject) -> Exists:
    """A granted destruction request of the item's owner about the item's youth, closed after
    the item was made; about its case, or about the youth without a case (R-RET-3)."""
    requests = RightsRequest.objects.filter(
        kind=RequestKind.DESTRUCTION,
        status=RequestStatus.CLOSED,
        outcome=RequestOutcome.GRANTED,
        organisation=OuterRef("owner_id"),
        youth=OuterRef(subject.youth_id),
        closed_at__gte=OuterRef("created_at"),
    ).filter(Q(case__isnull=True) | Q(case=OuterRef(subject.case_id)))
    return Exists(requests)


def due_queryset(plan: Plan, on: date) -> QuerySet[Any]:
    """The records `plan` makes due on `on`: past the period, not held, not removed already."""
    subject = plan.subject
    qs = subject.base()
    if subject is CONSENT:
        qs = qs.annotate(data_removed_at=_consent_start()).filter(data_removed_at__isnull=False)
    if plan.rule is None:
        qs = qs.filter(_destruction_requests(subject))
    else:
        if subject.owner_type and plan.rule.owner_party_type:
            qs = qs.filter(**{subject.owner_type: plan.rule.owner_party_type})
        cutoff = months_before(on, plan.rule.period_months or 0)
        if subject.start in DATETIME_STARTS:
            qs = qs.filter(**{f"{subject.start}__lt": _end_of_day(cutoff)})
        else:
            qs = qs.filter(**{f"{subject.start}__lte": cutoff})
    removed = RetentionRemoval.objects.filter(record_type=subject.record_type)
    return qs.exclude(_held(subject, on)).exclude(pk__in=removed.values("record_id"))


def retention_due(on: date) -> list[tuple[Plan, QuerySet[Any]]]:
    """What is due on `on`, per rule and kind of record (lazy querysets; nothing is changed)."""
    return [(plan, due_queryset(plan, on)) for plan in plans()]


# --- Removing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """The pseudonymous identity of one record: what the removal record and access log keep."""

    pk: int
    uuid: UUID | None
    case_uuid: UUID | None
    youth_uuid: UUID | None
    region_id: int | None


def refs(plan: Plan, qs: QuerySet[Any]) -> list[Ref]:
    """The pseudonymous identities of the records in `qs`."""
    s = plan.subject
    rows = qs.values_list("pk", "uuid", s.case_uuid, s.youth_uuid, s.region_id)
    return [Ref(*row) for row in rows]


@dataclass(frozen=True)
class _Youth:
    """Only the youth's uuid, for the access event of a youth whose record may be gone."""

    uuid: UUID | None


def _delete_files(names: Iterable[str]) -> None:
    """Delete stored files; called inside the batch's transaction after the rows went, so that a
    batch that rolls back is run again and finds the rows (a missing file is no error)."""
    for name in names:
        if name:
            default_storage.delete(name)


def _case_documents(case_ids: list[int]) -> list[str]:
    return list(
        CaseDocument.objects.filter(case_id__in=case_ids)
        .exclude(file="")
        .values_list("file", flat=True)
    )


def _minutes_pdfs_of(case_ids: set[int]) -> list[str]:
    """Drop the minutes PDFs of cases whose items were removed: each showed them (R-9-3)."""
    documents = CaseDocument.objects.filter(case_id__in=case_ids, kind=DocumentKind.MINUTES)
    names = list(documents.exclude(file="").values_list("file", flat=True))
    documents.delete()
    return names


def _consent_files(consent_ids: list[int]) -> list[str]:
    forms = ConsentDecision.objects.filter(consent_id__in=consent_ids).exclude(signed_form="")
    receipts = ConsentReceipt.objects.filter(consent_id__in=consent_ids).exclude(pdf="")
    return [
        *forms.values_list("signed_form", flat=True),
        *receipts.values_list("pdf", flat=True),
    ]


def _strip_case(case: Case, *, anonymise: bool) -> list[str]:
    """Remove everything a case holds; the case itself goes too unless consents still prove what
    it held (kept two years more, §7.3) or the rule anonymises (a shell for counts, R-20-1).

    The order matters: the minutes' actions protect the participants they are assigned to, the
    invitations the privacy notices, and the items the consents they were shared on.
    """
    files = _case_documents([case.pk])
    CaseDocument.objects.filter(case=case).delete()
    case.meetings.all().delete()
    case.shared_items.all().delete()
    case.privacy_notices.all().delete()
    case.checklist_answers.all().delete()
    case.handovers.all().delete()
    case.incapacity_judgements.all().delete()
    case.participants.all().delete()
    CaseUserObjectPermission.objects.filter(content_object=case).delete()
    if not anonymise and not case.consents.exists():
        case.delete()
        return files
    case.purpose_specification = REMOVED_TEXT
    case.hearing_note = ""
    case.hearing_not_possible_reason = ""
    case.out_of_education_since = None
    fields = ["purpose_specification", "hearing_note", "hearing_not_possible_reason"]
    fields += ["out_of_education_since", "updated_at"]
    if anonymise:
        case.youth = None
        fields.append("youth")
    case.save(update_fields=fields)
    return files


def _remove_cases(objs: list[Any], action: str) -> list[str]:
    files: list[str] = []
    for case in objs:
        files += _strip_case(case, anonymise=action == RetentionAction.ANONYMISE)
    return files


def _remove_meetings(objs: list[Any], action: str) -> list[str]:
    ids = [m.pk for m in objs]
    if action == RetentionAction.ANONYMISE:
        with bulk_writes_allowed("retention: the removal record and access event record it"):
            Meeting.objects.filter(pk__in=ids).update(
                agenda="", cancel_reason="", location=REMOVED_TEXT, video_url=""
            )
        return []
    documents = CaseDocument.objects.filter(meeting_id__in=ids).exclude(file="")
    files = list(documents.values_list("file", flat=True))
    files += _minutes_pdfs_of({m.case_id for m in objs})
    Meeting.objects.filter(pk__in=ids).delete()
    return files


def _remove_items(objs: list[Any], action: str) -> list[str]:
    """Shared items or minutes entries: gone from every reader's view, and from the minutes PDFs
    that showed them (R-9-3)."""
    model = type(objs[0])
    ids = [o.pk for o in objs]
    if model is SharedItem:
        case_ids = {o.case_id for o in objs}
    else:
        case_ids = set(
            MinutesEntry.objects.filter(pk__in=ids).values_list(
                "minutes__meeting__case_id", flat=True
            )
        )
    files = _minutes_pdfs_of(case_ids)
    if action == RetentionAction.ANONYMISE:
        with bulk_writes_allowed("retention: the removal record and access event record it"):
            model._default_manager.filter(pk__in=ids).update(text=REMOVED_TEXT)
            if model is SharedItem:
                # The reason for not providing it is free text about the youth too (a withheld
                # item keeps a reason: the database requires one).
                model._default_manager.filter(pk__in=ids, withheld_at__isnull=False).update(
                    withheld_reason=REMOVED_TEXT
                )
    else:
        model._default_manager.filter(pk__in=ids).delete()
    return files


def _remove_consents(objs: list[Any], action: str) -> list[str]:
    """Consents go whole (anonymising a proof makes no sense); a case kept only for them goes
    with its last one."""
    ids = [c.pk for c in objs]
    files = _consent_files(ids)
    case_ids = {c.case_id for c in objs}
    Consent.objects.filter(pk__in=ids).delete()
    for case in Case.objects.filter(pk__in=case_ids, youth__isnull=False):
        if not case.consents.exists() and not case.participants.exists():
            # The shell of a deleted case (its content went earlier): nothing left to prove.
            case.delete()
    return files


def _remove_requests(objs: list[Any], action: str) -> list[str]:
    ids = [r.pk for r in objs]
    requests = RightsRequest.objects.filter(pk__in=ids)
    files = list(requests.exclude(answer_document="").values_list("answer_document", flat=True))
    if action == RetentionAction.ANONYMISE:
        with bulk_writes_allowed("retention: the removal record and access event record it"):
            requests.update(description="", answer="", answer_document="", refusal_ground="")
    else:
        requests.delete()
    return files


REMOVERS: dict[type[models.Model], Callable[[list[Any], str], list[str]]] = {
    Case: _remove_cases,
    Meeting: _remove_meetings,
    SharedItem: _remove_items,
    MinutesEntry: _remove_items,
    Consent: _remove_consents,
    RightsRequest: _remove_requests,
}


def _remove(plan: Plan, run: RetentionRun, batch: RetentionBatch | None, qs: QuerySet[Any]) -> int:
    """Remove the records of `qs` (already locked and re-checked) and record each once."""
    objs = list(qs)
    if not objs:
        return 0
    found = refs(plan, plan.subject.model._default_manager.filter(pk__in=[o.pk for o in objs]))
    by_pk = {o.pk: o for o in objs}  # before removing: a deleted instance loses its pk
    with disable_auditlog():
        files = REMOVERS[plan.subject.model](objs, plan.action)
    removals = [
        RetentionRemoval(
            run=run,
            batch=batch,
            rule_code=plan.code,
            action=plan.action,
            record_type=plan.subject.record_type,
            record_id=ref.pk,
            record_uuid=ref.uuid,
            case_uuid=ref.case_uuid,
            youth_uuid=ref.youth_uuid,
            region_id=ref.region_id,
        )
        for ref in found
    ]
    with bulk_writes_allowed("retention: the removal records are the record of the removal"):
        RetentionRemoval.objects.bulk_create(removals, ignore_conflicts=True)
    action = (
        Action.RETENTION_ANONYMISED
        if plan.action == RetentionAction.ANONYMISE
        else Action.RETENTION_REMOVED
    )
    record_shown(
        actor=None,  # type: ignore[arg-type] - the system acts (STYLE §4.12: beat jobs)
        action=action,
        shown=[
            {
                "target": by_pk[ref.pk],
                "youth": _Youth(ref.youth_uuid),
                "case_uuid": ref.case_uuid,
                "reason": plan.code,
                "purpose": "retention",
            }
            for ref in found
        ],
    )
    _delete_files(files)
    return len(found)


# --- Runs and batches -----------------------------------------------------------------------


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def retention_plan(*, on: date, batch_size: int | None = None) -> RetentionRun:
    """Plan a run: the ids of everything due on `on`, in batches of `batch_size`.

    Records that already sit in a batch not yet done (of an earlier run that did not finish)
    are left to that batch, so two planners do not plan the same work twice.
    """
    size = batch_size or settings.RETENTION_BATCH_SIZE
    run = RetentionRun.objects.create(kind=RunKind.APPLY, on=on)
    pending: dict[str, set[int]] = {}
    for batch in RetentionBatch.objects.filter(done_at__isnull=True, run__kind=RunKind.APPLY):
        pending.setdefault(batch.rule_code + ":" + batch.record_type, set()).update(
            batch.record_ids
        )
    number = 0
    summary: dict[str, int] = {}
    for plan, qs in retention_due(on):
        ids = [
            pk
            for pk in qs.order_by("pk").values_list("pk", flat=True)
            if pk not in pending.get(plan.key, set())
        ]
        if not ids:
            continue
        summary[plan.key] = len(ids)
        for chunk in _chunks(ids, size):
            number += 1
            RetentionBatch.objects.create(
                run=run,
                number=number,
                rule_code=plan.code,
                record_type=plan.subject.record_type,
                record_ids=chunk,
            )
    run.planned = sum(summary.values())
    run.summary = summary
    if number == 0:
        run.finished_at = timezone.now()
    run.save(update_fields=["planned", "summary", "finished_at", "updated_at"])
    return run


@transaction.atomic
def retention_batch_execute(*, batch_id: int) -> int:
    """Execute one batch in one transaction; a batch that is done already does nothing.

    The batch row is locked first, so two deliveries of the same batch run one after the other
    and the second finds it done. The records are re-checked (still due, not held, not removed
    already) under their own row locks. Returns the number of records removed.
    """
    batch = RetentionBatch.objects.select_for_update().select_related("run").get(pk=batch_id)
    if batch.done_at is not None:
        return 0
    try:
        plan = _plan_for(f"{batch.rule_code}:{batch.record_type}")
    except LookupError:
        # The rule stopped applying after planning (switched off, period emptied): the batch
        # removes nothing, and is done, so that it is not queued night after night.
        logger.info("retention batch %s: rule %s no longer applies", batch.pk, batch.rule_code)
        plan = None
    if plan is None:
        return _batch_done(batch, 0)
    model = plan.subject.model
    locked = list(
        model._default_manager.select_for_update()
        .filter(pk__in=batch.record_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    qs = due_queryset(plan, batch.run.on).filter(pk__in=locked).order_by("pk")
    return _batch_done(batch, _remove(plan, batch.run, batch, qs))


def _batch_done(batch: RetentionBatch, removed: int) -> int:
    """Mark the batch done (in its transaction) and the run finished with its last batch."""
    batch.done_at = timezone.now()
    batch.removed = removed
    batch.save(update_fields=["done_at", "removed", "updated_at"])
    run = RetentionRun.objects.select_for_update().get(pk=batch.run_id)
    if run.finished_at is None and not run.batches.filter(done_at__isnull=True).exists():
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "updated_at"])
    return removed


def pending_batches() -> QuerySet[RetentionBatch]:
    """Batches planned but not done, of any run: a lost task's batch is picked up again."""
    return RetentionBatch.objects.filter(done_at__isnull=True, run__kind=RunKind.APPLY).order_by(
        "run_id", "number"
    )


def retention_apply(
    *, on: date | None = None, batch_size: int | None = None, dry_run: bool = False
) -> RetentionRun | dict[str, int]:
    """Apply every retention rule on `on` (default today) in this process, batch by batch.

    With `dry_run`, nothing is written: the counts per rule and record type are returned. The
    nightly job does the same through Celery, one task per batch (`tasks.retention_task`).
    Batches an earlier run left undone are executed too.
    """
    day = on or timezone.localdate()
    if dry_run:
        return {plan.key: qs.count() for plan, qs in retention_due(day)}
    run = retention_plan(on=day, batch_size=batch_size)
    for batch_id in pending_batches().values_list("pk", flat=True):
        retention_batch_execute(batch_id=batch_id)
    run.refresh_from_db()
    return run


# --- The dry-run report ---------------------------------------------------------------------


def report_day(on: date | None = None) -> date:
    """The day the dry-run report looks at: RETENTION_REPORT_DAYS ahead (SPEC R-9-1)."""
    return (on or timezone.localdate()) + timedelta(days=settings.RETENTION_REPORT_DAYS)


def retention_report_regions(on: date) -> dict[int, dict[str, int]]:
    """Per region: how many records each rule makes due on `on` (counts only)."""
    regions: dict[int, dict[str, int]] = {}
    for plan, qs in retention_due(on):
        rows = qs.values(plan.subject.region_id).annotate(n=models.Count("pk")).order_by()
        for row in rows:
            region_id = row[plan.subject.region_id]
            if region_id is not None:
                regions.setdefault(region_id, {})[plan.key] = row["n"]
    return regions


@transaction.atomic
def retention_report_send(*, on: date | None = None) -> int:
    """Record today's dry-run report and e-mail a link to the beheerders and FGs of every region
    with something due within the report period. Once a day: a second call sends nothing."""
    from parties.choices import Role
    from parties.models import User

    from .tasks import retention_report_mail_task

    today = on or timezone.localdate()
    run, created = RetentionRun.objects.get_or_create(kind=RunKind.REPORT, on=today)
    if not created:
        return 0
    regions = retention_report_regions(report_day(today))
    run.summary = {str(region): counts for region, counts in regions.items()}
    run.planned = sum(sum(counts.values()) for counts in regions.values())
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "planned", "finished_at", "updated_at"])
    recipients = list(
        User.objects.filter(
            is_active=True,
            role__in=[Role.ADMINISTRATOR, Role.PRIVACY_OFFICER],
            professional__organisation__region_id__in=list(regions),
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    for user_id in recipients:
        retention_report_mail_task.delay_on_commit(user_id=user_id)
    return len(recipients)


def retention_report_mail(*, user_id: int) -> None:
    """The report e-mail: a sentence and the link to the report page, nothing else (R-10-3)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from parties.models import User

    user = User.objects.get(pk=user_id)
    if not user.email or not user.is_active:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("retention:overview")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Retention: what is deleted within 14 days")
        body = render_to_string("casusoverleg/email/retention_report.txt", {"link": link})
    EmailMessage(subject=subject, body=body, to=[user.email]).send()


# --- Legal holds and the pages' reads (R-9-4) -----------------------------------------------


def region_of(user: Any) -> int | None:
    """The region of a beheerder's, FG's or procesregisseur's organisation."""
    from parties.selectors import professional_of

    professional = professional_of(user=user)
    return professional.organisation.region_id if professional else None


def may_hold(user: Any, case: Case) -> bool:
    """Whether `user` may place or end a hold on `case`: an FG of its region or its
    procesregisseur (SPEC R-9-4)."""
    from parties.choices import Role

    if case.coordinator_id == user.pk:
        return True
    is_officer = getattr(user, "role", None) == Role.PRIVACY_OFFICER
    return is_officer and region_of(user) == case.covenant.region_id


def hold_case_get(*, user: Any, uuid: UUID) -> Case:
    """The case `user` may put on hold; anyone else gets DoesNotExist (a 404, never a hint)."""
    case = Case.objects.select_related("covenant", "youth").get(uuid=uuid)
    if not may_hold(user, case):
        raise Case.DoesNotExist
    return case


@transaction.atomic
def legal_hold_place(
    *, actor: Any, case: Case, scope: str, reason: str, ends_on: date
) -> LegalHold:
    """Place a legal hold on `case` or on everything about its youth (SPEC R-9-4).

    Raises PermissionDenied unless `actor` is an FG of the case's region or its procesregisseur,
    ValidationError for an empty reason or an end date in the past (invariant 9).
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    from audit.services import record

    if not may_hold(actor, case):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if scope not in LegalHoldScope.values or (scope == LegalHoldScope.YOUTH and not case.youth_id):
        errors["scope"] = [_("Choose what the hold covers.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the hold, for example a pending complaint.")]
    if ends_on < timezone.localdate():
        errors["ends_on"] = [_("The end date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    hold = LegalHold(
        scope=scope,
        case=case if scope == LegalHoldScope.CASE else None,
        youth_id=case.youth_id if scope == LegalHoldScope.YOUTH else None,
        region_id=case.covenant.region_id,
        reason=reason.strip(),
        ends_on=ends_on,
        placed_by=actor,
    )
    hold.full_clean()
    hold.save()
    record(
        actor=actor,
        action=Action.HOLD_PLACED,
        target=hold,
        youth=case.youth,
        case_uuid=case.uuid,
        reason=f"{scope} until {ends_on.isoformat()}",
        purpose="retention",
    )
    return hold


def hold_get(*, user: Any, uuid: UUID) -> LegalHold:
    """A hold `user` may end: any of their region's holds for an FG; for the case's
    procesregisseur only a hold they placed themselves (a hold the FG placed, e.g. over a
    complaint about the case's own handling, stays until the FG ends it)."""
    from parties.choices import Role

    hold = LegalHold.objects.select_related("case", "youth").get(uuid=uuid, ended_at__isnull=True)
    is_officer = getattr(user, "role", None) == Role.PRIVACY_OFFICER
    if is_officer and region_of(user) == hold.region_id:
        return hold
    if (
        hold.case is not None
        and hold.case.coordinator_id == user.pk
        and hold.placed_by_id == user.pk
    ):
        return hold
    raise LegalHold.DoesNotExist


@transaction.atomic
def legal_hold_end(*, actor: Any, hold: LegalHold) -> LegalHold:
    """End a hold now: what it kept is removed by the next run if its period has passed."""
    from audit.services import record

    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.ended_at is None:
        hold.ended_at = timezone.now()
        hold.ended_by = actor
        hold.save(update_fields=["ended_at", "ended_by", "updated_at"])
        youth = hold.youth if hold.youth_id else (hold.case.youth if hold.case_id else None)
        record(
            actor=actor,
            action=Action.HOLD_ENDED,
            target=hold,
            youth=youth,
            case_uuid=hold.case.uuid if hold.case_id else None,
            purpose="retention",
        )
    return hold


@dataclass(frozen=True)
class PreviewRow:
    """One rule's share of what becomes due: counts and pseudonymous references only."""

    plan: Plan
    count: int
    refs: list[Ref]


def retention_preview(*, region_id: int, on: date, limit: int = 25) -> list[PreviewRow]:
    """What becomes due on `on` in one region, per rule (a dry run; nothing is changed)."""
    rows = []
    for plan, qs in retention_due(on):
        mine = qs.filter(**{plan.subject.region_id: region_id})
        count = mine.count()
        if count:
            rows.append(PreviewRow(plan, count, refs(plan, mine.order_by("pk")[:limit])))
    return rows


def hold_list(*, user: Any) -> QuerySet[LegalHold]:
    """The holds in force that `user` may see (their region's, or on cases they direct)."""
    return (
        LegalHold.objects.visible_to(user)
        .filter(ended_at__isnull=True)
        .select_related("case", "youth", "placed_by")
        .order_by("ends_on", "pk")
    )


def run_list(*, user: Any, region_id: int, limit: int = 30) -> list[RetentionRun]:
    """The latest removal runs, each with how many records of `region_id` it removed."""
    return list(
        RetentionRun.objects.visible_to(user)
        .filter(kind=RunKind.APPLY)
        .annotate(
            removed=models.Count("removals", filter=Q(removals__region_id=region_id)),
        )
        .order_by("-started_at", "-id")[:limit]
    )


def run_get(*, user: Any, uuid: UUID) -> RetentionRun:
    """One removal run `user` may see; DoesNotExist otherwise."""
    return RetentionRun.objects.visible_to(user).get(uuid=uuid, kind=RunKind.APPLY)


def removal_list(*, user: Any, run: RetentionRun) -> QuerySet[RetentionRemoval]:
    """What `run` removed in the user's region."""
    return RetentionRemoval.objects.visible_to(user).filter(run=run).order_by("pk")
