"""Tamper evidence for the logs: sealing events in hash-chained blocks, and verifying the chain.

DESIGN invariant 3; docs/adr/0004-sealing-the-access-log.md. Two streams are sealed: the access
log (`audit.AccessEvent`) and the change history (django-auditlog's `LogEntry`).

- `seal` (a beat job, `audit.tasks.audit_seal_task`) takes the events written since the last
  block, in id order, and seals them in blocks of at most `AUDIT_SEAL_BLOCK_SIZE`. A block's range
  is (previous block's last id, its own last id]; the ranges tile the id space without gaps.
- A writer's INSERT takes a shared advisory lock before it draws its ids (the `seal_gate`
  statement trigger); the sealer holds the lock exclusively only while it reads the highest id.
  So every id up to that mark belongs to a finished transaction, and no event can still appear
  inside a sealed range. Requests never wait on one another, only (briefly) on the sealer.
- `verify` recomputes every block from the rows and the chain from the first block: a changed,
  removed or inserted event, a changed or missing block, each is reported by name.

The canonical form of an event is versioned (`format_version`): a column added to a table later
does not change the hash of what was sealed before it.
"""

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone

from .models import (
    SEAL_LOCK_ACCESS,
    SEAL_LOCK_CHANGES,
    SEAL_LOCK_CLASS,
    AccessEvent,
    ChangeLogEntry,
    LogPurge,
    SealBlock,
    Stream,
)

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
FORMAT_VERSION = 1
MANIFEST_ENTRY = 16  # 8 bytes of id, 8 bytes of the event's hash
# The sealer's own lock (one sealer per stream at a time) is SEAL_LOCK_CLASS with key + 100.
SEALER_KEY_OFFSET = 100


@dataclass(frozen=True)
class StreamSpec:
    """What one sealed stream is: its model, its lock key and its canonical columns."""

    name: str
    model: type[models.Model]
    lock_key: int
    # Version 1 of the canonical form. Never change a tuple in place: add a version.
    fields: tuple[str, ...]
    time_field: str


STREAMS: dict[str, StreamSpec] = {
    Stream.ACCESS: StreamSpec(
        name=Stream.ACCESS,
        model=AccessEvent,
        lock_key=SEAL_LOCK_ACCESS,
        fields=(
            "id",
            "event_id",
            "occurred_at",
            "action",
            "outcome",
            "actor_id",
            "actor_name",
            "actor_role",
            "organisation_id",
            "organisation_name",
            "youth_uuid",
            "case_uuid",
            "object_type",
            "object_id",
            "legal_basis",
            "purpose",
            "reason",
            "client_ip",
            "user_agent",
            "request_id",
            "path",
        ),
        time_field="occurred_at",
    ),
    Stream.CHANGES: StreamSpec(
        name=Stream.CHANGES,
        model=ChangeLogEntry,
        lock_key=SEAL_LOCK_CHANGES,
        fields=(
            "id",
            "content_type_id",
            "object_pk",
            "object_id",
            "object_repr",
            "serialized_data",
            "action",
            "changes_text",
            "changes",
            "actor_id",
            "cid",
            "remote_addr",
            "remote_port",
            "timestamp",
            "additional_data",
            "actor_email",
        ),
        time_field="timestamp",
    ),
}


# -- canonical form and hashes ---------------------------------------------------------------


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# Verification hashes every sealed event, so the per-value work is a dict lookup on the type;
# other types (subclasses) take the isinstance path. Same output either way.
_CONVERT: dict[type, Any] = {datetime: _utc, uuid.UUID: str}
_AS_IS = frozenset({str, int, float, bool, type(None), dict, list})
# One encoder for all rows: json.dumps with arguments builds a new one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    kind = value.__class__
    convert = _CONVERT.get(kind)
    if convert is not None:
        return convert(value)
    if kind in _AS_IS:
        return value
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def event_hash(row: Sequence[Any]) -> bytes:
    """SHA-256 of one event's canonical form: its columns, in order, as compact JSON."""
    canonical = _ENCODER.encode([_plain(v) for v in row])
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def _manifest(rows: list[tuple[int, bytes]]) -> bytes:
    return b"".join(pk.to_bytes(8, "big") + digest[:8] for pk, digest in rows)


