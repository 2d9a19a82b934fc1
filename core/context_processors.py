"""Template context shared by every page."""

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, object]:
    """The role of the logged-in user, for the menus (filled by each app's URLs, not queries)."""
    user = getattr(request, "user", None)
    return {
        "user_role": getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    }
