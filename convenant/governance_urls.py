"""URLs of covenant governance (issue 7), under /beheer/convenant/ (namespace `governance`)."""

from django.urls import path

from . import governance_views as views

app_name = "governance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("versies/nieuw/", views.version_create, name="version_create"),
    path("toetreding/nieuw/", views.accession_create, name="accession_create"),
    path("partijen/<uuid:uuid>/", views.party_detail, name="party_detail"),
    path("partijen/<uuid:uuid>/formulier/", views.accession_upload, name="accession_upload"),
    path(
        "partijen/<uuid:uuid>/formulier/download/",
        views.accession_download,
        name="accession_download",
    ),
    path("partijen/<uuid:uuid>/goedkeuren/", views.accession_approve, name="accession_approve"),
    path("partijen/<uuid:uuid>/uittreding/", views.party_leave, name="party_leave"),
    path("dpia/nieuw/", views.dpia_create, name="dpia_create"),
    path("dpia/<uuid:uuid>/besluit/", views.dpia_endorse, name="dpia_endorse"),
    path("dpia/<uuid:uuid>/download/", views.dpia_download, name="dpia_download"),
]
