"""The workplace's second factor: a TOTP app with one-time recovery codes (django-otp).

Professionals, procesregisseurs, FGs and beheerders log in with a password (parties.views.
LoginView) and are then logged in but not verified; `parties.middleware` lets such a session
reach only these pages and logout. `code_verify` checks a code from the app or a recovery code
and marks the session verified (`django_otp.login`). A refused code is announced
(`signals.second_factor_failed`, written to the access log by audit.receivers) and counts towards
django-otp's throttling: every further wrong code doubles the wait before the next is checked.

Recovery codes are django-otp's static tokens, but the plugin stores tokens as typed; here each
token is stored as a keyed hash (HMAC-SHA256 with the SECRET_KEY, `recovery_code_digest`), and a
typed code is hashed before the plugin compares it. The codes themselves are shown once.

The QR helpers are shared with the portal's second factor (portal/auth/second_factor.py), which
sits above this app and imports them.
"""

import enum
import secrets
from base64 import b32encode
from dataclasses import dataclass
from io import BytesIO
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

import django_otp
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .signals import second_factor_changed, second_factor_failed

# The name the app shows next to the account (the label of the otpauth:// URI).
ISSUER = "Casusoverleg"
# Device names of the workplace's factors (the portal's are called "portal").
TOTP_DEVICE_NAME = "werkplek"
RECOVERY_DEVICE_NAME = "herstelcodes"
# How many recovery codes a user gets at a time, and their length: 10 characters of a 31-letter
# alphabet without look-alikes (0/o, 1/l/i) are about 49 bits each, shown as two groups of five.
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# The HMAC's salt: a digest made for this purpose is useless for any other.
_DIGEST_SALT = "parties.second_factor.recovery_code"


class Outcome2FA(enum.Enum):
    """What a code check came to."""

    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class CodeCheck:
    """The result of a code check; `wait_seconds` only when throttled."""

    outcome: Outcome2FA
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome2FA.VERIFIED


def totp_config_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Key URI Format)."""
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode(),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        }
    )
    return f"otpauth://totp/{label}?{params}"


def totp_secret_groups(device: TOTPDevice) -> list[str]:
    """The secret in base32, in groups of four characters, for typing it in by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]


def totp_qr_svg(device: TOTPDevice) -> str:
    """The QR code of the device's URI as an inline <svg> element (qrcode, no Pillow).

    The SVG holds one path and no style attribute, so the strict CSP allows it inline.
    """
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        totp_config_uri(device), image_factory=qrcode.image.svg.SvgPathImage, border=2
    )
    out = BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    # Drop the XML declaration: the element goes inside an HTML page.
    return svg[svg.index("<svg") :]


def confirmed_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed TOTP device (the newest), if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def pending_totp(user: AbstractBaseUser) -> TOTPDevice | None:
    """The TOTP device the user is enrolling (not confirmed yet), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


@transaction.atomic
def totp_enrol_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The device being enrolled: the pending one, or a new one with a fresh random key.

    It counts only once the user typed a code from their app (`code_verify(setting_up=True)`).
    """
    device = pending_totp(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def normalise_code(token: str) -> str:
    """What a person typed, without spaces and dashes, in lower case."""
    return "".join(token.split()).replace("-", "").lower()


def recovery_code_digest(code: str) -> str:
    """The stored form of a recovery code: a keyed hash, 16 hex characters (the plugin's
    column holds 16). Without the SECRET_KEY a stolen table yields no usable code."""
    return salted_hmac(_DIGEST_SALT, normalise_code(code), algorithm="sha256").hexdigest()[:16]


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_create(*, user: AbstractBaseUser) -> list[str]:
    """Ten new recovery codes for `user`; earlier ones stop working. Returns the codes, which
    are stored only as digests: the caller shows them once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(code)) for code in codes
    )
    second_factor_changed.send(sender=StaticDevice, user=user, what="recovery_codes")
    return codes


def recovery_codes_left(user: AbstractBaseUser) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _wait_seconds(device: Device) -> int:
    """Seconds until a throttled device checks codes again (at least one)."""
    _allowed, data = device.verify_is_allowed()
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds()) + 1)


def _refused(user: Any, reason: str, outcome: Outcome2FA, device: Device | None) -> CodeCheck:
    second_factor_failed.send(sender=CodeCheck, user=user, reason=reason)
    wait = _wait_seconds(device) if outcome == Outcome2FA.THROTTLED and device else 0
    return CodeCheck(outcome, wait)


def code_check(
    *, user: Any, token: str, setting_up: bool = False
) -> tuple[CodeCheck, Device | None]:
    """Check `token` against the user's devices without touching the session.

    Six digits are a code from the app; anything else is tried as a recovery code (which is used
    up when right). `setting_up` checks the TOTP device being enrolled and confirms it when the
    code is right. A refused code is announced (and so logged) with its reason.
    """
    code = normalise_code(token)
    is_app_code = code.isdigit()
    kind = "totp" if is_app_code or setting_up else "recovery"
    with transaction.atomic():
        # Locked, so that two requests at once cannot both try a code (django-otp's advice).
        if kind == "totp":
            device: Device | None = (
                TOTPDevice.objects.select_for_update()
                .filter(user=user, confirmed=not setting_up)
                .order_by("-id")
                .first()
            )
            candidate = code
        else:
            device = (
                StaticDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("-id")
                .first()
            )
            candidate = recovery_code_digest(code)
        if device is None:
            return _refused(user, f"{kind}: no such device", Outcome2FA.WRONG, None), None
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            return _refused(user, f"{kind}: throttled", Outcome2FA.THROTTLED, device), None
        if not device.verify_token(candidate):
            return _refused(user, f"{kind}: wrong code", Outcome2FA.WRONG, device), None
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One app per user: an older confirmed one is replaced.
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            second_factor_changed.send(sender=TOTPDevice, user=user, what="totp")
    return CodeCheck(Outcome2FA.VERIFIED), device


def code_verify(*, request: HttpRequest, token: str, setting_up: bool = False) -> CodeCheck:
    """Check `token` for the request's user; when right, verify the session.

    A verified session gets a new key: a session id seen before the second step is worthless.
    """
    check, device = code_check(user=request.user, token=token, setting_up=setting_up)
    if check.ok and device is not None:
        request.session.cycle_key()
        django_otp.login(request, device)
    return check
