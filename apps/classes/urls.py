"""URLs of the classes pages."""

from django.urls import path

from apps.classes import views

app_name = "classes"
urlpatterns = [
    path("today/", views.today, name="today"),
]
