from django.urls import path

from . import views

app_name = "convenant"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:kind>/", views.reference_list, name="reference_list"),
    path("<slug:kind>/nieuw/", views.reference_edit, name="reference_create"),
    path("<slug:kind>/<uuid:uuid>/", views.reference_edit, name="reference_edit"),
]
