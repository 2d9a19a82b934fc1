"""The portal's entrance (/portaal/…): login, second step, activation. In the authorization
matrix like every pattern; login and activation are public (tests/urls.py PUBLIC)."""

from django.urls import path

from .auth import views

app_name = "portal_auth"
urlpatterns = [
    path("inloggen/", views.login_view, name="login"),
    path("inloggen/code/", views.second_factor, name="second_factor"),
    path("tweede-stap/", views.setup, name="setup"),
    path("activeren/<str:uidb64>/<str:token>/", views.activate, name="activate"),
]
