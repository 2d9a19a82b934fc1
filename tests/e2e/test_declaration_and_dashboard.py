"""The yearly declaration and the management pages in Chromium (issue 7: R-11-1, R-20-1, R-15-2).

A procesregisseur whose declaration is gone logs in, is sent to the declaration, is refused
without the box ticked, accepts, and opens a case; the FG reads the region's figures and a
party's register extract. Every page: axe-core clean (WCAG 2.1 A/AA, also at 375 px, where the
wide tables scroll inside their own focusable region), no sideways scrolling of the page, a
screenshot in test-results/screenshots/ (declaration-*.png).
"""

import re

import pytest

from casusoverleg.models import Case
from parties.models import ConfidentialityDeclaration, Organisation, User, Youth
from tests.e2e.walker import Walker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_declaration_then_case_and_the_management_pages(page, live_server, demo, screenshot_dir):
    """R-11-1: no case page before accepting; after accepting the case opens. R-20-1, R-15-2:
    the figures and the extract show no child's name."""
    names = tuple(y.family_name for y in Youth.objects.all())
    walk = Walker(page, live_server, screenshot_dir, "declaration", axe_narrow=True)
    user = User.objects.get(username="procesregisseur")
    ConfidentialityDeclaration.objects.filter(user=user).delete()
    walk.login("procesregisseur")
    assert "/werkplek/geheimhoudingsverklaring/" in page.url
    assert page.get_by_role("heading", name="Geheimhoudingsverklaring").is_visible()
    walk.check("page")
    # The button alone does not accept: the message stands at the box.
    with page.expect_navigation():
        page.get_by_role("button", name="Verklaring accepteren").click()
    assert page.locator("#id_agree_error").is_visible()
    assert not ConfidentialityDeclaration.objects.filter(user=user).exists()
    walk.check("refused")
    page.locator("#id_agree").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Verklaring accepteren").click()
    assert page.url.endswith("/werkplek/")
    assert ConfidentialityDeclaration.objects.filter(user=user).count() == 1
    # A case the procesregisseur directs (not the "open a case" form).
    with page.expect_navigation():
        page.locator("a[href^='/werkplek/casussen/']:not([href$='/nieuw/'])").first.click()
    assert re.search(r"/werkplek/casussen/[0-9a-f-]{36}/$", page.url), page.url
    case = Case.objects.get(uuid=page.url.rstrip("/").rsplit("/", 1)[1])
    assert case.youth.family_name in page.content()
    walk.check("case")

    fg = Walker(
        page, live_server, screenshot_dir, "declaration-fg", axe_narrow=True, forbidden=names
    )
    fg.login("fg")
    fg.goto("/sturing/")
    assert page.locator("[data-testid='table-cases_opened']").is_visible()
    fg.check("dashboard")
    fg.goto("/sturing/verwerkingsregister/")
    fg.check("register-list")
    party = Organisation.objects.filter(covenant_parties__isnull=False).order_by("name").first()
    fg.goto(f"/sturing/verwerkingsregister/{party.uuid}/")
    assert page.locator("[data-testid='register-security']").is_visible()
    fg.check("register")
    violations = {**walk.violations, **fg.violations}
    assert not violations, violations
