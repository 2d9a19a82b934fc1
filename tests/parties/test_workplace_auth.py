"""The workplace's second factor, login lockout and session rules (issue 7).

SPEC R-10-1 (MFA for all users, session timeout), BIO 5.17.01, NEN 7510, ASVS V6/V7;
docs/authentication.md.
"""

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

import pytest
import time_machine
from axes.models import AccessAttempt
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import Action
from audit.models import AccessEvent
from parties.middleware import PASSWORD_ONLY_ALLOWED
from parties.models import User
from parties.second_factor import recovery_code_digest
from tests.factories.parties import UserFactory
from tests.helpers import login_verified
from tests.urls import PUBLIC, routes

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"  # UserFactory's
KEY = "3132333435363738393031323334353637383930"
LOGIN = "/inloggen/"
VERIFY = "/account/tweede-stap/"
SETUP = "/account/tweede-stap/instellen/"
CODES = "/account/herstelcodes/"
KEEPALIVE = "/account/sessie/verlengen/"
PORTAL_LOGIN = "/portaal/inloggen/"
# Where a password-only session may be sent: the workplace's or the portal's second step.
SECOND_STEP = (VERIFY, SETUP, "/portaal/inloggen/code/", "/portaal/tweede-stap/")
# The pages a password-only session may open: the workplace's and the portal's second step.
SECOND_STEP_PAGES = PASSWORD_ONLY_ALLOWED | {"portal_auth:second_factor", "portal_auth:setup"}
CODE_RE = re.compile(r'<li class="co-secret">([a-z0-9]{5}-[a-z0-9]{5})</li>')


def _code(device: TOTPDevice, drift: int = 0) -> str:
    """The code an authenticator app shows now (`drift` steps ahead)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"


def _password_login(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.content.decode("utf-8", errors="replace")


def _enrol(client: Client, user: User) -> list[str]:
    """Enrol the app through the pages; returns the recovery codes shown."""
    page = client.get(SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"token": _code(device)})
    assert response.status_code == 200, _body(response)
    return CODE_RE.findall(_body(response))


@pytest.fixture
def pro(world: Any) -> User:
    """A procesregisseur of the world's school, without a second factor yet."""
    return world.users["case_coordinator"]


# --- the gate -----------------------------------------------------------------------------


def _follow_to_the_end(client: Client, response: Any) -> Any:
    """Follow a password-only session's redirects (GET), at most three, to where they stop."""
    for _ in range(3):
        if response.status_code != 302 or response.url.startswith(SECOND_STEP):
            return response
        response = client.get(response.url)
    return response


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_only_session_reaches_no_personal_data(world, method):
    """R-10-1, BIO 5.17.01: with only a password, every role at every URL (GET and POST) is sent
    to the second step or refused (403/405); no answer holds the youth's data, and the only
    events written are logins, refusals and denials, never a read."""
    leaks, wrong = [], []
    all_routes = routes(world)  # writes an event of its own (an event to show): count after it
    first_event = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for who, user in world.users.items():
        # Half of the professionals have an app already: both second steps are walked.
        if not user.is_citizen and who.endswith(("coordinator", "officer")):
            TOTPDevice.objects.get_or_create(user=user, name="werkplek", confirmed=True)
        for route in all_routes:
            client = Client()
            client.force_login(user)  # the password, nothing more
            response = getattr(client, method)(route.path)
            body = _body(response)
            leaks += [(who, str(route), text) for text in world.pii() if text in body]
            if route.name in SECOND_STEP_PAGES or route.name in PUBLIC:
                if response.status_code >= 500:
                    wrong.append((who, str(route), response.status_code))
                continue
            final = _follow_to_the_end(client, response)
            leaks += [(who, str(route), t) for t in world.pii() if t in _body(final)]
            ok = final.status_code in (403, 405) or (
                final.status_code == 302 and final.url.startswith(SECOND_STEP)
            )
            if not ok:
                wrong.append((who, str(route), final.status_code, getattr(final, "url", "")))
    assert not leaks, f"a password-only session saw personal data: {leaks[:10]}"
    assert not wrong, f"a password-only session got past the gate: {wrong[:10]}"
    events = AccessEvent.objects.filter(id__gt=first_event)
    assert not events.exclude(youth_uuid=None).exists()
    assert set(events.values_list("action", flat=True)) <= {
        Action.LOGIN,
        Action.LOGOUT,
        Action.ACCESS_DENIED,
    }


