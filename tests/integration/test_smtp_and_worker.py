"""Smoke tests of the integration fixtures: mail really crosses SMTP, tasks really cross Redis."""

import threading

from django.core.mail import EmailMessage

import pytest

from config.celery import app as celery_app
from parties.models import User
from tests.factories.parties import UserFactory


@celery_app.task(name="tests.integration.count_users_in_worker")
def count_users_in_worker() -> dict[str, object]:
    """Test-only task: what the worker sees in the database, and from which thread.

    The embedded worker shares this process's task registry, so a task registered here runs in
    the worker thread like any autodiscovered task.
    """
    return {"users": User.objects.count(), "thread": threading.get_ident()}


def test_django_smtp_backend_delivers_to_the_test_server(smtp_server):
    """The SMTP fixture receives what Django's real SMTP backend sends, headers and body intact."""
    EmailMessage(
        subject="Proef: één bericht",
        body="Alleen een link: https://casusoverleg.example.org/",
        from_email="casusoverleg@example.org",
        to=["ontvanger@example.org"],
    ).send()

    [received] = smtp_server.messages
    assert received.mail_from == "casusoverleg@example.org"
    assert received.rcpt_tos == ["ontvanger@example.org"]
    assert received.message["Subject"] == "Proef: één bericht"
    assert received.message.get_content().strip() == (
        "Alleen een link: https://casusoverleg.example.org/"
    )


@pytest.mark.django_db(transaction=True)
def test_worker_answers_a_ping_and_runs_tasks_outside_the_test_thread(celery_worker_real):
    """The worker fixture consumes from Redis: not eager, in another thread, own DB connection."""
    assert celery_app.conf.task_always_eager is False
    assert celery_app.send_task("celery.ping").get(timeout=10) == "pong"

    UserFactory.create_batch(2)
    seen = count_users_in_worker.delay().get(timeout=10)

    assert seen["users"] == User.objects.count() == 2
    assert seen["thread"] != threading.get_ident()
