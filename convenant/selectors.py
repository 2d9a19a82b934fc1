"""Reads of the covenant's data (reference data: no personal data of youths)."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from parties.choices import PartyType
from parties.models import Organisation

from .choices import CovenantPartyStatus
from .models import Covenant, CovenantParty


def covenant_in_force(*, region_id: int, on: date) -> Covenant | None:
    """The region's covenant version in force on `on` (SPEC R-17-1)."""
    return (
        Covenant.objects.filter(region_id=region_id, effective_from__lte=on)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
        .order_by("-effective_from")
        .first()
    )


def covenant_party_list(*, covenant: Covenant, on: date) -> QuerySet[CovenantParty]:
    """The parties of `covenant` that take part on `on`, with their FG contacts (R-15-1)."""
    return (
        covenant.parties.filter(joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("organisation")
        .order_by("organisation__name")
    )


def covenant_party_of(
    *, covenant: Covenant, organisation: Organisation, on: date
) -> CovenantParty | None:
    """The party row through which `organisation` takes part in `covenant` on `on`, if any.

    A school takes part through its school board (its `parent`), so both are looked up.
    """
    candidates = [organisation.pk]
    if organisation.parent_id:
        candidates.append(organisation.parent_id)
    return (
        covenant_party_list(covenant=covenant, on=on).filter(organisation_id__in=candidates).first()
    )


def participation_refusal(*, covenant: Covenant, organisation: Organisation, on: date) -> str:
    """Why `organisation` may not take part in a Casusoverleg now, or "" if it may.

    SPEC R-P-3 and R-18-1: only parties that joined the covenant take part; a youth care provider
    also needs its signed Toetredingsformulier and the notification of the other participants.
    """
    party = covenant_party_of(covenant=covenant, organisation=organisation, on=on)
    if party is None:
        left = _left_on(covenant=covenant, organisation=organisation, on=on)
        if left is not None:
            # R-19-1 (issue 7): a party that left is refused with the reason, not silently.
            return str(
                _("%(org)s left the covenant on %(date)s and can no longer be added to new cases.")
                % {"org": organisation, "date": left.strftime("%d-%m-%Y")}
            )
        return str(
            _("%(org)s has not joined the covenant (or has left it).") % {"org": organisation}
        )
    if not organisation.is_active:
        return str(_("%(org)s is not active in the application.") % {"org": organisation})
    # R-18-1 (issue 7): every acceding party, youth care providers always (R-P-3), takes part
    # only after its form was uploaded, approved and the other parties were notified.
    acceding = (
        party.status == CovenantPartyStatus.ACCEDED
        or party.organisation.party_type == PartyType.YOUTH_CARE_PROVIDER
    )
    if acceding and not (party.signed_document and party.accession_notified_at):
        return str(
            _(
                "%(org)s can only take part once its signed accession form is uploaded and the "
                "other participants have been notified."
            )
            % {"org": organisation}
        )
    return ""


def _left_on(*, covenant: Covenant, organisation: Organisation, on: date) -> date | None:
    """The end date of the party row through which `organisation` took part, if it has come."""
    candidates = [organisation.pk]
    if organisation.parent_id:
        candidates.append(organisation.parent_id)
    return (
        covenant.parties.filter(organisation_id__in=candidates, left_on__lte=on)
        .order_by("-left_on")
        .values_list("left_on", flat=True)
        .first()
    )
