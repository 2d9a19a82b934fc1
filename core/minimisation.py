"""Data minimisation helpers for free text (SPEC R-5-3, R-7-1).

A BSN (burgerservicenummer) never belongs in a Casusoverleg (UAVG art. 46; C10 is excluded).
Free text is checked for nine-digit numbers that pass the BSN "elfproef", so that a number
typed or pasted by habit is caught before it is saved.
"""

import re

from django.utils.translation import gettext_lazy as _

# The hint every free-text field of the product shows (SPEC R-7-1).
MINIMISATION_HINT = _("Only necessary facts; no data of third parties.")

# Nine digits, optionally grouped with spaces, dots or dashes (e.g. 1234.56.782), standing alone.
_CANDIDATE = re.compile(r"(?<![\d])(\d[\s.\-]?){8}\d(?![\d])")
# A country code right before the number ("+31 6 …", "+32-4…") makes it a phone number.
_INTERNATIONAL_PREFIX = re.compile(r"\+\d{1,3}[\s.\-]?$")


def passes_eleven_test(digits: str) -> bool:
    """The BSN elfproef: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11 (and not 0)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    total = sum(w * int(d) for w, d in zip(weights, digits, strict=True))
    return total != 0 and total % 11 == 0


def bsn_like_numbers(text: str) -> list[str]:
    """The numbers in `text` that look like a BSN (nine digits passing the elfproef)."""
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        if _INTERNATIONAL_PREFIX.search(text[: match.start()]):
            continue  # "+31 6 12345678": a phone number with its country code, not a BSN
        digits = re.sub(r"\D", "", match.group(0))
        if passes_eleven_test(digits):
            found.append(match.group(0))
    return found
