"""Celery adapters of the casusoverleg app: ids in, one service call (STYLE §4.12)."""

import logging
import smtplib

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


@shared_task
def departed_party_access_end_task() -> int:
    """Beat job (issue 7, R-19-1): grants of a party that left end on other parties' cases."""
    from .services import departed_party_access_end

    return departed_party_access_end()
