"""URLs of the section-style dialect, mounted at /v1/ (Schoology's paths)."""

from django.urls import re_path

from apps.api.sections import views

# At most 18 digits: every id fits a 64-bit integer column.
ID = r"[0-9]{1,18}"

urlpatterns = [
    re_path(rf"^sections/(?P<section_id>{ID})/attendance$", views.section_attendance, name="attendance"),
    re_path(rf"^sections/(?P<section_id>{ID})/enrollments$", views.section_enrollments, name="enrollments"),
    re_path(
        rf"^sections/(?P<section_id>{ID})/enrollments/(?P<enrollment_id>{ID})$",
        views.section_enrollment,
        name="enrollment",
    ),
    # Anything else under /v1/ (an id that is not a number, a path Schoology does not have) is the
    # dialect's empty 404, not Django's HTML page.
    re_path(r"^(?P<path>[\s\S]*)$", views.unknown_path, name="unknown"),
]
