"""Reads of covenant governance (issue 7): versions, parties, DPIA records and review prompts.

Reference data of the region, no case content: the beheerder and the FG of the region read it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from parties.choices import PartyType
from parties.models import Organisation

from .models import Covenant, CovenantParty, DPIAEndorsement, DPIARecord, DPIAReviewPrompt
from .selectors import covenant_in_force


def covenant_versions(*, region_id: int) -> QuerySet[Covenant]:
    """Every version of the region's covenant, newest first (R-17-1)."""
    return (
        Covenant.objects.filter(region_id=region_id)
        .select_related("hosting_organisation")
        .order_by("-effective_from")
    )


def governance_parties(*, covenant: Covenant) -> QuerySet[CovenantParty]:
    """The party rows of one covenant version, with who approved their accession."""
    return covenant.parties.select_related("organisation", "accession_approved_by").order_by(
        "organisation__name"
    )


def governance_party_get(*, region_id: int, uuid: object) -> CovenantParty | None:
    """One party row of the region, or None (the view answers 404)."""
    return (
        CovenantParty.objects.filter(covenant__region_id=region_id, uuid=uuid)
        .select_related("organisation", "covenant", "accession_approved_by")
        .first()
    )


def dpia_records(*, region_id: int) -> QuerySet[DPIARecord]:
    """The region's DPIA records, newest first, with controllers and endorsements."""
    return (
        DPIARecord.objects.filter(region_id=region_id)
        .prefetch_related(
            Prefetch("controllers", queryset=Organisation.objects.order_by("name")),
            Prefetch(
                "endorsements",
                queryset=DPIAEndorsement.objects.select_related("organisation").order_by(
                    "organisation__name"
                ),
            ),
        )
        .order_by("-performed_on", "-created_at")
    )


def dpia_get(*, region_id: int, uuid: object) -> DPIARecord | None:
    """One DPIA record of the region, or None."""
    return DPIARecord.objects.filter(region_id=region_id, uuid=uuid).first()


def covering_dpias(*, region_id: int, on: date | None = None) -> QuerySet[DPIARecord]:
    """DPIA records that cover the gemeente and the hosting party of the region (R-DPIA-1).

    The hosting party is the one of the covenant version in force; without one, a DPIA of a
    gemeente suffices.
    """
    covenant = covenant_in_force(region_id=region_id, on=on or timezone.localdate())
    records = DPIARecord.objects.filter(
        region_id=region_id, controllers__party_type=PartyType.MUNICIPAL_EXECUTIVE
    )
    if covenant is not None and covenant.hosting_organisation_id:
        records = records.filter(controllers=covenant.hosting_organisation_id)
    return DPIARecord.objects.filter(pk__in=records.values("pk"))


def _party_ids(organisation: Organisation) -> list[int]:
    """A school takes part through its school board: the board's DPIA decision counts."""
    return [pk for pk in (organisation.pk, organisation.parent_id) if pk]


def dpia_activation_refusal(*, organisation: Organisation) -> str:
    """Why `organisation` cannot be made active in the application now, or "" (R-DPIA-1).

    It needs a DPIA record for the gemeente and the hosting party, and the party itself must be
    one of its controllers or have adopted or endorsed it.
    """
    covering = covering_dpias(region_id=organisation.region_id)
    if not covering.exists():
        return str(
            _(
                "No DPIA has been recorded for the gemeente and the hosting party yet. Record "
                "the DPIA, with the FG's advice, before a party can use the application."
            )
        )
    ids = _party_ids(organisation)
    endorsed = (
        covering.filter(controllers__in=ids).exists()
        or DPIAEndorsement.objects.filter(dpia__in=covering, organisation_id__in=ids).exists()
    )
    if not endorsed:
        return str(
            _(
                "%(org)s has not adopted or endorsed the DPIA yet. Record its decision first "
                "(Covenant governance, DPIA)."
            )
            % {"org": organisation}
        )
    return ""


def active_parties_without_dpia(*, region_id: int) -> list[Organisation]:
    """Active organisations of the region that would not pass the DPIA gate today (a warning
    for installations that were live before the gate existed; R-DPIA-1)."""
    organisations = list(
        Organisation.objects.filter(region_id=region_id, is_active=True).order_by("name")
    )
    covering = covering_dpias(region_id=region_id)
    if not covering.exists():
        return organisations
    covered = set(
        DPIARecord.controllers.through.objects.filter(dpiarecord__in=covering).values_list(
            "organisation_id", flat=True
        )
    )
    covered |= set(
        DPIAEndorsement.objects.filter(dpia__in=covering).values_list("organisation_id", flat=True)
    )
    return [org for org in organisations if not covered & set(_party_ids(org))]


def open_review_prompts(*, region_id: int) -> QuerySet[DPIAReviewPrompt]:
    """Changes still waiting for a DPIA review in the region (R-DPIA-2).

    A prompt is closed once a DPIA record of the region, dated on or after the change, has been
    entered after it. Deployment-wide changes (no region) concern every region.
    """
    newer = DPIARecord.objects.filter(
        region_id=region_id,
        performed_on__gte=OuterRef("changed_on"),
        created_at__gt=OuterRef("created_at"),
    )
    return (
        DPIAReviewPrompt.objects.filter(Q(region_id=region_id) | Q(region__isnull=True))
        .annotate(changed_on=TruncDate("created_at"))
        .exclude(Exists(newer))
        .select_related("raised_by")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class AccessionStep:
    """One step of the accession workflow and whether it is done (R-18-1)."""

    label: str
    done: bool
    when: object = None


def accession_steps(party: CovenantParty) -> list[AccessionStep]:
    """Upload → approval → notification → selectable, as the party page shows them."""
    return [
        AccessionStep(_("Signed accession form uploaded"), bool(party.signed_document)),
        AccessionStep(
            _("Approved by the FG"),
            party.accession_approved_at is not None,
            party.accession_approved_at,
        ),
        AccessionStep(
            _("Other parties notified"),
            party.accession_notified_at is not None,
            party.accession_notified_at,
        ),
    ]
