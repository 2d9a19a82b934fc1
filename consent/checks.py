"""The consent check that the sharing rules ask (SPEC R-6-2, R-4-4, R-T-3; DESIGN invariant 4).

A share needs consent when the providing party's basis is consent, when the source has
professional secrecy (youth care, BIG-registered) or when it is treatment information; a
recipient whose party has no statutory ground to receive a data class needs one too. The
casusoverleg services ask `covering_consent` and nothing else, so the consent records can be
built (issue 6: who consented under the age rules, scope, withdrawal, receipts) without
touching the sharing rules.

Until those records exist this module keeps no consent, so no question finds one: every share
that needs consent is refused with a clear message, never silently allowed.
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
    """The valid consent covering `question` (given by every required person, not withdrawn,
    within its period, naming the source, category and every recipient), if any.

    No consent records are kept yet (they come with issue 6), so none covers any question.
    """
    return ConsentAnswer(
        consent_id=None,
        reason=str(_("No consent has been recorded in Casusoverleg yet.")),
    )
