"""config/settings.py: secure defaults, required secrets and environment-driven behaviour.

Each test loads the settings in a fresh Python process whose environment the test builds from
scratch, so variables set around the suite (CI exports DATABASE_URL and REDIS_URL) do not leak in.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Long and varied enough for `check --deploy` (security.W009); used only by these child processes.
STRONG_SECRET_KEY = "test-only-3b9f1c7e2a5d48f6b0e9a1c4d7f2e8b5a6c3d9e0f1a2b4c6d8e0f2a4"
# Only what a Python process needs from the outer environment; nothing the settings read.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")

PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
from config.celery import app
names = json.loads({names!r})
values = {{name: getattr(settings, name) for name in names}}
values["celery_app_broker_url"] = app.conf.broker_url
values["celery_app_always_eager"] = app.conf.task_always_eager
print(json.dumps(values, default=str))
"""


def _run(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run `python <args>` in the repository root with exactly `environment` (plus PATH etc.)."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(environment)
    return subprocess.run(  # noqa: S603 (fixed arguments, our own interpreter)
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(names: list[str], **environment: str) -> dict[str, object]:
    """The named settings (plus the Celery app's broker) as loaded with `environment`."""
    result = _run("-c", PRINT_SETTINGS.format(names=json.dumps(names)), **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _production_environment(tmp_path: Path) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": STRONG_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "ALLOWED_HOSTS": "example.org",
        # The keys of the encrypted fields (issue 7, docs/encryption.md); required without DEBUG.
        "FIELD_ENCRYPTION_SALT_KEYS": "test-only-salt-7d1e4b9a2c6f8e0d3a5b7c9e1f2a4d6b",
    }


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    """With DEBUG off and no SECRET_KEY, Django does not start and the error names SECRET_KEY."""
    environment = _production_environment(tmp_path)
    del environment["SECRET_KEY"]

    result = _run("-c", "import django; django.setup()", **environment)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_refuse_to_start_without_a_database_url_when_debug_is_off(tmp_path):
    """With DEBUG off and no DATABASE_URL, Django does not start and the error names it."""
    environment = _production_environment(tmp_path)
    del environment["DATABASE_URL"]

    result = _run("-c", "import django; django.setup()", **environment)

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_configuration_passes_the_deployment_checks(tmp_path):
    """`manage.py check --deploy` reports no warnings for a production-like environment."""
    result = _run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **_production_environment(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_dutch_with_short_secure_sessions(tmp_path):
    """With DEBUG off: Dutch, Amsterdam time, 15-minute idle sessions and Secure cookies."""
    values = _settings(
        [
            "DEBUG",
            "LANGUAGE_CODE",
            "TIME_ZONE",
            "SESSION_COOKIE_AGE",
            "SESSION_SAVE_EVERY_REQUEST",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        ],
        **_production_environment(tmp_path),
    )

    assert values["DEBUG"] is False
    assert values["LANGUAGE_CODE"] == "nl"
    assert values["TIME_ZONE"] == "Europe/Amsterdam"
    assert values["SESSION_COOKIE_AGE"] == 900
    assert values["SESSION_SAVE_EVERY_REQUEST"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True


def test_tasks_run_eagerly_without_redis():
    """Without REDIS_URL, Celery tasks run eagerly in the process (the demo needs no broker)."""
    values = _settings(["CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"], DJANGO_DEBUG="true")

    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["celery_app_always_eager"] is True
    assert not values["CELERY_BROKER_URL"].startswith("redis://")


def test_tasks_go_to_redis_when_redis_url_is_set():
    """With REDIS_URL, tasks are queued (not eager) and the broker is that Redis URL."""
    redis_url = "redis://redis.invalid:6379/3"

    values = _settings(
        ["CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL"], DJANGO_DEBUG="true", REDIS_URL=redis_url
    )

    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["CELERY_BROKER_URL"] == redis_url
    assert values["celery_app_always_eager"] is False
    assert values["celery_app_broker_url"] == redis_url


def test_every_beat_job_names_a_registered_task():
    """STYLE §4.12: each CELERY_BEAT_SCHEDULE entry points at a task the worker knows, so a
    renamed task cannot silently stop a nightly job (grant expiry, reminders)."""
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "casusoverleg.tasks.case_access_expire_task" in names
    assert names <= set(app.tasks), names - set(app.tasks)