def _read_manifest(manifest: bytes) -> dict[int, bytes]:
    data = bytes(manifest)
    return {
        int.from_bytes(data[i : i + 8], "big"): data[i + 8 : i + MANIFEST_ENTRY]
        for i in range(0, len(data), MANIFEST_ENTRY)
    }


def block_hash(block: SealBlock, previous_hash: str) -> str:
    """The hash that chains a block to the one before it; covers every column of the block."""
    parts = [
        block.stream,
        str(block.number),
        str(block.format_version),
        str(block.first_id),
        str(block.last_id),
        str(block.event_count),
        _plain(block.first_at) or "",
        _plain(block.last_at) or "",
        block.events_digest,
        hashlib.sha256(bytes(block.manifest)).hexdigest(),
        previous_hash,
    ]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def _rows(spec: StreamSpec, first_id: int, last_id: int) -> Iterator[tuple[Any, ...]]:
    return (
        spec.model._default_manager.filter(id__gte=first_id, id__lte=last_id)
        .order_by("id")
        .values_list(*spec.fields)
        .iterator(chunk_size=5000)
    )


# -- sealing ---------------------------------------------------------------------------------


def _high_water_mark(spec: StreamSpec) -> int | None:
    """The highest id below which every event is committed (see the module docstring).

    On PostgreSQL the sealer waits, without making writers queue behind it, for a moment when no
    writing transaction is open: it tries the lock for about a second, then waits for it at
    most two seconds, and gives up (None) when writers keep it busy longer: the next run seals
    what this one could not. On SQLite (the demo, one writer) the highest id is the mark.
    """
    table = spec.model._meta.db_table
    if connection.vendor != "postgresql":
        return spec.model._default_manager.aggregate(top=models.Max("id"))["top"] or 0
    with connection.cursor() as cursor:
        held = False
        for _ in range(200):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [SEAL_LOCK_CLASS, spec.lock_key])
            if cursor.fetchone()[0]:
                held = True
                break
            time.sleep(0.005)
        if not held:
            cursor.execute("SET lock_timeout = '2s'")
            try:
                with transaction.atomic():
                    cursor.execute(
                        "SELECT pg_advisory_lock(%s, %s)", [SEAL_LOCK_CLASS, spec.lock_key]
                    )
            except OperationalError:
                logger.warning(
                    "audit.seal_postponed stream=%s: writers kept the log busy", spec.name
                )
                return None
            finally:
                cursor.execute("RESET lock_timeout")
        try:
            cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608 - a model's own table
            return cursor.fetchone()[0] or 0
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [SEAL_LOCK_CLASS, spec.lock_key])


