"""URLs of the ManageBac dialect, mounted at both /v2/ and /v2p1/ (apps/api/urls.py)."""

from django.urls import path, re_path

from apps.api.managebac import views

app_name = "managebac"
urlpatterns = [
    path("ping", views.ping, name="ping"),
    path("classes", views.class_list, name="classes"),
    path("classes/<int:class_id>", views.class_detail, name="class"),
    path("classes/<int:class_id>/students", views.class_students, name="class-students"),
    path("classes/<int:class_id>/attendance", views.set_class_attendance, name="class-attendance"),
    path(
        "classes/<int:class_id>/attendance/term/<int:term_id>",
        views.class_term_attendance,
        name="class-attendance-term",
    ),
    path("classes/<int:class_id>/attendance/date/<str:date>", views.class_day_attendance, name="class-attendance-date"),
    path("classes/<int:class_id>/timetable", views.class_timetable, name="class-timetable"),
    path("students", views.student_list, name="students"),
    path("students/excusals/<str:date>", views.excusals_on_date, name="excusals-date"),
    path("students/<int:student_id>", views.student_detail, name="student"),
    path("students/<int:student_id>/excusals", views.student_excusals, name="student-excusals"),
    path("students/<int:student_id>/excusals/<int:excusal_id>", views.student_excusal, name="student-excusal"),
    path(
        "students/<int:student_id>/set_homeroom_attendance",
        views.set_homeroom_attendance,
        name="set-homeroom-attendance",
    ),
    path("year-groups", views.year_group_list, name="year-groups"),
    path("year-groups/<int:year_group_id>/students", views.year_group_students, name="year-group-students"),
    path(
        "year-groups/<int:year_group_id>/homeroom/attendance/term/<int:term_id>",
        views.homeroom_term_attendance,
        name="homeroom-attendance-term",
    ),
    path(
        "year-groups/<int:year_group_id>/homeroom/attendance/date/<str:date>",
        views.homeroom_day_attendance,
        name="homeroom-attendance-date",
    ),
    path(
        "year-groups/<int:year_group_id>/homeroom/attendance/term/<int:term_id>/adjustments",
        views.homeroom_adjustments,
        name="homeroom-adjustments",
    ),
    path("school/academic-years", views.academic_years, name="academic-years"),
    # [\s\S], not ".": a path with a newline in it is an unknown path too (a JSON 404, not Django's page).
    re_path(r"^(?P<path>[\s\S]*)$", views.unknown_path, name="unknown"),
]
