"""/health/ reports on the database and, when configured, the broker (issue 2 item 8)."""

from django.test import Client

import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_without_login(settings):
    """The health check is public and names components only."""
    response = Client().get("/health/")
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok"
    if settings.REDIS_URL:
        # In CI a real Redis answers; the check really connects to it.
        assert data["broker"] == "ok"
    else:
        assert data["broker"].startswith("not configured")


def test_health_fails_when_the_database_does_not_answer(monkeypatch):
    """503 when the database check fails."""
    monkeypatch.setattr("core.views._database_ok", lambda: False)
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "failing"


def test_health_fails_when_a_configured_broker_is_unreachable(settings):
    """503 when REDIS_URL names a broker that does not answer."""
    from celery import current_app

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    original = current_app.conf.broker_url
    current_app.conf.broker_url = settings.REDIS_URL
    try:
        response = Client().get("/health/")
    finally:
        current_app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] == "failing"
