"""URLs of the course-offering (Athena-style) dialect, mounted at /academic/."""

from django.urls import path

from apps.api.academic import views

urlpatterns = [
    path("attendance", views.attendance, name="attendance"),
]
