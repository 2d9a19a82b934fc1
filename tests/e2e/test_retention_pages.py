"""The retention pages in Chromium on the demo region (issue 7, SPEC R-9-1, R-9-4).

One demo case is closed two years minus five days ago, so it becomes due within the report's 14
days. The FG sees it on /bewaren/ by pseudonym, places a legal hold on it, sees the hold, and the
beheerder sees the report and the (empty) list of runs. Every page: axe-core (WCAG 2.1 A/AA),
reflow at 375 px, screenshots test-results/screenshots/retention-*.png.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

import pytest

from casusoverleg.choices import CaseStatus
from casusoverleg.models import Case, LegalHold
from casusoverleg.retention import months_before
from core.querysets import bulk_writes_allowed
from tests.e2e.walker import Walker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_fg_places_a_hold_from_the_report(page, live_server, demo, screenshot_dir):
    """R-9-1, R-9-4, WCAG 2.1 AA: the report shows the due case by pseudonym; the FG places a
    hold with reason and end date; the beheerder reads the report and the runs."""
    case = Case.objects.order_by("pk").first()
    closed = months_before(timezone.localdate(), 24) + timedelta(days=5)
    with bulk_writes_allowed("test set-up: a demo case closed almost two years ago"):
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED,
            closed_at=timezone.make_aware(datetime.combine(closed, time(12))),
        )
    youth_names = [case.youth.given_name, case.youth.family_name] if case.youth else []
    browser = Walker(
        page,
        live_server,
        screenshot_dir,
        "retention",
        axe_narrow=True,
        forbidden=tuple(youth_names),
    )
    browser.login("fg")
    browser.goto("/bewaren/")
    assert page.locator('[data-testid="due-casusoverleg-verslag"]').count() == 1
    browser.check("report")
    with page.expect_navigation():
        page.locator('[data-testid="due-casusoverleg-verslag"] a').first.click()
    browser.check("hold-form")
    page.locator("#id_reason").fill("Klacht in behandeling bij de AP")
    page.locator("#id_ends_on").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Bewaarplicht plaatsen").click()
    assert LegalHold.objects.filter(case=case, ended_at__isnull=True).exists()
    assert page.locator('[data-testid="holds"] tbody tr').count() == 1
    browser.check("report-with-hold")

    browser.login("beheerder")
    browser.goto("/bewaren/")
    browser.check("report-beheerder")
    browser.goto("/bewaren/rondes/")
    browser.check("runs")
    assert not browser.violations, browser.violations
