"""`manage.py verify_audit`: recompute the sealed logs and report every difference.

Exits 0 when every sealed event and block is as it was sealed, 1 otherwise (DESIGN invariant 3).
"""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.models import Stream
from audit.verification import audit_verify, summary


class Command(BaseCommand):
    help = "Verify the hash-chained seals of the access log and the change history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stream",
            choices=Stream.values,
            action="append",
            help="Verify only this log (may be given twice); default both.",
        )
        parser.add_argument(
            "--seal-first",
            action="store_true",
            help="Seal what is not sealed yet before verifying.",
        )

    def handle(self, *args: Any, stream: list[str] | None = None, **options: Any) -> None:
        streams = tuple(stream or Stream.values)
        if options["seal_first"]:
            from audit.sealing import seal

            for name in streams:
                seal(name)
        report = audit_verify(streams=streams)
        for problem in report.problems:
            self.stdout.write(str(problem))
        for name, head in report.head_hash.items():
            self.stdout.write(f"[{name}] head hash {head}")
        self.stdout.write(summary(report))
        if not report.ok:
            sys.exit(1)
