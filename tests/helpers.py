"""Helpers shared by tests of several apps."""

from typing import Any

from django.test import Client


def login_verified(client: Client, user: Any) -> Client:
    """Log `user` in as a session that passed the portal's second factor (issue 6).

    force_login() alone gives a parent or youth a first factor only: portal.middleware then sends
    every page to the second step. This adds a confirmed TOTP device and marks the session as
    verified by it, as `django_otp.login` does after a right code. For professionals it is the
    same as force_login (they have no second factor in the portal's sense).
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    if not getattr(user, "is_citizen", False):
        return client
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="portal", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
