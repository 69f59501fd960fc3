"""Django admin for the school's set-up and people, plus the helpers every app's admin uses."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from apps.school.models import (
    AcademicYear,
    Administrator,
    Advisor,
    Guardianship,
    Parent,
    Period,
    Student,
    StudentPhoto,
    Teacher,
    Term,
    YearGroup,
)


class SameSchoolForm(forms.ModelForm):
    """Refuses, with a message, a reference to another school's row, which the database would
    otherwise refuse with an IntegrityError (composite foreign keys)."""

    def clean(self):
        cleaned = super().clean()
        school = cleaned.get("school")
        school_id = school.pk if school is not None else self.instance.school_id
        if school_id is None:
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "school" or not isinstance(value, models.Model):
                continue
            other = getattr(value, "school_id", None)
            if other is not None and other != school_id:
                self.add_error(name, f"{value} belongs to another school.")
        return cleaned


class SameSchoolInlineFormSet(BaseInlineFormSet):
    """An inline row belongs to its parent's school; the form doesn't ask for it."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.school_id = self.instance.school_id
        return form


class SchoolOwnedAdmin(admin.ModelAdmin):
    form = SameSchoolForm
    list_filter = ["school"]


class SchoolOwnedInline(admin.TabularInline):
    form = SameSchoolForm
    formset = SameSchoolInlineFormSet
    exclude = ["school"]
    extra = 0


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only through the services (marks and their log): shown, never edited here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TermInline(SchoolOwnedInline):
    model = Term
    fields = ["name", "start_date", "end_date", "sourced_id"]


class AdvisorInline(SchoolOwnedInline):
    model = Advisor
    autocomplete_fields = ["teacher"]
    verbose_name = "homeroom advisor"


class GuardianshipOfStudentInline(SchoolOwnedInline):
    model = Guardianship
    fk_name = "student"
    autocomplete_fields = ["parent"]
    verbose_name = "parent"
    verbose_name_plural = "parents"


class GuardianshipOfParentInline(SchoolOwnedInline):
    model = Guardianship
    fk_name = "parent"
    autocomplete_fields = ["student"]
    verbose_name = "child"
    verbose_name_plural = "children"


# Registered in apps/audit/admin.py, which logs each change of a school's settings.
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "timezone", "periods_from_zero", "attendance_in_sis", "teacher_edit_days"]
    list_filter = ["attendance_in_sis", "periods_from_zero"]
    search_fields = ["name", "=number", "sourced_id"]
    readonly_fields = ["uuid"]


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolOwnedAdmin):
    list_display = ["name", "school", "start_date", "end_date"]
    list_select_related = ["school"]
    search_fields = ["name", "sourced_id"]
    date_hierarchy = "start_date"
    readonly_fields = ["uuid"]
    inlines = [TermInline]


@admin.register(Term)
class TermAdmin(SchoolOwnedAdmin):
    list_display = ["name", "academic_year", "school", "start_date", "end_date"]
    list_select_related = ["school", "academic_year"]
    search_fields = ["name", "sourced_id", "academic_year__name"]
    autocomplete_fields = ["academic_year"]
    readonly_fields = ["uuid"]


@admin.register(Period)
class PeriodAdmin(SchoolOwnedAdmin):
    list_display = ["number", "name", "start_time", "end_time", "school"]
    list_select_related = ["school"]
    search_fields = ["name"]
    ordering = ["school__name", "number"]


@admin.register(YearGroup)
class YearGroupAdmin(SchoolOwnedAdmin):
    list_display = ["name", "grade", "school", "student_count"]
    list_select_related = ["school"]
    search_fields = ["name", "grade", "sourced_id"]
    readonly_fields = ["uuid"]
    inlines = [AdvisorInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_students=models.Count("students"))

    @admin.display(description="students", ordering="_students")
    def student_count(self, obj) -> int:
        return obj._students


@admin.register(Advisor)
class AdvisorAdmin(SchoolOwnedAdmin):
    list_display = ["teacher", "year_group", "school"]
    list_select_related = ["teacher", "year_group", "school"]
    search_fields = ["teacher__first_name", "teacher__last_name", "year_group__name"]
    autocomplete_fields = ["teacher", "year_group"]


class PersonAdmin(SchoolOwnedAdmin):
    list_display = ["last_name", "first_name", "email", "school", "user"]
    list_display_links = ["last_name", "first_name"]
    list_select_related = ["school", "user"]
    search_fields = ["first_name", "last_name", "email", "sourced_id", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["uuid"]


@admin.register(Teacher)
class TeacherAdmin(PersonAdmin):
    pass


@admin.register(Administrator)
class AdministratorAdmin(PersonAdmin):
    pass


@admin.register(Student)
class StudentAdmin(PersonAdmin):
    list_display = ["last_name", "first_name", "student_number", "year_group", "school", "archived"]
    list_select_related = ["school", "year_group"]
    list_filter = ["school", "archived", "year_group__grade"]
    search_fields = ["first_name", "last_name", "student_number", "sourced_id", "email"]
    autocomplete_fields = ["user", "year_group"]
    inlines = [GuardianshipOfStudentInline]


@admin.register(Parent)
class ParentAdmin(PersonAdmin):
    inlines = [GuardianshipOfParentInline]


@admin.register(Guardianship)
class GuardianshipAdmin(SchoolOwnedAdmin):
    list_display = ["parent", "student", "school"]
    list_select_related = ["parent", "student", "school"]
    search_fields = ["parent__last_name", "parent__first_name", "student__last_name", "student__student_number"]
    autocomplete_fields = ["parent", "student"]


# Registered in apps/audit/admin.py, which logs each change of a code.
class AttendanceCodeAdmin(SchoolOwnedAdmin):
    list_display = ["abbreviation", "label", "mb_status", "kind", "presence", "enabled", "swatch", "school"]
    list_display_links = ["abbreviation", "label"]
    list_select_related = ["school"]
    list_filter = ["school", "kind", "presence", "enabled"]
    search_fields = ["label", "abbreviation"]
    ordering = ["school__name", "sort_order", "id"]

    def get_readonly_fields(self, request, obj=None):
        # Every dialect maps its vocabulary through the ManageBac status: it never changes.
        return ["mb_status"] if obj is not None else []

    @admin.display(description="colour")
    def swatch(self, obj) -> str:
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};border-radius:2px"></span> {}',
            obj.colour,
            obj.colour,
        )


@admin.register(StudentPhoto)
class StudentPhotoAdmin(ReadOnlyAdmin):
    """Photos come in by ``manage.py import_photos``; the admin only lists them."""

    list_display = ["student", "school", "updated_at"]
    list_select_related = ["student", "school"]
    list_filter = ["school"]
    search_fields = ["student__first_name", "student__last_name", "student__student_number"]
    exclude = ["thumbnail"]