def _lock_sealer(spec: StreamSpec) -> None:
    """One sealer per stream: a second one waits, then finds nothing left to seal."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [SEAL_LOCK_CLASS, spec.lock_key + SEALER_KEY_OFFSET],
            )


def _last_block(stream: str) -> SealBlock | None:
    return SealBlock.objects.filter(stream=stream).order_by("-number").first()


def seal(stream: str = Stream.ACCESS, *, block_size: int | None = None) -> list[SealBlock]:
    """Seal every committed event of `stream` that is not sealed yet; returns the new blocks.

    Idempotent: a second run right after the first seals nothing. Each block is its own
    transaction, so a long backlog is sealed in steps and an interruption loses nothing.
    """
    spec = STREAMS[stream]
    size = block_size or settings.AUDIT_SEAL_BLOCK_SIZE
    mark = _high_water_mark(spec)
    made: list[SealBlock] = []
    if mark is None:
        return made
    while True:
        with transaction.atomic():
            _lock_sealer(spec)
            previous = _last_block(stream)
            after = previous.last_id if previous else 0
            if after >= mark:
                break
            rows = list(
                spec.model._default_manager.filter(id__gt=after, id__lte=mark)
                .order_by("id")
                .values_list(*spec.fields)[:size]
            )
            if not rows:
                break
            made.append(_make_block(spec, previous, after, rows, mark, size))
    if made:
        logger.info(
            "audit.sealed stream=%s blocks=%d last_id=%d head=%s",
            stream,
            len(made),
            made[-1].last_id,
            made[-1].block_hash,
        )
    return made


def _make_block(
    spec: StreamSpec,
    previous: SealBlock | None,
    after: int,
    rows: list[tuple[Any, ...]],
    mark: int,
    size: int,
) -> SealBlock:
    hashed = [(row[0], event_hash(row)) for row in rows]
    time_index = spec.fields.index(spec.time_field)
    # A full block ends at its last event; the last, partial block of a run ends at the mark,
    # so that ids of rolled-back transactions below the mark are inside a sealed range too.
    last_id = rows[-1][0] if len(rows) == size else mark
    block = SealBlock(
        stream=spec.name,
        number=(previous.number + 1) if previous else 1,
        format_version=FORMAT_VERSION,
        first_id=after + 1,
        last_id=last_id,
        event_count=len(rows),
        first_at=min(row[time_index] for row in rows),
        last_at=max(row[time_index] for row in rows),
        events_digest=hashlib.sha256(b"".join(d for _, d in hashed)).hexdigest(),
        manifest=_manifest(hashed),
        previous_hash=previous.block_hash if previous else GENESIS,
    )
    block.block_hash = block_hash(block, block.previous_hash)
    block.save(force_insert=True)
    return block


# -- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One finding of `verify`: what is wrong, in which block, with which event."""

    kind: str  # changed | removed | inserted | chain | manifest
    stream: str
    block_number: int | None
    event_id: int | None
    detail: str

    def __str__(self) -> str:
        where = f"block {self.block_number}" if self.block_number is not None else "chain"
        event = f", event {self.event_id}" if self.event_id is not None else ""
        return f"[{self.stream}] {self.kind}: {where}{event}: {self.detail}"


@dataclass
class VerifyReport:
    """The outcome of a verification: the problems found and how much was checked."""

    problems: list[Problem] = field(default_factory=list)
    blocks_checked: int = 0
    events_checked: int = 0
    unsealed_events: int = 0
    head_hash: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Purged:
    """Which blocks' events may be gone on purpose: up to `up_to_block`, and only those whose
    newest event is older than the purge's cutoff `before` (which must itself lie past the
    retention period). A purge row that claims more is not believed (ADR 0004 (e))."""

    up_to_block: int = 0
    before: datetime | None = None

    def covers(self, block: SealBlock) -> bool:
        return (
            self.before is not None
            and block.number <= self.up_to_block
            and block.last_at is not None
            and block.last_at < self.before
        )


def _purged(stream: str, report: VerifyReport | None = None) -> Purged:
    purge = LogPurge.objects.filter(stream=stream).order_by("-up_to_block").first()
    if purge is None:
        return Purged()
    latest_allowed = timezone.now() - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    if purge.before > latest_allowed:
        if report is not None:
            report.problems.append(
                Problem(
                    "chain",
                    stream,
                    purge.up_to_block,
                    None,
                    "a purge record claims events inside the retention period",
                )
            )
        return Purged()
    return Purged(purge.up_to_block, purge.before)


def _check_block(
    spec: StreamSpec, block: SealBlock, previous_hash: str, purged: Purged, report: VerifyReport
) -> None:
    """Recompute one block from its rows and compare; add what differs to `report`."""

    def problem(kind: str, detail: str, event_id: int | None = None) -> None:
        report.problems.append(Problem(kind, spec.name, block.number, event_id, detail))

    report.blocks_checked += 1
    if block.previous_hash != previous_hash:
        problem("chain", "the block does not point at the hash of the block before it")
    if block_hash(block, block.previous_hash) != block.block_hash:
        problem("chain", "the block's own columns no longer match its hash")
    manifest = _read_manifest(block.manifest)
    if len(manifest) != block.event_count:
        problem("manifest", "the manifest does not list the block's number of events")
    if block.number <= purged.up_to_block and not purged.covers(block):
        problem("chain", "a purge record claims this block, but its events are not that old")
    purged_block = purged.covers(block)
    found_before = len(report.problems)
    digests: list[bytes] = []
    seen: set[int] = set()
    for row in _rows(spec, block.first_id, block.last_id):
        report.events_checked += 1
        pk = row[0]
        seen.add(pk)
        digest = event_hash(row)
        digests.append(digest)
        expected = manifest.get(pk)
        if expected is None:
            problem("inserted", "an event in the sealed range that was not there when sealed", pk)
        elif expected != digest[:8]:
            problem("changed", "the event differs from what was sealed", pk)
    missing = sorted(set(manifest) - seen)
    if not purged_block:
        for pk in missing:
            problem("removed", "a sealed event is gone", pk)
        digest = hashlib.sha256(b"".join(digests)).hexdigest()
        if len(report.problems) == found_before and digest != block.events_digest:
            # Every event matches its manifest entry, yet the full hashes do not: a change
            # crafted to keep the first 8 bytes of a hash. The block names no event then.
            problem("changed", "the events no longer match the block's digest")


