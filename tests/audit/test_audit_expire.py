"""`manage.py audit_expire`: the only way events leave the log, and the chain still verifies.

SPEC R-10-2 and §7.3 (the log is kept at least five years, then removed on the FG's advice);
DESIGN invariant 3; ADR 0004 (e).
"""

import io
from datetime import timedelta

from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

import pgtrigger
import pytest
import time_machine

from audit.choices import Action, Finding
from audit.models import AccessEvent, EventReview, LogPurge, Stream
from audit.sealing import seal, verify
from audit.services import record

pytestmark = pytest.mark.django_db


def _old_and_new(world, settings) -> tuple[list[AccessEvent], list[AccessEvent]]:
    """Six events seven years ago (two blocks of three), two events today (one block).

    The log starts empty: the world's own set-up events are removed first (past the trigger),
    so that the oldest blocks are the old events.
    """
    settings.AUDIT_SEAL_BLOCK_SIZE = 3
    with pgtrigger.ignore("audit.AccessEvent:append_only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent")
    actor = world.users["leerplicht"]
    with time_machine.travel(timezone.now() - timedelta(days=7 * 366), tick=True):
        old = [record(actor=actor, action=Action.CASE_VIEWED, youth=world.youth) for _ in range(6)]
        seal(Stream.ACCESS)
    new = [record(actor=actor, action=Action.CASE_VIEWED, youth=world.youth) for _ in range(2)]
    seal(Stream.ACCESS)
    return old, new


def _expire(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "audit_expire", "--by", "H. Vermeulen (FG)", "--reason", "FG advies", *args, stdout=out
    )
    return out.getvalue()


def test_old_blocks_go_whole_and_the_chain_still_verifies(world, settings):
    """R-10-2, invariant 3: events past the retention go in whole sealed blocks; the removal is
    recorded (LogPurge and an audit.expired event) and verify_audit still passes."""
    old, new = _old_and_new(world, settings)
    # Reviews of removed events go with them (they are part of the log).
    EventReview.objects.create(
        event=old[0], reviewer=world.users["privacy_officer"], finding=Finding.IN_ORDER
    )
    out = _expire()
    assert "removed" in out
    assert not AccessEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AccessEvent.objects.filter(pk__in=[e.pk for e in new]).count() == 2
    assert not EventReview.objects.exists()
    purge = LogPurge.objects.get(stream=Stream.ACCESS)
    assert purge.purged_by == "H. Vermeulen (FG)"
    assert purge.reason == "FG advies"
    assert purge.removed_events == 6
    assert purge.up_to_block == 2
    expired = AccessEvent.objects.get(action=Action.AUDIT_EXPIRED)
    assert "6 events" in expired.reason
    seal(Stream.ACCESS)
    report = verify([Stream.ACCESS])
    assert report.ok, report.problems


def test_a_running_second_time_removes_nothing_more(world, settings):
    """Idempotent: the same cutoff again finds nothing left to remove."""
    _old_and_new(world, settings)
    _expire()
    assert "nothing sealed before" in _expire().split("\n")[0]
    assert LogPurge.objects.filter(stream=Stream.ACCESS).count() == 1


def test_a_dry_run_removes_nothing(world, settings):
    """The dry run says what would go and changes nothing."""
    old, _ = _old_and_new(world, settings)
    out = _expire("--dry-run")
    assert "would be removed" in out
    assert AccessEvent.objects.filter(pk__in=[e.pk for e in old]).count() == 6
    assert not LogPurge.objects.exists()


def test_a_cutoff_inside_the_retention_period_is_refused(world, settings):
    """R-10-2: the log is kept for the configured period; an earlier removal is refused."""
    _old_and_new(world, settings)
    recent = (timezone.localdate() - timedelta(days=30)).isoformat()
    with pytest.raises(CommandError, match="inside the retention period"):
        _expire("--before", recent)
    with pytest.raises(CommandError, match="not a date"):
        _expire("--before", "gisteren")
    assert not LogPurge.objects.exists()


def test_blocks_that_do_not_verify_are_not_removed(world, settings):
    """Invariant 3: expiry cannot be used to hide a change: a tampered block stays, loudly."""
    old, _ = _old_and_new(world, settings)
    with pgtrigger.ignore("audit.AccessEvent:append_only"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_accessevent SET reason = 'x' WHERE id = %s", [old[1].id])
    with pytest.raises(CommandError, match="do not verify"):
        _expire()
    assert AccessEvent.objects.filter(pk__in=[e.pk for e in old]).count() == 6
    assert not LogPurge.objects.exists()


def test_an_event_put_back_into_a_removed_block_is_still_caught(world, settings):
    """Invariant 3: after expiry the purged blocks' events are expected to be gone; a forged
    one that appears there is reported."""
    old, _ = _old_and_new(world, settings)
    row = AccessEvent.objects.filter(pk=old[2].pk).values().get()
    row["reason"] = "forged"
    _expire()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accessevent ({}) VALUES ({})".format(  # noqa: S608 - test's own
                ", ".join(row), ", ".join(["%s"] * len(row))
            ),
            [str(v) if hasattr(v, "hex") else v for v in row.values()],
        )
    problems = verify([Stream.ACCESS]).problems
    assert [(p.kind, p.event_id) for p in problems] == [("changed", old[2].id)]


def test_a_forged_purge_record_does_not_hide_a_removed_event(world, settings):
    """Invariant 3: a LogPurge row written by hand cannot excuse a deletion: a purge inside the
    retention period is itself reported, and an old cutoff covers only blocks that old."""
    old, new = _old_and_new(world, settings)
    with pgtrigger.ignore("audit.AccessEvent:append_only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [new[0].id])
    last_block = 3
    LogPurge.objects.create(
        stream=Stream.ACCESS,
        up_to_block=last_block,
        before=timezone.now(),
        removed_events=1,
        purged_by="niemand",
        reason="vervalst",
    )
    problems = verify([Stream.ACCESS]).problems
    assert ("removed", new[0].id) in [(p.kind, p.event_id) for p in problems]
    assert any("inside the retention period" in p.detail for p in problems)
    # An old cutoff that names the newest block too: that block is not excused.
    LogPurge.objects.create(
        stream=Stream.ACCESS,
        up_to_block=last_block + 1,
        before=timezone.now() - timedelta(days=6 * 366),
        removed_events=1,
        purged_by="niemand",
        reason="vervalst",
    )
    problems = verify([Stream.ACCESS]).problems
    kinds = [(p.kind, p.event_id) for p in problems]
    assert ("removed", new[0].id) in kinds
    assert any("not that old" in p.detail for p in problems)
    # The genuinely old blocks are covered by that cutoff: their events may be gone.
    assert all(p.event_id not in {e.id for e in old} for p in problems)


@pytest.mark.parametrize(
    ("days", "ids"), [(365, ["audit.E001"]), (3 * 365, ["audit.W001"]), (5 * 366, [])]
)
def test_a_short_log_retention_fails_the_system_check(settings, days, ids):
    """R-10-2: the retention that guards audit_expire cannot be set below NEN 7513's two years
    (an error at `manage.py check`), and below five years it warns."""
    from audit.checks import log_retention

    settings.AUDIT_LOG_RETENTION_DAYS = days
    assert [message.id for message in log_retention()] == ids
