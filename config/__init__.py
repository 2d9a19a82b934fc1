"""Project package: settings, URLs, Celery app. Contains no models."""

from .celery import app as celery_app

__all__ = ["celery_app"]
