"""Sharing data in Chromium: a school professional shares an item in Lotte's MDO, a second
participant reads it with its source, owner, legal basis and date, and the owner corrects it.

The share form and the case page are checked with axe-core (WCAG 2.1 A/AA) and photographed
into test-results/screenshots/sharing-*.png, at full width and at 375 px.
"""

import pytest

from casusoverleg.models import Case, SharedItem
from convenant.models import LegalBasis
from tests.e2e.walker import Walker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = "Lotte leest op niveau groep 4; zij krijgt twee keer per week extra leesles."
HEALTH = "Lotte kan zich na de middagpauze moeilijk concentreren; ouders laten dit onderzoeken."
WITHHELD = "Daan is in behandeling bij de jeugdarts voor slaapproblemen."
CORRECTED = "Lotte leest op niveau groep 5; zij krijgt één keer per week extra leesles."


class Browser(Walker):
    """Logs in as a demo user, checks pages with axe and photographs them by name."""

    def __init__(self, page, live_server, screenshot_dir) -> None:
        super().__init__(page, live_server, screenshot_dir, "sharing")

    def submit(self, form: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"{form} button[type=submit]").first.click()


def test_school_shares_a_reader_sees_it_and_the_owner_corrects_it(
    page, live_server, demo, screenshot_dir
):
    """R-7-1, R-5-1, R-5-3, R-8-1, R-8-2, R-2-1, R-DPIA-4 in the browser: the share form offers
    the type's categories and the school's bases with the minimisation hint; a BSN-like number
    is caught; the swv consultant reads the item with source, owner, basis and date; the
    leerkracht corrects it and the reader sees "gecorrigeerd op"."""
    case = Case.objects.get(youth__given_name="Lotte", consultation_type__code="mdo")
    case_path = f"/werkplek/casussen/{case.uuid}/"
    browser = Browser(page, live_server, screenshot_dir)

    # The leerkracht (school, at the table) opens the share form from the case page.
    browser.login("leerkracht")
    browser.goto(case_path)
    assert page.locator("#shared-items-heading").inner_text() == "Gedeelde gegevens"
    with page.expect_navigation():
        page.locator("#shared-items a[href$='/gegevens/nieuw/']").click()
    assert page.locator("h1").inner_text() == "Gegevens delen"
    assert "Alleen noodzakelijke feiten; geen gegevens van derden." in page.content()
    assert page.locator("#id_category option", has_text="C7").count() == 0  # no beroepsgeheim
    assert page.locator("#id_legal_basis optgroup").count() == 2
    browser.check("share-form")

    # A nine-digit number that passes the elfproef is stopped next to the text (R-5-3).
    page.locator("#id_category").select_option(
        label=page.locator("#id_category option", has_text="C2").inner_text()
    )
    page.locator("input[name=kind][value=feit]").check()
    page.locator("#id_text").fill(f"{TEXT} Leerlingnummer 111222333.")
    page.locator("#id_legal_basis").select_option(
        str(LegalBasis.objects.get(code="school-ordinary").pk)
    )
    page.locator("input[name=audience][value=all]").check()
    browser.submit("form.co-share-form")
    assert "Dit lijkt op een BSN" in page.locator("#id_text_error").inner_text()
    assert page.locator("#id_text_not_bsn").count() == 1
    assert not any(row.text.startswith("Lotte leest") for row in SharedItem.objects.all())
    browser.check("share-form-bsn")

    # Without the number it is shared; back on the case page with a message.
    page.locator("#id_text").fill(TEXT)
    browser.submit("form.co-share-form")
    assert page.url.endswith(f"{case_path}#shared-items")
    assert (
        "Het gegeven is gedeeld."
        in page.locator(".utrecht-alert, [role=status]").first.inner_text()
    )
    item = next(row for row in SharedItem.objects.all() if row.text == TEXT)
    block = page.locator(f"#item-{item.uuid}")
    assert block.locator("a[href$='/corrigeren/']").count() == 1  # the owner may correct it
    browser.check("case-owner")

    # A health item (C4) on the school's basis for special data, for everyone at the table.
    with page.expect_navigation():
        page.locator("#shared-items a[href$='/gegevens/nieuw/']").click()
    page.locator("#id_category").select_option(
        label=page.locator("#id_category option", has_text="C4").inner_text()
    )
    page.locator("input[name=kind][value=mening]").check()
    page.locator("#id_text").fill(HEALTH)
    page.locator("#id_legal_basis").select_option(
        str(LegalBasis.objects.get(code="school-health").pk)
    )
    browser.submit("form.co-share-form")
    assert page.url.endswith(f"{case_path}#shared-items"), page.locator("main").inner_text()
    health = next(row for row in SharedItem.objects.all() if row.text == HEALTH)

    # The swv consultant, also at the table, reads it with source, owner, basis and date.
    browser.login("swv")
    browser.goto(case_path)
    block = page.locator(f"#item-{item.uuid}")
    text = block.inner_text()
    assert TEXT in text
    assert "Feit" in text
    assert "Tom Peters (Basisschool De Regenboog)" in text  # the source
    assert "Eigenaar" in text
    assert "Basisschool De Regenboog" in text
    assert item.legal_basis.statute_reference in text
    assert "alle deelnemers" in text
    assert block.locator("a[href$='/corrigeren/']").count() == 0  # a reader, not the owner
    # Special data is collapsed until the reader opens it (R-DPIA-4).
    special = page.locator(f"#item-{health.uuid}")
    assert "Bijzonder gegeven (gezondheid)" in special.inner_text()
    assert not special.get_by_text(HEALTH).is_visible()
    browser.check("case-reader")
    special.locator("summary").click()
    assert special.get_by_text(HEALTH).is_visible()
    special.screenshot(path=screenshot_dir / "sharing-special-open.png")

    # The leerkracht corrects it.
    browser.login("leerkracht")
    browser.goto(case_path)
    with page.expect_navigation():
        page.locator(f"#item-{item.uuid} a[href$='/corrigeren/']").click()
    assert page.locator("#id_text").input_value() == TEXT
    browser.check("rectify-form")
    page.locator("#id_text").fill(CORRECTED)
    browser.submit("form.co-share-form")
    assert page.url.endswith(f"{case_path}#shared-items")

    # ... and deletes the health item after asking first (R-8-2).
    with page.expect_navigation():
        page.locator(f"#item-{health.uuid} a[href$='/verwijderen/']").click()
    browser.check("delete-confirm")
    browser.submit("main form")
    assert not SharedItem.objects.filter(pk=health.pk).exists()

    # The reader sees the corrected text and when it was corrected.
    browser.login("swv")
    browser.goto(case_path)
    text = page.locator(f"#item-{item.uuid}").inner_text()
    assert CORRECTED in text
    assert TEXT not in text
    assert "gecorrigeerd op" in text
    assert HEALTH not in page.content()
    browser.check("case-reader-corrected")

    assert not browser.violations, browser.violations


