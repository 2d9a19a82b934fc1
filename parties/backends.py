"""Authentication backend: the user of every request comes with their professional profile."""

from typing import Any

from django.contrib.auth.backends import ModelBackend


class UserWithProfileBackend(ModelBackend):
    """ModelBackend whose `get_user` loads the professional profile and organisation in the same
    query: every workplace page needs them (the access event's organisation, the sharing rules),
    and two lookups per request less is measurable (docs/benchmarks.md). A parent or youth has no
    profile; the outer join then caches its absence."""

    def get_user(self, user_id: Any) -> Any:
        """The active user with `user_id`, with `professional__organisation`, or None."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = model._default_manager.select_related("professional__organisation").get(
                pk=user_id
            )
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
