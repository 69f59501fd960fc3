"""The office pages: today's picture, unmarked rolls, term reports, chronic absence, charts,
exports, and the settings an attendance manager keeps."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from apps.attendance.channels import Channel
from apps.audit.log import log_change, state
from apps.classes.access import get_class_for_user, get_report_student, taught_class_ids
from apps.classes.models import SchoolClass
from apps.homeroom.models import Adjustment
from apps.notifications.models import NotificationSettings
from apps.reports import charts, exports, selectors, services
from apps.reports.forms import (
    AdjustmentForm,
    AttendanceCodeForm,
    AuditFilterForm,
    ChartForm,
    ChronicForm,
    ReportFilterForm,
    SchoolSettingsForm,
    UnmarkedForm,
)
from apps.school.access import (
    Office,
    advised_year_group_ids,
    get_year_group_for_user,
    is_school_admin,
    office_for,
    reports_office,
)
from apps.school.models import AttendanceCode, School, Student, StudentPhoto, YearGroup


def _now(school: School):
    return timezone.localtime(timezone=zoneinfo.ZoneInfo(school.timezone))


def _export_format(request) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in exports.FORMATS else None


def _query_without_format(request) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _term_or_404(terms, wanted, today):
    term = selectors.pick_term(terms, wanted, today)
    if term is None:
        raise Http404("The school has no terms yet")
    return term


def _day(day) -> str:
    """'9 Nov': short enough for an axis label, in the reader's language."""
    return date_format(day, "j M")


def _percent(value: float, digits: int = 1) -> str:
    """A share as a percentage in the reader's number format: '92.5%'."""
    return gettext("%(number)s%%") % {"number": number_format(round(value, digits), digits)}


def _weekly_chart(title: str, marks, term, today) -> charts.Chart:
    points = selectors.weekly_rates(marks, term, until=min(today, term.end_date))
    rated = [p for p in points if p.rate is not None]
    if rated:
        low = min(rated, key=lambda p: p.rate)
        desc = ngettext(
            "Attendance rate per week of %(term)s, over %(weeks)d week. "
            "Latest week %(latest)s; lowest %(lowest)s in the week of %(week)s.",
            "Attendance rate per week of %(term)s, over %(weeks)d weeks. "
            "Latest week %(latest)s; lowest %(lowest)s in the week of %(week)s.",
            len(points),
        ) % {
            "term": term.name,
            "weeks": len(points),
            "latest": _percent(rated[-1].rate * 100),
            "lowest": _percent(low.rate * 100),
            "week": _day(low.week),
        }
    else:
        desc = gettext("No marks yet in %(term)s.") % {"term": term.name}
    return charts.line_chart(
        title=title,
        desc=desc,
        points=[(_day(p.week), None if p.rate is None else p.rate * 100) for p in points],
    )


def _distribution_chart(title: str, distribution) -> charts.Chart:
    total = sum(n for _, n in distribution)
    desc = (
        gettext("Marks per attendance code: %(codes)s.")
        % {"codes": "; ".join(f"{c.label} {n} ({_percent(n / total * 100)})" for c, n in distribution)}
        if total
        else gettext("No marks yet.")
    )
    return charts.bar_chart(title=title, desc=desc, bars=[(c.abbreviation, n, c.colour) for c, n in distribution])


# ---------------------------------------------------------------- today


@login_required
def dashboard(request):
    office = office_for(request)
    school = office.school
    now = _now(school)
    today = now.date()
    class_counts, daily_counts = selectors.counts_on(school, today)
    unmarked = selectors.unmarked_rolls(school, today, today, now=now)
    homerooms = selectors.untaken_homerooms(school, today)
    absences = selectors.unexcused_absences_on(school, today)
    if fmt := _export_format(request):
        return exports.export_response(
            [
                exports.counts_table(gettext("Lessons today"), class_counts),
                exports.counts_table(gettext("Homeroom today"), daily_counts),
                exports.unmarked_table(unmarked, school.period_offset, homerooms=homerooms, on=today),
                exports.Table(
                    title=gettext("Absences without excusal"),
                    headers=[
                        gettext("Student"),
                        gettext("Student number"),
                        gettext("Year group"),
                        gettext("Where"),
                        gettext("Period"),
                        gettext("Code"),
                    ],
                    rows=[
                        [
                            a.student.full_name,
                            a.student.student_number,
                            a.student.year_group.name if a.student.year_group else "",
                            a.where,
                            "" if a.period is None else a.period.number + school.period_offset,
                            a.code.label,
                        ]
                        for a in absences
                    ],
                ),
            ],
            filename=f"today-{today}",
            fmt=fmt,
        )
    return render(
        request,
        "reports/dashboard.html",
        {
            "office": office,
            "school": school,
            "today": today,
            "now": now,
            "class_counts": class_counts,
            "daily_counts": daily_counts,
            "class_total": sum(n for _, n in class_counts),
            "daily_total": sum(n for _, n in daily_counts),
            "unmarked": unmarked,
            "untaken_homerooms": homerooms,
            "absences": absences,
            "chart": _distribution_chart(gettext("Lesson marks today by code"), class_counts) if class_counts else None,
            "query": _query_without_format(request),
            "section": "today",
        },
    )


