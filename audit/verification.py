"""Running the seal verification as an audited act, and telling the FGs when it finds something.

`audit.sealing` computes; this module records that a verification ran (an `audit.verified`
event, so the FG sees when the log was last checked) and, on a finding, e-mails every active FG a
link to the seals page. The e-mail says only that a check failed (SPEC R-10-3).
"""

import logging

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from parties.choices import Role
from parties.models import User

from .choices import Action, Outcome
from .models import Stream
from .sealing import VerifyReport, verify
from .services import record

logger = logging.getLogger(__name__)


def summary(report: VerifyReport) -> str:
    """One line for the access log and the command's last line; no personal data."""
    if report.ok:
        return (
            f"ok: {report.blocks_checked} blocks, {report.events_checked} events, "
            f"{report.unsealed_events} not sealed yet"
        )
    kinds: dict[str, int] = {}
    for problem in report.problems:
        kinds[problem.kind] = kinds.get(problem.kind, 0) + 1
    found = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    return f"FAILED: {found} in {report.blocks_checked} blocks"


def audit_verify(
    *, actor: AbstractBaseUser | None = None, streams: tuple[str, ...] = tuple(Stream.values)
) -> VerifyReport:
    """Verify the sealed logs, record the outcome, and alert the FGs on any finding."""
    report = verify(streams)
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.AUDIT_VERIFIED,
            outcome=Outcome.ALLOWED,
            reason=summary(report),
            purpose="integrity",
        )
    for stream, head in report.head_hash.items():
        # The head hashes also go to the application log, which is shipped elsewhere: a copy
        # outside this database is what shows a rewrite of the whole chain (ADR 0004).
        logger.info("audit.verified stream=%s head=%s ok=%s", stream, head, report.ok)
    if not report.ok:
        logger.error("audit.verify_failed %s", summary(report))
        _alert_privacy_officers()
    return report


def audit_verify_incomplete(why: str) -> None:
    """Record that a verification did not finish, and tell the FGs: silence is no all-clear."""
    with transaction.atomic():
        record(
            actor=None,
            action=Action.AUDIT_VERIFIED,
            reason=f"INCOMPLETE: {why}"[:300],
            purpose="integrity",
        )
    logger.error("audit.verify_incomplete %s", why)
    _alert_privacy_officers()


def _alert_privacy_officers() -> None:
    recipients = list(
        User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        logger.error("audit.verify_failed and no FG has an e-mail address")
        return
    link = settings.SITE_URL.rstrip("/") + reverse("audit:seals")
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("Casusoverleg: the check of the access log found a problem"),
            message=render_to_string("audit/email/verify_failed.txt", {"link": link}),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
