"""A whole Casusoverleg in Chromium: the procesregisseur runs it from opening to closing, a
professional accepts an invitation, a parent answers in the portal.

Every new page is checked with axe-core (WCAG 2.1 A/AA) and photographed into
test-results/screenshots/. Selectors use ids and form actions, not texts, so the flow does not
depend on the wording; the Dutch headings are checked where they matter.
"""

from datetime import timedelta

from django.utils import timezone

import pytest

from casusoverleg.models import Case, Meeting
from core.querysets import bulk_writes_allowed
from tests.e2e.walker import axe_violations, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Visit:
    """Walks pages: every page is checked with axe and photographed once, by name."""

    def __init__(self, page, live_server, screenshot_dir) -> None:
        self.page = page
        self.base = live_server.url
        self.dir = screenshot_dir
        self.violations: dict[str, list[str]] = {}

    def login(self, username: str) -> None:
        log_in(self.page, self.base, username)

    def check(self, name: str) -> None:
        """axe-core on the current page, and a full-page screenshot to look at."""
        found = axe_violations(self.page)
        if found:
            self.violations[name] = found
        self.page.screenshot(path=self.dir / f"case-{name}.png", full_page=True)

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def submit(self, form: str = "form.co-form") -> None:
        """Submit a form by its submit button and wait for the next page."""
        with self.page.expect_navigation():
            self.page.locator(f"{form} button[type=submit]").first.click()

    def tick_step(self, case_path: str, transition_index: int) -> None:
        """Tick every open item of one checklist group (R-CHK-1), one POST per item."""
        self.goto(case_path)
        group = self.page.locator("ul.co-checklist").nth(transition_index)
        while group.locator("form:has(input[name=checked][value='1']) button").count():
            with self.page.expect_navigation():
                group.locator("form:has(input[name=checked][value='1']) button").first.click()
            group = self.page.locator("ul.co-checklist").nth(transition_index)

    def advance(self, case_path: str) -> None:
        """Take the case's next step (R-PR-2); fails the test with the blockers if refused."""
        self.goto(case_path)
        with self.page.expect_navigation():
            self.page.locator("form[action$='/volgende-stap/'] button").click()
        errors = self.page.locator(".utrecht-alert--error").all_inner_texts()
        assert not errors, errors


def _status(page) -> str:
    """The case's status code, from the badge's modifier class (independent of the wording)."""
    classes = page.locator(".co-badge").get_attribute("class").split()
    return next(c.removeprefix("co-badge--") for c in classes if c.startswith("co-badge--"))