# ---------------------------------------------------------------- unmarked rolls


@login_required
def unmarked(request):
    office = office_for(request)
    school = office.school
    now = _now(school)
    today = now.date()
    # The last seven days unless the filter names others (an export link may name none).
    params = {"start": today - timedelta(days=6), "end": today, **request.GET.dict()}
    form = UnmarkedForm(params, label_suffix="")
    meetings = []
    if form.is_valid():
        meetings = selectors.unmarked_rolls(school, form.cleaned_data["start"], form.cleaned_data["end"], now=now)
        if fmt := _export_format(request):
            return exports.export_response(
                [exports.unmarked_table(meetings, school.period_offset)],
                filename=f"unmarked-{form.cleaned_data['start']}-{form.cleaned_data['end']}",
                fmt=fmt,
            )
    return render(
        request,
        "reports/unmarked.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "meetings": meetings,
            "by_teacher": selectors.group_by_teacher(meetings),
            "by_class": selectors.group_by_class(meetings),
            "query": _query_without_format(request) or f"start={form.data.get('start')}&end={form.data.get('end')}",
            "section": "unmarked",
        },
        status=200 if form.is_valid() else 400,
    )


# ---------------------------------------------------------------- term reports


@login_required
def term_reports(request):
    """The school by year group (homeroom) and by class (lessons); a teacher sees only theirs."""
    office, is_admin = reports_office(request)
    school = office.school
    today = school.today()
    terms = selectors.school_terms(school)
    class_ids = year_group_ids = None
    year_groups = YearGroup.objects.filter(school=school)
    classes = SchoolClass.objects.filter(school=school).order_by("name")
    if not is_admin:
        class_ids, year_group_ids = taught_class_ids(request.user), advised_year_group_ids(request.user)
        year_groups = year_groups.filter(pk__in=year_group_ids)
        classes = classes.filter(pk__in=class_ids)
    form = ReportFilterForm(request.GET or None, terms=terms, year_groups=year_groups, classes=classes)
    term = _term_or_404(terms, form.value("term"), today)
    year_group = form.value("year_group")
    school_class = form.value("school_class")
    include_archived = bool(form.value("include_archived", False))
    by_year_group, by_class = selectors.school_overview(
        school,
        term,
        include_archived=include_archived,
        year_group=year_group,
        school_class=school_class,
        class_ids=class_ids,
        year_group_ids=year_group_ids,
    )
    if fmt := _export_format(request):
        return exports.export_response(
            [exports.report_table(by_year_group), exports.report_table(by_class)],
            filename=f"term-report-{term.name}",
            fmt=fmt,
        )
    return render(
        request,
        "reports/term_reports.html",
        {
            "office": office,
            "school": school,
            "is_admin": is_admin,
            "form": form,
            "term": term,
            "reports": [by_year_group, by_class],
            "query": _query_without_format(request),
            "section": "reports",
        },
    )


def _simple_filter(request, school: School, *, archived: bool = True):
    terms = selectors.school_terms(school)
    form = ReportFilterForm(request.GET or None, terms=terms, archived=archived)
    term = _term_or_404(terms, form.value("term"), school.today())
    return form, term, bool(form.value("include_archived", False))


