"""Translations: the Dutch catalogue is complete, compiled and keeps its placeholders."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"

# %(name)s / %(name)d, bare %s / %d, and {{ name }} (Django turns the latter into %(name)s).
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{\s*[\w.]+\s*\}\}")
_NAMED = re.compile(r"%\(\w+\)[sdif]|\{\{\s*[\w.]+\s*\}\}")


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple:
    """One comparable (context, msgid, msgstr) tuple; plural forms as a sorted tuple."""
    if entry.msgid_plural:
        forms = tuple(sorted((int(n), s) for n, s in entry.msgstr_plural.items()))
        return (entry.msgctxt, entry.msgid, entry.msgid_plural, forms)
    return (entry.msgctxt, entry.msgid, None, entry.msgstr)


def _placeholders(text: str, pattern: re.Pattern = _PLACEHOLDER) -> set[str]:
    return {re.sub(r"\s+", "", p) for p in pattern.findall(text)}


@pytest.fixture(scope="module")
def nl_po() -> polib.POFile:
    return polib.pofile(str(NL_PO))


def test_every_dutch_entry_is_translated(nl_po):
    """SPEC R-1-1 (glossary: Dutch terms in the UI, English in code): every msgid has Dutch."""
    untranslated = [e.msgid for e in nl_po.untranslated_entries()]
    fuzzy = [e.msgid for e in nl_po.fuzzy_entries()]
    empty_plural = [
        e.msgid for e in _entries(nl_po) if e.msgid_plural and not all(e.msgstr_plural.values())
    ]
    assert not untranslated, f"Untranslated in {NL_PO}: {untranslated}"
    assert not fuzzy, f"Fuzzy in {NL_PO}: {fuzzy}"
    assert not empty_plural, f"Plural forms missing in {NL_PO}: {empty_plural}"
    assert nl_po.percent_translated() == 100


def test_compiled_mo_matches_po(nl_po):
    """The committed django.mo holds exactly the translations of django.po (run compilemessages)."""
    assert NL_MO.exists(), "Run: manage.py compilemessages --ignore=.venv"
    in_po = {_key(e) for e in nl_po.translated_entries()}
    in_mo = {_key(e) for e in polib.mofile(str(NL_MO)) if e.msgid}
    only_po = sorted(k[1] for k in in_po - in_mo)
    only_mo = sorted(k[1] for k in in_mo - in_po)
    assert not only_po, f"django.mo is stale; run compilemessages. Not compiled: {only_po}"
    assert not only_mo, f"django.mo is stale; run compilemessages. Not in django.po: {only_mo}"


def test_placeholders_survive_translation(nl_po):
    """Every %(name)s, %s and {{ name }} of a msgid is in its msgstr; none are invented."""
    offenders = []
    for e in _entries(nl_po):
        if not e.msgid_plural:
            if _placeholders(e.msgid) != _placeholders(e.msgstr):
                offenders.append((e.msgid, e.msgstr))
            continue
        allowed = _placeholders(e.msgid) | _placeholders(e.msgid_plural)
        for n, form in e.msgstr_plural.items():
            source = e.msgid if int(n) == 0 else e.msgid_plural
            missing = _placeholders(source, _NAMED) - _placeholders(form)
            invented = _placeholders(form) - allowed
            if missing or invented:
                offenders.append((f"{e.msgid} [{n}]", form))
    assert not offenders, f"Placeholders differ: {offenders}"


@pytest.mark.django_db
def test_login_page_is_dutch_by_default_and_english_on_request(client):
    """Without a preference /inloggen/ is Dutch; with Accept-Language: en it is English."""
    dutch = client.get("/inloggen/").content.decode()
    assert '<html lang="nl"' in dutch
    assert ">Inloggen</h1>" in dutch
    assert "Doet u 15 minuten niets?" in dutch

    english = client.get("/inloggen/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in english
    assert ">Log in</h1>" in english
    assert "logged out after 15 minutes without activity" in english
    assert "Inloggen" not in english