def test_youth_doctor_records_an_item_as_not_provided(page, live_server, demo, screenshot_dir):
    """R-6-3, R-6-2 in the browser: the youth doctor (beroepsgeheim) in Daan's ZAT records an
    item as "niet verstrekken" with a reason; only their own party sees it, with the badge and
    the reason; providing it after all is refused with the reason (no consent yet)."""
    case = Case.objects.get(youth__given_name="Daan", consultation_type__code="zat")
    case_path = f"/werkplek/casussen/{case.uuid}/"
    browser = Browser(page, live_server, screenshot_dir)

    browser.login("jeugdarts")
    browser.goto(f"{case_path}gegevens/nieuw/")
    assert "beroepsgeheim" in page.locator(".co-explain").inner_text()
    page.locator("#id_category").select_option(
        label=page.locator("#id_category option", has_text="C5").inner_text()
    )
    page.locator("input[name=kind][value=feit]").check()
    page.locator("#id_text").fill(WITHHELD)
    page.locator("#id_legal_basis").select_option(str(LegalBasis.objects.get(code="jgz-health").pk))
    page.locator("#id_withhold").check()
    page.locator("#id_withhold_reason").fill("Verstrekken schaadt de vertrouwensrelatie met Daan.")
    browser.check("share-form-youth-doctor")
    browser.submit("form.co-share-form")
    assert page.url.endswith(f"{case_path}#shared-items")
    item = next(row for row in SharedItem.objects.all() if row.text == WITHHELD)
    block = page.locator(f"#item-{item.uuid}")
    assert "Niet verstrekken" in block.inner_text()
    assert "vertrouwensrelatie" in block.inner_text()
    browser.check("case-withheld")

    # Providing it after all needs consent, which is not recorded yet: refused, with the reason.
    with page.expect_navigation():
        block.locator("form[action$='/verstrekken/'] button").click()
    assert "toestemming" in page.locator(".utrecht-alert").first.inner_text()
    item.refresh_from_db()
    assert item.is_withheld

    # The procesregisseur (another party) does not see it at all.
    browser.login("zorgcoordinator")
    browser.goto(case_path)
    assert WITHHELD not in page.content()
    assert page.locator(f"#item-{item.uuid}").count() == 0

    assert not browser.violations, browser.violations
