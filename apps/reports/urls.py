"""URLs of the reports pages."""

from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("office/", views.dashboard, name="dashboard"),
]
