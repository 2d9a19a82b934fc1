"""Fault test: a real Celery worker is killed (SIGKILL) halfway through a large retention run.

Issue 7 and docs/reference perf_security.md §2.4 ("Crash test"): with `acks_late` and the Redis
transport, the tasks a killed worker held stay unacknowledged in Redis and return to the queue
only after the broker's visibility timeout; a worker started after that runs them. The engine
must then finish the run as if nothing happened: everything due gone, nothing else touched,
nothing removed or recorded twice, the record of removals complete (DESIGN invariant 8).

The worker is a separate `celery -A config worker` process (its own process group, so that the
SIGKILL takes the pool's children too) on the test's PostgreSQL database and on a queue of this
test alone, with a visibility timeout of a few seconds.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

import pytest

from audit.models import AccessEvent
from casusoverleg.models import (
    Case,
    LegalHold,
    LegalHoldScope,
    RetentionBatch,
    RetentionRemoval,
    RetentionRun,
    SharedItem,
)
from casusoverleg.retention import months_before
from config.celery import app as celery_app
from core.querysets import bulk_writes_allowed
from tests.factories.casusoverleg import CaseFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    # The test queues the job as the beat would, on Redis, while its own settings stay eager.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

REPO = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 6  # seconds; production default 3600 (CELERY_VISIBILITY_TIMEOUT)
DUE = 4000
NOT_DUE = 300
HELD = 300
BATCH_SIZE = 100


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set: CI must run the retention fault test on Redis.")
        pytest.skip("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/<n> to run it")
    return url


def _database_url() -> str:
    """The test database (pytest-django's test_… name), for the worker process."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{s['USER']}{password}@{host}:{port}/{s['NAME']}"


def _start_worker(queue: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": _redis_url(),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CASUSOVERLEG_REAL_WORKER_QUEUE": queue,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        queue,
        "-c",
        "2",
        "-n",
        f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    with log.open("ab") as out:
        # start_new_session: the worker leads its own process group, which the SIGKILL takes
        # whole (the pool's children too), as a crashed machine would.
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it may have died already
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _wait(condition, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{tail}")


def _old_items(case: Case, owner, author, count: int, months: int) -> list[int]:
    """`count` items of `owner` in `case`, last changed `months` months ago."""
    item = SharedItem.objects.filter(case__isnull=False).first()
    with bulk_writes_allowed("test set-up: thousands of items for the fault test"):
        made = SharedItem.objects.bulk_create(
            SharedItem(
                case=case,
                category=item.category,
                legal_basis=item.legal_basis,
                data_class=item.data_class,
                kind=item.kind,
                text=f"Jeugdhulp-notitie {n}",
                owner=owner,
                author=author,
                audience_all=True,
            )
            for n in range(count)
        )
        ids = [m.pk for m in made]
        changed = timezone.now().replace(hour=12)
        day = months_before(timezone.localdate(), months)
        SharedItem.objects.filter(pk__in=ids).update(
            updated_at=changed.replace(year=day.year, month=day.month, day=day.day)
        )
    return ids


def test_a_killed_worker_leaves_a_complete_and_exact_retention_run(reference_data, world, tmp_path):
    """Invariant 8, R-9-1, R-9-4: SIGKILL on the worker halfway through a run of 40 batches; a
    new worker after the visibility timeout finishes it. Everything due is gone, the items not
    yet due and those under a legal hold are intact, no record is removed or recorded twice,
    no batch's work is committed twice, and there is one removal record per removed item."""
    redis_url = _redis_url()
    assert celery_app.conf.broker_url == redis_url
    care_user = world.users["youth_care"]
    care = care_user.professional.organisation
    due = _old_items(world.case, care, care_user, DUE, months=25)
    not_due = _old_items(world.case, care, care_user, NOT_DUE, months=23)
    held_case = CaseFactory(youth=world.other_youth, covenant=world.covenant)
    held = _old_items(held_case, care, care_user, HELD, months=30)
    LegalHold.objects.create(
        scope=LegalHoldScope.CASE,
        case=held_case,
        region=world.covenant.region,
        reason="Procedure bij de rechter",
        ends_on=timezone.localdate() + timedelta(days=30),
        placed_by=world.users["privacy_officer"],
    )
    expected_batches = DUE // BATCH_SIZE
    queue = f"test-retention-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"

    worker = _start_worker(queue, log)
    try:
        celery_app.send_task(
            "casusoverleg.tasks.retention_task",
            kwargs={"on": timezone.localdate().isoformat(), "batch_size": BATCH_SIZE},
            queue=queue,
        )
        # Kill once some batches are done and most are not: halfway through the run.
        _wait(
            lambda: RetentionRemoval.objects.count() >= 3 * BATCH_SIZE,
            60,
            "the first batches",
            log,
        )
        _kill(worker)
        # The dead worker's reserved batches wait in Redis as unacknowledged (acks_late).
        assert _unacked(queue) >= 1, "the killed worker held no task: the crash was not tested"
        removed_at_kill = RetentionRemoval.objects.count()
        killed_at = time.monotonic()
        assert BATCH_SIZE <= removed_at_kill < DUE, "the kill must fall halfway through the run"
        run = RetentionRun.objects.filter(kind="apply").order_by("started_at", "id").first()
        assert run.finished_at is None
        assert run.batches.count() == expected_batches

        # Redis gives the killed worker's unacknowledged batches to a worker only after the
        # visibility timeout: start the new one after it has passed.
        time.sleep(max(0.0, VISIBILITY_TIMEOUT + 1 - (time.monotonic() - killed_at)))
        worker = _start_worker(queue, log)
        _wait(
            lambda: RetentionRun.objects.filter(pk=run.pk, finished_at__isnull=False).exists(),
            60,
            "the run to finish after the restart",
            log,
        )
        assert _unacked(queue) == 0, "every redelivered batch was acknowledged"
    finally:
        _kill(worker)
        _purge(queue)

    assert not SharedItem.objects.filter(pk__in=due).exists(), "everything due is gone"
    assert SharedItem.objects.filter(pk__in=not_due).count() == NOT_DUE, "not due: intact"
    assert SharedItem.objects.filter(pk__in=held).count() == HELD, "under a legal hold: intact"

    removals = RetentionRemoval.objects.filter(record_type="casusoverleg.shareditem")
    assert sorted(removals.values_list("record_id", flat=True)) == sorted(due)
    assert removals.count() == RetentionRemoval.objects.count() == DUE

    batches = list(RetentionBatch.objects.filter(run=run))
    assert len(batches) == expected_batches
    assert all(b.done_at is not None for b in batches)
    assert sum(b.removed for b in batches) == DUE
    for batch in batches:
        # Each batch's work was committed once: its removals are exactly its own records.
        assert batch.removed == len(batch.record_ids)
        assert sorted(
            RetentionRemoval.objects.filter(batch=batch).values_list("record_id", flat=True)
        ) == sorted(batch.record_ids)
    # One access event per removed item: a batch committed twice would have logged twice.
    events = AccessEvent.objects.filter(action="retention.removed")
    assert events.count() == DUE
    assert events.values("object_id").distinct().count() == DUE


def _unacked(queue: str) -> int:
    """Messages of `queue` delivered but not acknowledged (kombu's Redis `unacked` hash)."""
    import json

    import redis

    client = redis.Redis.from_url(_redis_url())
    return sum(1 for raw in client.hvals("unacked") if json.loads(raw)[2] == queue)


def _purge(queue: str) -> None:
    """Leave nothing of this test's queue in Redis."""
    with celery_app.connection_for_write() as conn:
        bound = celery_app.amqp.queues[queue].bind(conn.default_channel)
        bound.declare()
        bound.purge()
        bound.delete()