def test_procesregisseur_runs_a_whole_consultation(page, live_server, demo, screenshot_dir):
    """Issue 3 "Done when": open → participants → prepared → meeting → invitations (R-12-1)
    → scheduled → attendance and hoorrecht (R-AGE-3) → held → minutes kept apart (R-8-1) →
    adopted → shared with the family (R-12-3) → PDF with watermark (R-11-2) → closed."""
    visit = Visit(page, live_server, screenshot_dir)
    visit.login("procesregisseur")
    assert page.locator("h1").first.inner_text() == "Mijn werkplek"
    visit.check("dashboard")

    # Open a verzuimoverleg about Lotte (10).
    visit.goto("/werkplek/casussen/nieuw/")
    visit.check("open-form")
    page.locator("#id_consultation_type").select_option(
        label=page.locator("#id_consultation_type option", has_text="Verzuimoverleg").inner_text()
    )
    page.locator("#id_youth").select_option(
        label=page.locator("#id_youth option", has_text="Lotte").inner_text()
    )
    page.locator("input[name=target_group][value=onderwijs_en_jeugdhulp]").check()
    page.locator("#id_coordinator_role").select_option("verzuimcoordinator")
    page.locator("#id_purpose_specification").fill(
        "Lotte is vaak ziek gemeld; samen kijken wat helpt."
    )
    visit.submit()
    case = Case.objects.get(consultation_type__code="verzuimoverleg")
    case_path = f"/werkplek/casussen/{case.uuid}/"
    assert page.url.endswith(case_path)
    assert _status(page) == "concept"
    visit.check("detail-concept")

    # Need to know: the youth doctor joins; the leerkracht too.
    for name, role in (("Anouk Mulder", "jeugdarts"), ("Tom Peters", "leerkracht_mentor")):
        visit.goto(f"{case_path}deelnemers/nieuw/")
        option = page.locator("#id_user option", has_text=name).inner_text()
        page.locator("#id_user").select_option(label=option)
        if page.locator(f"#id_role option[value={role}]").count() == 0:
            role = page.locator("#id_role option").nth(1).get_attribute("value")
        page.locator("#id_role").select_option(role)
        visit.check("participant-add")
        visit.submit()
    visit.tick_step(case_path, 0)
    visit.advance(case_path)
    assert _status(page) == "voorbereid"

    # The meeting, tomorrow at 10:00, and the invitations with the privacy notice.
    visit.goto(f"{case_path}overleg/")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.locator("#id_day").fill(tomorrow.isoformat())
    page.locator("#id_start").fill("10:00")
    page.locator("#id_location").fill("Basisschool De Regenboog, kamer IB")
    visit.check("meeting-form")
    visit.submit()
    if page.locator("#id_confirm_conflicts").count():
        page.locator("#id_confirm_conflicts").check()
        visit.submit()
    visit.goto(f"{case_path}uitnodigen/")
    visit.check("invitations-send")
    assert page.locator(".co-notice").count() >= 1  # the privacy notice is shown before sending
    visit.submit("form.co-actions")
    visit.tick_step(case_path, 1)
    visit.advance(case_path)
    assert _status(page) == "gepland"
    visit.goto("/werkplek/agenda/?weergave=week&datum=" + tomorrow.isoformat())
    assert page.locator(f"a[href='{case_path}']").count() >= 1
    visit.check("calendar-week")

    # The day of the meeting: it took place an hour ago.
    with bulk_writes_allowed("test arrangement"):
        Meeting.objects.filter(case=case).update(starts_at=timezone.now() - timedelta(hours=2))
    visit.goto(f"{case_path}aanwezigheid/")
    for radio in page.locator("input[type=radio][value=present]").all():
        radio.check()
    visit.check("attendance")
    visit.submit()
    visit.goto(f"{case_path}hoorrecht/")
    page.locator("#id_hearing_note").fill(
        "Gesprek met Lotte en de intern begeleider, met tekeningen."
    )
    visit.check("hearing")
    visit.submit()
    visit.tick_step(case_path, 2)
    visit.advance(case_path)
    assert _status(page) == "gehouden"

    # Minutes: facts, opinions and agreements apart; an action; a follow-up date.
    minutes_path = f"{case_path}verslag/"
    for kind, text in (
        ("feit", "Lotte is dit schooljaar 6 keer ziek gemeld."),
        ("mening", "De leerkracht ziet dat Lotte moe is na de gymles."),
        ("afspraak", "De jeugdarts nodigt Lotte en haar ouders uit voor een gesprek."),
    ):
        visit.goto(minutes_path)
        page.locator(f"input[name=entry-kind][value={kind}]").check()
        page.locator("#id_entry-text").fill(text)
        page.locator("#id_entry-owner").select_option(index=1)
        with page.expect_navigation():
            page.locator("form:has(#id_entry-text) button[type=submit]").click()
    for section, text in (("feit", "6 keer"), ("mening", "moe"), ("afspraak", "jeugdarts nodigt")):
        assert text in page.locator(f"#minutes-{section}").inner_text()
    page.locator("#id_action-description").fill("Gesprek jeugdarts plannen")
    page.locator("#id_action-assignee").select_option(index=1)
    page.locator("#id_action-due_on").fill((tomorrow + timedelta(days=14)).isoformat())
    with page.expect_navigation():
        page.locator("form:has(#id_action-description) button[type=submit]").click()
    page.locator("#id_follow_up-follow_up_on").fill((tomorrow + timedelta(days=42)).isoformat())
    with page.expect_navigation():
        page.locator("form:has(#id_follow_up-follow_up_on) button[type=submit]").click()
    visit.check("minutes")
    visit.tick_step(case_path, 3)
    visit.advance(case_path)
    assert _status(page) == "verslag_vastgesteld"

    visit.goto(minutes_path)
    with page.expect_navigation():
        page.locator("form[action$='/verslag/delen/'] button").click()
    visit.check("minutes-shared")

    # The PDF of the minutes, made for this reader, downloaded.
    visit.goto(case_path)
    page.locator("#id_kind").select_option("verslag")
    with page.expect_navigation():
        page.locator("form[action$='/documenten/'] button").click()
    download_link = page.locator("a[href$='/download/']")
    download_link.wait_for(timeout=15_000)
    visit.check("document-ready")
    with page.expect_download() as download:
        download_link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    visit.tick_step(case_path, 4)
    visit.advance(case_path)
    assert _status(page) == "afgesloten"
    visit.check("detail-closed")
    assert not visit.violations, visit.violations


def test_a_professional_accepts_an_invitation_and_then_sees_the_case(
    page, live_server, demo, screenshot_dir
):
    """Invariant 1: the invitation names no youth; accepting gives access to the case."""
    visit = Visit(page, live_server, screenshot_dir)
    visit.login("wijkteam")
    invitation = page.locator("a[href*='/werkplek/uitnodigingen/']").first
    invitation.click()
    page.wait_for_load_state()
    assert "Lotte" not in page.content()
    visit.check("invitation")
    with page.expect_navigation():
        page.locator("button[name=answer][value=accept]").click()
    assert "/werkplek/casussen/" in page.url
    assert "Lotte de Boer" in page.locator("h1").inner_text()
    visit.goto("/werkplek/acties/")
    visit.check("actions")
    assert not visit.violations, visit.violations


def test_a_parent_answers_the_invitation_in_the_portal(page, live_server, demo, screenshot_dir):
    """R-AGE-2, invariant 6: the parent with gezag sees the meeting and answers it."""
    visit = Visit(page, live_server, screenshot_dir)
    visit.login("ouder")
    page.locator("a[href*='/portaal/casussen/']").first.click()
    page.wait_for_load_state()
    visit.check("portal-case")
    with page.expect_navigation():
        page.locator("button[name=answer][value=accept]").click()
    assert page.locator("button[name=answer][value=accept]").count() in (0, 1)
    case = Case.objects.get(youth__given_name="Lotte", consultation_type__code="mdo")
    seat = case.participants.get(user__username="ouder")
    assert seat.response == "accepted"
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    visit.check("portal-case-375")
    assert not visit.violations, visit.violations
