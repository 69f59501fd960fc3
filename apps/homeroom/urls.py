"""URLs of the homeroom roll pages."""

from django.urls import path

from apps.homeroom import views

app_name = "homeroom"
urlpatterns = [
    path("homeroom/<int:year_group_id>/<str:date>/", views.homeroom_roll, name="roll"),
    path(
        "homeroom/<int:year_group_id>/<str:date>/students/<int:student_id>/",
        views.homeroom_roll_student,
        name="roll_student",
    ),
    path(
        "homeroom/<int:year_group_id>/<str:date>/all-present/", views.homeroom_roll_all_present, name="roll_all_present"
    ),
]
