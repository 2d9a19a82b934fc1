"""Real services for integration tests: an SMTP server on localhost and a Celery worker on Redis.

`smtp_server` is an aiosmtpd server that Django's SMTP backend delivers to, so a test sees the
bytes a mail client would get (MIME parts, headers, the .ics). `celery_worker_real` is a Celery
worker thread consuming from the real Redis broker, so a test proves that a queued task runs,
in another thread with its own database connection, and not eagerly in the test itself.
"""

import email
import email.policy
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from django.db import connections

# Imported for its side effect: it registers the `celery.ping` task, which the smoke test runs.
import celery.contrib.testing.tasks  # noqa: F401
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from celery import signals
from celery.contrib.testing.worker import TestWorkController, start_worker

from config.celery import app as celery_app

LOCALHOST = "127.0.0.1"
WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the SMTP server received it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpServer:
    """The running SMTP server of the `smtp_server` fixture and what it has received so far."""

    host: str
    port: int
    messages: list[ReceivedMessage] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition, repr=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        """aiosmtpd hook: store the message and wake up whoever waits for it."""
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        received = ReceivedMessage(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos), message=parsed, raw=raw
        )
        with self._arrived:
            self.messages.append(received)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = WAIT_SECONDS) -> list[ReceivedMessage]:
        """Wait until at least `count` messages arrived (a worker sends them in another thread).

        Raises AssertionError when they did not arrive within `timeout` seconds.
        """
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            received = len(self.messages)
            assert arrived, f"expected {count} message(s) within {timeout}s, got {received}"
            return list(self.messages)


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to during the test.

    Usage: send mail as the code under test does, then read `smtp_server.messages` (or
    `smtp_server.wait_for(n)` when a worker thread sends). Each item has `mail_from`,
    `rcpt_tos`, the parsed `message` (`email.message.EmailMessage`, modern policy) and `raw`.
    No TLS and no login: this tests our messages, not the transport.
    """
    server = SmtpServer(host=LOCALHOST, port=0)
    controller = _start_controller(server)
    server.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = LOCALHOST
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = WAIT_SECONDS
    try:
        yield server
    finally:
        controller.stop()


def _start_controller(handler: SmtpServer, attempts: int = 5) -> Controller:
    """Start aiosmtpd on a free port; retry when another process takes the port in between.

    aiosmtpd's Controller needs a concrete port (it connects to it to check that it is up), so a
    free one is looked up first; that leaves a short race with other test processes.
    """
    for attempt in range(attempts):
        controller = Controller(handler, hostname=LOCALHOST, port=_free_port())
        try:
            controller.start()
        except (OSError, RuntimeError):
            if attempt == attempts - 1:
                raise
            continue
        return controller
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _free_port() -> int:
    """A TCP port on localhost that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


class _ConnectionClosingWorker(TestWorkController):
    """An embedded worker that closes its thread's database connections when it stops.

    With the solo pool every task runs in the worker's own thread, so its Django connections live
    there; Django keeps connections per thread and no other thread can close them. Celery's Django
    fix-up closes them after each task and the garbage collector when the thread ends; closing
    them here makes sure, so PostgreSQL can always drop the test database after the session.
    """

    def start(self) -> None:
        """Run the worker until it is stopped, then close this thread's connections."""
        try:
            super().start()
        finally:
            connections.close_all()


@pytest.fixture
def celery_worker_real(settings) -> Iterator[TestWorkController]:
    """A real Celery worker of `config.celery.app`, in a thread, on the Redis broker of REDIS_URL.

    Usage: mark the test `@pytest.mark.django_db(transaction=True)`. The worker thread has its
    own database connection, so it sees only committed rows, and starting a worker makes Celery's
    Django fix-up close the connections of the starting thread, which would break the test's
    wrapping transaction. Then queue work as production code does (`task.delay_on_commit(...)`,
    `task.delay(...)`) and wait for its effect (`result.get(timeout=10)`,
    `smtp_server.wait_for()`).

    While the worker runs, `task_always_eager` is False and tasks go to a queue of this test
    alone, so a worker of another test run on the same Redis cannot take them. Without REDIS_URL
    the test is skipped with the reason; in CI (env CI set) that is a failure instead.
    """
    redis_url = settings.REDIS_URL or os.environ.get("REDIS_URL", "")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set: CI must run the Celery worker tests against Redis.")
        pytest.skip("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 to run it")
    if celery_app.conf.broker_url != redis_url:
        pytest.fail(
            f"The Celery app uses broker {celery_app.conf.broker_url!r}, not REDIS_URL; "
            "set REDIS_URL in the environment before Django's settings load."
        )

    queue = f"test-{uuid.uuid4().hex}"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    # A receiver on setup_logging tells Celery that logging is configured already: otherwise the
    # embedded worker replaces the root logger's handlers and level for the rest of the session.
    signals.setup_logging.connect(_keep_logging, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            WorkController=_ConnectionClosingWorker,
            shutdown_timeout=30.0,
        ) as worker:
            yield worker
    finally:
        signals.setup_logging.disconnect(_keep_logging)
        celery_app.conf.update(saved)
        _delete_queue(queue)


def _keep_logging(**kwargs: object) -> None:
    """Celery `setup_logging` receiver: leave Django's and pytest's logging set-up alone."""


def _delete_queue(queue: str) -> None:
    """Remove the test's queue and its binding keys from Redis, so test runs leave nothing behind.

    kombu deletes only the bindings its channel knows of, so the queue is declared on the new
    channel first.
    """
    with celery_app.connection_for_write() as connection:
        bound = celery_app.amqp.queues[queue].bind(connection.default_channel)
        bound.declare()
        bound.delete()
