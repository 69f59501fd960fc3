"""Django admin for parents' excusals: shown here, written through the excusal services."""

from __future__ import annotations

from django.contrib import admin

from apps.excusals.models import Excusal
from apps.school.admin import ReadOnlyAdmin


@admin.register(Excusal)
class ExcusalAdmin(ReadOnlyAdmin):
    """Excusals are sent from the parents' pages and the APIs, whose services check the rules
    (a parent of the student, at most 12 days, no overlap); here they are only looked up."""

    list_display = ["student", "start_date", "end_date", "duration", "parent", "comment", "created_at", "school"]
    list_select_related = ["student", "parent", "school"]
    list_filter = ["school", "start_date"]
    search_fields = [
        "student__first_name",
        "student__last_name",
        "student__student_number",
        "parent__first_name",
        "parent__last_name",
        "comment",
    ]
    date_hierarchy = "start_date"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("school", "student", "parent")

    @admin.display(description="days")
    def duration(self, obj) -> int:
        return obj.duration
