"""Login and logout."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .forms import LoginForm

# Parents and youths have an entrance of their own, with a second factor (portal/auth/): the
# workplace's login sends them there. Named by URL only: parties sits below the portal.
PORTAL_LOGIN = "portal_auth:login"


def _to_portal_login(next_url: str) -> HttpResponseRedirect:
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return HttpResponseRedirect(reverse(PORTAL_LOGIN) + query)


class LoginView(auth_views.LoginView):
    """The Dutch login page; Django's LoginView is already exempt from LoginRequiredMiddleware."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """A portal page's login redirect goes on to the portal's own entrance."""
        next_url = self.get_redirect_url()
        if not request.user.is_authenticated and next_url.startswith("/portaal/"):
            return _to_portal_login(next_url)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        """A parent or youth is not logged in here: they go to the portal's entrance."""
        if getattr(form.get_user(), "is_citizen", False):
            messages.info(
                self.request,
                _("Parents and youths log in here, at the portal. Type your password again."),
            )
            return _to_portal_login(self.get_redirect_url())
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (CSRF-protected) and lands on the login page (the portal's
    entrance for parents and youths)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = getattr(request.user, "is_citizen", False)
        response = super().post(request, *args, **kwargs)
        return _to_portal_login("") if citizen else response
