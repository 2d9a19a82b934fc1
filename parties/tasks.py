"""Celery adapters of the parties app: ids in, one service call (STYLE §4.12)."""

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)

MAIL_RETRIES = 3


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def account_invitation_send_task(self, *, user_id: int) -> None:
    """E-mail a portal invitation: the activation link, nothing else (SPEC R-10-3)."""
    from .accounts import account_invitation_send

    try:
        account_invitation_send(user_id=user_id)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("portal invitation to user %s failed", user_id)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc
