"""The consent check that the sharing rules ask (SPEC R-6-2, R-4-4, R-T-3; DESIGN invariant 4).

A share needs consent when the providing party's basis is consent, when the source has
professional secrecy (youth care, BIG-registered) or when it is treatment information; a
recipient whose party has no statutory ground to receive a data class needs one too. The
casusoverleg services ask `covering_consent` and nothing else.

A consent covers a share when it is in force (given by every required person under the age
rules, not withdrawn, refused or expired, within its period), was asked by the sharing
organisation in this case for the case's purpose, names the category, names every reader's
organisation, and, for health data, explicitly includes health data and is not waiting for the
youth's confirmation at 16 (R-AGE-4).
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ConsentQuestion:
    """Is there a valid consent for this source to share this category with these readers?"""

    case_id: int
    youth_id: int | None
    source_organisation_id: int
    # R-6-2 (c): the consent names the professional (jeugdhulpverlener) who shares.
    author_user_id: int
    category_id: int
    data_class: str
    purpose_id: int
    recipient_user_ids: tuple[int, ...]
    on: date


@dataclass(frozen=True)
class ConsentAnswer:
    """The consent that covers the question, or None with the reason shown to the sharer."""

    consent_id: int | None
    reason: str = ""

    @property
    def covered(self) -> bool:
        """Whether a valid consent covers the share."""
        return self.consent_id is not None


def covering_consent(question: ConsentQuestion) -> ConsentAnswer:
    """The valid consent covering `question`, if any, else the reason none does.

    Of several covering consents the one that runs longest is chosen, so that the item stays
    readable for as long as the family allowed.
    """
    from convenant.choices import DataClass
    from parties.models import Professional

    from .choices import ConsentStatus
    from .models import Consent

    candidates = Consent.objects.in_force(question.on).filter(
        case_id=question.case_id,
        source_organisation_id=question.source_organisation_id,
        purpose_id=question.purpose_id,
        categories=question.category_id,
    )
    if question.data_class == DataClass.SPECIAL_HEALTH:
        candidates = candidates.filter(covers_special=True, status=ConsentStatus.VALID)
    candidates = list(candidates.order_by("-valid_until", "-pk").prefetch_related("recipients"))
    if not candidates:
        return ConsentAnswer(
            consent_id=None,
            reason=str(
                _(
                    "No valid consent of the family covers this kind of data from your "
                    "organisation in this case. Ask for consent on the case page."
                )
            ),
        )
    reader_organisations = set(
        Professional.objects.filter(user_id__in=question.recipient_user_ids).values_list(
            "organisation_id", flat=True
        )
    )
    for consent in candidates:
        allowed = {organisation.pk for organisation in consent.recipients.all()}
        if reader_organisations <= allowed:
            return ConsentAnswer(consent_id=consent.pk)
    return ConsentAnswer(
        consent_id=None,
        reason=str(
            _(
                "The consent does not name every organisation that would read this. Choose "
                "only readers of the organisations the consent names."
            )
        ),
    )
