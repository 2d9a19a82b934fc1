"""Retention pages (/bewaren/): dry-run report, past runs, legal holds (SPEC R-9-1, R-9-4)."""

from django.urls import path

from .views import retention

app_name = "retention"
urlpatterns = [
    path("", retention.overview, name="overview"),
    path("rondes/", retention.run_list, name="run_list"),
    path("rondes/<uuid:uuid>/", retention.run_detail, name="run_detail"),
    path("casussen/<uuid:uuid>/bewaarplicht/", retention.hold_place, name="hold_place"),
    path("bewaarplichten/<uuid:uuid>/beeindigen/", retention.hold_end, name="hold_end"),
]
