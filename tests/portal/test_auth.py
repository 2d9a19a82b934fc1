"""The portal's entrance: first factor, second factor (TOTP or e-mail code), activation links.

SPEC R-10-1 (MFA for all users), R-10-3 (no personal data in e-mails), R-1-2 (only parents with
gezag), R-5-3 (no BSN stored: a provider returns a User). Assertions use status codes, URLs and
data-testid attributes, not wording.
"""

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from django.http import HttpRequest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import Action
from audit.models import AccessEvent
from casusoverleg.accounts import family_account_invite
from parties.models import User
from portal.auth.providers import FirstFactorProvider, first_factor_complete
from tests.factories.parties import GuardianFactory, UserFactory
from tests.helpers import login_verified
from tests.urls import ARGUMENTS, Route, all_url_names

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-123"  # UserFactory's
# A fixed key (hex, 20 bytes), so that the test computes the codes the app would show.
KEY = "3132333435363738393031323334353637383930"
LOGIN = "/portaal/inloggen/"
CODE = "/portaal/inloggen/code/"
SETUP = "/portaal/tweede-stap/"


def _totp_device(user: User, *, key: str = KEY) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="portal", key=key, confirmed=True)


def _code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _log_in_with_password(client: Client, username: str, **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def _failures(user: User) -> list[AccessEvent]:
    return list(
        AccessEvent.objects.filter(action=Action.SECOND_FACTOR_FAILED, actor=user).order_by("pk")
    )


# --- a password alone opens nothing ----------------------------------------------------------


@pytest.mark.parametrize("who", ["parent", "youth"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_only_session_reaches_no_portal_page(world, who, method):
    """R-10-1: after the password, every portal page sends a parent or youth to the code."""
    user = world.users[who]
    _totp_device(user)
    client = Client()
    client.force_login(user)  # the first factor, nothing more
    portal = [
        Route(name, kwargs)
        for name, args in all_url_names()
        if name.startswith("portal:")
        for kwargs in (ARGUMENTS[name](world) if args else [{}])
    ]
    assert len(portal) >= 4
    for route in portal:
        response = getattr(client, method)(route.path)
        assert response.status_code == 302, route
        assert response.url.startswith(CODE), route


def test_without_a_second_factor_the_citizen_is_sent_to_choose_one(world):
    """R-10-1: a parent who has no second factor yet must set one up before any page."""
    client = Client()
    client.force_login(world.users["parent"])
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(SETUP)
    # The way back after the second step is kept.
    assert "next=%2Fportaal%2F" in response.url


def test_the_home_page_leads_an_unverified_citizen_to_the_second_step(world):
    """R-10-1: / sends a parent to the portal, which waits for the second step; a workplace page
    refuses a parent by role, verified or not (403)."""
    client = Client()
    client.force_login(world.users["parent"])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert client.get("/werkplek/").status_code == 403


def test_professionals_are_not_asked_for_a_portal_code(world):
    """R-10-1 for the portal only: professionals pass the workplace's own second factor
    (issue 7, tests/parties/test_second_factor.py), never the portal's."""
    client = login_verified(Client(), world.users["case_coordinator"])
    assert client.get(reverse("casusoverleg:dashboard")).status_code == 200
    assert (
        client.get(reverse("casusoverleg:case_detail", args=[world.case.uuid])).status_code == 200
    )


def test_a_verified_citizen_still_cannot_open_professional_pages(world):
    """R-7-2: the second factor opens the portal, never the workplace (403, logged)."""
    client = login_verified(Client(), world.users["parent"])
    assert client.get(reverse("portal:home")).status_code == 200
    before = AccessEvent.objects.filter(action=Action.ACCESS_DENIED).count()
    assert client.get(reverse("casusoverleg:dashboard")).status_code == 403
    assert AccessEvent.objects.filter(action=Action.ACCESS_DENIED).count() == before + 1


# --- the first factor -----------------------------------------------------------------------


def test_login_with_password_and_totp_code_reaches_the_portal(world):
    """R-10-1: password, then a real TOTP code (django_otp.oath.totp) → the portal."""
    user = world.users["parent"]
    device = _totp_device(user)
    client = Client()
    response = _log_in_with_password(client, "parent", next="/portaal/")
    assert response.status_code == 302
    assert response.url.startswith(CODE)
    page = client.get(response.url)
    assert page.status_code == 200
    assert b'data-testid="totp-form"' in page.content
    response = client.post(
        CODE, {"method": "totp", "totp-token": _code(device), "next": "/portaal/"}
    )
    assert response.status_code == 302
    assert response.url == "/portaal/"
    assert client.get("/portaal/").status_code == 200
    assert AccessEvent.objects.filter(action=Action.LOGIN, actor=user).exists()
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_login_with_the_e_mail_address_works_too(world):
    """R-10-1: parents may type their e-mail address instead of the username."""
    user = world.users["parent"]
    user.email = "ouder@example.org"
    user.save(update_fields=["email"])
    response = _log_in_with_password(Client(), "Ouder@Example.org")
    assert response.status_code == 302
    assert response.url.startswith(SETUP)


def test_a_wrong_password_is_refused_and_logged(world):
    """R-10-2: a failed login at the portal is in the access log, naming the account."""
    client = Client()
    response = client.post(LOGIN, {"username": "parent", "password": "not-it-at-all"})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    event = AccessEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.object_id == str(world.users["parent"].uuid)
    assert "_auth_user_id" not in client.session


def test_a_professional_at_the_portal_entrance_is_sent_to_the_workplace_login(world):
    """R-10-1: the portal logs in parents and youths only; professionals get a clear message."""
    client = Client()
    response = _log_in_with_password(client, "case_coordinator")
    assert response.status_code == 400
    assert b'data-testid="workplace-login-link"' in response.content
    assert "_auth_user_id" not in client.session


def test_a_citizen_at_the_workplace_login_is_sent_to_the_portal_entrance(world):
    """R-10-1: the workplace login does not log in a parent; it sends them to the portal."""
    client = Client()
    response = client.post("/inloggen/", {"username": "parent", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_a_portal_link_leads_an_anonymous_visitor_to_the_portal_entrance(world):
    """R-10-1: /portaal/… → /inloggen/?next=… → the portal's own entrance, with next kept."""
    client = Client()
    first = client.get("/portaal/")
    assert first.url.startswith("/inloggen/")
    second = client.get(first.url)
    assert second.status_code == 302
    assert second.url == f"{LOGIN}?next=%2Fportaal%2F"
    assert client.get(second.url).status_code == 200
    # A professional's deep link stays at the workplace login.
    assert client.get("/inloggen/?next=/werkplek/").status_code == 200


def test_next_may_not_leave_the_site(world):
    """An open redirect is refused: next to another host is dropped."""
    user = world.users["parent"]
    device = _totp_device(user)
    client = Client()
    _log_in_with_password(client, "parent")
    response = client.post(
        CODE, {"method": "totp", "totp-token": _code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("portal:home")


# --- the second factor ----------------------------------------------------------------------


def test_a_wrong_code_is_logged_and_throttled(world):
    """R-10-1, R-10-2: a wrong code is refused and logged; django-otp then makes the user wait,
    and even the right code is refused until the wait is over."""
    user = world.users["youth"]
    device = _totp_device(user)
    client = Client()
    _log_in_with_password(client, "youth")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
        response = client.post(CODE, {"method": "totp", "totp-token": wrong})
        assert response.status_code == 400
        assert b'id="id_totp-token_error"' in response.content
        assert [e.reason for e in _failures(user)] == ["totp: wrong code"]
        # Within the wait the right code is not even checked.
        response = client.post(CODE, {"method": "totp", "totp-token": _code(device)})
        assert response.status_code == 400
        assert [e.reason for e in _failures(user)][-1] == "totp: throttled"
        assert client.get(reverse("portal:home")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        response = client.post(CODE, {"method": "totp", "totp-token": _code(device)})
        assert response.status_code == 302
        assert client.get(reverse("portal:home")).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_wait_doubles_with_every_wrong_code(world):
    """R-10-1: guessing is slowed down exponentially (django-otp's throttling)."""
    user = world.users["parent"]
    device = _totp_device(user)
    client = Client()
    _log_in_with_password(client, "parent")
    start = timezone.now()
    for n in range(1, 5):
        with time_machine.travel(start + timedelta(seconds=2**n * 10), tick=False):
            client.post(CODE, {"method": "totp", "totp-token": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 4
    allowed, data = device.verify_is_allowed()
    assert not allowed
    # 1, 2, 4, 8 seconds: after the fourth wrong code the next is checked 8 seconds later.
    assert data["locked_until"] - device.throttling_failure_timestamp == timedelta(seconds=8)


def test_a_code_that_is_no_number_is_refused_without_a_check(world):
    """Invariant 9: a message next to the field; no device is tried."""
    user = world.users["parent"]
    _totp_device(user)
    client = Client()
    _log_in_with_password(client, "parent")
    response = client.post(CODE, {"method": "totp", "totp-token": "abc"})
    assert response.status_code == 400
    assert b'id="id_totp-token_error"' in response.content
    assert _failures(user) == []


def test_an_e_mail_code_logs_in_and_the_mail_holds_only_the_code(world):
    """R-10-1, R-10-3: the code by e-mail works once; the mail names nobody."""
    user = world.users["parent"]
    user.email = "ouder@example.org"
    user.save(update_fields=["email"])
    EmailDevice.objects.create(user=user, name="portal", confirmed=True)
    client = Client()
    _log_in_with_password(client, "parent")
    page = client.get(CODE)
    assert b'data-testid="email-send-form"' in page.content
    response = client.post(CODE, {"method": "email", "action": "send"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ouder@example.org"]
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    for text in [*world.pii(), user.first_name, user.last_name, user.username]:
        assert text not in message.body
        assert text not in message.subject
    assert b'data-testid="email-form"' in client.get(CODE).content
    response = client.post(CODE, {"method": "email", "email-token": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200
    # The code works once.
    other = Client()
    _log_in_with_password(other, "parent")
    assert other.post(CODE, {"method": "email", "email-token": code}).status_code == 400


def test_a_second_e_mail_code_waits_for_the_cooldown(world):
    """R-10-1: asking again at once sends no second mail (django-otp's cooldown)."""
    user = world.users["parent"]
    user.email = "ouder@example.org"
    user.save(update_fields=["email"])
    EmailDevice.objects.create(user=user, name="portal", confirmed=True)
    client = Client()
    _log_in_with_password(client, "parent")
    client.post(CODE, {"method": "email", "action": "send"})
    client.post(CODE, {"method": "email", "action": "send"})
    assert len(mail.outbox) == 1


# --- setting up the second factor -----------------------------------------------------------


def test_setting_up_totp_shows_the_qr_code_and_confirms_with_a_code(world):
    """R-10-1: the first time, the app is linked by QR code (inline SVG) or typed key, and only
    counts after a right code."""
    user = world.users["youth"]
    client = Client()
    response = _log_in_with_password(client, "youth")
    assert response.url.startswith(SETUP)
    assert client.get(SETUP).status_code == 200
    response = client.post(SETUP, {"action": "choose", "method": "totp"})
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="totp-qr"' in html
    assert "<svg" in html
    assert "<?xml" not in html
    assert "style=" not in html.split('data-testid="totp-qr"')[1].split("</div>")[0]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # The key in groups of four, as typed into an app.
    secret = re.search(r'data-testid="totp-secret">(.*?)</p>', html).group(1)
    groups = re.findall(r"<span>([A-Z2-7]+)</span>", secret)
    assert groups
    assert all(len(g) <= 4 for g in groups)
    assert client.get(reverse("portal:home")).status_code == 302
    response = client.post(f"{SETUP}?stap=app", {"method": "totp", "setup-token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("portal:home")).status_code == 200


def test_setting_up_with_a_wrong_code_is_refused_and_logged(world):
    """R-10-1: a wrong code does not confirm the app; it is logged like any wrong code."""
    user = world.users["youth"]
    client = Client()
    _log_in_with_password(client, "youth")
    client.post(SETUP, {"action": "choose", "method": "totp"})
    response = client.post(f"{SETUP}?stap=app", {"method": "totp", "setup-token": "000000"})
    assert response.status_code == 400
    assert b'id="id_setup-token_error"' in response.content
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert len(_failures(user)) == 1


def test_setting_up_e_mail_codes(world):
    """R-10-1, R-10-3: e-mail as second factor is confirmed with a code sent to the address."""
    user = world.users["parent"]
    user.email = "ouder@example.org"
    user.save(update_fields=["email"])
    client = Client()
    _log_in_with_password(client, "parent")
    response = client.post(SETUP, {"action": "choose", "method": "email"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    response = client.post(f"{SETUP}?stap=email", {"method": "email", "setup-token": code})
    assert response.status_code == 302
    assert EmailDevice.objects.get(user=user).confirmed
    assert client.get(reverse("portal:home")).status_code == 200


def test_without_an_address_e_mail_cannot_be_chosen(world):
    """Invariant 9: the choice is not offered, and posting it anyway is refused (400)."""
    user = world.users["parent"]
    user.email = ""
    user.save(update_fields=["email"])
    client = Client()
    _log_in_with_password(client, "parent")
    assert b'value="email"' not in client.get(SETUP).content
    assert client.post(SETUP, {"action": "choose", "method": "email"}).status_code == 400


def test_a_password_alone_cannot_add_a_second_factor(world):
    """R-10-1: with a second factor set up, the set-up page sends to the code, so someone with
    only the password cannot link their own app."""
    user = world.users["parent"]
    _totp_device(user)
    client = Client()
    _log_in_with_password(client, "parent")
    response = client.post(SETUP, {"action": "choose", "method": "totp"})
    assert response.status_code == 302
    assert response.url.startswith(CODE)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_entrance_pages_are_not_for_professionals(world):
    """R-7-2: the code pages belong to parents and youths (403, logged)."""
    client = login_verified(Client(), world.users["professional"])
    assert client.get(CODE).status_code == 403
    assert client.get(SETUP).status_code == 403


# --- activation -----------------------------------------------------------------------------


@pytest.fixture
def invited(world, django_capture_on_commit_callbacks):
    """A second parent with gezag of the world's youth, invited to the portal (not activated)."""
    guardian = GuardianFactory(youth=world.youth, user=None)
    with django_capture_on_commit_callbacks(execute=True):
        return family_account_invite(
            actor=world.users["case_coordinator"],
            guardian=guardian,
            email="tweede.ouder@example.org",
        )


def _path_from_mail() -> str:
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    return "/" + link.split("/", 3)[3]


def test_the_activation_link_works_once(world, invited):
    """R-10-1: the invitation's link sets the password, then leads to the second step; opened
    again, it no longer works."""
    path = _path_from_mail()
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    assert b'data-testid="activate-form"' in page.content
    new = "een lange zin als wachtwoord"
    response = client.post(path, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response.url == SETUP
    invited.refresh_from_db()
    assert invited.check_password(new)
    assert AccessEvent.objects.filter(action=Action.ACCOUNT_ACTIVATED, actor=invited).exists()
    # Logged in, but not verified: the portal waits for the second factor.
    assert client.get(reverse("portal:home")).url.startswith(SETUP)
    again = Client().get(path)
    assert b'data-testid="activate-invalid"' in again.content
    assert b'data-testid="activate-form"' not in again.content


def test_the_activation_link_expires(world, invited, settings):
    """R-10-1: the link works PORTAL_INVITATION_DAYS days, not longer."""
    path = _path_from_mail()
    now = timezone.now()
    with time_machine.travel(now + timedelta(days=settings.PORTAL_INVITATION_DAYS - 1)):
        assert b'data-testid="activate-form"' in Client().get(path).content
    # Three hours past, not one: time-machine's naive now() ignores the local UTC offset.
    with time_machine.travel(now + timedelta(days=settings.PORTAL_INVITATION_DAYS, hours=3)):
        response = Client().post(
            path, {"new_password1": "een lange zin", "new_password2": "een lange zin"}
        )
        assert b'data-testid="activate-invalid"' in response.content
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_weak_password_is_refused_next_to_the_field(world, invited):
    """Invariant 9: Django's password validators; nothing is saved."""
    path = _path_from_mail()
    response = Client().post(path, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 400
    assert b'id="id_new_password2_error"' in response.content
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_made_up_token_or_uid_does_not_work(world, invited):
    """A token of another kind (a password-reset token) or another uid is no invitation."""
    from django.contrib.auth.tokens import default_token_generator

    from parties.accounts import invitation_uid

    uid = invitation_uid(invited)
    for token in ["nonsense", default_token_generator.make_token(invited)]:
        path = reverse("portal_auth:activate", kwargs={"uidb64": uid, "token": token})
        assert b'data-testid="activate-invalid"' in Client().get(path).content
    path = reverse("portal_auth:activate", kwargs={"uidb64": "!!", "token": "x-y"})
    assert Client().get(path).status_code == 200


def test_the_invitation_e_mail_holds_the_link_and_no_personal_data(world, invited):
    """R-10-3: the invitation names nobody: not the parent, not the youth, not the case."""
    message = mail.outbox[-1]
    assert message.to == ["tweede.ouder@example.org"]
    assert "/portaal/activeren/" in message.body
    guardian = invited.guardianships.get()
    for text in [*world.pii(), guardian.given_name, guardian.family_name, invited.username]:
        assert text not in message.body
        assert text not in message.subject


# --- pluggable first factor -----------------------------------------------------------------


class FakeDigiD(FirstFactorProvider):
    """A provider that logs in elsewhere and counts as two factors (as DigiD Substantieel)."""

    slug = "fake-digid"
    label = "Inloggen met FakeDigiD"
    satisfies_second_factor = True

    def start_url(self, request: HttpRequest, next_url: str) -> str:
        return "/fake-digid/start/"


@override_settings(
    PORTAL_AUTHENTICATION_PROVIDERS=[
        "portal.auth.providers.PasswordProvider",
        "tests.portal.test_auth.FakeDigiD",
    ]
)
def test_a_provider_plugs_in_by_setting(world, rf):
    """R-10-1, R-5-3: a provider from the setting shows as a button; when it returns the User
    (no BSN), the session continues, here without a code since it counts as two factors."""
    page = Client().get(LOGIN)
    assert b'href="/fake-digid/start/"' in page.content
    client = Client()
    session_client_request = client.get(LOGIN).wsgi_request
    request = rf.get("/fake-digid/callback/")
    request.session = session_client_request.session
    request.user = session_client_request.user
    response = first_factor_complete(request, user=world.users["parent"], provider=FakeDigiD())
    assert response.status_code == 302
    assert response.url == reverse("portal:home")


def test_a_provider_never_logs_in_a_professional(world, rf):
    """A provider that returns a professional's account is refused (403)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.exceptions import PermissionDenied

    request = rf.get("/")
    request.session = SessionStore()
    request.user = UserFactory(username="nobody-special")
    with pytest.raises(PermissionDenied):
        first_factor_complete(request, user=world.users["professional"], provider=FakeDigiD())


def test_a_parent_logging_out_lands_on_the_portal_entrance(world):
    """R-10-1: logging out ends the session; a parent is back at the portal's entrance."""
    client = login_verified(Client(), world.users["parent"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.get(reverse("portal:home")).url.startswith("/inloggen/")
