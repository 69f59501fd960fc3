"""Django admin for daily marks, time entries and term counts (read-only) and term adjustments (each change
logged)."""

from __future__ import annotations

from django.contrib import admin

from apps.audit.admin import AuditedAdmin
from apps.homeroom.models import Adjustment, DailyMark, DailyTermCount, TimeEntry
from apps.school.admin import ReadOnlyAdmin, SchoolOwnedAdmin

STUDENT_SEARCH = ["student__first_name", "student__last_name", "student__student_number"]


@admin.register(DailyMark)
class DailyMarkAdmin(ReadOnlyAdmin):
    """Daily marks change only through the homeroom roll and the APIs, which audit them."""

    list_display = ["date", "student", "code", "minutes_late", "channel", "recorded_at"]
    list_select_related = ["student", "code", "school"]
    list_filter = ["school", "channel", "code__kind", "date"]
    search_fields = STUDENT_SEARCH
    date_hierarchy = "date"
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "student", "code", "recorded_by")


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["date", "student", "code", "minutes", "channel", "recorded_at"]
    list_select_related = ["student", "code", "school"]
    list_filter = ["school", "channel", "date"]
    search_fields = STUDENT_SEARCH
    date_hierarchy = "date"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "student", "code", "recorded_by")


@admin.register(Adjustment)
class AdjustmentAdmin(AuditedAdmin, SchoolOwnedAdmin):
    list_display = ["student", "term", "code", "adjustment", "reason", "school"]
    list_select_related = ["student", "term", "code", "school"]
    list_filter = ["school", "code__kind"]
    search_fields = [*STUDENT_SEARCH, "reason"]
    autocomplete_fields = ["student", "term", "code"]


@admin.register(DailyTermCount)
class DailyTermCountAdmin(ReadOnlyAdmin):
    """Term counts follow the marks (apps/attendance/term_counts.py): shown, never edited."""

    list_display = ["term", "student", "code", "marks", "covered"]
    list_select_related = ["term", "student", "code", "school"]
    list_filter = ["school", "term"]
    search_fields = STUDENT_SEARCH
    show_full_result_count = False
