"""What the browser flows share: the demo login and the axe-core check (WCAG 2.1 A/AA)."""

import time
from binascii import unhexlify

from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp

from parties.models import User
from portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_KEY

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def log_in(page, base: str, username: str) -> None:
    """Log in as a demo user and wait for the landing page.

    Professionals use the workplace login; parents and youths the portal's entrance; both type the
    code the demo's authenticator app shows (seed_demo's DEMO_TOTP_KEY) as second factor.
    """
    citizen = User.objects.filter(username=username, role__in=["parent", "youth"]).exists()
    page.goto(f"{base}/portaal/inloggen/" if citizen else f"{base}/inloggen/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    if citizen:
        pass_second_factor(page)
    else:
        pass_workplace_second_factor(page)


def pass_second_factor(page) -> None:
    """Type the demo app's code on the second-step page; a code is accepted once, so a second
    login within the same 30 seconds takes the next one (django-otp allows one step ahead)."""
    for drift in (0, 1):
        if "/portaal/inloggen/code/" not in page.url:
            return
        if drift:
            time.sleep(1.1)  # django-otp's throttle after the refused code
        code = totp(unhexlify(DEMO_TOTP_KEY), drift=drift)
        page.locator("#id_totp-token").fill(f"{code:06d}")
        with page.expect_navigation():
            page.locator("#id_totp-token").press("Enter")


def pass_workplace_second_factor(page) -> None:
    """The workplace's second step (issue 7): the demo app's code (seed_demo gives every demo
    professional, FG and beheerder the DEMO_TOTP_KEY). A code is accepted once per user, so a
    second login within the same 30 seconds takes the next one."""
    for drift in (0, 1):
        if "/account/tweede-stap/" not in page.url:
            return
        if drift:
            time.sleep(1.1)  # django-otp's throttle after the refused code
        code = totp(unhexlify(DEMO_TOTP_KEY), drift=drift)
        page.locator("#id_token").fill(f"{code:06d}")
        with page.expect_navigation():
            page.locator("#id_token").press("Enter")


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the current page, one line each."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in results.response["violations"]]


# The elements that stick out to the right, to name them when a page does not reflow.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .slice(0, 5).map(e => e.tagName + '.' + e.className);
}"""


class Walker:
    """Walks pages as a demo user: axe-core, reflow at 375 px (WCAG 1.4.10) and a full-page
    screenshot of each, wide and narrow, named `<prefix>-<name>[-375].png`.

    `axe_narrow` runs axe at 375 px too (tables that scroll sideways must take keyboard focus);
    `forbidden` are texts no checked page may show. Violations are collected, not raised, so a
    test can report every page's at once.
    """

    def __init__(
        self,
        page,
        live_server,
        screenshot_dir,
        prefix: str,
        *,
        axe_narrow: bool = False,
        forbidden: tuple[str, ...] = (),
    ) -> None:
        self.page = page
        self.base = live_server.url
        self.dir = screenshot_dir
        self.prefix = prefix
        self.axe_narrow = axe_narrow
        self.forbidden = forbidden
        self.violations: dict[str, list[str]] = {}

    def login(self, username: str) -> None:
        self.page.context.clear_cookies()
        self.page.set_viewport_size({"width": 1280, "height": 900})
        log_in(self.page, self.base, username)

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def check(self, name: str) -> None:
        found = axe_violations(self.page)
        if found:
            self.violations[name] = found
        self.page.screenshot(path=self.dir / f"{self.prefix}-{name}.png", full_page=True)
        body = self.page.content()
        for text in self.forbidden:
            assert text not in body, f"{name} shows {text!r}"
        self.page.set_viewport_size({"width": 375, "height": 800})
        width = self.page.evaluate("document.documentElement.scrollWidth")
        wide = self.page.evaluate(OVERFLOW_JS)
        if self.axe_narrow:
            found = axe_violations(self.page)
            if found:
                self.violations[f"{name}-375"] = found
        self.page.screenshot(path=self.dir / f"{self.prefix}-{name}-375.png", full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})
        assert width <= 375, f"{name} is {width} px wide at 375 px: {wide}"
