"""The FG's workbench in Chromium: home, search with filters, paging, a youth's timeline found by
name, an employee's month, the export with its seal, and the seals page.

Issue 5 ("an FG can answer who looked at this child's data, when and why, in the browser within
seconds"). Every page is checked with axe-core (WCAG 2.1 A/AA), must fit 375 px without sideways
scrolling of the page, shows no youth's name, and is photographed into test-results/screenshots/.
Selectors use ids, names and URLs, not texts, so the flow does not depend on the wording.
"""

import csv
import io

import pytest

from audit.models import AccessEvent
from parties.models import User, Youth
from tests.e2e.walker import Walker, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Workbench(Walker):
    """Walks the FG's pages: axe, reflow at 375 px and a screenshot for each, by name; no page
    may show the youth's name or birth date."""

    def __init__(self, page, live_server, screenshot_dir, youth: Youth) -> None:
        super().__init__(
            page,
            live_server,
            screenshot_dir,
            "fg-workbench",
            forbidden=(youth.family_name, youth.date_of_birth.strftime("%d-%m-%Y")),
        )
        self.youth = youth


def test_fg_answers_who_looked_at_a_child_in_the_browser(page, live_server, demo, screenshot_dir):
    """Issue 5: the FG searches the log, finds a youth by name (POST), reads the youth's timeline
    by pseudonym, opens an employee's month, exports the slice with its seal and sees the seals;
    every page is accessible and logged."""
    fg = User.objects.select_related("professional").get(username="fg")
    organisation = fg.professional.organisation
    about_a_youth = (
        AccessEvent.objects.filter(organisation=organisation, youth_uuid__isnull=False)
        .order_by("-id")
        .first()
    )
    assert about_a_youth is not None, "seed_demo left no event about a youth for the FG"
    youth = Youth.objects.get(uuid=about_a_youth.youth_uuid)
    walk = Workbench(page, live_server, screenshot_dir, youth)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, walk.base, "fg")

    # Home: counts, tools and the newest events.
    walk.goto("/fg/")
    assert page.locator("h1").count() == 1
    assert page.locator("table.utrecht-table tbody tr").count() > 0
    walk.check("home")

    # Search: filter on allowed events, page back once.
    walk.goto("/fg/zoeken/")
    page.locator("#id_outcome").select_option("allowed")
    with page.expect_navigation():
        page.locator("form.co-filter-form button[type=submit]").click()
    assert "outcome=allowed" in page.url
    assert page.locator("table.utrecht-table tbody tr").count() > 0
    walk.check("search")
    older = page.locator("a[rel=next]")
    if older.count():
        with page.expect_navigation():
            older.click()
        assert "before=" in page.url
        walk.check("search-older")

    # A bad filter: a message at the field, no error page.
    walk.goto("/fg/zoeken/?youth=not-a-uuid")
    assert page.locator("#id_youth_error").is_visible()
    assert page.locator("#id_youth").get_attribute("aria-invalid") == "true"
    walk.check("search-error")

    # Find the youth by name and date of birth: a POST, then the timeline by pseudonym.
    walk.goto("/fg/jongere-zoeken/")
    walk.check("lookup")
    page.locator("#id_given_name").fill(youth.given_name)
    page.locator("#id_family_name").fill(youth.family_name.upper())
    page.locator("#id_date_of_birth").fill(youth.date_of_birth.isoformat())
    with page.expect_navigation():
        page.locator("form.co-form button[type=submit]").click()
    assert page.url.endswith(f"/fg/jongere/{youth.uuid}/")
    assert youth.given_name not in page.url
    assert f"J-{youth.uuid.hex[:8].upper()}" in page.locator("h1").inner_text()
    assert page.locator("table.utrecht-table tbody tr").count() > 0
    walk.check("youth-timeline")

    # The export of this timeline: a CSV in the NEN 7513 shape ending with the seal.
    with page.expect_download() as download_info:
        page.locator(f"a[href='/fg/export.csv?youth={youth.uuid}']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:3] == ["EventID", "EventDateTime", "EventActionCode"]
    assert "# seal verification: " in text
    assert youth.family_name not in text

    # From the timeline to the employee who looked: their month.
    with page.expect_navigation():
        page.locator("table.utrecht-table tbody a[href^='/fg/medewerker/']").first.click()
    assert "/fg/medewerker/" in page.url
    assert page.locator("table.utrecht-table tbody tr").count() > 0
    walk.check("employee-month")

    # The seals of the log.
    walk.goto("/fg/verzegeling/")
    walk.check("seals")

    assert not walk.violations, walk.violations
    # Each page the FG opened left its own event in the log (reading the log is logged).
    actions = set(AccessEvent.objects.filter(actor=fg).values_list("action", flat=True))
    assert {"audit.viewed", "audit.searched", "audit.timeline", "audit.exported"} <= actions