@login_required
def class_report(request, class_id: int):
    school_class = get_class_for_user(request.user, class_id)
    school = school_class.school
    form, term, include_archived = _simple_filter(request, school)
    report = selectors.class_report(school_class, term, include_archived=include_archived)
    if fmt := _export_format(request):
        return exports.export_response(
            [exports.report_table(report, with_number=True)], filename=f"{school_class.name}-{term.name}", fmt=fmt
        )
    marks = selectors.marks_for(selectors.LESSONS, school, term, include_archived).filter(school_class=school_class)
    return render(
        request,
        "reports/class_report.html",
        {
            "school": school,
            "school_class": school_class,
            "form": form,
            "term": term,
            "report": report,
            "weekly": _weekly_chart(
                gettext("%(name)s: attendance by week") % {"name": school_class.name}, marks, term, school.today()
            ),
            "distribution": _distribution_chart(
                gettext("%(name)s: marks by code") % {"name": school_class.name},
                [(c, report.totals.counts.get(c.pk, 0)) for c in report.codes if report.totals.counts.get(c.pk)],
            ),
            "query": _query_without_format(request),
            "section": "reports",
        },
    )


@login_required
def year_group_report(request, year_group_id: int):
    year_group = get_year_group_for_user(request.user, year_group_id)
    school = year_group.school
    form, term, include_archived = _simple_filter(request, school)
    report = selectors.year_group_report(year_group, term, include_archived=include_archived)
    if fmt := _export_format(request):
        return exports.export_response(
            [exports.report_table(report, with_number=True), exports.adjustments_table(report)],
            filename=f"{year_group.name}-{term.name}",
            fmt=fmt,
        )
    marks = selectors.marks_for(selectors.HOMEROOM, school, term, include_archived).filter(
        student__year_group=year_group
    )
    return render(
        request,
        "reports/year_group_report.html",
        {
            "school": school,
            "year_group": year_group,
            "form": form,
            "term": term,
            "report": report,
            "weekly": _weekly_chart(
                gettext("%(name)s: homeroom attendance by week") % {"name": year_group.name},
                marks,
                term,
                school.today(),
            ),
            "distribution": _distribution_chart(
                gettext("%(name)s: homeroom marks by code (adjustments applied)") % {"name": year_group.name},
                [(c, report.totals.counts.get(c.pk, 0)) for c in report.codes if report.totals.counts.get(c.pk)],
            ),
            "query": _query_without_format(request),
            "section": "reports",
        },
    )


@login_required
def student_report(request, student_id: int):
    student = get_report_student(request.user, student_id)
    school = student.school
    form, term, _ = _simple_filter(request, school, archived=False)
    is_admin = is_school_admin(request.user, school)
    class_ids = None
    shows_homeroom = is_admin
    if not is_admin:
        class_ids, year_group_ids = taught_class_ids(request.user), advised_year_group_ids(request.user)
        shows_homeroom = YearGroup.objects.filter(pk__in=year_group_ids, students=student).exists()
    homeroom, lessons = selectors.student_report(student, term, class_ids=class_ids)
    if fmt := _export_format(request):
        tables = [exports.report_table(homeroom), exports.adjustments_table(homeroom)] if shows_homeroom else []
        tables.append(exports.report_table(lessons))
        return exports.export_response(tables, filename=f"{student.full_name}-{term.name}", fmt=fmt)
    if shows_homeroom:
        marks = selectors.marks_for(selectors.HOMEROOM, school, term, True).filter(student=student)
        chart_title = gettext("%(name)s: homeroom attendance by week") % {"name": student.full_name}
    else:
        marks = selectors.marks_for(selectors.LESSONS, school, term, True).filter(
            student=student, school_class_id__in=class_ids
        )
        chart_title = gettext("%(name)s: attendance in your classes by week") % {"name": student.full_name}
    return render(
        request,
        "reports/student_report.html",
        {
            "school": school,
            "student": student,
            "form": form,
            "term": term,
            "homeroom": homeroom if shows_homeroom else None,
            "lessons": lessons,
            "weekly": _weekly_chart(chart_title, marks, term, school.today()),
            "query": _query_without_format(request),
            "section": "reports",
            "has_photo": StudentPhoto.objects.filter(student=student).exists(),
        },
    )


# ---------------------------------------------------------------- chronic absence and charts