def test_after_the_password_the_login_sends_a_professional_to_enrol(pro):
    """R-10-1: the password alone leads to enrolling the app (no device yet)."""
    response = _password_login(Client(), pro.username, next="/werkplek/")
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Fwerkplek%2F"


def test_the_login_page_sends_a_logged_in_user_on(pro):
    """A verified user who opens the login page goes home; a password-only one to the code."""
    assert login_verified(Client(), pro).get(LOGIN).url == "/"
    client = Client()
    client.force_login(pro)  # the password only (the app is enrolled: login_verified made one)
    assert client.get(LOGIN).url == f"{VERIFY}?next=%2F"


def test_enrolment_shows_recovery_codes_once_and_verifies_the_session(pro):
    """R-10-1, ASVS 6.2: the QR code (inline SVG) and key, a code from the app confirms it, ten
    recovery codes are shown once and stored only hashed; the session is then verified."""
    client = Client()
    _password_login(client, pro.username)
    page = client.get(SETUP)
    assert b"<svg" in page.content
    assert b'data-testid="totp-secret"' in page.content
    assert client.get("/werkplek/").status_code == 302  # not yet
    codes = _enrol(client, pro)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=pro).values_list("token", flat=True))
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not stored & set(codes)
    assert client.get("/werkplek/").status_code == 200
    assert TOTPDevice.objects.filter(user=pro, confirmed=True).count() == 1
    # Shown once: the setup page now sends a verified user on; no page shows the codes again.
    again = client.get(SETUP)
    assert again.status_code == 302
    assert not any(code in _body(client.get(CODES)) for code in codes)
    actions = set(AccessEvent.objects.filter(actor=pro).values_list("action", flat=True))
    assert {Action.SECOND_FACTOR_ENROLLED, Action.RECOVERY_CODES_RENEWED} <= actions


def test_a_wrong_code_at_enrolment_is_refused_next_to_the_field(pro):
    """Invariant 9: a wrong code confirms nothing and says why next to the field."""
    client = Client()
    _password_login(client, pro.username)
    client.get(SETUP)
    response = client.post(SETUP, {"token": "000000"})
    assert response.status_code == 400
    assert b'id="id_token_error"' in response.content
    assert not TOTPDevice.objects.filter(user=pro, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=pro).exists()


def test_a_password_alone_cannot_replace_the_app(pro):
    """R-10-1: once an app is enrolled, a password-only session cannot enrol another."""
    device = TOTPDevice.objects.create(user=pro, name="werkplek", key=KEY, confirmed=True)
    client = Client()
    response = _password_login(client, pro.username)
    assert response.url.startswith(VERIFY)
    assert client.get(SETUP).url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=pro).count() == 1
    response = client.post(VERIFY, {"token": _code(device)})
    assert response.status_code == 302
    assert client.get("/werkplek/").status_code == 200


