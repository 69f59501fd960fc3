"""Django admin for classes, their teachers, students and timetables, and class marks (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from apps.classes.models import (
    ClassMark,
    ClassTermCount,
    Cover,
    CoverPeriod,
    Enrollment,
    SchoolClass,
    TeacherAssignment,
    TimetableSlot,
)
from apps.school.admin import ReadOnlyAdmin, SchoolOwnedAdmin, SchoolOwnedInline


class TeacherAssignmentInline(SchoolOwnedInline):
    model = TeacherAssignment
    fields = ["teacher", "sourced_id"]
    autocomplete_fields = ["teacher"]


class TimetableSlotInline(SchoolOwnedInline):
    model = TimetableSlot
    fields = ["weekday", "period", "location", "enabled"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "period":
            # Only this school's periods; the form refuses others anyway.
            school_id = getattr(request, "_rollbook_class_school_id", None)
            if school_id is not None:
                kwargs["queryset"] = db_field.related_model.objects.filter(school_id=school_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SchoolClass)
class SchoolClassAdmin(SchoolOwnedAdmin):
    list_display = [
        "name",
        "code",
        "subject",
        "grade",
        "academic_year",
        "start_date",
        "end_date",
        "students",
        "archived",
    ]
    list_select_related = ["academic_year", "school"]
    list_filter = ["school", "archived", "grade", "subject"]
    search_fields = ["name", "code", "subject", "sourced_id"]
    autocomplete_fields = ["academic_year"]
    readonly_fields = ["uuid"]
    date_hierarchy = "start_date"
    inlines = [TeacherAssignmentInline, TimetableSlotInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_students=Count("enrollments"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            request._rollbook_class_school_id = obj.school_id
        return obj

    @admin.display(description="students", ordering="_students")
    def students(self, obj) -> int:
        return obj._students


@admin.register(TeacherAssignment)
class TeacherAssignmentAdmin(SchoolOwnedAdmin):
    list_display = ["teacher", "school_class", "school"]
    list_select_related = ["teacher", "school_class", "school"]
    search_fields = ["teacher__first_name", "teacher__last_name", "school_class__name", "sourced_id"]
    autocomplete_fields = ["teacher", "school_class"]
    readonly_fields = ["uuid"]


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolOwnedAdmin):
    list_display = ["student", "school_class", "start_date", "end_date", "school"]
    list_select_related = ["student", "school_class", "school"]
    search_fields = [
        "student__first_name",
        "student__last_name",
        "student__student_number",
        "school_class__name",
        "sourced_id",
    ]
    autocomplete_fields = ["student", "school_class"]
    readonly_fields = ["uuid"]


@admin.register(TimetableSlot)
class TimetableSlotAdmin(SchoolOwnedAdmin):
    list_display = ["school_class", "weekday", "period", "location", "enabled", "school"]
    list_select_related = ["school_class", "period", "school"]
    list_filter = ["school", "weekday", "enabled"]
    search_fields = ["school_class__name", "location"]
    autocomplete_fields = ["school_class", "period"]


@admin.register(Cover)
class CoverAdmin(SchoolOwnedAdmin):
    list_display = ["school_class", "teacher", "start_date", "end_date", "school"]
    list_select_related = ["school_class", "teacher", "school"]
    search_fields = ["school_class__name", "teacher__first_name", "teacher__last_name"]
    autocomplete_fields = ["school_class", "teacher"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "start_date"


@admin.register(CoverPeriod)
class CoverPeriodAdmin(SchoolOwnedAdmin):
    list_display = ["cover", "period", "school"]
    list_select_related = ["cover__school_class", "cover__teacher", "period", "school"]
    autocomplete_fields = ["cover", "period"]


@admin.register(ClassMark)
class ClassMarkAdmin(ReadOnlyAdmin):
    """Marks change only through the roll pages and the APIs (the one write path), which check
    and audit every change."""

    list_display = ["date", "period", "school_class", "student", "code", "minutes_late", "channel", "recorded_at"]
    list_select_related = ["school_class", "student", "period", "code", "school"]
    list_filter = ["school", "channel", "code__kind", "date"]
    search_fields = ["student__first_name", "student__last_name", "student__student_number", "school_class__name"]
    date_hierarchy = "date"
    show_full_result_count = False  # a count of every mark is slow on a big school

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("school", "school_class", "student", "period", "code", "recorded_by")
        )


@admin.register(ClassTermCount)
class ClassTermCountAdmin(ReadOnlyAdmin):
    """Term counts follow the marks (apps/attendance/term_counts.py): shown, never edited."""

    list_display = ["term", "school_class", "student", "code", "marks", "covered"]
    list_select_related = ["term", "school_class", "student", "code", "school"]
    list_filter = ["school", "term"]
    search_fields = ["student__first_name", "student__last_name", "student__student_number", "school_class__name"]
    show_full_result_count = False
