"""The FG's signals, charts and sample review in Chromium, on the demo region.

The FG of Gemeente Eemstad opens the signals and one signal, the charts (SVG and table, no
JavaScript needed), draws a sample of last month, reviews one event from it and sees the
progress. Every page is checked with axe-core (WCAG 2.1 A/AA), must reflow at 375 px, and is
photographed into test-results/screenshots/fg-*.png.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

import pytest
import time_machine

from audit.choices import Action, Outcome
from audit.models import AccessEvent, EventReview
from audit.services import record
from audit.signal_queries import previous_month
from parties.models import User
from tests.e2e.walker import Walker, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Browser(Walker):
    """The FG's browser: checks each page with axe and photographs it, wide and at 375 px."""

    def __init__(self, page, live_server, screenshot_dir) -> None:
        super().__init__(page, live_server, screenshot_dir, "fg", axe_narrow=True)


def _history() -> None:
    """Some history of Gemeente Eemstad: views last month (to sample), a refusal and a late
    view this week (signals), and views on a few days of the last 30 (charts)."""
    leerplicht = User.objects.get(username="leerplicht")
    wijkteam = User.objects.get(username="wijkteam")
    zone = timezone.get_default_timezone()
    since, _until = previous_month()
    for i in range(30):
        day = since + timedelta(days=i % 25)
        moment = timezone.make_aware(datetime.combine(day, time(9, i)), zone)
        with time_machine.travel(moment, tick=False):
            record(actor=leerplicht if i % 2 else wijkteam, action=Action.CASE_VIEWED)
    today = timezone.localdate()
    for back, hour in ((1, 22), (3, 10), (6, 14)):
        moment = timezone.make_aware(datetime.combine(today - timedelta(days=back), time(hour)))
        with time_machine.travel(moment, tick=False):
            record(actor=wijkteam, action=Action.ACCESS_DENIED, outcome=Outcome.DENIED)
            record(actor=leerplicht, action=Action.YOUTH_LISTED)


def test_fg_reviews_signals_charts_and_a_sample(page, live_server, demo, screenshot_dir):
    """Issue 5, R-DPIA-3, WCAG 2.1 AA: the FG's workbench pages in the browser; a sample is
    drawn, one event reviewed from it, and the progress shows it; all without JavaScript
    errors and without axe violations."""
    _history()
    browser = Browser(page, live_server, screenshot_dir)
    errors: list[str] = []
    # No script errors, and no missing resource of ours (Chromium's own favicon probe aside).
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "fg")

    browser.goto("/fg/signalen/")
    assert page.locator(".co-signal-list > li").count() == 5
    browser.check("signals")
    with page.expect_navigation():
        page.locator('a[href="/fg/signalen/geweigerd/"]').click()
    assert page.locator("tbody tr").count() >= 3
    browser.check("signal-denied")

    browser.goto("/fg/grafieken/")
    assert page.locator('svg.co-chart[role="img"]').count() >= 2
    assert page.locator("#outcome-table tbody tr").count() == 30
    browser.check("charts")

    browser.goto("/fg/steekproef/")
    browser.check("sample-form")
    page.locator("#id_size").fill("10")
    with page.expect_navigation():
        page.locator('form[action="/fg/steekproef/"] button[type=submit]').click()
    assert "sample=" in page.url
    assert page.locator("tbody tr").count() == 10
    assert page.locator("progress").get_attribute("value") == "0"
    browser.check("sample")

    with page.expect_navigation():
        page.locator("tbody tr").first.locator("a").click()
    assert page.locator("dl.co-dl").count() == 1
    page.locator('input[name="finding"][value="ask"]').check()
    with page.expect_navigation():
        page.locator("#review-heading ~ form button[type=submit]").click()
    # Asking about it needs a note: the message stands at the field, nothing is saved.
    assert page.locator("#id_note_error").count() == 1
    assert not EventReview.objects.exists()
    browser.check("event-invalid")
    page.locator("#id_note").fill("Navragen waarom dit dossier is geopend.")
    with page.expect_navigation():
        page.locator("#review-heading ~ form button[type=submit]").click()
    assert "/fg/steekproef/" in page.url
    assert page.locator("progress").get_attribute("value") == "1"
    assert page.locator('.utrecht-alert[role="status"]').count() == 1
    browser.check("sample-progress")

    review = EventReview.objects.get()
    assert review.sample is not None
    assert str(review.sample) in page.url
    fg = User.objects.get(username="fg")
    assert AccessEvent.objects.filter(actor=fg, action=Action.AUDIT_REVIEWED).count() == 1
    assert browser.violations == {}
    assert errors == []