@login_required
def chronic(request):
    office = office_for(request)
    school = office.school
    today = school.today()
    terms = selectors.school_terms(school)
    form = ChronicForm(request.GET or None, terms=terms, school=school)
    data = form.cleaned_data if form.is_valid() else {}
    term = _term_or_404(terms, data.get("term"), today)
    source = data.get("source") or selectors.HOMEROOM
    sort = data.get("sort") or "rate"
    rows = selectors.chronic_absence(
        school,
        term,
        source=source,
        today=today,
        year_group=data.get("year_group"),
        include_archived=bool(data.get("include_archived")),
        sort=sort,
    )
    if fmt := _export_format(request):
        return exports.export_response([exports.chronic_table(rows)], filename=f"chronic-absence-{term.name}", fmt=fmt)
    for row in rows:
        rates = [None if p.rate is None else p.rate * 100 for p in row.trend]
        known = ", ".join(f"{_day(p.week)} {_percent(p.rate * 100, 0)}" for p in row.trend if p.rate is not None)
        row.sparkline = charts.sparkline(
            rates,
            label=gettext("Weekly attendance of %(name)s: %(weeks)s") % {"name": row.student.full_name, "weeks": known},
        )
    sort_query = request.GET.copy()
    sort_query.pop("sort", None)
    sort_query.pop("format", None)
    return render(
        request,
        "reports/chronic.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "term": term,
            "source": selectors.SOURCES[source],
            "rows": rows,
            "sort": sort,
            "sort_query": sort_query.urlencode(),
            "threshold": int(selectors.CHRONIC_THRESHOLD * 100),
            "query": _query_without_format(request),
            "section": "chronic",
        },
    )


@login_required
def chart_page(request):
    office = office_for(request)
    school = office.school
    today = school.today()
    terms = selectors.school_terms(school)
    form = ChartForm(request.GET or None, terms=terms, school=school)
    data = form.cleaned_data if form.is_valid() else {}
    term = _term_or_404(terms, data.get("term"), today)
    source = data.get("source") or selectors.HOMEROOM
    year_group = data.get("year_group")
    marks = selectors.marks_for(source, school, term)
    scope = school.name
    if year_group is not None:
        marks = marks.filter(student__year_group=year_group)
        scope = year_group.name
    codes = selectors.school_codes(school)
    if source == selectors.HOMEROOM:
        weekly_title, distribution_title = (
            gettext("%(scope)s: homeroom attendance by week"),
            gettext("%(scope)s: homeroom marks by code"),
        )
    else:
        weekly_title, distribution_title = (
            gettext("%(scope)s: lesson attendance by week"),
            gettext("%(scope)s: lesson marks by code"),
        )
    return render(
        request,
        "reports/charts.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "term": term,
            "weekly": _weekly_chart(weekly_title % {"scope": scope}, marks, term, today),
            "distribution": _distribution_chart(
                distribution_title % {"scope": scope}, selectors.code_distribution(marks, codes)
            ),
            "section": "charts",
        },
    )


# ---------------------------------------------------------------- settings


class NotificationSettingsForm(forms.ModelForm):
    prefix = "n"

    class Meta:
        model = NotificationSettings
        fields = ["enabled", "absence_delay_minutes", "reminder_after_minutes", "sender_name", "reply_to"]


def notification_settings_form(request, school) -> NotificationSettingsForm:
    """The school's notification settings (the defaults when it has none), bound to a POST of them."""
    instance = NotificationSettings.objects.filter(school=school).first() or NotificationSettings(school=school)
    data = request.POST if request.method == "POST" and "notifications" in request.POST else None
    return NotificationSettingsForm(data, instance=instance)


@login_required
def school_settings(request):
    office = office_for(request)
    school = office.school
    notifications = notification_settings_form(request, school)
    if notifications.is_bound and notifications.is_valid():
        with transaction.atomic():
            # The form wrote the new values into its instance: the row before is read again.
            before = state(NotificationSettings.objects.filter(school=school).first())
            saved = notifications.save()
            log_change(saved, actor=request.user, channel=Channel.WEB, before=before, after=state(saved))
        messages.success(request, gettext("Notification settings saved."))
        return redirect(office.url("reports:settings"))
    posted = request.method == "POST" and "notifications" not in request.POST
    form = SchoolSettingsForm(request.POST if posted else None, school=school)
    if posted and form.is_valid():
        try:
            services.school_settings_update(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("School settings saved."))
            return redirect(office.url("reports:settings"))
    return render(
        request,
        "reports/settings.html",
        {"office": office, "school": school, "form": form, "notifications": notifications, "section": "settings"},
    )


@login_required
def codes(request):
    office = office_for(request)
    school = office.school
    return render(
        request,
        "reports/codes.html",
        {"office": office, "school": school, "codes": selectors.school_codes(school), "section": "codes"},
    )


