"""The form a school admin fills in to create an API client."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from apps.api.models import SCOPES
from apps.school.models import School

SCOPE_HELP = {
    "read:attendance": "Read classes, students, rolls and excusals",
    "write:attendance": "Take rolls and change excusals",
    "read:all": "Read everything (includes read:attendance)",
    "write:all": "Write everything (includes write:attendance)",
}


def staff_users(schools: QuerySet) -> QuerySet:
    """Logins of the admins and teachers of these schools: the people a client may act for.
    A login with any role in another school is left out: a client acts for everything its
    user may do, so it would reach that school too."""
    outside = School.objects.exclude(pk__in=schools.values("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(admin_roles__school__in=schools) | Q(teacher_roles__school__in=schools))
        .exclude(
            Q(admin_roles__school__in=outside)
            | Q(teacher_roles__school__in=outside)
            | Q(parent_roles__school__in=outside)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.get_username()})" if name else obj.get_username()


class ApiClientForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="What the client is, e.g. “Timetable sync”.")
    user = UserChoiceField(
        queryset=None, label="Acts for", help_text="The client sees and changes only what this person may."
    )
    scopes = forms.MultipleChoiceField(
        choices=[(s, f"{s} — {SCOPE_HELP[s]}") for s in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=["read:attendance"],
    )

    def __init__(self, *args, schools: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users(schools)
