"""Hostile values for form fields, as hypothesis strategies (invariant 9, issue 7).

Each field gets a mix of what the page offers (its own value, its options) and what an attacker
or a clumsy paste would send: script and template injection, SQL, control characters, NUL,
right-to-left and zero-width marks, enormous and negative numbers, impossible dates, the ids of
another region's rows, wrong option values, and no value at all.
"""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hypothesis import strategies as st

from .forms import Field

MISSING = object()

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
HOSTILE_TEXT = [
    SCRIPT,
    "'; DROP TABLE casusoverleg_case; --",
    "' OR '1'='1",
    "{{ 7*7 }}{% debug %}${7*7}",
    "\u202egnp.exe\u202c",  # right-to-left override
    "a\u200bb\u200d\ufeffc",  # zero-width characters
    "\x00",
    "nul\x00in the middle",
    "line one\r\nSet-Cookie: evil=1",
    "\r\n\r\n",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👨‍👩‍👧 ﷽ ̷̧̛̀",
    "\ud7ff\ue000\uffff",
    "",
    "   ",
    "x" * 100_000,
    "9" * 400,
    "-1",
    "0",
    "-99999999999999999999999",
    "99999999999999999999999999999",
    "1e309",
    "NaN",
    "-0.0",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31-12-2026",
    "25:61",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "javascript:alert(1)",
    "http://169.254.169.254/latest/meta-data/",
    "null",
    "[]",
    "{}",
]

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
    max_size=60,
)


def _files() -> st.SearchStrategy[Any]:
    """Uploads: nothing, empty, a script posing as a PDF, a real PDF head, a PNG head."""
    return st.sampled_from(
        [
            ("", b""),
            ("leeg.pdf", b""),
            ("formulier.pdf", b"<script>alert(1)</script>"),
            ("formulier.pdf.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
            ("formulier.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"),
            ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
            ("../../etc/passwd", b"root:x:0:0"),
        ]
    ).map(lambda nc: SimpleUploadedFile(nc[0], nc[1]) if nc[0] else "")


def field_values(group: list[Field], foreign_ids: list[str]) -> st.SearchStrategy[Any]:
    """A value (or MISSING, or a list for multiple choices) for the controls named alike."""
    first = group[0]
    hostile = st.sampled_from(HOSTILE_TEXT + foreign_ids)
    if first.kind == "file":
        return st.one_of(st.just(MISSING), _files())
    offered = [f.value for f in group if f.kind in ("checkbox", "radio")] + [
        option for f in group for option in f.options
    ]
    own = [f.value for f in group if f.kind not in ("checkbox", "radio") and f.value]
    choices = [st.just(MISSING), hostile, _TEXT]
    if offered:
        choices.append(st.sampled_from(offered))
        choices.append(st.lists(st.sampled_from(offered + foreign_ids), max_size=4))
    if own:
        choices.append(st.sampled_from(own))
    return st.one_of(*choices)
