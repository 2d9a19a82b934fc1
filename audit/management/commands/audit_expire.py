"""`manage.py audit_expire`: remove log events past their retention, in whole sealed blocks.

The only way events leave the append-only logs (SPEC R-10-2, §7.3; DESIGN invariant 3). It is a
command, not a page: it needs shell access to the server, a name and a reason. It

- takes, per log, the oldest sealed blocks whose newest event is older than the cutoff
  (`AUDIT_LOG_RETENTION_DAYS`, at least five years by default), never a part of a block;
- refuses when those blocks do not verify: expiry must not hide a change;
- in one transaction writes a `LogPurge` row (what, up to which block, how many, by whom, why),
  deletes the events (and the FG's reviews of them) past the append-only trigger, and records an
  `audit.expired` access event.

The blocks themselves stay: the chain still verifies, and verify_audit knows from the LogPurge
row that the events of those blocks are gone on purpose.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

import pgtrigger

from audit.choices import Action
from audit.models import LogPurge, SealBlock, Stream
from audit.sealing import STREAMS, verify_blocks
from audit.services import record

BATCH = 10_000


class Command(BaseCommand):
    help = "Remove access-log events and row history older than the retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", required=True, help="Your name: who removes the events.")
        parser.add_argument("--reason", required=True, help="Why, e.g. the FG's advice.")
        parser.add_argument(
            "--before",
            help="Remove events before this date (YYYY-MM-DD); default: the retention period "
            "(AUDIT_LOG_RETENTION_DAYS). A date inside the retention period is refused.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say what would go.")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = self._cutoff(options["before"])
        by, reason = options["by"].strip(), options["reason"].strip()
        if not by or not reason:
            raise CommandError("--by and --reason must not be empty")
        for stream in Stream.values:
            self._expire(stream, cutoff, by=by, reason=reason, dry_run=options["dry_run"])

    def _cutoff(self, before: str | None) -> datetime:
        earliest = timezone.now() - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
        if not before:
            return earliest
        day = parse_date(before)
        if day is None:
            raise CommandError(f"--before: not a date (YYYY-MM-DD): {before!r}")
        cutoff = timezone.make_aware(datetime.combine(day, time.min))
        if cutoff > earliest:
            raise CommandError(
                f"--before {day} is inside the retention period of "
                f"{settings.AUDIT_LOG_RETENTION_DAYS} days (AUDIT_LOG_RETENTION_DAYS)"
            )
        return cutoff

    def _expire(
        self, stream: str, cutoff: datetime, *, by: str, reason: str, dry_run: bool
    ) -> None:
        purged = LogPurge.objects.filter(stream=stream).order_by("-up_to_block").first()
        done = purged.up_to_block if purged else 0
        blocks = []
        for block in SealBlock.objects.filter(stream=stream, number__gt=done).order_by("number"):
            if block.last_at is None or block.last_at >= cutoff:
                break
            blocks.append(block)
        if not blocks:
            self.stdout.write(f"[{stream}] nothing sealed before {cutoff:%Y-%m-%d} to remove")
            return
        report = verify_blocks(blocks)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"[{stream}] the blocks to remove do not verify; investigate before removing"
            )
        spec = STREAMS[stream]
        first_id = blocks[0].first_id
        last_id = blocks[-1].last_id
        manager = spec.model._default_manager
        count = manager.filter(id__gte=first_id, id__lte=last_id).count()
        label = f"[{stream}] blocks {blocks[0].number}-{blocks[-1].number}: {count} events"
        if dry_run:
            self.stdout.write(f"{label} would be removed (dry run)")
            return
        with transaction.atomic():
            LogPurge.objects.create(
                stream=stream,
                up_to_block=blocks[-1].number,
                before=cutoff,
                removed_events=count,
                purged_by=by[:300],
                reason=reason[:300],
            )
            self._delete(spec.model._meta.db_table, stream, first_id, last_id)
            record(
                actor=None,
                action=Action.AUDIT_EXPIRED,
                purpose="retention",
                reason=f"{stream} up to block {blocks[-1].number}, {count} events, by {by}"[:300],
            )
        self.stdout.write(f"{label} removed")

    def _delete(self, table: str, stream: str, first_id: int, last_id: int) -> None:
        """Delete the range past the append-only triggers, in batches of plain SQL."""
        ignore = ["audit.AccessEvent:append_only", "audit.EventReview:append_only"]
        if stream == Stream.CHANGES:
            ignore = ["audit.ChangeLogEntry:append_only"]
        with pgtrigger.ignore(*ignore), connection.cursor() as cursor:
            if stream == Stream.ACCESS:
                cursor.execute(
                    "DELETE FROM audit_eventreview WHERE event_id >= %s AND event_id <= %s",
                    [first_id, last_id],
                )
            while True:
                cursor.execute(
                    f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "  # noqa: S608
                    "WHERE id >= %s AND id <= %s ORDER BY id LIMIT %s)",
                    [first_id, last_id, BATCH],
                )
                if cursor.rowcount < BATCH:
                    break
