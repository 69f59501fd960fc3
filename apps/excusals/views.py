"""Parents' pages (their children's attendance and their excusals) and the office's excusal page."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from apps.attendance.roll import with_photo
from apps.excusals import selectors
from apps.excusals.forms import ExcusalChangeForm, ExcusalForm, OfficeDateForm, service_errors_to_form
from apps.excusals.models import Excusal
from apps.excusals.services import ExcusalError, excusal_create, excusal_delete, excusal_update
from apps.school.access import (
    children_of_parent,
    get_child_for_parent,
    is_parent,
    may_change_excusal,
    office_for,
    parent_record_for,
)
from apps.school.dates import read_date

RECENT_DAYS = 30


def _children_or_404(request) -> list:
    """A parent's children; everyone else (teachers and admins who are not parents too) gets a 404."""
    children = list(with_photo(children_of_parent(request.user), "pk").select_related("school", "year_group"))
    if not children and not is_parent(request.user):
        raise Http404("Not a parent")
    return children


def _today(children) -> date:
    # The first child's school clock; a family's children share a town, if not a school.
    return children[0].school.today() if children else timezone.localdate()


def _month(raw: str | None, today: date) -> date:
    """The month asked for as YYYY-MM (in Rollbook's range of dates), else this month."""
    if raw and len(raw) == 7:
        parsed = read_date(f"{raw}-01")
        if parsed is not None:
            return parsed
    return today.replace(day=1)


def _split_excusals(excusals, today: date):
    current = [e for e in excusals if e.end_date >= today]
    past = [e for e in excusals if e.end_date < today]
    current.reverse()  # soonest first
    return current, past


@login_required
def family(request):
    children = _children_or_404(request)
    today = _today(children)
    month = _month(request.GET.get("month"), today)
    summaries = selectors.term_summaries(children, today)
    calendars = selectors.month_calendars(children, month, today)
    recent = selectors.recent_marks(children, today - timedelta(days=RECENT_DAYS))
    terms = {s.term.pk: s.term for s in summaries.values() if s.term is not None}
    since = min((t.start_date for t in terms.values()), default=today - timedelta(days=RECENT_DAYS))
    missing = selectors.missing_excusals(children, since)
    current, past = _split_excusals(selectors.excusals_of_children(children), today)
    return render(
        request,
        "excusals/family.html",
        {
            "children": [
                {
                    "student": child,
                    "summary": summaries[child.pk],
                    "calendar": calendars[child.pk],
                    "recent": recent[child.pk],
                    "anchor": f"#child-{child.pk}",
                }
                for child in children
            ],
            "several_schools": len({c.school_id for c in children}) > 1,
            "missing": missing,
            "more": max(0, len(missing) - 5),
            "current_excusals": current,
            "past_excusals": past,
            "today": today,
            "recent_days": RECENT_DAYS,
            "my_emails": _my_emails(request.user),
        },
    )


def _my_emails(user) -> dict | None:
    """The parent's own address and emails switch, for the family page's form."""
    from apps.notifications.views import preference_state
    from apps.school.models import Parent

    parent = Parent.objects.filter(user=user).first()
    if parent is None:
        return None
    state = preference_state(parent)
    return {"email": state["email"], "on": state["emails"]}


@login_required
def child(request, student_id: int):
    student = get_child_for_parent(request.user, student_id)
    today = student.school.today()
    month = _month(request.GET.get("month"), today)
    summary = selectors.term_summaries([student], today)[student.pk]
    calendar = selectors.month_calendars([student], month, today)[student.pk]
    current, past = _split_excusals(selectors.excusals_of_children([student]), today)
    since = summary.term.start_date if summary.term else today - timedelta(days=RECENT_DAYS)
    return render(
        request,
        "excusals/child.html",
        {
            "student": student,
            "summary": summary,
            "calendar": calendar,
            "marks": selectors.month_marks(student, month),
            "missing": selectors.missing_excusals([student], since),
            "current_excusals": current,
            "past_excusals": past,
            "today": today,
        },
    )


def _refused(form, error: ExcusalError, student, start: date, end: date, *, field: str, excluding=None) -> None:
    """Put the service's refusal beside the fields; an overlap names the excusal it runs into."""
    errors = dict(error.errors)
    if errors.pop("base", None) is not None:
        other = selectors.overlapping_excusal(student, start, end, excluding=excluding)
        if other is None:
            form.add_error(field, gettext("These days overlap with another excusal of this child."))
        else:
            form.add_error(
                field,
                gettext(
                    "These days overlap %(name)s’s excusal from %(start)s to %(end)s: "
                    "change that one instead, or pick other days."
                )
                % {
                    "name": student.first_name,
                    "start": date_format(other.start_date, "D j M"),
                    "end": date_format(other.end_date, "D j M Y"),
                },
            )
    service_errors_to_form(form, errors)