def _blocks(stream: str) -> Iterator[SealBlock]:
    return SealBlock.objects.filter(stream=stream).order_by("number").iterator(chunk_size=200)


def verify(streams: Iterable[str] = (Stream.ACCESS, Stream.CHANGES)) -> VerifyReport:
    """Recompute the whole chain of each stream and every sealed event; report what differs.

    On PostgreSQL the whole check reads one snapshot (REPEATABLE READ, read only), so that an
    expiry or a seal running meanwhile cannot look like a removal or an insertion.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify(streams)
    return _verify(streams)


def _verify(streams: Iterable[str]) -> VerifyReport:
    report = VerifyReport()
    for stream in streams:
        spec = STREAMS[stream]
        purged = _purged(stream, report)
        previous_hash = GENESIS
        expected_number = 1
        expected_first = 1
        last_id = 0
        for block in _blocks(stream):
            if block.number != expected_number:
                report.problems.append(
                    Problem(
                        "chain",
                        stream,
                        block.number,
                        None,
                        f"blocks {expected_number} to {block.number - 1} are missing",
                    )
                )
            if block.first_id != expected_first:
                report.problems.append(
                    Problem(
                        "chain",
                        stream,
                        block.number,
                        None,
                        f"the block starts at id {block.first_id}, not at {expected_first}",
                    )
                )
            _check_block(spec, block, previous_hash, purged, report)
            previous_hash = block.block_hash
            expected_number = block.number + 1
            expected_first = block.last_id + 1
            last_id = block.last_id
        report.head_hash[stream] = previous_hash
        report.unsealed_events += spec.model._default_manager.filter(id__gt=last_id).count()
        # Ids start at 1 and the blocks tile from there: a row below is no event of ours.
        for pk in spec.model._default_manager.filter(id__lt=1).values_list("id", flat=True):
            report.problems.append(
                Problem("inserted", stream, None, pk, "an event outside every possible block")
            )
    return report


def verify_blocks(blocks: Sequence[SealBlock]) -> VerifyReport:
    """Verify just these blocks (for an export): each against its rows and its predecessor."""
    report = VerifyReport()
    for block in blocks:
        spec = STREAMS[block.stream]
        previous = (
            SealBlock.objects.filter(stream=block.stream, number=block.number - 1).first()
            if block.number > 1
            else None
        )
        if block.number > 1 and previous is None:
            report.problems.append(
                Problem("chain", block.stream, block.number, None, "the block before it is gone")
            )
        previous_hash = previous.block_hash if previous else GENESIS
        _check_block(spec, block, previous_hash, _purged(block.stream), report)
    return report


def blocks_covering(
    ids: Iterable[int], stream: str = Stream.ACCESS
) -> tuple[list[SealBlock], list[int]]:
    """The blocks whose ranges hold these event ids, and the ids that are not sealed yet."""
    wanted = sorted(set(ids))
    if not wanted:
        return [], []
    blocks = list(
        SealBlock.objects.filter(stream=stream, first_id__lte=wanted[-1], last_id__gte=wanted[0])
        # A manifest is 16 bytes per event; it is loaded only for a block that is verified.
        .defer("manifest")
        .order_by("number")
    )
    covering: list[SealBlock] = []
    unsealed: list[int] = []
    index = 0
    for pk in wanted:
        while index < len(blocks) and blocks[index].last_id < pk:
            index += 1
        if index < len(blocks) and blocks[index].first_id <= pk:
            if not covering or covering[-1].pk != blocks[index].pk:
                covering.append(blocks[index])
        else:
            unsealed.append(pk)
    return covering, unsealed