@login_required
def code_edit(request, code_id: int):
    office = office_for(request)
    school = office.school
    try:
        code = AttendanceCode.objects.select_related("school").get(school=school, pk=code_id)
    except AttendanceCode.DoesNotExist:
        raise Http404("No such code") from None
    form = AttendanceCodeForm(request.POST or None, code=code)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_code_update(actor=request.user, code=code, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                gettext("%(label)s (%(abbreviation)s) saved.")
                % {"label": code.label, "abbreviation": code.abbreviation},
            )
            return redirect(office.url("reports:codes"))
    return render(
        request,
        "reports/code_edit.html",
        {"office": office, "school": school, "code": code, "form": form, "section": "codes"},
    )


def _adjustment_for_admin(request, adjustment_id) -> tuple[Office, Adjustment]:
    office = office_for(request)
    try:
        adjustment = Adjustment.objects.select_related("school", "student", "term", "code").get(
            school=office.school, pk=adjustment_id
        )
    except Adjustment.DoesNotExist:
        raise Http404("No such adjustment") from None
    return office, adjustment


@login_required
def adjustments(request):
    office = office_for(request)
    school = office.school
    form = AdjustmentForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.adjustment_create(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Adjustment added."))
            return redirect(office.url("reports:adjustments"))
    terms = selectors.school_terms(school)
    filter_form = ReportFilterForm(request.GET or None, terms=terms)
    term = selectors.pick_term(terms, filter_form.value("term"), school.today())
    rows = (
        Adjustment.objects.filter(school=school, term=term)
        .select_related("student__year_group", "code", "term")
        .order_by("student__last_name", "student__first_name", "code__sort_order")
    )
    return render(
        request,
        "reports/adjustments.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "filter_form": filter_form,
            "term": term,
            "adjustments": rows,
            "section": "adjustments",
        },
    )


@login_required
def adjustment_edit(request, adjustment_id: int):
    office, adjustment = _adjustment_for_admin(request, adjustment_id)
    form = AdjustmentForm(request.POST or None, school=adjustment.school, instance=adjustment)
    if request.method == "POST" and form.is_valid():
        try:
            services.adjustment_update(
                actor=request.user,
                adjustment=adjustment,
                code=form.cleaned_data["code"],
                value=form.cleaned_data["adjustment"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Adjustment saved."))
            return redirect(office.url("reports:adjustments", term=adjustment.term_id))
    return render(
        request,
        "reports/adjustment_edit.html",
        {
            "office": office,
            "school": adjustment.school,
            "adjustment": adjustment,
            "form": form,
            "section": "adjustments",
        },
    )


@login_required
@require_POST
def adjustment_delete(request, adjustment_id: int):
    office, adjustment = _adjustment_for_admin(request, adjustment_id)
    term_id = adjustment.term_id
    services.adjustment_delete(actor=request.user, adjustment=adjustment)
    messages.success(request, gettext("Adjustment deleted."))
    return redirect(office.url("reports:adjustments", term=term_id))


@login_required
def audit_log(request):
    office = office_for(request)
    school = office.school
    form = AuditFilterForm(request.GET or None, school=school)
    if form.is_bound and not form.is_valid():  # a filter that cannot be read: refused, not ignored
        return render(
            request,
            "reports/audit.html",
            {"office": office, "school": school, "form": form, "rows": [], "query": "", "section": "audit"},
            status=400,
        )
    data = form.cleaned_data if form.is_bound else {}
    student_ids = None
    if data.get("student"):
        text = data["student"].strip()
        matches = Student.objects.filter(school=school).filter(
            Q(student_number__iexact=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
        )
        student_ids = list(matches.values_list("pk", flat=True)[:500])
    rows = selectors.audit_log(
        school,
        student_ids=student_ids,
        school_class=data.get("school_class"),
        on=data.get("date"),
        channel=data.get("channel") or "",
        kind=data.get("kind") or "",
    )
    if fmt := _export_format(request):
        tz = zoneinfo.ZoneInfo(school.timezone)
        return exports.export_response(
            [exports.audit_table(rows, school.period_offset, tz)], filename="audit-log", fmt=fmt
        )
    return render(
        request,
        "reports/audit.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "rows": rows,
            "query": _query_without_format(request),
            "section": "audit",
        },
    )
