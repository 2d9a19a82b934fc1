"""E-mails about a data breach: a short Dutch sentence, the deadline and a link; never what
happened, whose data or which case (SPEC R-10-3, R-BREACH-2). The reader logs in to see more."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .incidents import parties_notified, recipients
from .models import Incident

SUBJECTS = {
    "reported": lambda: _("Casusoverleg: a data breach was reported (datalek)"),
    "escalated": lambda: _(
        "Casusoverleg: a data breach must be reported to the AP within 24 hours"
    ),
}


def notify_incident(*, incident_id: int, kind: str) -> None:
    """Send `kind` ("reported" or "escalated") to every address `recipients` names; after a
    report, record that the parties' FGs were told."""
    incident = Incident.objects.select_related("organisation").get(pk=incident_id)
    if kind == "reported" and incident.parties_notified_at:
        # Told already: a redelivered task (acks_late) does not send the report twice.
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "incidents:incident_detail", kwargs={"uuid": incident.uuid}
    )
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        subject = str(SUBJECTS[kind]())
        for email, _user in recipients(incident, kind):
            body = render_to_string(
                f"convenant/email/incident_{kind}.txt",
                {"incident": incident, "deadline": incident.ap_deadline, "link": link},
            )
            EmailMessage(subject=subject, body=body, to=[email]).send()
    if kind == "reported":
        parties_notified(incident_id=incident.pk)
