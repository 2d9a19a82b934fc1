"""The application's own log holds no secrets or care notes and cannot be forged (issue 7).

SPEC R-10-2 (the access log is the place for who-saw-what, not this log), R-10-3/R-10-4
(no personal data leaves the protected store), ASVS 16.2.5 and 16.4.1; docs/security.md.
The test drives representative flows with every logger at DEBUG and reads what the configured
console handler really wrote, and what pytest's own capture saw.
"""

import io
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from casusoverleg.choices import DocumentStatus, EntryKind
from casusoverleg.tasks import document_render_task
from core.log_safety import REDACTED, SafeLogFilter, neutralise
from tests.factories.casusoverleg import CaseDocumentFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

PASSWORD_MARKER = "Wachtwoord-Geheim-4711!"
WRONG_CODE = "918273"
CARE_MARKER = "Zorgnotitie-7f3a ADHD en medicatie"
EXCEPTION_MARKER = "Uitzondering-9c2e over Zoë"
FORGED = "FORGED-LINE 2026-01-01 CRITICAL audit fake"
INVITATION_TOKEN = "cz0f2k-feedfacecafebeef"


def _boom(request: HttpRequest) -> HttpResponse:
    raise ValueError(f"{EXCEPTION_MARKER}\n{FORGED}")


urlpatterns = [path("boom/", _boom)]


@pytest.fixture
def written(caplog) -> io.StringIO:
    """What the configured console handler writes, with root, celery and django at DEBUG."""
    for name in ("", "celery", "django", "django.request", "django.security"):
        caplog.set_level(logging.DEBUG, logger=name)
    (console,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert any(isinstance(f, SafeLogFilter) for f in console.filters)
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    yield buffer
    console.setStream(previous)


def _flows(world: Any) -> None:
    """Failed logins, a wrong second-factor code, a shared care note, a task, a 404 with a line
    break, a CSRF failure on an invitation link and a server error quoting a care note."""
    Client().post(reverse("login"), {"username": "coordinator", "password": PASSWORD_MARKER})
    portal = Client()
    portal.post("/portaal/inloggen/", {"username": "youth", "password": PASSWORD_MARKER})
    TOTPDevice.objects.create(user=world.users["youth"], name="portal", confirmed=True)
    portal.post("/portaal/inloggen/", {"username": "youth", "password": "test-password-123"})
    portal.post("/portaal/inloggen/code/", {"method": "totp", "totp-token": WRONG_CODE})

    from convenant.models import DataCategory, LegalBasis

    sharer = login_verified(Client(), world.users["involved_professional"])
    response = sharer.post(
        reverse("casusoverleg:shared_item_create", kwargs={"uuid": world.case.uuid}),
        {
            "category": DataCategory.objects.get(code="C2").pk,
            "kind": EntryKind.FACT,
            "text": CARE_MARKER,
            "legal_basis": LegalBasis.objects.get(code="school-ordinary").pk,
            "audience": "all",
        },
    )
    assert response.status_code == 302, response.content[:2000]

    # The minutes PDF (WeasyPrint logs too) of the meeting the care note was shared for.
    document = CaseDocumentFactory(
        case=world.case, meeting=world.meeting, requested_by=world.users["case_coordinator"]
    )
    document_render_task.delay(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error

    sharer.get("/werkplek/casussen/x%0a" + FORGED.replace(" ", "%20") + "/")
    csrf = Client(enforce_csrf_checks=True)
    csrf.post(f"/portaal/activeren/MQ/{INVITATION_TOKEN}/", {"new_password1": PASSWORD_MARKER})
    with override_settings(ROOT_URLCONF=__name__):
        failing = login_verified(Client(raise_request_exception=False), world.users["coordinator"])
        assert failing.get("/boom/").status_code == 500


def test_the_application_log_holds_no_secrets_or_care_notes(world, written, caplog):
    """R-10-3, R-10-4, ASVS 16.2.5: after the main flows, the log holds no password, no
    one-time code, no invitation token, no shared care note and no exception text quoting one;
    it did record the 404, the CSRF failure and the server error."""
    _flows(world)
    output = written.getvalue() + caplog.text
    assert "Not Found" in output
    assert "Forbidden (CSRF" in output
    assert "Internal Server Error: /boom/" in output
    assert "ValueError: [message withheld]" in output
    for secret in (
        PASSWORD_MARKER,
        WRONG_CODE,
        INVITATION_TOKEN,
        "Zorgnotitie",
        "Uitzondering",
        "Zoë",
    ):
        assert secret not in output, secret


def test_a_line_break_in_a_logged_value_cannot_start_a_forged_line(world, written, caplog):
    """ASVS 16.4.1: a CR/LF in a logged value (here the path of a 404) is written escaped; each
    record stays one line."""
    _flows(world)
    lines = written.getvalue().splitlines()
    assert not [line for line in lines if line.startswith("FORGED")]
    assert any("\\nFORGED-LINE" in line for line in lines)
    for record in caplog.records:
        assert "\n" not in record.getMessage(), record.getMessage()


def test_structured_values_under_secret_keys_are_redacted(written):
    """Values under password, token, otp, code, secret, key, authorization, cookie, csrf and
    session keys never reach the log, whether in `extra` or in a mapping of arguments."""
    logger = logging.getLogger("casusoverleg.test")
    logger.info(
        "login %(user)s %(password)s %(otp_code)s",
        {"user": "u1", "password": "p-4711", "otp_code": "123456"},
    )
    logger.info(
        "request", extra={"authorization": "Bearer t-4711", "session_key": "s-4711", "case": 3}
    )
    logger.info("headers %s", {"Cookie": "sessionid=c-4711", "X-CSRFToken": "x-4711", "n": 1})
    output = written.getvalue()
    assert output.count(REDACTED) >= 4
    for secret in ("p-4711", "123456", "c-4711", "x-4711"):
        assert secret not in output, secret
    assert "login u1" in output


def test_neutralise_escapes_every_control_character():
    """CR, LF, tab, escape and the Unicode line separators are written as escapes."""
    assert neutralise("a\r\nb\tc\x1b[31md\u2028e") == "a\\r\\nb\\tc\\x1b[31md\\x2028e"
