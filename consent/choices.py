"""Closed lists of the consent app: who consents, how, the state of a consent and of a request."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsenterKind(models.TextChoices):
    """Whose consent the age table asks for (SPEC §6, R-AGE-1)."""

    PARENT = "parent", _("Parent with parental authority")
    YOUTH = "youth", _("The youth")
    REPRESENTATIVE = "representative", _("Curator or mentor")


class AgeRule(models.TextChoices):
    """The row of the age table that decided who consents (SPEC §6)."""

    CHILD = "child", _("Under 12: the parents with parental authority")
    TOGETHER = "together", _("12 to 15: the youth and the parents together")
    INCAPABLE_MINOR = "incapable_minor", _("Not able to judge: the parents")
    ALONE = "alone", _("16 or older: the youth alone")
    INCAPABLE_ADULT = "incapable_adult", _("Not able to judge: the curator or mentor")


class ConsentMethod(models.TextChoices):
    """How a person's decision reached the application."""

    PORTAL = "portal", _("In the portal, by the person")
    SIGNED_FORM = "signed_form", _("On a signed form, recorded by a professional")


class ConsentStatus(models.TextChoices):
    """The state of a consent: only VALID carries a share (SPEC R-6-2)."""

    PENDING = "pending", _("Waiting for consent")
    VALID = "valid", _("Valid")
    RECONFIRM = "reconfirm", _("To be confirmed by the youth")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


# A consent in these states covers shares; RECONFIRM covers ordinary data only (R-AGE-4).
COVERING_STATUSES = (ConsentStatus.VALID, ConsentStatus.RECONFIRM)
# A consent in these states can still be decided on or withdrawn.
LIVE_STATUSES = (ConsentStatus.PENDING, ConsentStatus.VALID, ConsentStatus.RECONFIRM)


class DecisionKind(models.TextChoices):
    """One person's decision on a consent; decisions are append-only."""

    GIVEN = "given", _("Consent given")
    DECLINED = "declined", _("Consent refused")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    RECONFIRMED = "reconfirmed", _("Confirmed by the youth")


class RequestKind(models.TextChoices):
    """The rights a data subject exercises (SPEC R-13-1, §7.1)."""

    ACCESS = "inzage", _("Access (inzage)")
    RECTIFICATION = "rectificatie", _("Correction (rectificatie)")
    ERASURE = "verwijdering", _("Erasure (verwijdering)")
    RESTRICTION = "beperking", _("Restriction (beperking)")
    OBJECTION = "bezwaar", _("Objection (bezwaar)")
    DESTRUCTION = "vernietiging", _("Destruction of the youth care file (vernietiging)")


class RequestStatus(models.TextChoices):
    """Where a request stands."""

    AWAITING_YOUTH = "awaiting_youth", _("Waiting for the youth's permission")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Answered")


class RequestOutcome(models.TextChoices):
    """The answer to a request; a refusal, also in part, states its legal ground (R-RIGHTS-3)."""

    GRANTED = "granted", _("Granted")
    PARTLY = "partly", _("Partly granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class ReceiptKind(models.TextChoices):
    """What a consent receipt records."""

    GIVEN = "given", _("Consent given")
    DECLINED = "declined", _("Consent refused")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")
    RECONFIRMED = "reconfirmed", _("Confirmed by the youth")
