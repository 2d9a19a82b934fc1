"""Sealing the logs in hash-chained blocks, and verify_audit catching every change.

DESIGN invariant 3, SPEC R-10-2. The tampering tests change the tables the way an intruder with
database access would: past the append-only trigger (pgtrigger.ignore, on PostgreSQL) or with
plain SQL (SQLite has no trigger), and then expect verify_audit to name what changed.
"""

import io
import itertools

from django.core.management import call_command
from django.db import connection

import pgtrigger
import pytest
from auditlog.models import LogEntry

from audit.choices import Action
from audit.models import AccessEvent, SealBlock, Stream
from audit.sealing import GENESIS, blocks_covering, seal, verify, verify_blocks
from audit.services import record
from parties.models import Youth

pytestmark = pytest.mark.django_db

IGNORE = (
    "audit.AccessEvent:append_only",
    "audit.SealBlock:append_only",
    "audit.ChangeLogEntry:append_only",
)


def _events(world, n: int) -> list[AccessEvent]:
    return [
        record(actor=world.users["coordinator"], action=Action.CASE_VIEWED, youth=world.youth)
        for _ in range(n)
    ]


def _tamper(sql: str, params: list) -> None:
    """Run SQL as an intruder would: past the append-only triggers."""
    with pgtrigger.ignore(*IGNORE), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_command() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_sealing_covers_every_event_once_and_verifies(world, settings):
    """Invariant 3: blocks tile the id range, chain from the genesis hash, and verify clean."""
    settings.AUDIT_SEAL_BLOCK_SIZE = 4
    _events(world, 9)
    blocks = seal(Stream.ACCESS)
    total = AccessEvent.objects.count()
    assert sum(b.event_count for b in blocks) == total
    assert blocks[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(blocks):
        assert after.previous_hash == before.block_hash
        assert after.first_id == before.last_id + 1
    assert blocks[-1].last_id == AccessEvent.objects.order_by("-id").first().id
    # A second run right after seals nothing: the job is idempotent.
    assert seal(Stream.ACCESS) == []
    report = verify([Stream.ACCESS])
    assert report.ok, report.problems
    assert report.events_checked == total
    assert report.unsealed_events == 0


def test_new_events_go_into_a_new_block_after_the_old_ones(world):
    """Invariant 3: a later run continues the chain where the previous one stopped."""
    _events(world, 2)
    first = seal(Stream.ACCESS)
    later = _events(world, 3)
    second = seal(Stream.ACCESS)
    assert len(first) == 1
    assert len(second) == 1
    assert second[0].previous_hash == first[-1].block_hash
    assert second[0].first_id == first[-1].last_id + 1
    assert second[0].last_id == later[-1].id
    assert verify([Stream.ACCESS]).ok


def test_a_changed_event_is_reported_by_id(world):
    """Invariant 3: changing a sealed event (past the trigger) is caught and named."""
    events = _events(world, 5)
    seal(Stream.ACCESS)
    target = events[2]
    _tamper(
        "UPDATE audit_accessevent SET actor_name = %s WHERE id = %s", ["Iemand anders", target.id]
    )
    report = verify([Stream.ACCESS])
    assert [(p.kind, p.event_id) for p in report.problems] == [("changed", target.id)]
    code, out = _verify_command()
    assert code == 1
    assert f"event {target.id}" in out
    assert "FAILED" in out


def test_a_removed_event_is_reported_by_id(world):
    """Invariant 3: deleting a sealed event is caught and named."""
    events = _events(world, 4)
    seal(Stream.ACCESS)
    _tamper("DELETE FROM audit_accessevent WHERE id = %s", [events[1].id])
    report = verify([Stream.ACCESS])
    assert [(p.kind, p.event_id) for p in report.problems] == [("removed", events[1].id)]


def test_an_event_inserted_into_sealed_history_is_reported(world):
    """Invariant 3: a sealed range can hold holes (ids of rolled-back transactions); an event
    put into one later is caught as an insertion."""
    events = _events(world, 3)
    hole = events[1].id
    template = AccessEvent.objects.filter(pk=hole).values().get()
    _tamper("DELETE FROM audit_accessevent WHERE id = %s", [hole])
    seal(Stream.ACCESS)
    assert verify([Stream.ACCESS]).ok
    _tamper(
        "INSERT INTO audit_accessevent ({}) VALUES ({})".format(  # noqa: S608 - test's own
            ", ".join(template), ", ".join(["%s"] * len(template))
        ),
        [str(v) if hasattr(v, "hex") else v for v in template.values()],
    )
    problems = verify([Stream.ACCESS]).problems
    assert [(p.kind, p.event_id) for p in problems] == [("inserted", hole)]


def test_a_changed_or_removed_block_breaks_the_chain(world, settings):
    """Invariant 3: rewriting a block's columns, or removing a block, is caught."""
    settings.AUDIT_SEAL_BLOCK_SIZE = 2
    _events(world, 6)
    blocks = seal(Stream.ACCESS)
    assert len(blocks) >= 3
    _tamper(
        "UPDATE audit_sealblock SET event_count = event_count + 1 WHERE id = %s", [blocks[0].id]
    )
    kinds = {p.kind for p in verify([Stream.ACCESS]).problems}
    assert {"chain", "manifest"} <= kinds
    _tamper(
        "UPDATE audit_sealblock SET event_count = event_count - 1 WHERE id = %s", [blocks[0].id]
    )
    assert verify([Stream.ACCESS]).ok
    _tamper("DELETE FROM audit_sealblock WHERE id = %s", [blocks[1].id])
    problems = verify([Stream.ACCESS]).problems
    assert any(p.kind == "chain" and "missing" in p.detail for p in problems)


def test_the_change_history_is_sealed_and_verified_too(world):
    """Invariant 3: django-auditlog's row diffs are sealed; a changed diff is caught."""
    youth = Youth.objects.get(pk=world.youth.pk)
    youth.given_name = "Anders"
    youth.save()
    seal(Stream.CHANGES)
    entry = LogEntry.objects.order_by("-id").first()
    assert verify([Stream.CHANGES]).ok
    _tamper("UPDATE auditlog_logentry SET changes_text = %s WHERE id = %s", ["x", entry.id])
    problems = verify([Stream.CHANGES]).problems
    assert [(p.kind, p.event_id) for p in problems] == [("changed", entry.id)]


def test_blocks_covering_names_the_blocks_of_an_export(world, settings):
    """Issue 5: an exported slice carries the seals that cover it, and what is not sealed yet."""
    settings.AUDIT_SEAL_BLOCK_SIZE = 3
    seal(Stream.ACCESS)  # the world's own events (its consent and request) first
    events = _events(world, 7)
    blocks = seal(Stream.ACCESS)
    newer = _events(world, 1)[0]
    covering, unsealed = blocks_covering([events[0].id, events[-1].id, newer.id])
    assert [b.number for b in covering] == [blocks[0].number, blocks[-1].number]
    assert unsealed == [newer.id]
    assert verify_blocks(covering).ok


def test_verify_audit_records_itself_and_alerts_the_fgs_without_details(world, mailoutbox):
    """Invariant 3, R-10-3: a failed check is logged and e-mails the FGs a link, no details."""
    fg = world.users["privacy_officer"]
    fg.email = "fg@gemeente.example"
    fg.save(update_fields=["email"])
    events = _events(world, 2)
    code, out = _verify_command()
    assert code == 0
    assert "ok:" in out
    assert not mailoutbox
    seal(Stream.ACCESS)
    _tamper("UPDATE audit_accessevent SET reason = %s WHERE id = %s", ["weg", events[0].id])
    with pytest.raises(SystemExit):
        call_command("verify_audit", "--stream", "access", stdout=io.StringIO())
    verified = AccessEvent.objects.filter(action=Action.AUDIT_VERIFIED).order_by("id")
    assert [e.reason.split(":")[0] for e in verified] == ["ok", "FAILED"]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["fg@gemeente.example"]
    assert "/fg/verzegeling/" in message.body
    assert f"event {events[0].id}" not in message.body
    assert "FAILED" not in message.body
    assert world.youth.family_name not in message.body


def test_the_seal_task_runs_on_the_beat_and_seals_both_logs(world):
    """Invariant 3: the beat job seals the access log and the change history."""
    from audit.tasks import audit_seal_task

    _events(world, 1)
    assert audit_seal_task.delay().get() >= 2
    assert set(SealBlock.objects.values_list("stream", flat=True)) == {"access", "changes"}


@pytest.mark.postgres
def test_an_event_still_being_written_is_never_left_behind_a_seal():
    """Invariant 3: while a transaction with an access event is open, the sealer does not seal
    past it (it would later appear inside a sealed range); once it commits, it is sealed.

    The open transaction is a second connection; its event is committed for real, so the test
    removes it again at the end (as the superuser the tests connect as, triggers off).
    """
    import psycopg

    before = record(actor=None, action=Action.LOGIN_FAILED)
    params = connection.settings_dict
    other = psycopg.connect(
        dbname=params["NAME"], user=params["USER"], host=params["HOST"], port=params["PORT"]
    )
    open_id = None
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_accessevent (event_id, occurred_at, action, outcome, "
                "actor_name, actor_role, organisation_name, object_type, object_id, legal_basis, "
                "purpose, reason, user_agent, request_id, path) VALUES (gen_random_uuid(), now(), "
                "'auth.login_failed', 'denied', '', '', '', '', '', '', '', '', '', '', '') "
                "RETURNING id"
            )
            open_id = cursor.fetchone()[0]
        after = record(actor=None, action=Action.LOGIN_FAILED)
        assert before.id < open_id < after.id
        # The open transaction holds the gate: the sealer waits, then postpones.
        assert seal(Stream.ACCESS) == []
        other.commit()
        (block,) = seal(Stream.ACCESS)
        assert block.first_id <= before.id
        assert block.last_id >= after.id
        assert AccessEvent.objects.filter(id=open_id).exists()
        assert open_id in {pk for pk, _ in _manifest_entries(block)}
        assert verify([Stream.ACCESS]).ok
    finally:
        other.rollback()
        if open_id is not None:
            with other.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [open_id])
            other.commit()
        other.close()


