"""Management figures and the register extract (/sturing/, issue 7): beheerders and FGs only.

R-20-1 (counts only, small cells suppressed), R-20-2 (annual evaluation export) and R-15-2
(verwerkingsregister-extract per party). Every pattern is in the authorization matrix.
"""

from django.urls import path

from .views import dashboard

app_name = "dashboard"
urlpatterns = [
    path("", dashboard.overview, name="overview"),
    path("jaarevaluatie.csv", dashboard.export_csv, name="export_csv"),
    path("verwerkingsregister/", dashboard.register_list, name="register_list"),
    path("verwerkingsregister/<uuid:uuid>/", dashboard.register_detail, name="register_detail"),
    path(
        "verwerkingsregister/<uuid:uuid>/<slug:fmt>/",
        dashboard.register_export,
        name="register_export",
    ),
]
