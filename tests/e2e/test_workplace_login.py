"""The workplace's second factor in Chromium (issue 7): a professional enrols an authenticator
app, sees the recovery codes once, logs out and back in with a recovery code; the idle warning
shows before the session ends. Every page is checked with axe-core (WCAG 2.1 A/AA), at 375 px
too, and photographed into test-results/screenshots/ (workplace-auth-*.png).

SPEC R-10-1 (MFA, session timeout), BIO 5.17.01.
"""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parties.models import User
from portal.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.walker import Walker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _password(page, base: str, username: str) -> None:
    page.goto(f"{base}/inloggen/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def test_a_professional_enrols_the_app_and_logs_in_with_a_recovery_code(
    page, live_server, demo, screenshot_dir
):
    """R-10-1: password → QR code → code → ten recovery codes (once) → the workplace; after
    logging out, a recovery code replaces the app's code, once."""
    user = User.objects.get(username="leerkracht")
    TOTPDevice.objects.filter(user=user).delete()  # a professional who never enrolled
    walk = Walker(page, live_server, screenshot_dir, "workplace-auth", axe_narrow=True)
    base = live_server.url
    _password(page, base, "leerkracht")
    assert "/account/tweede-stap/instellen/" in page.url
    assert page.locator("[data-testid=totp-qr] svg").is_visible()
    walk.check("setup")
    page.locator("#id_token").fill("000000")
    with page.expect_navigation():
        page.locator("#id_token").press("Enter")
    assert page.locator("#id_token_error").is_visible()
    walk.check("setup-error")
    page.wait_for_timeout(1100)  # django-otp's wait after one wrong code
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.locator("#id_token").fill(f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.locator("#id_token").press("Enter")
    codes = page.locator("[data-testid=recovery-code-list] li").all_inner_texts()
    assert len(codes) == 10
    walk.check("recovery-codes")
    with page.expect_navigation():
        page.get_by_role("link", name="Ik heb mijn codes bewaard").click()
    assert page.url.endswith("/werkplek/")
    # Log out, and back in without the phone: a recovery code.
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Uitloggen").click()
    _password(page, base, "leerkracht")
    assert "/account/tweede-stap/" in page.url
    walk.check("verify")
    page.locator("#id_token").fill(codes[0])
    with page.expect_navigation():
        page.locator("#id_token").press("Enter")
    assert page.url.endswith("/werkplek/")
    assert page.get_by_text("U hebt een herstelcode gebruikt").is_visible()
    walk.check("after-recovery-code")
    walk.goto("/account/herstelcodes/")
    assert page.get_by_text("U hebt nog 9 ongebruikte herstelcodes.").is_visible()
    walk.check("recovery-codes-page")
    # The same code a second time is refused.
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Uitloggen").click()
    _password(page, base, "leerkracht")
    page.locator("#id_token").fill(codes[0])
    with page.expect_navigation():
        page.locator("#id_token").press("Enter")
    assert page.locator("#id_token_error").is_visible()
    assert not walk.violations, walk.violations


def test_the_idle_warning_lets_a_professional_stay_logged_in(
    page, live_server, demo, screenshot_dir
):
    """R-10-1: two minutes before the idle timeout a calm dialog offers 'Blijf ingelogd', takes
    the focus, and renews the session."""
    walk = Walker(page, live_server, screenshot_dir, "workplace-auth", axe_narrow=True)
    page.clock.install()
    walk.login("leerkracht")
    assert page.url.endswith("/werkplek/")
    dialog = page.locator("#session-timeout")
    assert not dialog.is_visible()
    page.clock.run_for("13:01")
    assert dialog.is_visible()
    stay = dialog.get_by_role("button", name="Blijf ingelogd")
    assert stay.evaluate("element => element === document.activeElement")
    walk.check("idle-warning")
    with page.expect_response(lambda r: "/account/sessie/verlengen/" in r.url) as renewed:
        stay.click()
    assert renewed.value.status == 204
    dialog.wait_for(state="hidden")
    assert page.locator("#session-timeout-status").inner_text() == "De sessie is verlengd."
    assert not walk.violations, walk.violations


def test_too_many_wrong_passwords_show_the_lockout_page(page, live_server, demo, screenshot_dir):
    """R-10-1: after five wrong passwords a clear Dutch page says what happened and what to do."""
    walk = Walker(page, live_server, screenshot_dir, "workplace-auth", axe_narrow=True)
    page.goto(f"{live_server.url}/inloggen/")
    for _ in range(5):
        page.locator("#id_username").fill("mentor")
        page.locator("#id_password").fill("niet het wachtwoord")
        with page.expect_navigation():
            page.locator("#id_password").press("Enter")
    assert page.get_by_role("heading", name="Inloggen is even geblokkeerd").is_visible()
    walk.check("locked-out")
    assert not walk.violations, walk.violations
