"""The portal's entrance in Chromium on a phone (375 px): log in, second step, first set-up and
the invitation link. Every page is checked with axe-core (WCAG 2.1 A/AA), must not scroll
sideways, and is photographed into test-results/screenshots/ (portal-auth-*.png).

SPEC R-10-1 (MFA), R-10-3 (the e-mails hold no personal data).
"""

import re

from django.core import mail

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from casusoverleg.accounts import family_account_invite
from parties.models import Guardian, User
from tests.e2e.walker import Walker, pass_second_factor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


class PhoneWalker(Walker):
    """The Walker's checks (wide and 375 px), and back to the phone's width after each."""

    def check(self, name: str) -> None:
        super().check(name)
        self.page.set_viewport_size(PHONE)


def _phone_walker(page, live_server, screenshot_dir) -> Walker:
    page.set_viewport_size(PHONE)
    return PhoneWalker(page, live_server, screenshot_dir, "portal-auth", axe_narrow=True)


def test_a_parent_logs_in_on_a_phone_with_the_app_code(page, live_server, demo, screenshot_dir):
    """R-10-1: password, then the authenticator code, then the parent's portal page."""
    walk = _phone_walker(page, live_server, screenshot_dir)
    walk.goto("/portaal/")
    # /portaal/ → /inloggen/?next=… → the portal's own entrance.
    assert "/portaal/inloggen/" in page.url
    walk.check("login")
    page.locator("#id_username").fill("ouder3")
    page.locator("#id_password").fill("not the password")
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    assert page.get_by_role("alert").is_visible()
    walk.check("login-error")
    page.locator("#id_password").fill("demo-casusoverleg")
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    assert "/portaal/inloggen/code/" in page.url
    walk.check("code")
    page.locator("#id_totp-token").fill("000000")
    with page.expect_navigation():
        page.locator("#id_totp-token").press("Enter")
    assert page.locator("#id_totp-token_error").is_visible()
    walk.check("code-error")
    page.wait_for_timeout(1100)  # django-otp's wait after one wrong code
    pass_second_factor(page)
    page.wait_for_url(f"{live_server.url}/portaal/")
    walk.check("home-after-login")
    assert not walk.violations, walk.violations


def test_an_invited_parent_activates_and_sets_up_the_app(page, live_server, demo, screenshot_dir):
    """R-10-1, R-10-3: the invitation link, a password, the QR code page, a code → the portal."""
    guardian = Guardian.objects.get(given_name="Erik", family_name="de Boer")
    # Erik's demo account becomes a fresh invitation: no password, no second factor yet.
    user = guardian.user
    TOTPDevice.objects.filter(user=user).delete()
    EmailDevice.objects.filter(user=user).delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    mail.outbox.clear()
    family_account_invite(
        actor=User.objects.get(username="procesregisseur"),
        guardian=guardian,
        email="erik@demo.casusoverleg.example",
    )
    body = mail.outbox[-1].body
    assert "Erik" not in body
    assert "Lotte" not in body
    link = re.search(r"https?://\S+", body).group(0)
    path = "/" + link.split("/", 3)[3]
    walk = _phone_walker(page, live_server, screenshot_dir)
    walk.goto(path)
    walk.check("activate")
    page.locator("#id_new_password1").fill("mijn fiets is blauw en snel")
    page.locator("#id_new_password2").fill("mijn fiets is blauw en snel")
    with page.expect_navigation():
        page.locator("#id_new_password2").press("Enter")
    assert "/portaal/tweede-stap/" in page.url
    walk.check("setup")
    page.locator("input[name=method][value=totp]").check()
    with page.expect_navigation():
        page.locator("[data-testid=setup-choice-form] button[type=submit]").click()
    assert page.locator("[data-testid=totp-qr] svg").is_visible()
    walk.check("setup-app")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.locator("#id_setup-token").fill(f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.locator("#id_setup-token").press("Enter")
    page.wait_for_url(f"{live_server.url}/portaal/")
    # The link worked once.
    walk.goto(path)
    assert page.locator("[data-testid=activate-invalid]").is_visible()
    walk.check("activate-used")
    assert not walk.violations, walk.violations
