"""Print the demo authenticator app's current code (issue 7): the demo's second step.

Every demo account's app has the published key DEMO_TOTP_KEY (seed_demo), so the code is the
same for all of them. Like seed_demo, this refuses to run unless DEMO_ALLOWED (DEBUG): on a real
system no account has that key, and the command must not suggest otherwise.
"""

from binascii import unhexlify
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from django_otp.oath import totp

from .seed_demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current second-step code of the demo accounts (DEBUG only)."

    def handle(self, *args: Any, **options: Any) -> None:
        """Print the code of now (valid for the rest of its 30-second step)."""
        if not settings.DEMO_ALLOWED:
            raise CommandError("demo_code runs only where seed_demo may run (DJANGO_DEBUG on).")
        self.stdout.write(f"{totp(unhexlify(DEMO_TOTP_KEY)):06d}")
