"""Every demo role logs in through the real login page in Chromium and lands on its own home page.

Screenshots go to test-results/screenshots/; axe-core must find no violations (WCAG 2.1 AA).
"""

import importlib
import re
from io import StringIO

from django.core.management import call_command

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.walker import OVERFLOW_JS, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# username → (path of the home page, a heading the page must show in Dutch)
ROLES = {
    "procesregisseur": ("/werkplek/", "Mijn werkplek"),
    "mentor": ("/werkplek/", "Mijn werkplek"),
    "leerplicht": ("/werkplek/", "Mijn werkplek"),
    "wijkteam": ("/werkplek/", "Mijn werkplek"),
    "jeugdhulp": ("/werkplek/", "Mijn werkplek"),
    "ouder": ("/portaal/", "Lotte de Boer"),
    "jongere": ("/portaal/", "Daan Yilmaz"),
    "fg": ("/fg/", "Toegangslog"),
    "beheerder": ("/beheer/", "Convenantgegevens"),
}


def _violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in results.response["violations"]]


def _fits_375(page) -> None:
    """Responsive down to 375 px: nothing sticks out sideways (WCAG 1.4.10 reflow)."""
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.evaluate(OVERFLOW_JS)


def _login(page, live_server, username: str) -> None:
    # Parents and youths go through the portal's entrance and its second step (walker.log_in).
    log_in(page, live_server.url, username)


@pytest.fixture
def demo(transactional_db) -> None:
    """The demo region on top of the covenant's reference data.

    Browser tests run in transactional mode, and a flush between them empties the tables the
    data migration filled; its idempotent loader puts the model covenant back first.
    """
    from django.apps import apps

    seed = importlib.import_module("convenant.migrations.0002_seed_model_covenant")
    seed.load(apps, None)
    call_command("seed_demo", stdout=StringIO())


def test_login_page_is_accessible_and_dutch(page, live_server, demo, screenshot_dir):
    """The login page: Dutch by default, no axe violations, usable at 375 px wide."""
    page.goto(f"{live_server.url}/inloggen/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", name="Inloggen").is_visible()
    page.screenshot(path=screenshot_dir / "login.png", full_page=True)
    assert _violations(page) == []
    _fits_375(page)
    page.screenshot(path=screenshot_dir / "login-375.png", full_page=True)


def test_wrong_password_shows_a_message_and_stays_accessible(page, live_server, demo):
    """Invariant 9: a failed login shows a clear message; the page stays accessible."""
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("ouder")
    page.get_by_label("Wachtwoord").fill("niet-het-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").is_visible()
    assert _violations(page) == []


@pytest.mark.parametrize(("username", "expected"), ROLES.items())
def test_each_role_lands_on_its_home_page(
    page, live_server, demo, screenshot_dir, username, expected
):
    """Issue 2: each demo role logs in and lands on its own home page, free of axe violations."""
    path, text = expected
    _login(page, live_server, username)
    page.wait_for_url(f"{live_server.url}{path}")
    assert page.get_by_text(text).first.is_visible()
    page.screenshot(path=screenshot_dir / f"home-{username}.png", full_page=True)
    assert _violations(page) == []
    _fits_375(page)
    page.screenshot(path=screenshot_dir / f"home-{username}-375.png", full_page=True)


def test_parent_without_gezag_sees_no_child(page, live_server, demo, screenshot_dir):
    """R-1-2: a parent without parental authority sees no data about the child."""
    _login(page, live_server, "ouder-zonder-gezag")
    page.wait_for_url(f"{live_server.url}/portaal/")
    assert page.get_by_text("Daan").count() == 0
    page.screenshot(path=screenshot_dir / "home-ouder-zonder-gezag.png", full_page=True)


def test_beheerder_edits_covenant_data_in_the_browser(page, live_server, demo, screenshot_dir):
    """Issue 2: the functioneel beheerder views and edits the region's covenant data."""
    _login(page, live_server, "beheerder")
    page.get_by_role("link", name="Grondslagen", exact=True).click()
    page.wait_for_url("**/beheer/grondslagen/")
    page.screenshot(path=screenshot_dir / "beheer-grondslagen.png", full_page=True)
    assert _violations(page) == []
    page.get_by_role("link", name=re.compile("Leerplicht: toezicht op de Leerplichtwet")).click()
    page.get_by_label("Wetsartikel").fill("Het convenant")
    page.get_by_role("button", name="Opslaan").click()
    assert page.locator("#id_statute_reference_error").is_visible()
    page.screenshot(path=screenshot_dir / "beheer-fout.png", full_page=True)
    assert _violations(page) == []
