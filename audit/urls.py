"""The FG's workbench (/fg/). Every page is for the FG only and is itself logged."""

from django.urls import path

from .views import review, signals, workbench

app_name = "audit"
urlpatterns = [
    path("", workbench.dashboard, name="dashboard"),
    path("zoeken/", workbench.search, name="search"),
    path("jongere-zoeken/", workbench.youth_lookup, name="youth_lookup"),
    path("jongere/<uuid:uuid>/", workbench.youth_timeline, name="youth_timeline"),
    path("medewerker/<uuid:uuid>/", workbench.user_timeline, name="user_timeline"),
    path("export.csv", workbench.export_csv, name="export_csv"),
    path("export.pdf", workbench.export_pdf, name="export_pdf"),
    path("verzegeling/", workbench.seals, name="seals"),
    path("gebeurtenis/<uuid:event_id>/", review.event_detail, name="event_detail"),
    path("steekproef/", review.sample, name="sample"),
    path("signalen/", signals.signal_list, name="signals"),
    path("signalen/<slug:slug>/", signals.signal_detail, name="signal_detail"),
    path("grafieken/", signals.charts, name="charts"),
]
