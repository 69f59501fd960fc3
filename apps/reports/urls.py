"""URLs of the office pages: reports under /office/, settings under /office/settings/."""

from django.urls import path

from apps.reports import day_views, views

app_name = "reports"
urlpatterns = [
    path("office/", views.dashboard, name="dashboard"),
    path("office/unmarked/", views.unmarked, name="unmarked"),
    path("office/reports/", views.term_reports, name="term_reports"),
    path("office/reports/classes/<int:class_id>/", views.class_report, name="class_report"),
    path("office/reports/year-groups/<int:year_group_id>/", views.year_group_report, name="year_group_report"),
    path("office/reports/students/<int:student_id>/", views.student_report, name="student_report"),
    path("office/chronic-absence/", views.chronic, name="chronic"),
    path("office/charts/", views.chart_page, name="charts"),
    path("office/settings/", views.school_settings, name="settings"),
    path("office/settings/codes/", views.codes, name="codes"),
    path("office/settings/codes/<int:code_id>/", views.code_edit, name="code_edit"),
    path("office/settings/adjustments/", views.adjustments, name="adjustments"),
    path("office/settings/adjustments/<int:adjustment_id>/", views.adjustment_edit, name="adjustment_edit"),
    path("office/settings/adjustments/<int:adjustment_id>/delete/", views.adjustment_delete, name="adjustment_delete"),
    path("office/audit/", views.audit_log, name="audit"),
    path("office/cover/", day_views.covers, name="covers"),
    path("office/cover/<int:cover_id>/delete/", day_views.cover_delete, name="cover_delete"),
    path("office/bulk-marks/", day_views.bulk_marks, name="bulk_marks"),
    path("office/on-site/", day_views.on_site_now, name="on_site"),
]
