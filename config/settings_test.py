"""Test settings: environment defaults and speed-ups, then the one settings module (STYLE §4.7)."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["default"]["OPTIONS"]["location"] = "/tmp/casusoverleg-test-media"  # noqa: F405, S108
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tasks run in the test's own thread; tests/integration starts a real worker where one is needed.
CELERY_TASK_ALWAYS_EAGER = True
# Retention (issue 7): the fault test starts a real worker process with these settings; that
# worker must queue the batches on Redis, on the test's own queue, instead of running them inline.
if os.environ.get("CASUSOVERLEG_REAL_WORKER_QUEUE"):
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_TASK_DEFAULT_QUEUE = os.environ["CASUSOVERLEG_REAL_WORKER_QUEUE"]
