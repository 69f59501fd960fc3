"""The notification pages: the unsubscribe link of every email (no login; a signed, expiring
token), a parent's switch and address on the family page, the office's Remind buttons and its
list of emails that could not be sent."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from apps.attendance.channels import Channel
from apps.audit.log import log_change
from apps.notifications.emails import parent_of_token
from apps.notifications.models import Notification, ParentPreference
from apps.school.access import office_for
from apps.school.models import Parent


def preference_state(parent: Parent) -> dict:
    """What the audit log keeps of a parent's emails: their address and their switch."""
    preference = ParentPreference.objects.filter(parent=parent).first()
    return {"email": parent.email, "emails": preference is None or preference.emails}


def set_emails(parent: Parent, on: bool) -> None:
    ParentPreference.objects.update_or_create(parent=parent, school_id=parent.school_id, defaults={"emails": on})


def unsubscribe(request, token: str):
    parent = parent_of_token(token)
    if parent is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        set_emails(parent, False)
        return render(request, "notifications/unsubscribe.html", {"done": True, "school": parent.school})
    return render(request, "notifications/unsubscribe.html", {"school": parent.school})


class PreferenceForm(forms.Form):
    emails = forms.BooleanField(
        required=False, label=gettext_lazy("Email me when my child is absent without an excusal")
    )
    email = forms.EmailField(required=False, label=gettext_lazy("My email address"))


@login_required
@require_POST
def family_preference(request):
    """A parent's own switch and address, in each school they are a parent in; nobody else's."""
    parents = list(Parent.objects.filter(user=request.user))
    if not parents:
        raise Http404(_("Not a parent"))
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address, like name@example.org. Nothing was changed."))
        return redirect(reverse("excusals:family") + "#emails")
    with transaction.atomic():
        for parent in parents:
            before = preference_state(parent)
            set_emails(parent, form.cleaned_data["emails"])
            if form.cleaned_data["email"] and form.cleaned_data["email"] != parent.email:
                parent.email = form.cleaned_data["email"]
                parent.save(update_fields=["email"])
            log_change(parent, actor=request.user, channel=Channel.WEB, before=before, after=preference_state(parent))
    messages.success(request, _("Emails on.") if form.cleaned_data["emails"] else _("Emails off."))
    return redirect(reverse("excusals:family") + "#emails")


@login_required
@require_POST
def remind(request):
    """The office's "Remind" (one roll: class, date, period) and "Remind all" (every untaken
    roll today); a roll that is not untaken today is refused."""
    from apps.notifications.reminders import remind as queue
    from apps.reports.selectors import unmarked_rolls

    office = office_for(request)
    school = office.school
    from django.utils import timezone

    now = timezone.localtime(timezone=__import__("zoneinfo").ZoneInfo(school.timezone))
    meetings = unmarked_rolls(school, now.date(), now.date(), now=now)
    if request.POST.get("all") != "1":
        wanted = (request.POST.get("class"), request.POST.get("period"))
        meetings = [m for m in meetings if (str(m.school_class.pk), str(m.period.number)) == wanted]
        if not meetings:
            messages.error(request, _("That roll is taken or not due today: no reminder sent."))
            return redirect(reverse("reports:dashboard") + f"?school={school.pk}")
    queued = queue(school=school, meetings=meetings)
    if queued:
        messages.success(
            request, ngettext("Reminder on the way (%(n)d).", "Reminders on the way (%(n)d).", queued) % {"n": queued}
        )
    else:
        messages.info(request, _("Already reminded in the last ten minutes."))
    return redirect(reverse("reports:dashboard") + f"?school={school.pk}")


@login_required
def outbox(request):
    """The school's emails that could not be sent after every retry, and those still waiting."""
    school = office_for(request).school
    failed = Notification.objects.filter(school=school, status=Notification.Status.FAILED).select_related(
        "parent", "student", "teacher"
    )
    waiting = Notification.objects.filter(school=school, status=Notification.Status.PENDING).count()
    return render(request, "notifications/outbox.html", {"failed": failed, "waiting": waiting, "school": school})
