"""URLs of the section-style dialect, mounted at /v1/ (Schoology's paths)."""

from django.urls import re_path

from apps.api.sections import views

# At most 18 digits: every id fits a 64-bit integer column.
ID = r"[0-9]{1,18}"

urlpatterns = [
    re_path(rf"^sections/(?P<section_id>{ID})/attendance$", views.attendance, name="attendance"),
    re_path(rf"^sections/(?P<section_id>{ID})/enrollments$", views.enrollments, name="enrollments"),
    re_path(
        rf"^sections/(?P<section_id>{ID})/enrollments/(?P<enrollment_id>{ID})$",
        views.enrollment,
        name="enrollment",
    ),
]
