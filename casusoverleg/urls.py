from django.urls import path

from . import views

app_name = "casusoverleg"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
