"""The workplace's account pages (/account/…): the second factor, recovery codes, keep-alive.

Every pattern is in the authorization matrix (tests/urls.py); none is public.
"""

from django.urls import path

from . import views

app_name = "account"
urlpatterns = [
    path("tweede-stap/", views.second_factor_verify, name="verify"),
    path("tweede-stap/instellen/", views.second_factor_setup, name="setup"),
    path("herstelcodes/", views.recovery_codes, name="recovery_codes"),
    path("sessie/verlengen/", views.session_keepalive, name="keepalive"),
]
