"""Portal accounts of parents and youths: the invitation link and its e-mail.

The procesregisseur invites a parent with gezag or a youth from 12 (casusoverleg.accounts, which
writes the access log); the account's owner opens the link and chooses a password. The link holds
a token of `InvitationTokenGenerator`: it works once (choosing the password changes what it signs)
and for PORTAL_INVITATION_DAYS days. The e-mail holds the link and nothing else: no name, no case
(SPEC R-10-3).
"""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .choices import Role
from .models import User

SECONDS_PER_DAY = 24 * 60 * 60


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset tokens with a salt of their own and the invitation's lifetime.

    The hash covers the password: choosing one makes the link useless, and so does sending a
    new invitation (it sets a new unusable password). A reset token cannot pass as an
    invitation token, nor the other way round (the salts differ).
    """

    key_salt = "parties.accounts.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        """Whether `token` was made for `user` in its current state, PORTAL_INVITATION_DAYS ago
        at most."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        signed = any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        age = self._num_seconds(self._now()) - timestamp
        return signed and 0 <= age <= settings.PORTAL_INVITATION_DAYS * SECONDS_PER_DAY


invitation_tokens = InvitationTokenGenerator()


def invitation_uid(user: User) -> str:
    """The account's public id in the link (never the database id, which could be counted)."""
    return urlsafe_base64_encode(user.uuid.bytes)


def invitation_link(user: User) -> str:
    """The absolute activation link for `user`, with a fresh token."""
    path = reverse(
        "portal_auth:activate",
        kwargs={"uidb64": invitation_uid(user), "token": invitation_tokens.make_token(user)},
    )
    return settings.SITE_URL.rstrip("/") + path


def invitation_account(*, uidb64: str, token: str) -> User | None:
    """The not yet activated portal account the link is for, if the token is valid; else None."""
    try:
        uuid = UUID(bytes=urlsafe_base64_decode(uidb64))
    except (TypeError, ValueError):
        return None
    user = User.objects.filter(
        uuid=uuid, role__in=[Role.PARENT, Role.YOUTH], is_active=True
    ).first()
    if user is None or user.has_usable_password():
        return None
    return user if invitation_tokens.check_token(user, token) else None


def is_activated(user: User | None) -> bool:
    """Whether the account's owner has chosen a password (an invitation is then no use)."""
    return user is not None and user.has_usable_password()


def account_invitation_send(*, user_id: int) -> None:
    """E-mail the activation link to an account that is not activated yet (else nothing).

    The token is made here, when the mail goes out, so that it never waits in the task queue.
    """
    user = User.objects.get(pk=user_id)
    if not user.email or not user.is_active or user.has_usable_password():
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You are invited to the Casusoverleg portal")
        body = render_to_string(
            "parties/email/account_invitation.txt",
            {"link": invitation_link(user), "days": settings.PORTAL_INVITATION_DAYS},
        )
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
