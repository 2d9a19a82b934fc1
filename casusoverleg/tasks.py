"""Celery adapters of the casusoverleg app: ids in, one service call (STYLE §4.12)."""

import logging
import smtplib

from django.db import OperationalError

from auditlog.context import set_actor
from celery import shared_task

logger = logging.getLogger(__name__)

# Mail servers fail transiently (greylisting, restarts); three tries over about ten minutes.
MAIL_RETRIES = 3


def _sender_of(invitation_id: int) -> object:
    """The procesregisseur who sent an invitation, as the actor of the worker's writes."""
    from .models import Invitation

    return (
        Invitation.objects.select_related("meeting__case__coordinator")
        .get(pk=invitation_id)
        .meeting.case.coordinator
    )


def _requester_of(document_id: int) -> object:
    """The user who asked for a PDF, as the actor of the worker's writes."""
    from .models import CaseDocument

    return CaseDocument.objects.select_related("requested_by").get(pk=document_id).requested_by


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def invitation_deliver_task(self, *, invitation_id: int) -> None:
    """Send one invitation e-mail with its .ics; retried on a transient mail server error."""
    from .services import invitation_deliver, invitation_fail

    try:
        # The row history names who sent it: the procesregisseur (STYLE §4.12, set_actor).
        with set_actor(_sender_of(invitation_id)):
            invitation_deliver(invitation_id=invitation_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            invitation_fail(invitation_id=invitation_id, error=type(exc).__name__)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc


@shared_task(acks_late=True)
def document_render_task(*, document_id: int) -> None:
    """Make one requested PDF; a failure is shown on the page instead of waiting forever."""
    from .services import document_fail, document_render

    try:
        with set_actor(_requester_of(document_id)):
            document_render(document_id=document_id)
    except Exception as exc:
        # Any rendering error must end the wait on the page; the trace goes to the log only,
        # never to the user (it could hold case data).
        logger.exception("PDF %s failed", document_id)
        document_fail(document_id=document_id, error=type(exc).__name__)


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def notify_task(self, *, user_id: int, kind: str, case_id: int) -> None:
    """Send one notification e-mail (a link only, SPEC R-10-3)."""
    from .notifications import notify

    try:
        notify(user_id=user_id, kind=kind, case_id=case_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("notification %s to user %s failed", kind, user_id)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc


@shared_task
def action_reminders_task() -> int:
    """Beat job: remind owners of actions that fall due soon (idempotent per day)."""
    from .services import action_reminders_send

    return action_reminders_send()


@shared_task
def case_access_expire_task() -> int:
    """Beat job: participants' grants end CASE_ACCESS_DAYS_AFTER_CLOSE days after closing."""
    from .services import case_access_expire

    return case_access_expire()


@shared_task
def family_calendar_task() -> dict[str, int]:
    """Beat job: birthdays (16, 18) and consents past their end date (idempotent)."""
    from .services import family_calendar_apply

    return family_calendar_apply()


# --- Retention (issue 7) --------------------------------------------------------------------


@shared_task(acks_late=True)
def retention_task(*, on: str | None = None, batch_size: int | None = None) -> int:
    """Beat job: plan tonight's retention run and queue one task per batch (SPEC R-9-1).

    Safe to run twice: records already planned in a batch that is not done are not planned
    again, and every batch not done (also of an earlier, interrupted run) is queued again; a
    batch that runs twice finds itself done the second time. Returns the batches queued.
    """
    from datetime import date

    from django.utils import timezone

    from .retention import pending_batches, retention_plan

    day = date.fromisoformat(on) if on else timezone.localdate()
    retention_plan(on=day, batch_size=batch_size)
    batch_ids = list(pending_batches().values_list("pk", flat=True))
    for batch_id in batch_ids:
        retention_batch_task.delay(batch_id=batch_id)
    return len(batch_ids)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def retention_batch_task(*, batch_id: int) -> int:
    """Execute one retention batch in one transaction (idempotent: a done batch does nothing)."""
    from .retention import retention_batch_execute

    return retention_batch_execute(batch_id=batch_id)


@shared_task(acks_late=True)
def retention_report_task(*, on: str | None = None) -> int:
    """Beat job: the daily dry-run report of what becomes due within 14 days, e-mailed (a link)
    to each region's beheerders and FGs; once a day however often it runs."""
    from datetime import date

    from .retention import retention_report_send

    return retention_report_send(on=date.fromisoformat(on) if on else None)


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def retention_report_mail_task(self, *, user_id: int) -> None:
    """Send one beheerder or FG the link to the retention report (no content, SPEC R-10-3)."""
    from .retention import retention_report_mail

    try:
        retention_report_mail(user_id=user_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("retention report to user %s failed", user_id)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc


@shared_task
def departed_party_access_end_task() -> int:
    """Beat job (issue 7, R-19-1): grants of a party that left end on other parties' cases."""
    from .services import departed_party_access_end

    return departed_party_access_end()
