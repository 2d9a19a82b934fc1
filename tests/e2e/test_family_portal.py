"""Issue 6 "Done when", in Chromium: on a phone (375 px) Daan's mother sees what is shared about
her son, who looked at it, and withdraws a consent; the procesregisseur, who read the item on
that consent a moment before, no longer sees it on the next page load. Daan (14) walks his own
pages on a phone too.

Every portal page is checked with axe-core (WCAG 2.1 A/AA, also at 375 px), must not scroll
sideways, and is photographed into test-results/screenshots/family-*.png.
SPEC R-6-2, R-AGE-1, R-13-1; DESIGN invariant 7.
"""

import pytest

from casusoverleg.models import Case, SharedItem
from consent.choices import ConsentStatus
from consent.models import Consent
from tests.e2e.walker import Walker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
ADVICE = "Advies jeugdarts"


class PhoneWalker(Walker):
    """Logs in on a phone and stays at 375 px after each check (the Walker widens to 1280)."""

    def login_phone(self, username: str) -> None:
        self.login(username)
        self.page.set_viewport_size(PHONE)

    def check(self, name: str) -> None:
        super().check(name)
        self.page.set_viewport_size(PHONE)

    def follow(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()


def _daan() -> Case:
    return Case.objects.get(youth__given_name="Daan")


def test_a_parent_on_a_phone_withdraws_consent_and_the_recipient_stops_seeing_it(
    page, live_server, demo, screenshot_dir, browser
):
    """Invariant 7, R-6-2, R-AGE-1: the mother reads the shared advice, who looked, and her
    consents; she withdraws the consent for the table with one action and a confirmation; the
    procesregisseur's case page showed the advice before and not after a reload."""
    case = _daan()
    youth = case.youth
    consent = Consent.objects.get(case=case, status=ConsentStatus.VALID)
    item = SharedItem.objects.get(consent=consent)

    # The procesregisseur (a recipient) has the case page open and reads the advice.
    recipient = browser.new_page(locale="nl-NL")
    regie = Walker(recipient, live_server, screenshot_dir, "family-recipient")
    regie.login("zorgcoordinator")
    regie.goto(f"/werkplek/casussen/{case.uuid}/")
    assert ADVICE in recipient.content()

    walk = PhoneWalker(page, live_server, screenshot_dir, "family-parent", axe_narrow=True)
    walk.login_phone("ouder3")
    assert page.url.endswith("/portaal/")
    assert page.locator("[data-testid=consents-waiting]").count() == 1  # the school's report
    walk.check("home")

    walk.goto(f"/portaal/jongeren/{youth.uuid}/gedeeld/")
    shared = page.locator("[data-testid=shared-items]")
    assert ADVICE in shared.text_content()  # health items are collapsed
    walk.check("shared")

    walk.goto(f"/portaal/jongeren/{youth.uuid}/bekeken/")
    looked = page.locator("[data-testid=access-log]").inner_text()
    assert "Het Eemcollege" in looked or "GGD" in looked
    walk.check("who-looked")

    walk.goto(f"/portaal/jongeren/{youth.uuid}/toestemmingen/")
    walk.check("consents")
    walk.follow(f"a[href$='{consent.uuid}/besluit/?action=withdraw']")
    assert page.locator("[data-testid=effect]").is_visible()
    walk.check("withdraw-confirm")
    walk.follow("[data-testid=confirm-button]")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN
    assert page.get_by_role("status").count() + page.locator(".utrecht-alert").count() >= 1
    walk.check("withdrawn")

    # The recipient reloads: the advice is gone; the youth doctor's party still holds it.
    recipient.reload()
    assert ADVICE not in recipient.content()
    assert not SharedItem.objects.visible_to(case.coordinator).filter(pk=item.pk).exists()
    assert SharedItem.objects.visible_to(item.author).filter(pk=item.pk).exists()
    regie.check("case-after-withdrawal")

    # The mother's own page now lists it under "no longer shared".
    walk.goto(f"/portaal/jongeren/{youth.uuid}/gedeeld/")
    assert ADVICE in page.locator("[data-testid=no-longer-shared]").text_content()
    walk.check("shared-after")
    recipient.close()
    assert walk.violations == {}, walk.violations
    assert regie.violations == {}, regie.violations


def test_a_youth_of_14_walks_his_pages_on_a_phone(page, live_server, demo, screenshot_dir):
    """R-AGE-1, R-13-1, R-AGE-5: Daan sees what is shared about him, who looked, his consents
    and his requests, and can file one; at 14 there is no "who may look along" page for him."""
    youth = _daan().youth
    walk = PhoneWalker(page, live_server, screenshot_dir, "family-youth", axe_narrow=True)
    walk.login_phone("jongere")
    walk.check("home")
    for name, path in (
        ("shared", f"/portaal/jongeren/{youth.uuid}/gedeeld/"),
        ("who-looked", f"/portaal/jongeren/{youth.uuid}/bekeken/"),
        ("consents", f"/portaal/jongeren/{youth.uuid}/toestemmingen/"),
        ("requests", f"/portaal/jongeren/{youth.uuid}/verzoeken/"),
        ("request-form", f"/portaal/jongeren/{youth.uuid}/verzoeken/nieuw/"),
    ):
        walk.goto(path)
        assert page.locator("h1").count() == 1, name
        walk.check(name)
    assert walk.violations == {}, walk.violations
