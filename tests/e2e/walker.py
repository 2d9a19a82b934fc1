"""What the browser flows share: the demo login and the axe-core check (WCAG 2.1 A/AA)."""

from axe_playwright_python.sync_playwright import Axe

from portal.management.commands.seed_demo import DEMO_PASSWORD

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def log_in(page, base: str, username: str) -> None:
    """Log in on the login page as a demo user and wait for the landing page."""
    page.goto(f"{base}/inloggen/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the current page, one line each."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in results.response["violations"]]
