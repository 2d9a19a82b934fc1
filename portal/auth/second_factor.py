"""The portal's second factor: a TOTP app or a one-time code by e-mail (django-otp).

After the first factor a parent or youth is logged in but not verified; `second_factor_verify`
checks a code against one of their devices and, when it is right, marks the session verified
(`django_otp.login`). A wrong code is written to the access log and counts towards django-otp's
throttling: every further wrong code doubles the wait before the next try is even checked.
"""

import enum
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import django_otp
from django_otp.models import Device
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import Action, Outcome
from audit.services import record

# The result type and the QR helpers are the workplace's too (parties.second_factor, below us).
from parties.second_factor import (  # noqa: F401 (re-exported for the portal's views)
    ISSUER,
    CodeCheck,
    Outcome2FA,
    totp_config_uri,
    totp_qr_svg,
    totp_secret_groups,
)

# The session key that names the first-factor provider that logged the user in (providers.py).
FIRST_FACTOR_SESSION_KEY = "portal_first_factor"
# Seconds an e-mailed code is valid: long enough to switch to the mail app on a phone.
EMAIL_CODE_VALID_SECONDS = 10 * 60
# The device name both kinds get: one of each per user.
DEVICE_NAME = "portal"


class Method(enum.StrEnum):
    """The two kinds of second factor; the value is what forms post."""

    TOTP = "totp"
    EMAIL = "email"


DEVICE_MODELS: dict[Method, type[Device]] = {Method.TOTP: TOTPDevice, Method.EMAIL: EmailDevice}


def session_is_verified(request: HttpRequest) -> bool:
    """Whether this session passed a second factor, or a first factor that counts as two.

    A provider that is itself two-factor (DigiD Substantieel, say) sets
    `satisfies_second_factor`; the password provider does not.
    """
    from .providers import provider_by_slug

    user = request.user
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return True
    provider = provider_by_slug(request.session.get(FIRST_FACTOR_SESSION_KEY, ""))
    return provider is not None and provider.satisfies_second_factor


def confirmed_devices(user: AbstractBaseUser) -> dict[Method, Device]:
    """The user's confirmed second factors, at most one of each kind."""
    found: dict[Method, Device] = {}
    for method, model in DEVICE_MODELS.items():
        device = model.objects.filter(user=user, confirmed=True).order_by("-id").first()
        if device is not None:
            found[method] = device
    return found


def user_has_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the user has set up a second factor (else they are sent to choose one)."""
    return any(
        model.objects.filter(user=user, confirmed=True).exists() for model in DEVICE_MODELS.values()
    )


def pending_device(user: AbstractBaseUser, method: Method) -> Device | None:
    """The device of `method` the user is setting up (not confirmed yet), if any."""
    return DEVICE_MODELS[method].objects.filter(user=user, confirmed=False).order_by("-id").first()


@transaction.atomic
def totp_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """A new, unconfirmed TOTP device with a fresh random key; earlier unconfirmed ones go.

    It counts only once the user typed a code from their app (`second_factor_verify`).
    """
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def email_start(*, user: AbstractBaseUser) -> EmailDevice:
    """An unconfirmed e-mail device for the account's address; the first code goes out."""
    device = EmailDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = EmailDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    email_code_send(device=device)
    return device


def email_code_send(*, device: EmailDevice) -> int:
    """E-mail a new one-time code; returns 0, or the seconds to wait before another may go.

    The e-mail holds the code and nothing else: no name, no case (SPEC R-10-3). It is sent at
    once, not through the task queue, so that the code never sits in the broker.
    """
    allowed, data = device.generate_is_allowed()
    if not allowed:
        wait = (data or {}).get("next_generation_at")
        return max(1, int((wait - timezone.now()).total_seconds())) if wait else 1
    device.cooldown_set(commit=False)
    device.generate_token(valid_secs=EMAIL_CODE_VALID_SECONDS, commit=True)
    address = device.email or device.user.email
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your login code for Casusoverleg")
        body = render_to_string(
            "portal_auth/email/code.txt",
            {"code": device.token, "minutes": EMAIL_CODE_VALID_SECONDS // 60},
        )
    EmailMessage(subject=subject, body=body, to=[address]).send()
    return 0


def _wait_seconds(device: Device) -> int:
    """Seconds until a throttled device checks codes again (at least one)."""
    _allowed, data = device.verify_is_allowed()
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds()) + 1)


def second_factor_verify(
    *, request: HttpRequest, method: Method, token: str, setting_up: bool = False
) -> CodeCheck:
    """Check `token` against the user's device of `method`; on success verify the session.

    `setting_up` checks the device being set up (unconfirmed) and confirms it when the code is
    right. A wrong code and a code sent while throttled are written to the access log
    (Action.SECOND_FACTOR_FAILED); django-otp counts the wrong ones and makes the user wait.
    """
    user: Any = request.user
    model = DEVICE_MODELS[method]
    with transaction.atomic():
        # Locked, so that two requests at once cannot both try a code (django-otp's advice).
        device = (
            model.objects.select_for_update()
            .filter(user=user, confirmed=not setting_up)
            .order_by("-id")
            .first()
        )
        if device is None:
            record(
                actor=user,
                action=Action.SECOND_FACTOR_FAILED,
                outcome=Outcome.DENIED,
                target=user,
                reason=f"{method}: no such device",
            )
            return CodeCheck(Outcome2FA.WRONG)
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            record(
                actor=user,
                action=Action.SECOND_FACTOR_FAILED,
                outcome=Outcome.DENIED,
                target=user,
                reason=f"{method}: throttled",
            )
            return CodeCheck(Outcome2FA.THROTTLED, _wait_seconds(device))
        if not device.verify_token(token.strip().replace(" ", "")):
            record(
                actor=user,
                action=Action.SECOND_FACTOR_FAILED,
                outcome=Outcome.DENIED,
                target=user,
                reason=f"{method}: wrong code",
            )
            return CodeCheck(Outcome2FA.WRONG)
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One second factor of each kind: an older confirmed one of this kind is replaced.
            model.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    # A verified session gets a new key: a session id seen before the second step is worthless.
    request.session.cycle_key()
    django_otp.login(request, device)
    return CodeCheck(Outcome2FA.VERIFIED)
