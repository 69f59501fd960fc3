"""Forms of the office pages for the school day as it runs: cover, bulk marks, on site now."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.classes.models import SchoolClass
from apps.school.dates import DayField
from apps.school.models import AttendanceCode, Period, School, Student, Teacher, YearGroup
from apps.school.selectors import as_people_read, codes_for_school

# The longest stretch one cover or one bulk save may span: a term's worth, not a typo's decade.
MAX_DAYS = 92
# The most students one bulk save may mark (a whole year group fits; the school does not).
MAX_STUDENTS = 400


def _dates(form: forms.Form, data: dict) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if start and end:
        if end < start:
            form.add_error("end_date", gettext("The last day comes before the first."))
        elif (end - start).days >= MAX_DAYS:
            form.add_error("end_date", gettext("At most %(days)s days at once.") % {"days": MAX_DAYS})


def _periods(school: School):
    return Period.objects.filter(school=school).order_by("number")


def _period_label(school: School):
    def label(p) -> str:
        number = p.number + school.period_offset
        if p.name:
            return gettext("Period %(number)s (%(name)s)") % {"number": number, "name": p.name}
        return gettext("Period %(number)s") % {"number": number}

    return label


class CoverForm(forms.Form):
    school_class = forms.ModelChoiceField(queryset=SchoolClass.objects.none(), label=_("Class"))
    teacher = forms.ModelChoiceField(queryset=Teacher.objects.none(), label=_("Cover teacher"))
    start_date = DayField(label=_("First day"))
    end_date = DayField(label=_("Last day"))
    periods = forms.ModelMultipleChoiceField(
        queryset=Period.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Periods"),
        help_text=_("None ticked: every lesson of the class on those days."),
    )
    note = forms.CharField(
        max_length=200, required=False, label=_("Note"), help_text=_("Why, for the office (optional).")
    )

    def __init__(self, data=None, *, school: School):
        super().__init__(data, label_suffix="")
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school=school, archived=False).order_by(
            "name"
        )
        self.fields["teacher"].queryset = Teacher.objects.filter(school=school).order_by("last_name", "first_name")
        self.fields["teacher"].label_from_instance = lambda t: f"{t.last_name}, {t.first_name}"
        self.fields["periods"].queryset = _periods(school)
        self.fields["periods"].label_from_instance = _period_label(school)

    def clean(self):
        data = super().clean()
        _dates(self, data)
        school_class, teacher = data.get("school_class"), data.get("teacher")
        if school_class and teacher and school_class.assignments.filter(teacher=teacher).exists():
            self.add_error(
                "teacher",
                gettext("%(first)s %(last)s already teaches %(class_name)s.")
                % {"first": teacher.first_name, "last": teacher.last_name, "class_name": school_class},
            )
        return data


class BulkMarksForm(forms.Form):
    """Whom (students by name, a class, a year group), which code, which days and lessons."""

    students = forms.ModelMultipleChoiceField(
        queryset=Student.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        label=_("Students"),
        help_text=_("Hold Ctrl (or ⌘) to pick several."),
    )
    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(), required=False, label=_("Everyone in class"), empty_label="—"
    )
    year_group = forms.ModelChoiceField(
        queryset=YearGroup.objects.none(), required=False, label=_("Everyone in year group"), empty_label="—"
    )
    code = forms.ModelChoiceField(queryset=AttendanceCode.objects.none(), label=_("Code"))
    start_date = DayField(label=_("First day"))
    end_date = DayField(label=_("Last day"))
    periods = forms.ModelMultipleChoiceField(
        queryset=Period.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Periods"),
        help_text=_("None ticked: the whole day, every lesson and homeroom."),
    )
    note = forms.CharField(
        max_length=200, required=False, label=_("Note"), help_text=_("Saved on every mark, e.g. “Museum trip”.")
    )
    overwrite = forms.BooleanField(
        required=False, label=_("Overwrite marks that have another code"), help_text=_("Unticked, they are kept.")
    )

    def __init__(self, data=None, *, school: School):
        super().__init__(data, label_suffix="")
        self.school = school
        students = self.fields["students"]
        students.queryset = (
            Student.objects.filter(school=school, archived=False)
            .select_related("year_group")
            .order_by("last_name", "first_name", "id")
        )
        students.label_from_instance = lambda s: (
            f"{s.last_name}, {s.first_name}" + (f" ({s.year_group.name})" if s.year_group else "")
        )
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school=school, archived=False).order_by(
            "name"
        )
        self.fields["year_group"].queryset = YearGroup.objects.filter(school=school).order_by("grade", "name")
        # One Present: a code that reads as another (ManageBac's P) is not offered.
        read_as_another = [pk for pk, code in as_people_read(codes_for_school(school)).items() if code.pk != pk]
        self.fields["code"].queryset = (
            AttendanceCode.objects.filter(school=school, enabled=True)
            .exclude(pk__in=read_as_another)
            .order_by("sort_order", "id")
        )
        self.fields["code"].label_from_instance = lambda c: f"{c.label} ({c.abbreviation})"
        self.fields["periods"].queryset = _periods(school)
        self.fields["periods"].label_from_instance = _period_label(school)

    def clean(self):
        data = super().clean()
        _dates(self, data)
        if not (data.get("students") or data.get("school_class") or data.get("year_group")):
            if not self.errors:
                self.add_error(None, gettext("Pick students, a class or a year group."))
        return data

    def chosen_students(self) -> list[Student]:
        """Everyone picked by name, class and year group, once each, by name."""
        data = self.cleaned_data
        found = {s.pk: s for s in data.get("students") or ()}
        base = Student.objects.filter(school=self.school, archived=False).select_related("year_group")
        if data.get("school_class"):
            found.update((s.pk, s) for s in base.filter(enrollments__school_class=data["school_class"]))
        if data.get("year_group"):
            found.update((s.pk, s) for s in base.filter(year_group=data["year_group"]))
        return sorted(found.values(), key=lambda s: (s.last_name, s.first_name, s.pk))


class OnSiteForm(forms.Form):
    year_group = forms.ModelChoiceField(
        queryset=YearGroup.objects.none(), required=False, empty_label=_("All year groups"), label=_("Year group")
    )
    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(), required=False, empty_label=_("All classes"), label=_("Class")
    )

    def __init__(self, data=None, *, school: School):
        super().__init__(data, label_suffix="")
        self.fields["year_group"].queryset = YearGroup.objects.filter(school=school).order_by("grade", "name")
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school=school, archived=False).order_by(
            "name"
        )