def test_a_recovery_code_works_once(pro):
    """R-10-1, ASVS 6.2.2: a recovery code replaces the app's code once; used again it is
    refused and logged."""
    client = Client()
    _password_login(client, pro.username)
    codes = _enrol(client, pro)
    client.post("/uitloggen/")
    _password_login(client, pro.username)
    response = client.post(VERIFY, {"token": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get("/werkplek/").status_code == 200
    assert StaticToken.objects.filter(device__user=pro).count() == 9
    client.post("/uitloggen/")
    _password_login(client, pro.username)
    again = client.post(VERIFY, {"token": codes[3]})
    assert again.status_code == 400
    assert client.get("/werkplek/").status_code == 302
    assert AccessEvent.objects.filter(
        action=Action.SECOND_FACTOR_FAILED, actor=pro, reason="recovery: wrong code"
    ).exists()


def test_new_recovery_codes_need_a_code_and_replace_the_old(pro):
    """ASVS 7.5.1: renewing the recovery codes asks for the app's code again; the old ones
    stop working."""
    client = Client()
    _password_login(client, pro.username)
    old = _enrol(client, pro)
    page = client.get(CODES)
    assert page.status_code == 200
    assert b'data-testid="recovery-codes-left"' in page.content
    refused = client.post(CODES, {"token": "123456"})
    assert refused.status_code == 400
    assert set(StaticToken.objects.filter(device__user=pro).values_list("token", flat=True)) == {
        recovery_code_digest(c) for c in old
    }
    device = TOTPDevice.objects.get(user=pro, confirmed=True)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        response = client.post(CODES, {"token": _code(device)})
    assert response.status_code == 200
    new = CODE_RE.findall(_body(response))
    assert len(new) == 10
    assert "no-store" in response["Cache-Control"]
    assert not set(new) & set(old)
    stored = set(StaticToken.objects.filter(device__user=pro).values_list("token", flat=True))
    assert stored == {recovery_code_digest(c) for c in new}


def test_wrong_codes_are_throttled_and_logged(pro):
    """R-10-1, ASVS 2.2.1: each wrong code is logged; after a few, even the right code waits
    (django-otp's throttling doubles the wait), and that is logged too."""
    device = TOTPDevice.objects.create(user=pro, name="werkplek", key=KEY, confirmed=True)
    client = Client()
    _password_login(client, pro.username)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for wait in (0, 2, 3):  # each after the previous one's wait (1, 2 seconds) is over
            clock.shift(timedelta(seconds=wait))
            assert client.post(VERIFY, {"token": "000000"}).status_code == 400
        response = client.post(VERIFY, {"token": _code(device)})
        assert response.status_code == 400
        assert "Te veel verkeerde codes" in _body(response)
        assert client.get("/werkplek/").status_code == 302
        reasons = list(
            AccessEvent.objects.filter(action=Action.SECOND_FACTOR_FAILED, actor=pro)
            .order_by("id")
            .values_list("reason", flat=True)
        )
        assert reasons == ["totp: wrong code"] * 3 + ["totp: throttled"]
        # Once the wait is over, the right code works.
        clock.shift(timedelta(seconds=10))
        assert client.post(VERIFY, {"token": _code(device)}).status_code == 302


def test_login_verified_verifies_every_role(world):
    """The test helper gives every role a verified session (the suite relies on it)."""
    for user in world.users.values():
        client = login_verified(Client(), user)
        assert DEVICE_ID_SESSION_KEY in client.session


# --- django-axes ----------------------------------------------------------------------------


def test_the_workplace_login_locks_after_too_many_failures(pro, settings):
    """R-10-1, ASVS 2.2.1: after AXES_FAILURE_LIMIT wrong passwords, even the right password is
    refused for a while with a clear Dutch page (429); the attempts are kept and logged."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _password_login(client, pro.username, password="fout").status_code == 200
    # The last failure allowed locks the pair at once; then even the right password is refused.
    assert _password_login(client, pro.username, password="fout").status_code == 429
    response = _password_login(client, pro.username)
    assert response.status_code == 429
    body = _body(response)
    assert "Inloggen is even geblokkeerd" in body
    assert "15 minuten" in body
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=pro.username).exists()
    assert AccessEvent.objects.filter(action=Action.LOCKED_OUT, object_type="parties.user").exists()
    # Another address is not locked out (username and address together).
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert _password_login(other, pro.username).status_code == 302
    # After the cool-off, the password works again.
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert _password_login(Client(), pro.username).status_code == 302


def test_the_portal_login_locks_after_too_many_failures(world, settings):
    """R-10-1: the portal's password provider is locked the same way (django-axes)."""
    parent = world.users["parent"]
    client = Client()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(PORTAL_LOGIN, {"username": parent.username, "password": "fout"})
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 400)
    response = client.post(PORTAL_LOGIN, {"username": parent.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Inloggen is even geblokkeerd" in _body(response)
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failures(pro, settings):
    """AXES_RESET_ON_SUCCESS: a typo now and then never adds up to a lockout."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _password_login(client, pro.username, password="fout")
    assert _password_login(client, pro.username).status_code == 302
    client.post("/uitloggen/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _password_login(client, pro.username, password="fout")
    assert _password_login(client, pro.username).status_code == 302


# --- sessions -------------------------------------------------------------------------------


def test_the_session_key_changes_at_login_and_at_the_second_step(pro):
    """ASVS 3.2.1 (session fixation): a session id from before the login is worthless."""
    device = TOTPDevice.objects.create(user=pro, name="werkplek", key=KEY, confirmed=True)
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    before = session.session_key
    client.cookies["sessionid"] = before
    _password_login(client, pro.username)
    after_password = client.cookies["sessionid"].value
    assert after_password != before
    assert not Session.objects.filter(session_key=before).exists()
    client.post(VERIFY, {"token": _code(device)})
    assert client.cookies["sessionid"].value not in (before, after_password)


def test_an_active_session_still_ends_after_its_absolute_lifetime(pro, settings):
    """ASVS 3.3.2: however busy, a session ends SESSION_ABSOLUTE_SECONDS after its login."""
    settings.SESSION_ABSOLUTE_SECONDS = 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), pro)
        for _ in range(5):  # a request every 10 minutes: never idle
            clock.shift(timedelta(minutes=10))
            assert client.get("/werkplek/").status_code == 200
        clock.shift(timedelta(minutes=11))
        response = client.get("/werkplek/")
        assert response.status_code == 302
        assert response.url.startswith(f"{LOGIN}?next=")
        assert "_auth_user_id" not in client.session
        assert client.get("/werkplek/").url.startswith(LOGIN)


def test_an_idle_session_ends_after_fifteen_minutes(pro, settings):
    """R-10-1: 15 idle minutes end the session (Django's SESSION_COOKIE_AGE)."""
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), pro)
        assert client.get("/werkplek/").status_code == 200
        clock.shift(timedelta(minutes=16))
        assert client.get("/werkplek/").url.startswith(LOGIN)


def test_deactivating_a_user_ends_all_their_sessions(world, pro):
    """ASVS 3.3.4/7.4.2: a deactivated account loses every live session at once; others keep
    theirs."""
    first, second = login_verified(Client(), pro), login_verified(Client(), pro)
    other = login_verified(Client(), world.users["professional"])
    assert first.get("/werkplek/").status_code == 200
    pro.is_active = False
    pro.save(update_fields=["is_active"])
    for client in (first, second):
        assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
        assert client.get("/werkplek/").url.startswith(LOGIN)
    assert other.get("/werkplek/").status_code == 200
    assert AccessEvent.objects.filter(
        action=Action.SESSIONS_ENDED, object_type="parties.user", reason="2 session(s)"
    ).exists()


def test_the_idle_warning_is_on_every_page_of_a_logged_in_user(world):
    """R-10-1: every page a logged-in user opens carries the warning's script (with the CSP
    nonce) and the idle seconds on <body>."""
    missing = []
    for who in ("case_coordinator", "privacy_officer", "administrator", "parent"):
        client = login_verified(Client(), world.users[who])
        for route in routes(world):
            response = client.get(route.path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            body = _body(response)
            nonce = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
            if (
                'data-session-idle-seconds="900"' not in body
                or "js/session-timeout.js" not in body
                or 'id="session-timeout"' not in body
                or nonce is None
                or f'nonce="{nonce.group(1)}"' not in body
            ):
                missing.append((who, str(route)))
    assert not missing, missing


def test_the_keepalive_renews_the_session(pro):
    """R-10-1: 'Stay logged in' renews the idle timeout; only a POST, only when logged in."""
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login_verified(Client(), pro)
        key = client.cookies["sessionid"].value
        clock.shift(timedelta(minutes=13))
        response = client.post(KEEPALIVE)
        assert response.status_code == 204
        expiry = Session.objects.get(session_key=key).expire_date
        assert expiry >= timezone.now() + timedelta(minutes=14)
        clock.shift(timedelta(minutes=13))  # 26 minutes after the login, 13 after the renewal
        assert client.get("/werkplek/").status_code == 200
    assert client.get(KEEPALIVE).status_code == 405
    assert Client().post(KEEPALIVE).status_code == 302


def test_the_login_page_has_no_idle_warning():
    """An anonymous page has no session to keep alive."""
    body = _body(Client().get(LOGIN))
    assert "session-timeout.js" not in body


# --- password policy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kort-1", "password_too_short"),
        ("password1234", "password_too_common"),
        ("839201746352", "password_entirely_numeric"),
        ("a-long-sentence " * 9, "password_too_long"),
    ],
)
def test_the_password_policy_refuses_weak_and_absurd_passwords(password, code):
    """ASVS 2.1: at least 12 characters, not common, not only digits, at most 128."""
    with pytest.raises(ValidationError) as refused:
        validate_password(password, UserFactory.build())
    assert code in {e.code for e in refused.value.error_list}


def test_the_password_policy_accepts_a_long_passphrase():
    """NIST SP 800-63B: a long passphrase with spaces is fine (64 characters and more)."""
    validate_password("een wandeling langs de Eem op een zonnige dinsdagmiddag in mei!", None)


def test_the_portal_activation_applies_the_policy(world):
    """Every set-password path applies the validators: the portal's activation form."""
    from portal.auth.forms import ActivationForm

    user = UserFactory(username="nieuw", role="parent")
    too_long = "a-long-sentence " * 9
    form = ActivationForm(user, {"new_password1": too_long, "new_password2": too_long})
    assert not form.is_valid()
    assert "new_password2" in form.errors
