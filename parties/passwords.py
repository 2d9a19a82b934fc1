"""A password validator Django lacks: a maximum length.

NIST SP 800-63B §5.1.1.2 asks to accept at least 64 characters; a cap far above that keeps a
megabyte "password" from costing the server an argon2 hash of that size (ASVS 2.1.2).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """Refuse passwords longer than `max_length` characters (default 128)."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ValidationError when the password is too long."""
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It may have at most %(max_length)d character.",
                    "This password is too long. It may have at most %(max_length)d characters.",
                    self.max_length,
                )
                % {"max_length": self.max_length},
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        """What the password field's help text says about this rule."""
        return _("Your password can have at most %(max_length)d characters.") % {
            "max_length": self.max_length
        }
