"""`Cache-Control: no-store` on every response the application itself makes (issue 7).

Pages, fragments and downloads here hold a youth's data or lead to it; the login pages hold
credentials. None of them may stay in a browser's or a proxy's cache, where the next user of a
shared school computer could open them with the Back button (ASVS 14.3.2, SPEC R-10-4). Static
files never reach this middleware (WhiteNoise answers them first) and keep their long caching.

Directives a view set itself stay (`never_cache` adds `private, no-cache, must-revalidate`);
this only adds `no-store` where it is missing.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Adds `no-store` to the Cache-Control header of every dynamic response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response