@login_required
def excusal_new(request):
    children_qs = children_of_parent(request.user)
    children = _children_or_404(request)
    if request.method == "POST":
        form = ExcusalForm(request.POST, children=children_qs)
        if form.is_valid():
            student = form.cleaned_data["child"]
            start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
            parent = parent_record_for(request.user, student)
            try:
                if parent is None:
                    raise ExcusalError({"parent_id": ["is not a parent of this student"]})
                excusal = excusal_create(
                    actor=request.user,
                    student=student,
                    parent=parent,
                    start_date=start,
                    end_date=end,
                    comment=form.cleaned_data["comment"],
                )
            except ExcusalError as error:
                _refused(form, error, student, start, end, field="start_date")
            except PermissionError:
                raise Http404("Not your child") from None
            else:
                days = ngettext("%(count)d day", "%(count)d days", excusal.duration) % {"count": excusal.duration}
                messages.success(
                    request,
                    gettext("Excusal sent for %(name)s: %(start)s to %(end)s (%(days)s). The school can see it now.")
                    % {
                        "name": student.first_name,
                        "start": date_format(excusal.start_date, "D j M"),
                        "end": date_format(excusal.end_date, "D j M"),
                        "days": days,
                    },
                )
                return redirect(reverse("excusals:family") + "#excusals")
    else:
        initial = {}
        wanted = request.GET.get("child")
        if wanted:  # the child's id, or (in an absence email, which holds no ids) their uuid
            by_uuid = [c for c in children if str(c.uuid) == wanted]
            initial["child"] = by_uuid[0].pk if by_uuid else get_child_for_parent(request.user, wanted).pk
        elif len(children) == 1:
            initial["child"] = children[0].pk
        start = read_date(request.GET.get("start"))  # a link's prefill: one that is no date is left out
        if start is not None:
            initial["start_date"] = start
            initial["end_date"] = start
        form = ExcusalForm(initial=initial, children=children_qs)
    return render(request, "excusals/excusal_new.html", {"form": form, "children": children})


@login_required
def excusal_detail(request, excusal_id: int):
    excusal = selectors.get_excusal_for_parent(request.user, excusal_id)
    may_change = may_change_excusal(request.user, excusal)
    if request.method == "POST":
        if not may_change:
            raise Http404("Sent by someone else")
        form = ExcusalChangeForm(request.POST)
        if form.is_valid():
            end = form.cleaned_data["end_date"]
            try:
                excusal_update(actor=request.user, excusal=excusal, end_date=end, comment=form.cleaned_data["comment"])
            except ExcusalError as error:
                _refused(form, error, excusal.student, excusal.start_date, end, field="end_date", excluding=excusal.pk)
            except PermissionError:
                raise Http404("Sent by someone else") from None
            except Excusal.DoesNotExist:
                raise Http404("Withdrawn meanwhile") from None
            else:
                messages.success(
                    request,
                    gettext("Excusal changed: now %(start)s to %(end)s.")
                    % {"start": date_format(excusal.start_date, "D j M"), "end": date_format(end, "D j M")},
                )
                return redirect("excusals:detail", excusal_id=excusal.pk)
    else:
        form = ExcusalChangeForm(initial={"end_date": excusal.end_date, "comment": excusal.comment})
    return render(
        request,
        "excusals/excusal_detail.html",
        {"excusal": excusal, "form": form, "may_change": may_change, "today": excusal.student.school.today()},
    )


@login_required
def excusal_withdraw(request, excusal_id: int):
    excusal = selectors.get_excusal_for_parent(request.user, excusal_id)
    if not may_change_excusal(request.user, excusal):
        raise Http404("Sent by someone else")
    if request.method == "POST":
        try:
            excusal_delete(actor=request.user, excusal=excusal)
        except PermissionError:
            raise Http404("Sent by someone else") from None
        except Excusal.DoesNotExist:
            raise Http404("Withdrawn meanwhile") from None
        messages.success(
            request,
            gettext("Excusal withdrawn: %(name)s, %(start)s to %(end)s.")
            % {
                "name": excusal.student.first_name,
                "start": date_format(excusal.start_date, "D j M"),
                "end": date_format(excusal.end_date, "D j M"),
            },
        )
        return redirect(reverse("excusals:family") + "#excusals")
    return render(request, "excusals/excusal_withdraw.html", {"excusal": excusal})


# ---------------------------------------------------------------- the office


@login_required
def office(request):
    office = office_for(request)
    school = office.school
    today = school.today()
    form = OfficeDateForm(request.GET if "date" in request.GET else None, initial={"date": today})
    day = form.cleaned_data["date"] if form.is_bound and form.is_valid() else today
    return render(
        request,
        "excusals/office.html",
        {
            "office": office,
            "school": school,
            "form": form,
            "day": day,
            "today": today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "excusals": selectors.excusals_on(school, day),
            "absences": selectors.unexcused_absences_on(school, day),
            "section": "excusals",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,  # the date is refused (and today shown)
    )
