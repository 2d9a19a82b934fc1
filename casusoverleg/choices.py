"""Closed lists of the casusoverleg app (SPEC §3.1, §5, §6, art. 8 and 12)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """The state machine of a Casusoverleg (SPEC R-PR-2); only the procesregisseur moves it."""

    CONCEPT = "concept", _("Draft")
    PREPARED = "voorbereid", _("Prepared")
    SCHEDULED = "gepland", _("Scheduled")
    HELD = "gehouden", _("Held")
    MINUTES_ADOPTED = "verslag_vastgesteld", _("Minutes adopted")
    CLOSED = "afgesloten", _("Closed")


# The one forward path; there is no way back (a held meeting cannot become unheld).
NEXT_STATUS: dict[str, str] = {
    CaseStatus.CONCEPT: CaseStatus.PREPARED,
    CaseStatus.PREPARED: CaseStatus.SCHEDULED,
    CaseStatus.SCHEDULED: CaseStatus.HELD,
    CaseStatus.HELD: CaseStatus.MINUTES_ADOPTED,
    CaseStatus.MINUTES_ADOPTED: CaseStatus.CLOSED,
}


class TargetGroup(models.TextChoices):
    """The doelgroep of a Casusoverleg; a case cannot exist without one (SPEC R-0-1)."""

    EDUCATION_AND_YOUTH_CARE = "onderwijs_en_jeugdhulp", _("Education and youth care")
    YOUTH_CARE_SUSPECTED = "vermoeden_jeugdhulp_wenselijk", _("Youth care possibly needed")
    HOME_SITTER = "thuiszitter", _("Thuiszitter (not in education)")
    EARLY_SCHOOL_LEAVER = "vsv", _("Early school leaver (mbo / RMC)")


class ParticipantKind(models.TextChoices):
    """Who a participant is: a professional of a party, a parent with gezag, or the youth."""

    PROFESSIONAL = "professional", _("Professional")
    PARENT = "parent", _("Parent with authority")
    YOUTH = "youth", _("Youth")


class Response(models.TextChoices):
    """A participant's answer to the invitation."""

    PENDING = "pending", _("No answer yet")
    ACCEPTED = "accepted", _("Attends")
    DECLINED = "declined", _("Does not attend")


class MeetingStatus(models.TextChoices):
    """A meeting is scheduled, then held or cancelled."""

    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class InvitationMethod(models.TextChoices):
    """The iTIP method of the .ics sent (RFC 5546): a (re)invitation or a cancellation."""

    REQUEST = "REQUEST", _("Invitation")
    CANCEL = "CANCEL", _("Cancellation")


class DeliveryStatus(models.TextChoices):
    """Whether the e-mail left the application."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EntryKind(models.TextChoices):
    """Facts, opinions and agreements are kept apart in the minutes (SPEC R-8-1)."""

    FACT = "feit", _("Fact")
    OPINION = "mening", _("Opinion")
    AGREEMENT = "afspraak", _("Agreement")


class DocumentKind(models.TextChoices):
    """The PDFs a case produces (issue 3 item 7)."""

    MINUTES = "verslag", _("Minutes")
    PRIVACY_NOTICE = "privacyverklaring", _("Privacy notice")
    PRIVACY_NOTICE_YOUTH = "privacyverklaring_jongere", _("Privacy notice for youths")
    INVITATION = "uitnodiging", _("Invitation")


class DocumentStatus(models.TextChoices):
    """Progress of a PDF made in the background."""

    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Audience(models.TextChoices):
    """The reader of a privacy notice: adults, or youths from 12 in plainer words (R-12-2)."""

    ADULT = "adult", _("Parents and professionals")
    YOUTH = "youth", _("Youth (12 and older)")
