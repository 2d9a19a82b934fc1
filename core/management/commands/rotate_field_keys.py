"""`manage.py rotate_field_keys`: re-encrypt every encrypted field under the current first key.

Step 3 of the key rotation in docs/encryption.md: after the new salt key was put first in
FIELD_ENCRYPTION_SALT_KEYS (or the old SECRET_KEY moved to SECRET_KEY_FALLBACKS) and deployed,
this rewrites every value still under an old key, so the old key can then be removed. Safe to
run again, and next to a running site.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.fields import rotate


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first configured key (docs/encryption.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = rotate(batch_size=options["batch_size"])
        for result in results:
            self.stdout.write(
                f"{result.label}: {result.checked} checked, {result.rewritten} rewritten"
            )
        total = sum(result.rewritten for result in results)
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted under the first key."))