def _manifest_entries(block: SealBlock) -> list[tuple[int, bytes]]:
    from audit.sealing import _read_manifest

    return list(_read_manifest(block.manifest).items())


def test_an_event_below_every_block_is_reported(world):
    """Invariant 3: an event forged with an id no sequence gives (0 or less) lies outside every
    block; verify reports it instead of ignoring it."""
    events = _events(world, 1)
    seal(Stream.ACCESS)
    row = AccessEvent.objects.filter(pk=events[0].pk).values().get()
    row.update(id=0, event_id="0b9f3b7e-2d55-4d8e-9d7a-3c7d2f0f5b11")
    _tamper(
        "INSERT INTO audit_accessevent ({}) VALUES ({})".format(  # noqa: S608 - test's own
            ", ".join(row), ", ".join(["%s"] * len(row))
        ),
        [str(v) if hasattr(v, "hex") else v for v in row.values()],
    )
    problems = verify([Stream.ACCESS]).problems
    assert [(p.kind, p.event_id) for p in problems] == [("inserted", 0)]


def test_a_verification_that_does_not_finish_is_recorded_and_reported(world, mailoutbox):
    """Invariant 3: the nightly check stopped by its time limit is no silent pass: an
    `audit.verified` event says INCOMPLETE and the FGs get the alert."""
    from unittest import mock

    from celery.exceptions import SoftTimeLimitExceeded

    from audit.tasks import audit_verify_task

    fg = world.users["privacy_officer"]
    fg.email = "fg@gemeente.example"
    fg.save(update_fields=["email"])
    with (
        mock.patch("audit.verification.verify", side_effect=SoftTimeLimitExceeded()),
        pytest.raises(SoftTimeLimitExceeded),
    ):
        audit_verify_task()
    event = AccessEvent.objects.get(action=Action.AUDIT_VERIFIED)
    assert event.reason.startswith("INCOMPLETE")
    assert len(mailoutbox) == 1
