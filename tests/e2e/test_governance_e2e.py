"""The accession flow (toetreding) in Chromium, on the demo region (issue 7, R-18-1).

The beheerder registers a youth care provider with its signed Toetredingsformulier (a wrong file
first: refused at the field), the FG approves it, and the party page shows every step done.
Every page is checked with axe-core (WCAG 2.1 A/AA, also at 375 px), must reflow at 375 px and
is photographed into test-results/screenshots/governance-*.png.
"""

from django.core import mail

import pytest

from convenant.models import CovenantParty
from parties.choices import Capacity, PartyType
from parties.models import Organisation, Region
from tests.e2e.walker import Walker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_accession_upload_approval_and_notification(page, live_server, demo, screenshot_dir):
    """R-18-1, R-P-3, WCAG 2.1 AA: upload → FG approval → notification → the party takes
    part; a wrong file is refused at the field; no axe violations, no sideways scroll."""
    region = Region.objects.get(organisations__name="Gemeente Eemstad")
    Organisation.objects.create(
        region=region,
        name="Jeugdzorg De Brug",
        party_type=PartyType.YOUTH_CARE_PROVIDER,
        capacities=[Capacity.YOUTH_CARE],
    )
    browser = Walker(page, live_server, screenshot_dir, "governance", axe_narrow=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    browser.login("beheerder")
    browser.goto("/beheer/convenant/")
    browser.check("overview")
    with page.expect_navigation():
        page.locator('a[href="/beheer/convenant/toetreding/nieuw/"]').click()
    browser.check("accession-form")

    page.locator("#id_organisation").select_option(label="Jeugdzorg De Brug")
    page.locator("#id_joined_on").fill("2026-11-01")
    page.locator("#id_privacy_officer_name").fill("P. de Brug")
    page.locator("#id_privacy_officer_email").fill("fg@debrug.example")
    page.locator("#id_signed_document").set_input_files(
        files=[{"name": "formulier.pdf", "mimeType": "application/pdf", "buffer": PNG}]
    )
    with page.expect_navigation():
        page.locator("form.co-form button[type=submit]").click()
    assert page.locator("#id_signed_document_error").count() == 1
    assert not CovenantParty.objects.filter(organisation__name="Jeugdzorg De Brug").exists()
    browser.check("accession-invalid")

    page.locator("#id_signed_document").set_input_files(
        files=[{"name": "formulier.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation():
        page.locator("form.co-form button[type=submit]").click()
    party = CovenantParty.objects.get(organisation__name="Jeugdzorg De Brug")
    assert f"/beheer/convenant/partijen/{party.uuid}/" in page.url
    browser.check("party-uploaded")

    browser.login("fg")
    browser.goto(f"/beheer/convenant/partijen/{party.uuid}/")
    browser.check("party-to-approve")
    sent_before = len(mail.outbox)
    with page.expect_navigation():
        page.locator(f'form[action$="/partijen/{party.uuid}/goedkeuren/"] button').click()
    party.refresh_from_db()
    assert party.accession_notified_at is not None
    done = page.locator('[data-testid="accession-steps"] .utrecht-status-badge--success')
    assert done.count() == 3
    assert len(mail.outbox) > sent_before
    assert all("Jeugdzorg De Brug" not in m.body for m in mail.outbox[sent_before:])
    browser.check("party-approved")

    browser.goto("/beheer/convenant/")
    browser.check("overview-fg")
    assert browser.violations == {}
    assert errors == []
