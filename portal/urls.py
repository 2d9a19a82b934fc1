"""The parent and youth portal (/portaal/). Every pattern is in the authorization matrix."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("casussen/<uuid:uuid>/", views.case_detail, name="case_detail"),
    path("casussen/<uuid:uuid>/antwoord/", views.respond, name="respond"),
    path("casussen/<uuid:uuid>/verklaring/", views.statement, name="statement"),
]
