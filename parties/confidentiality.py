"""The geheimhoudingsverklaring: its text, its version and how long an acceptance holds (R-11-1).

The text is versioned in code rather than kept as reference data: it is the same for every
region (it restates art. 11 of the model covenant), a change to it is a legal change that goes
through review and a release, and the version in code is what the middleware compares with.
Changing the Dutch wording means raising `VERSION`; every professional is then asked again.
What a user accepted is pinned by the SHA-256 of the Dutch text stored with the acceptance.

An acceptance holds for `VALID_DAYS` days (a rolling year from the moment of accepting, not a
calendar year: nobody is asked twice in a few weeks around New Year).
"""

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .choices import Role

VERSION = "2026-1"
VALID_DAYS = 365

# The roles that must have accepted before they open any page of a case (casusoverleg
# namespace). FGs and functioneel beheerders see no case content by their role (DESIGN "Who
# uses it", R-DPIA-3): they are not asked.
DECLARING_ROLES = (Role.PROFESSIONAL, Role.COORDINATOR)

TITLE = _("Confidentiality declaration")

# Art. 11 of the model covenant: everyone who takes part keeps what they learn confidential,
# also after leaving the covenant or their job (SPEC art. 11).
PARAGRAPHS = (
    _(
        "I take part in case consultations (Casusoverleg) under the privacy covenant of my "
        "region. In them I learn personal data of children, young people and their families, "
        "sometimes about their health or family life."
    ),
    _(
        "I keep everything I learn in or through a Casusoverleg secret. I only use it for the "
        "purpose of the consultation and only share it with people who take part and need it "
        "for their task, as the covenant allows."
    ),
    _(
        "I do not copy, print or pass on data outside the application, unless the law or the "
        "covenant requires it. I report a possible data breach at once to my organisation's "
        "data protection officer (FG)."
    ),
    _(
        "My duty of confidentiality continues after a case is closed, after I stop taking part, "
        "after I change jobs and after my organisation leaves the covenant (art. 11)."
    ),
    _(
        "I know that every access to a case is logged and checked, and that breaking this "
        "declaration can have consequences under my employment contract, my professional code "
        "and the law."
    ),
)


def text() -> str:
    """The declaration's text in the active language, paragraphs separated by blank lines."""
    return "\n\n".join(str(p) for p in (TITLE, *PARAGRAPHS))


@lru_cache(maxsize=4)
def text_sha256(version: str = VERSION) -> str:
    """SHA-256 of the Dutch text: the wording a professional accepts is the Dutch one."""
    with translation.override("nl"):
        return hashlib.sha256(text().encode("utf-8")).hexdigest()


def valid_since(now: datetime) -> datetime:
    """An acceptance later than this moment still holds at `now`."""
    return now - timedelta(days=VALID_DAYS)


def must_declare(user: object) -> bool:
    """Whether `user` must have accepted the current declaration before opening a case page."""
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "role", None) in DECLARING_ROLES
    )
