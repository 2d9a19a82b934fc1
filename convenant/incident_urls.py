"""The breach register (/datalekken/, namespace "incidents"; SPEC §7.2)."""

from django.urls import path

from . import incident_views as views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("melden/", views.incident_report, name="incident_report"),
    path("<uuid:uuid>/", views.incident_detail, name="incident_detail"),
    path("<uuid:uuid>/risico/", views.incident_assess, name="incident_assess"),
    path("<uuid:uuid>/ap/", views.incident_ap, name="incident_ap"),
    path("<uuid:uuid>/betrokkenen/", views.incident_subjects, name="incident_subjects"),
    path("<uuid:uuid>/afsluiten/", views.incident_close, name="incident_close"),
]
