"""Celery adapters of the audit app: sealing and verifying the logs (STYLE §4.12)."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from .models import Stream

# Verification reads every sealed event (about 30,000 a second on two cores, docs/benchmarks.md):
# far beyond the default task limit once the log holds millions of events.
VERIFY_SOFT_LIMIT = 4 * 3600


@shared_task(acks_late=True)
def audit_seal_task() -> int:
    """Seal what both logs gained since the last run; returns the number of new blocks.

    Idempotent (a run that finds nothing new seals nothing), so a retry after a lost worker or
    two overlapping runs do no harm: the second waits for the first and finds nothing left.
    """
    from .sealing import seal

    return sum(len(seal(stream)) for stream in Stream.values)


@shared_task(acks_late=True, soft_time_limit=VERIFY_SOFT_LIMIT, time_limit=VERIFY_SOFT_LIMIT + 600)
def audit_verify_task() -> bool:
    """Recompute the whole chain of both logs; True when nothing was found.

    A run that does not finish is no pass: it is recorded and the FGs are told.
    """
    from .verification import audit_verify, audit_verify_incomplete

    try:
        return audit_verify().ok
    except SoftTimeLimitExceeded:
        audit_verify_incomplete("the time limit was reached")
        raise
