"""Helpers shared by tests of several apps."""

from typing import Any

from django.test import Client


def login_verified(client: Client, user: Any) -> Client:
    """Log `user` in as a session that passed the second factor (issues 6 and 7).

    force_login() alone gives a first factor only: portal.middleware then sends a parent's or
    youth's pages to the second step, and parties.middleware every page of a professional, FG or
    beheerder. This adds a confirmed TOTP device and marks the session as verified by it, as
    `django_otp.login` does after a right code, for every role.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        name = "portal" if getattr(user, "is_citizen", False) else "werkplek"
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
