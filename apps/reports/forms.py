"""Forms of the office pages: report filters (GET) and settings (POST, saved by services)."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.audit.models import CHANNELS, AuditEntry
from apps.classes.models import SchoolClass
from apps.languages import choice as languages
from apps.reports.selectors import MAX_UNMARKED_DAYS, SOURCES
from apps.reports.services import COLOUR, MAX_ADJUSTMENT, MAX_EDIT_DAYS
from apps.school.dates import DayField
from apps.school.models import AttendanceCode, School, Student, Term, YearGroup


def _term_choices(terms: list[Term]) -> list[tuple[str, str]]:
    return [(str(t.pk), f"{t.name} ({t.academic_year.name})") for t in terms]


class ReportFilterForm(forms.Form):
    """Which term, whom, and whether archived students count."""

    term = forms.ChoiceField(required=False, label=_("Term"))
    year_group = forms.ModelChoiceField(
        queryset=YearGroup.objects.none(), required=False, empty_label=_("All year groups"), label=_("Year group")
    )
    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(), required=False, empty_label=_("All classes"), label=_("Class")
    )
    include_archived = forms.BooleanField(required=False, label=_("Include archived students"))

    def __init__(self, data, *, terms: list[Term], year_groups=None, classes=None, archived: bool = True):
        super().__init__(data, label_suffix="")
        self.fields["term"].choices = _term_choices(terms)
        if not archived:
            del self.fields["include_archived"]
        if year_groups is None:
            del self.fields["year_group"]
        else:
            self.fields["year_group"].queryset = year_groups
        if classes is None:
            del self.fields["school_class"]
        else:
            self.fields["school_class"].queryset = classes

    def value(self, name, default=None):
        return self.cleaned_data.get(name, default) if self.is_valid() else default


class UnmarkedForm(forms.Form):
    start = DayField(label=_("From"))
    end = DayField(label=_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", gettext("The end comes before the start."))
            elif end - start > timedelta(days=MAX_UNMARKED_DAYS):
                self.add_error("end", gettext("Choose at most %(days)s days at a time.") % {"days": MAX_UNMARKED_DAYS})
        return data


class ChronicForm(forms.Form):
    term = forms.ChoiceField(required=False, label=_("Term"))
    source = forms.ChoiceField(choices=list(SOURCES.items()), required=False, label=_("Sessions"))
    year_group = forms.ModelChoiceField(
        queryset=YearGroup.objects.none(), required=False, empty_label=_("All year groups"), label=_("Year group")
    )
    include_archived = forms.BooleanField(required=False, label=_("Include archived students"))
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("rate", _("Highest absence first")),
            ("-rate", _("Lowest absence first")),
            ("absent", _("Most sessions missed")),
            ("name", _("Name")),
            ("year", _("Year group")),
        ],
        label=_("Sort by"),
    )

    def __init__(self, data, *, terms: list[Term], school: School):
        super().__init__(data, label_suffix="")
        self.fields["term"].choices = _term_choices(terms)
        self.fields["year_group"].queryset = YearGroup.objects.filter(school=school)


class ChartForm(forms.Form):
    term = forms.ChoiceField(required=False, label=_("Term"))
    source = forms.ChoiceField(choices=list(SOURCES.items()), required=False, label=_("Sessions"))
    year_group = forms.ModelChoiceField(
        queryset=YearGroup.objects.none(), required=False, empty_label=_("Whole school"), label=_("Year group")
    )

    def __init__(self, data, *, terms: list[Term], school: School):
        super().__init__(data, label_suffix="")
        self.fields["term"].choices = _term_choices(terms)
        self.fields["year_group"].queryset = YearGroup.objects.filter(school=school)


class AuditFilterForm(forms.Form):
    student = forms.CharField(required=False, label=_("Student name or number"), max_length=100)
    school_class = forms.ModelChoiceField(
        queryset=SchoolClass.objects.none(), required=False, empty_label=_("Any class"), label=_("Class")
    )
    kind = forms.ChoiceField(
        choices=[("", _("Any change")), *AuditEntry.MarkKind.choices], required=False, label=_("What changed")
    )
    date = DayField(required=False, label=_("Date of the mark"))
    channel = forms.ChoiceField(choices=[("", _("Any channel")), *CHANNELS], required=False, label=_("Channel"))

    def __init__(self, data, *, school: School):
        super().__init__(data, label_suffix="")
        self.fields["school_class"].queryset = SchoolClass.objects.filter(school=school).order_by("name")


class AttendanceCodeForm(forms.Form):
    label = forms.CharField(max_length=50, label=_("Label"))
    abbreviation = forms.CharField(max_length=10, label=_("Abbreviation"))
    kind = forms.ChoiceField(choices=AttendanceCode.Kind.choices, label=_("Kind"))
    presence = forms.ChoiceField(
        choices=AttendanceCode.Presence.choices,
        label=_("Presence"),
        help_text=_("Whether this code counts towards the attendance rate."),
    )
    colour = forms.CharField(
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        label=_("Colour"),
        help_text=_("Shown on roll pages and charts."),
    )
    enabled = forms.BooleanField(
        required=False, label=_("Enabled"), help_text=_("Disabled codes cannot be chosen on a roll.")
    )
    quick = forms.BooleanField(
        required=False,
        label=_("Quick button"),
        help_text=_("A button of its own on every roll row; the other codes are one tap away under “More”."),
    )

    def __init__(self, data=None, *, code: AttendanceCode):
        initial = {
            name: getattr(code, name)
            for name in ("label", "abbreviation", "kind", "presence", "colour", "enabled", "quick")
        }
        super().__init__(data, initial=initial, label_suffix="")
        self.code = code
        if code.is_default_present:
            self.fields["enabled"].disabled = True
            self.fields["enabled"].help_text = gettext("The default present code of a taken roll is always enabled.")

    def clean_colour(self):
        colour = self.cleaned_data["colour"]
        if not COLOUR.match(colour):
            raise forms.ValidationError(gettext("Use a colour like #1d4ed8."))
        return colour.lower()

    def clean_abbreviation(self):
        abbreviation = self.cleaned_data["abbreviation"].strip()
        taken = AttendanceCode.objects.filter(school=self.code.school, abbreviation=abbreviation).exclude(
            pk=self.code.pk
        )
        if taken.exists():
            raise forms.ValidationError(
                gettext("Another code already uses “%(abbreviation)s”.") % {"abbreviation": abbreviation}
            )
        return abbreviation


class AdjustmentForm(forms.Form):
    student = forms.ModelChoiceField(queryset=Student.objects.none(), label=_("Student"))
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("Term"))
    code = forms.ModelChoiceField(queryset=AttendanceCode.objects.none(), label=_("Code"))
    adjustment = forms.IntegerField(
        min_value=-MAX_ADJUSTMENT,
        max_value=MAX_ADJUSTMENT,
        label=_("Adjustment"),
        help_text=_("Added to the student's count of this code in the term; negative to take away."),
    )
    reason = forms.CharField(max_length=255, required=False, label=_("Reason"))

    def __init__(self, data=None, *, school: School, instance=None):
        initial = {}
        if instance is not None:
            initial = {
                "student": instance.student_id,
                "term": instance.term_id,
                "code": instance.code_id,
                "adjustment": instance.adjustment,
                "reason": instance.reason,
            }
        super().__init__(data, initial=initial, label_suffix="")
        self.fields["student"].queryset = Student.objects.filter(school=school).order_by("last_name", "first_name")
        self.fields["student"].label_from_instance = lambda s: f"{s.last_name}, {s.first_name} ({s.student_number})"
        self.fields["term"].queryset = Term.objects.filter(school=school).order_by("start_date")
        self.fields["code"].queryset = AttendanceCode.objects.filter(school=school)
        self.fields["code"].label_from_instance = lambda c: f"{c.label} ({c.abbreviation})"
        if instance is not None:
            # Who and when an adjustment is for is its identity: change the code and amount only.
            self.fields["student"].disabled = True
            self.fields["term"].disabled = True

    def clean_adjustment(self):
        value = self.cleaned_data["adjustment"]
        if value == 0:
            raise forms.ValidationError(gettext("An adjustment of 0 changes nothing."))
        return value


class SchoolSettingsForm(forms.Form):
    teacher_edit_days = forms.IntegerField(
        min_value=0,
        max_value=MAX_EDIT_DAYS,
        label=_("Days back teachers may edit a roll"),
        help_text=_("0: today only. Admins may always edit any date."),
    )
    attendance_in_sis = forms.BooleanField(
        required=False,
        label=_("Attendance managed in the SIS"),
        help_text=_("Section-style attendance endpoints then answer 410 Gone."),
    )
    periods_from_zero = forms.BooleanField(
        required=False, label=_("Count periods from 0"), help_text=_("Only changes how periods are labelled.")
    )
    timezone = forms.ChoiceField(label=_("Time zone"))
    default_language = forms.ChoiceField(
        label=_("Default language"), help_text=_("Of pages and emails for those who have not chosen their own.")
    )

    def __init__(self, data=None, *, school: School):
        super().__init__(
            data,
            label_suffix="",
            initial={
                "teacher_edit_days": school.teacher_edit_days,
                "attendance_in_sis": school.attendance_in_sis,
                "periods_from_zero": school.periods_from_zero,
                "timezone": school.timezone,
                "default_language": school.default_language,
            },
        )
        self.fields["timezone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["default_language"].choices = languages.choices()
