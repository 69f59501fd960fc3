"""URLs of the teacher's day and the class roll pages."""

from django.urls import path

from apps.classes import views

app_name = "classes"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("classes/<int:class_id>/roll/<str:date>/<int:period>/", views.class_roll, name="roll"),
    path(
        "classes/<int:class_id>/roll/<str:date>/<int:period>/students/<int:student_id>/",
        views.class_roll_student,
        name="roll_student",
    ),
    path(
        "classes/<int:class_id>/roll/<str:date>/<int:period>/all-present/",
        views.class_roll_all_present,
        name="roll_all_present",
    ),
]
