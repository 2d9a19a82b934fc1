"""Views that belong to no domain: health check and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    from celery import current_app  # the project's app (config.celery), without importing config

    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, when one is configured) answer; 503 otherwise.

    The answer names components only, never data or configuration values.
    """
    checks = {"database": "ok" if _database_ok() else "failing"}
    if settings.REDIS_URL:
        checks["broker"] = "ok" if _broker_ok() else "failing"
    else:
        checks["broker"] = "not configured (tasks run eagerly)"
    healthy = all(v != "failing" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503
    )


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # The error pages say what happened and where to go; never what was asked for or why.
    return render(request, template, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the user may see the object but not do this."""
    return _error(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: also for objects the user may not see, so that existence is never revealed."""
    return _error(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: a plain page without context processors that could fail again or leak data."""
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400."""
    return _error(request, "errors/400.html", 400)
