"""How the FG's workbench names youths and cases: by pseudonym, never by name (metadata only)."""

import uuid

YOUTH_PREFIX = "J"
CASE_PREFIX = "C"


def pseudonym(value: uuid.UUID | str | None, prefix: str = YOUTH_PREFIX) -> str:
    """A short, stable label for a uuid, e.g. "J-3F2A91C0"; empty for no uuid.

    Eight hex digits are enough to tell the youths of one organisation's log apart on screen;
    the full uuid stays in links and exports.
    """
    if not value:
        return ""
    return f"{prefix}-{uuid.UUID(str(value)).hex[:8].upper()}"
