"""Celery adapters of the consent app: ids in, one service call (STYLE §4.12)."""

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)

MAIL_RETRIES = 3


@shared_task(acks_late=True)
def receipt_render_task(*, receipt_id: int) -> None:
    """Render one consent receipt's PDF (idempotent)."""
    from .services import receipt_render

    try:
        receipt_render(receipt_id=receipt_id)
    except Exception:
        # The receipt's fields and hash are kept already; the PDF is made again on the next
        # download. The trace goes to the log only: it could hold the consent's scope.
        logger.exception("consent receipt %s failed", receipt_id)


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def notify_family_task(self, *, user_id: int, kind: str) -> None:
    """Send a parent or youth a notification: a link to the portal, no content (R-10-3)."""
    from .notifications import notify_family

    try:
        notify_family(user_id=user_id, kind=kind)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("notification %s to user %s failed", kind, user_id)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def notify_handler_task(self, *, user_id: int, request_id: int, kind: str) -> None:
    """Send a procesregisseur or FG a notification about a rights request: a link only."""
    from .notifications import notify_handler

    try:
        notify_handler(user_id=user_id, request_id=request_id, kind=kind)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("notification %s to user %s failed", kind, user_id)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc


@shared_task
def consents_calendar_task() -> dict[str, int]:
    """Beat job: birthdays (16) and end dates of consents (idempotent)."""
    from .services import consents_apply_calendar

    return consents_apply_calendar()


@shared_task
def rights_requests_remind_task() -> int:
    """Beat job: deadline reminders for rights requests (idempotent)."""
    from .services import rights_requests_remind

    return rights_requests_remind()
