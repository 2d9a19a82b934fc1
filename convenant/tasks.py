"""Celery adapters of the convenant app: ids in, one call (STYLE §4.12)."""

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)

# Mail servers fail transiently (greylisting, restarts); three tries over about ten minutes.
MAIL_RETRIES = 3


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def incident_notify_task(self, *, incident_id: int, kind: str) -> None:
    """Tell the FGs (and for an escalation the beheerders) about a breach: a link, no content
    (R-BREACH-2, R-BREACH-3, R-10-3). Retried on a transient mail server error."""
    from .incident_mail import notify_incident

    try:
        notify_incident(incident_id=incident_id, kind=kind)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("incident %s: %s e-mail failed", incident_id, kind)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc


@shared_task(acks_late=True)
def incidents_escalate_task() -> int:
    """Beat job (every 15 minutes): escalate breaches not reported 24 hours before the AP
    deadline; once per incident (idempotent)."""
    from .incidents import incidents_escalate

    return incidents_escalate()


@shared_task(bind=True, max_retries=MAIL_RETRIES, acks_late=True)
def accession_mail_task(self, *, party_id: int, address: str) -> None:
    """Send one accession notification (a link only, R-10-3); retried on a mail server error.

    The notification itself was recorded when the accession was approved (R-18-1); a failed
    delivery is logged without the address.
    """
    from .notifications import accession_mail

    try:
        accession_mail(party_id=party_id, address=address)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= MAIL_RETRIES:
            logger.warning("accession notification for party %s failed", party_id)
            return
        raise self.retry(exc=exc, countdown=60 * 3**self.request.retries) from exc
