"""Crafted input on every page of the FG's workbench: never a 500.

DESIGN invariant 9 (bad input gets a clear message at the field, never a 500); issue 5. Each
page with GET parameters gets the values a reviewer found breaking it (days and months that
overflow the conversion to UTC, "²" that `str.isdigit` accepts and `int` refuses, a signal
cursor in year 0 after conversion) and other hostile values: huge numbers, unicode digits, NUL
bytes, very long strings. Runs on SQLite and PostgreSQL alike (DATABASE_URL).
"""

from django.test import Client
from django.urls import reverse

import pytest

from audit.choices import Action
from audit.services import record
from audit.signal_queries import SIGNALS
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

# The values the review found giving a 500, then a set of generally hostile ones.
REPORTED = [
    "9999-12-31",
    "0001-01-01",
    "0001-01",
    "9999-12",
    "²",
    "0001-01-01T00:00:00+14:00~1",
]
HOSTILE = [
    *REPORTED,
    "9999-12-31T23:59:59-14:00~1",
    "2025-01-01T00:00:00+00:00~" + "9" * 40,
    "2025-01-01T00:00:00.000000Z_" + "9" * 40,
    "0001-01-01T00:00:00.000000Z_1",
    "9" * 40,
    "-1",
    "1e400",
    "NaN",
    "٣",  # Arabic-Indic three: a digit to Python, not to the database
    "２０２５-０１-０１",  # fullwidth digits
    "2025-02-30",
    "a\x00b",
    "\x00",
    "x" * 5000,
    "' OR 1=1 --",
    "%",
]


def _client(world) -> Client:
    # The response, not the exception: a 500 is what the FG would see.
    client = Client(raise_request_exception=False)
    login_verified(client, world.users["privacy_officer"])
    return client


def _event(world):
    return record(
        actor=world.users["leerplicht"],
        action=Action.CASE_VIEWED,
        youth=world.youth,
        case_uuid=world.case.uuid,
    )


def _pages(world) -> dict[str, tuple[str, list[str]]]:
    """Every workbench URL with the GET parameters it reads, by a short name."""
    search = ["youth", "actor", "case", "kind", "action", "outcome", "date_from", "date_to"]
    sample = ["sample", "since", "until", "kind", "size"]
    event = _event(world)
    employee = world.users["leerplicht"].uuid
    pages = {
        "dashboard": (reverse("audit:dashboard"), ["before"]),
        "search": (reverse("audit:search"), [*search, "before"]),
        "export_csv": (reverse("audit:export_csv"), search),
        "youth_lookup": (reverse("audit:youth_lookup"), ["given_name", "date_of_birth"]),
        "youth_timeline": (reverse("audit:youth_timeline", args=[world.youth.uuid]), ["before"]),
        "user_timeline": (reverse("audit:user_timeline", args=[employee]), ["month", "before"]),
        "seals": (reverse("audit:seals"), ["stream", "before"]),
        "event_detail": (reverse("audit:event_detail", args=[event.event_id]), sample),
        "sample": (reverse("audit:sample"), sample),
        "signals": (reverse("audit:signals"), ["since"]),
        "charts": (reverse("audit:charts"), ["since"]),
    }
    for slug in SIGNALS:
        url = reverse("audit:signal_detail", kwargs={"slug": slug})
        pages[f"signal:{slug}"] = (url, ["since", "until", "na"])
    return pages


PAGE_NAMES = [
    "dashboard",
    "search",
    "export_csv",
    "youth_lookup",
    "youth_timeline",
    "user_timeline",
    "seals",
    "event_detail",
    "sample",
    "signals",
    "charts",
    *(f"signal:{slug}" for slug in SIGNALS),
]


def _failures(client: Client, url: str, params: list[str], values: list[str]) -> list[str]:
    failed = []
    for name in params:
        for value in values:
            query = {name: value}
            if name in ("before", "na", "size", "kind") or name == "sample":
                # With a valid rest, so that the hostile value is the one that is read.
                query = {**_valid_rest(url), **query}
            response = client.get(url, query)
            if response.status_code >= 500:
                failed.append(f"{url}?{name}={value[:40]!r}: {response.status_code}")
    return failed


def _valid_rest(url: str) -> dict[str, str]:
    if "/signalen/" in url:
        return {"since": "2025-03-01", "until": "2025-03-31"}
    if "steekproef" in url or "gebeurtenis" in url:
        return {
            "sample": "3f2a91c0-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "since": "2025-03-01",
            "until": "2025-03-31",
            "size": "5",
        }
    return {}


def test_the_reported_inputs_no_longer_give_a_500(world):
    """Invariant 9, issue 5: the exact requests of the review answer without a server error."""
    client = _client(world)
    employee = reverse("audit:user_timeline", args=[world.users["leerplicht"].uuid])
    signal = reverse("audit:signal_detail", kwargs={"slug": "geweigerd"})
    requests = [
        (reverse("audit:search"), {"date_to": "9999-12-31"}),
        (reverse("audit:export_csv"), {"date_to": "9999-12-31"}),
        (reverse("audit:export_pdf"), {"date_to": "9999-12-31"}),
        (employee, {"month": "0001-01"}),
        (employee, {"month": "9999-12"}),
        (reverse("audit:seals"), {"before": "²"}),
        (signal, {"na": "0001-01-01T00:00:00+14:00~1"}),
        (
            signal,
            {"since": "2025-03-01", "until": "2025-03-31", "na": "0001-01-01T00:00:00+14:00~1"},
        ),
    ]
    _event(world)
    for url, params in requests:
        response = client.get(url, params)
        assert response.status_code < 500, (url, params)


def test_an_unreadable_signal_cursor_is_the_first_page(world):
    """Invariant 9: a cursor that cannot be read (year 0 after conversion to UTC, a unicode
    digit, a huge id) shows the first page instead of an error."""
    event = _event(world)
    record(
        actor=world.users["leerplicht"],
        action=Action.CASE_VIEWED,
        youth=world.youth,
        case_uuid=world.case.uuid,
    )
    client = _client(world)
    url = reverse("audit:signal_detail", kwargs={"slug": "buiten-werktijd"})
    day = event.occurred_at.date().isoformat()
    first = client.get(url, {"since": day, "until": day})
    assert first.status_code == 200
    for cursor in ("0001-01-01T00:00:00+14:00~1", "2025-01-01T00:00:00+00:00~²", "x~1"):
        response = client.get(url, {"since": day, "until": day, "na": cursor})
        assert response.status_code == 200
        assert response.context["rows"] == first.context["rows"]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_hostile_values_on_every_workbench_page(world, page):
    """Invariant 9, issue 5: every GET parameter of every workbench page, given a hostile
    value, answers with a page or a redirect, never a 500."""
    pages = _pages(world)
    assert set(pages) == set(PAGE_NAMES)
    url, params = pages[page]
    assert _failures(_client(world), url, params, HOSTILE) == []


def test_hostile_values_on_the_pdf_export(world):
    """Invariant 9: the PDF export, given overflowing or garbled filters, goes back to the
    search (a redirect with the message), never a 500. (Fewer values: each valid one renders
    a PDF.)"""
    client = _client(world)
    url = reverse("audit:export_pdf")
    failed = _failures(client, url, ["date_from", "date_to"], REPORTED)
    failed += _failures(client, url, ["youth", "case"], ["²", "\x00", "x" * 5000])
    assert failed == []
