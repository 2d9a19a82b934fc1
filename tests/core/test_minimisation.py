"""The BSN check on free text (SPEC R-5-3, R-7-1): nine digits passing the elfproef are flagged,
typed as one number or grouped; telephone numbers, IBANs, dates and shorter numbers are not."""

from django.utils import translation

import pytest

from core.minimisation import MINIMISATION_HINT, bsn_like_numbers, passes_eleven_test


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("111222333", True),  # 9+8+7+12+10+8+9+6-3 = 66
        ("123456782", True),  # 154 = 14 × 11
        ("999999990", True),  # 396 = 36 × 11
        ("123456789", False),  # 147: remainder 4
        ("111222334", False),  # one digit off
        ("000000000", False),  # a multiple of 11, but 0 is no number
        ("12345678", False),  # eight digits
        ("1234567820", False),  # ten digits
        ("12345678a", False),
        ("", False),
    ],
)
def test_the_eleven_test(digits, valid):
    """R-5-3: the BSN elfproef: 9×d1 + 8×d2 + … + 2×d8 − d9 is a non-zero multiple of 11."""
    assert passes_eleven_test(digits) is valid


@pytest.mark.parametrize(
    "text",
    [
        "BSN 123456782 van de leerling",
        "bsn:123456782.",
        "123.456.782",
        "123 456 782",
        "123-456-782",
        "1234.56.782",
        "1 2 3 4 5 6 7 8 2",
    ],
)
def test_a_bsn_is_found_typed_or_grouped(text):
    """R-5-3: a number that passes the elfproef is found, however it is grouped, and returned as
    typed so the warning can point at it."""
    found = bsn_like_numbers(text)
    assert len(found) == 1
    assert "".join(c for c in found[0] if c.isdigit()) == "123456782"
    assert found[0] in text


def test_every_bsn_in_a_text_is_found():
    """R-5-3: two numbers, two warnings; a nine-digit number failing the elfproef is none."""
    text = "Broer 111222333, zus 123 456 782, klantnummer 123456789."
    assert bsn_like_numbers(text) == ["111222333", "123 456 782"]


@pytest.mark.parametrize(
    "text",
    [
        # Ten-digit telephone numbers whose first and last nine digits both pass the elfproef:
        # only the look-around in the pattern keeps them from being flagged.
        "Bel moeder op 0612345762.",
        "Bel 06-12345762 na 16 uur.",
        "Bel 06 1234 5762.",
        "Bel 020-1234622 of 0201234622.",
        # International notation: the nine digits after the country code pass the elfproef.
        "Bel +31 6 12345683 of +31-6-12345683.",
        # An IBAN whose last nine digits (417164300) pass the elfproef.
        "Rekening NL91ABNA0417164300.",
        # Eight digits, dates, amounts.
        "Dossiernummer 12345678.",
        "Geboren op 17-05-2012, verzuim 16 uur in 4 weken.",
        "Kosten 12.345.678,00 euro.",
        # A valid BSN inside a longer run of digits is part of another number.
        "Referentie 91234567820.",
        "",
    ],
)
def test_phone_numbers_and_other_numbers_are_not_flagged(text):
    """R-5-3: the check warns on BSN-like numbers only; a warning on every phone number would
    teach people to ignore it."""
    assert bsn_like_numbers(text) == []


def test_the_building_blocks_of_the_phone_number_case_are_real():
    """The phone-number cases above could fail: the nine-digit parts do pass the elfproef."""
    for digits in ("061234576", "612345762", "020123462", "201234622", "417164300"):
        assert passes_eleven_test(digits), digits
    assert passes_eleven_test("123456782")  # inside "91234567820"


def test_the_minimisation_hint_is_the_covenants_wording():
    """R-7-1: free-text fields carry "alleen noodzakelijke feiten; geen gegevens van derden"."""
    with translation.override("nl"):
        assert str(MINIMISATION_HINT) == "Alleen noodzakelijke feiten; geen gegevens van derden."
