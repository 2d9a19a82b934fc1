"""Login and logout."""

from django.contrib.auth import views as auth_views

from .forms import LoginForm


class LoginView(auth_views.LoginView):
    """The Dutch login page; Django's LoginView is already exempt from LoginRequiredMiddleware."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (CSRF-protected) and lands on the login page."""
